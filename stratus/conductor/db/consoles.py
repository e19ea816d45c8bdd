"""Console auth tokens (Nova's console_auth_token_* database API): a
token is stored as its hash and found only while it has not expired."""
from sqlalchemy import delete, select

from stratus.conductor.db.models import ConsoleAuthToken
from stratus.common.timeutils import parse_isotime, utcnow


def token_create(session, values):
    """Record a token; the expired ones go at the same time, so the table
    holds only what can still open a console."""
    destroy_expired(session)
    values = dict(values, expires=parse_isotime(values["expires"]))
    row = ConsoleAuthToken(**values)
    session.add(row)
    session.flush()
    return row


def token_get_valid(session, token_hash):
    """The token's row while it is unexpired, else None."""
    return session.scalars(select(ConsoleAuthToken).where(
        ConsoleAuthToken.token_hash == token_hash,
        ConsoleAuthToken.expires > utcnow())).first()


def destroy_all_by_instance(session, instance_uuid):
    """Forget every token of an instance (deleted or moved); how many."""
    return session.execute(delete(ConsoleAuthToken).where(
        ConsoleAuthToken.instance_uuid == instance_uuid)).rowcount


def destroy_expired(session):
    session.execute(delete(ConsoleAuthToken).where(ConsoleAuthToken.expires <= utcnow()))

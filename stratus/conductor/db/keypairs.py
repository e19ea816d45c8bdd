"""Key pairs: per user, unique by name among the user's live pairs.

A create counts the user's pairs and adds one under the user's lock, so
concurrent creates can neither pass the quota nor both take a name."""
from sqlalchemy import func, select

from stratus.common import exception
from stratus.conductor.db import quotas
from stratus.conductor.db.models import KeyPair


def _live(user_id):
    return select(KeyPair).where(KeyPair.user_id == user_id, KeyPair.deleted == 0)


def count(session, user_id):
    return session.scalar(select(func.count(KeyPair.id)).where(
        KeyPair.user_id == user_id, KeyPair.deleted == 0))


def lock_user(session, user_id):
    """Key pairs are counted per user: serialise on the user, not the
    project (an admin may create pairs for a user of another project).
    The lock table is keyed by any scope name."""
    quotas.lock_project(session, f"user:{user_id}")


def keypair_create(session, project_id, values):
    """Record a pair (name, user_id, fingerprint, public_key, type); the
    limit is the key_pairs quota of the creating project, as in Nova."""
    user_id, name = values["user_id"], values["name"]
    lock_user(session, user_id)
    limit = quotas.limits(session, project_id)["key_pairs"]
    if 0 <= limit < count(session, user_id) + 1:
        raise exception.KeypairLimitExceeded()
    if session.scalars(_live(user_id).where(KeyPair.name == name)).first() is not None:
        raise exception.KeyPairExists(key_name=name)
    row = KeyPair(**values)
    session.add(row)
    session.flush()
    return row


def keypair_get(session, user_id, name):
    row = session.scalars(_live(user_id).where(KeyPair.name == name)).first()
    if row is None:
        raise exception.KeypairNotFound(name=name, user_id=user_id)
    return row


def keypair_get_all(session, user_id, limit=None, marker=None):
    """A user's pairs by name, paged after the pair named `marker`."""
    query = _live(user_id).order_by(KeyPair.name)
    if marker is not None:
        if session.scalars(_live(user_id).where(KeyPair.name == marker)).first() is None:
            raise exception.Invalid(f"Marker {marker} could not be found.")
        query = query.where(KeyPair.name > marker)
    if limit is not None:
        query = query.limit(int(limit))
    return list(session.scalars(query))


def keypair_destroy(session, user_id, name):
    """Soft-delete (deleted = id, so the name can be taken again)."""
    row = keypair_get(session, user_id, name)
    row.deleted = row.id
    session.flush()

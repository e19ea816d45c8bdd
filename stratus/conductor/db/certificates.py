"""Certificates the cert role signed: recorded at issue, revoked by user,
project or both, read back for the CRL."""
from sqlalchemy import select

from stratus.common import exception
from stratus.conductor.db.models import Certificate
from stratus.common.timeutils import utcnow


def certificate_create(session, values):
    """Record a certificate {serial, user_id, project_id, pem}."""
    row = Certificate(**values)
    session.add(row)
    session.flush()
    return row


def certificate_get_all(session, revoked=None):
    """Certificates oldest first; only revoked (or live) ones if `revoked`
    is True (False)."""
    query = select(Certificate).order_by(Certificate.id)
    if revoked is not None:
        query = query.where(Certificate.revoked == revoked)
    return list(session.scalars(query))


def certificate_revoke(session, user_id=None, project_id=None):
    """Revoke the live certificates of a user, a project, or a user in a
    project; returns those this revoked. The rows are locked as they are
    read, so two revocations at once never both take the same one."""
    if user_id is None and project_id is None:
        raise exception.Invalid("A revocation names a user, a project or both.")
    query = select(Certificate).where(Certificate.revoked == False)  # noqa: E712
    if user_id is not None:
        query = query.where(Certificate.user_id == user_id)
    if project_id is not None:
        query = query.where(Certificate.project_id == project_id)
    rows = list(session.scalars(query.order_by(Certificate.id).with_for_update()))
    now = utcnow()
    for row in rows:
        row.revoked, row.revoked_at = True, now
    session.flush()
    return rows

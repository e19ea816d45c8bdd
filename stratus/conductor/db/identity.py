"""Users, projects, role assignments and revoked tokens. One domain,
Keystone's `default` (named "Default"): users and projects are unique by
name in it, and every reference names it or leaves it out."""
import uuid

from sqlalchemy import delete, select

from stratus.common import exception
from stratus.conductor.db.identity_models import Project, RevokedToken, RoleAssignment, User
from stratus.common.context import ROLES, implied_roles
from stratus.common.objects.identity import DEFAULT_DOMAIN
from stratus.common.timeutils import utcnow


def _in_domain(domain):
    """Whether a {"id"} or {"name"} domain reference (or none) is ours."""
    if not domain:
        return True
    return domain.get("id") == DEFAULT_DOMAIN["id"] or domain.get("name") == DEFAULT_DOMAIN["name"]


def find(session, model, ref):
    """The row named by a Keystone reference, {"id"} or {"name", "domain"};
    None when there is none."""
    if not isinstance(ref, dict):
        return None
    if ref.get("id"):
        return session.get(model, str(ref["id"]))
    if ref.get("name") and _in_domain(ref.get("domain")):
        return session.scalars(select(model).where(model.name == str(ref["name"]),
                                                   model.domain_id == "default")).first()
    return None


def find_by_name_or_id(session, model, text):
    """For operators: an id, else a name in the default domain."""
    return find(session, model, {"id": text}) or find(session, model, {"name": text})


def _create(session, model, kind, values):
    if find(session, model, {"name": values["name"]}) is not None:
        raise exception.IdentityConflict(
            type=kind, details=f"Duplicate entry found with name {values['name']} at domain "
                               "ID default")
    row = model(id=uuid.uuid4().hex, domain_id="default", **values)
    session.add(row)
    session.flush()
    return row


def project_create(session, values):
    return _create(session, Project, "project", values)


def user_create(session, values):
    """`values` carry the password hash, never the password."""
    return _create(session, User, "user", values)


def assign(session, user_id, project_id, role):
    """Grant `role` (idempotent)."""
    if role not in ROLES:
        raise exception.RoleNotFound(role_id=role)
    found = session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == user_id, RoleAssignment.project_id == project_id,
        RoleAssignment.role == role)).first()
    if found is None:
        session.add(RoleAssignment(user_id=user_id, project_id=project_id, role=role))
        session.flush()


def roles_of(session, user_id, project_id):
    """The user's roles on the project, implied ones included."""
    granted = session.scalars(select(RoleAssignment.role).where(
        RoleAssignment.user_id == user_id, RoleAssignment.project_id == project_id))
    return implied_roles(list(granted))


def revoke(session, token_id, expires_at):
    """Record a revoked token; forget those that have expired since."""
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    if session.get(RevokedToken, token_id) is None:
        session.add(RevokedToken(token_id=token_id, expires_at=expires_at))
        session.flush()


def is_revoked(session, token_id):
    return session.get(RevokedToken, token_id) is not None

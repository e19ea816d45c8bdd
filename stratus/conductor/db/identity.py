"""Users, projects, role assignments and revoked tokens. One domain,
Keystone's `default` (named "Default"): users and projects are unique by
name in it, and every reference names it or leaves it out."""
import uuid

from sqlalchemy import bindparam, delete, func, select, update

from stratus.common import exception
from stratus.conductor.db.identity_models import Project, RevokedToken, RoleAssignment, User
from stratus.conductor.db.models import Instance
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


def unassign(session, user_id, project_id, role):
    """Take `role` back; NotFound when the user was not granted it (an
    implied role is not granted: remove the role that implies it)."""
    removed = session.execute(delete(RoleAssignment).where(
        RoleAssignment.user_id == user_id, RoleAssignment.project_id == project_id,
        RoleAssignment.role == role))
    if removed.rowcount == 0:
        raise exception.NotFound(f"Could not find role assignment: role {role} of user "
                                 f"{user_id} on project {project_id}.")


def user_delete(session, user):
    """Delete a user row and its role assignments."""
    session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    session.delete(user)
    session.flush()


def project_delete(session, project):
    """Delete a project row and the role assignments on it, and clear it
    as anyone's default project; Conflict while it has servers (their
    owner could no longer reach them)."""
    servers = session.scalar(select(func.count()).select_from(Instance).where(
        Instance.project_id == project.id, Instance.deleted == 0))
    if servers:
        raise exception.Conflict(f"Project {project.name} ({project.id}) still has {servers} "
                                 "server(s); delete them first.")
    session.execute(delete(RoleAssignment).where(RoleAssignment.project_id == project.id))
    session.execute(update(User).where(User.default_project_id == project.id)
                    .values(default_project_id=None))
    session.delete(project)
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


# Asked on every API request (the token check): Core, built once.
_REVOKED = select(RevokedToken.__table__.c.token_id).where(
    RevokedToken.__table__.c.token_id == bindparam("match_token"))


def is_revoked(session, token_id):
    return session.execute(_REVOKED, {"match_token": token_id}).first() is not None


def listed(session, model, filters):
    """Rows of the default domain, by name, oldest first; `filters` may
    hold name, enabled, and for users default_project_id."""
    query = select(model).where(model.domain_id == "default")
    for key in ("name", "enabled", "default_project_id"):
        if key in filters and hasattr(model, key):
            query = query.where(getattr(model, key) == filters[key])
    return list(session.scalars(query.order_by(model.name)))


def projects_of(session, user_id):
    """The projects on which the user holds a role."""
    held = select(RoleAssignment.project_id).where(RoleAssignment.user_id == user_id)
    return list(session.scalars(select(Project).where(Project.id.in_(held))
                                .order_by(Project.name)))


def assignments(session, user_id=None, project_id=None, role=None):
    """(user_id, project_id, role) of the grants matching the filters."""
    query = select(RoleAssignment.user_id, RoleAssignment.project_id, RoleAssignment.role)
    for column, value in ((RoleAssignment.user_id, user_id),
                          (RoleAssignment.project_id, project_id),
                          (RoleAssignment.role, role)):
        if value is not None:
            query = query.where(column == value)
    return [tuple(row) for row in session.execute(
        query.order_by(RoleAssignment.project_id, RoleAssignment.user_id, RoleAssignment.role))]


def rename(session, row, kind, name):
    """Give a user or project a new name, unique in the domain."""
    other = find(session, type(row), {"name": name})
    if other is not None and other.id != row.id:
        raise exception.IdentityConflict(
            type=kind, details=f"Duplicate entry found with name {name} at domain ID default")
    row.name = name

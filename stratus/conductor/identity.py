"""The conductor's identity endpoints (a Keystone v3 subset): projects,
users, role assignments, password authentication and token revocation.
The password hashes never leave this role.

Passwords are checked outside the transaction: scrypt is slow on purpose,
and a connection should not wait on it."""
from stratus.common import exception
from stratus.conductor import passwords
from stratus.conductor.db import identity
from stratus.conductor.db.identity_models import Project, User
from stratus.conductor.db.session import core_transaction, transaction
from stratus.common.objects import identity as objects
from stratus.common.timeutils import parse_isotime
from stratus.common.endpoint import endpoint

_ADMIN = "admin"
# Attributes a user keeps as given (Keystone keeps extra ones the same way).
_USER_DETAILS = ("email", "description")


def _user(row):
    return objects.User(id=row.id, name=row.name, domain_id=row.domain_id, enabled=row.enabled,
                        default_project_id=row.default_project_id, email=row.email,
                        description=row.description)


def _project(row):
    return objects.Project(id=row.id, name=row.name, domain_id=row.domain_id,
                           enabled=row.enabled, description=row.description)


def _found(session, model, text, not_found):
    row = identity.find_by_name_or_id(session, model, text)
    if row is None:
        raise not_found
    return row


def _user_and_project(session, user, project):
    """The ids of a user and a project given by name or id (NotFound)."""
    user_row = _found(session, User, user, exception.UserNotFound(user_id=user))
    project_row = _found(session, Project, project, exception.ProjectNotFound(project_id=project))
    return user_row.id, project_row.id


class Identity:
    """Users, projects, roles and tokens."""

    @endpoint(since="1.2")
    def project_create(self, ctxt, values):
        with transaction() as session:
            return _project(identity.project_create(session, {
                "name": values["name"], "description": values.get("description"),
                "enabled": values.get("enabled", True)}))

    @endpoint(since="1.2")
    def user_create(self, ctxt, values):
        """{name, password, default_project (name or id)}; from 1.6 also
        enabled, email and description, and no password (such a user
        cannot log in until one is set)."""
        hashed = passwords.hash_password(values["password"]) if values.get("password") else None
        with transaction() as session:
            project_id = None
            if values.get("default_project"):
                project_id = _found(session, Project, values["default_project"],
                                    exception.ProjectNotFound(
                                        project_id=values["default_project"])).id
            return _user(identity.user_create(session, {
                "name": values["name"], "password_hash": hashed,
                "default_project_id": project_id, "enabled": values.get("enabled", True),
                **{key: values.get(key) for key in _USER_DETAILS}}))

    @endpoint(since="1.2")
    def role_assignment_create(self, ctxt, user, project, role):
        with transaction() as session:
            identity.assign(session, *_user_and_project(session, user, project), role)

    @endpoint(since="1.4")
    def role_assignment_delete(self, ctxt, user, project, role):
        """Take back a role granted on a project (users and projects by
        name or id); NotFound when it was not granted."""
        with transaction() as session:
            identity.unassign(session, *_user_and_project(session, user, project), role)

    @endpoint(since="1.4")
    def user_update(self, ctxt, user, values):
        """Change a user (name or id). 1.4: {"enabled": bool}; 1.6 also
        name, password, default_project_id, email and description. A
        disabled user gets no token, and the api refuses its tokens
        (token_roles)."""
        unknown = set(values) - {"enabled", "name", "password", "default_project_id",
                                 *_USER_DETAILS}
        if unknown or not isinstance(values.get("enabled", True), bool):
            raise exception.Invalid(f"These user attributes cannot be changed: "
                                    f"{', '.join(sorted(unknown)) or 'enabled (not a boolean)'}.")
        hashed = passwords.hash_password(values["password"]) if values.get("password") else None
        with transaction() as session:
            row = _found(session, User, user, exception.UserNotFound(user_id=user))
            if values.get("name"):
                identity.rename(session, row, "user", values["name"])
            if values.get("default_project_id"):
                row.default_project_id = _found(
                    session, Project, values["default_project_id"], exception.ProjectNotFound(
                        project_id=values["default_project_id"])).id
            if hashed is not None:
                row.password_hash = hashed
            for key in ("enabled", *_USER_DETAILS):
                if key in values:
                    setattr(row, key, values[key])
            return _user(row)

    @endpoint(since="1.6")
    def user_get(self, ctxt, user):
        """A user by id (UserNotFound)."""
        with transaction() as session:
            row = identity.find(session, User, {"id": user})
            if row is None:
                raise exception.UserNotFound(user_id=user)
            return _user(row)

    @endpoint(since="1.6")
    def user_get_all(self, ctxt, filters):
        """Users by name, enabled or default_project_id."""
        with transaction() as session:
            return [_user(row) for row in identity.listed(session, User, filters)]

    @endpoint(since="1.6")
    def project_get(self, ctxt, project):
        """A project by id (ProjectNotFound)."""
        with transaction() as session:
            row = identity.find(session, Project, {"id": project})
            if row is None:
                raise exception.ProjectNotFound(project_id=project)
            return _project(row)

    @endpoint(since="1.6")
    def project_get_all(self, ctxt, filters, user_id=None):
        """Projects by name or enabled; with `user_id`, those on which
        that user holds a role."""
        with transaction() as session:
            rows = identity.projects_of(session, user_id) if user_id else \
                identity.listed(session, Project, filters)
            return [_project(row) for row in rows
                    if all(getattr(row, key) == filters[key]
                           for key in ("name", "enabled") if key in filters)]

    @endpoint(since="1.6")
    def project_update(self, ctxt, project, values):
        """Change a project (id): name, description, enabled. Disabling a
        project refuses its tokens (token_roles), as Keystone does."""
        unknown = set(values) - {"name", "description", "enabled"}
        if unknown or not isinstance(values.get("enabled", True), bool):
            raise exception.Invalid(f"These project attributes cannot be changed: "
                                    f"{', '.join(sorted(unknown)) or 'enabled (not a boolean)'}.")
        with transaction() as session:
            row = identity.find(session, Project, {"id": project})
            if row is None:
                raise exception.ProjectNotFound(project_id=project)
            if values.get("name"):
                identity.rename(session, row, "project", values["name"])
            for key in ("description", "enabled"):
                if key in values:
                    setattr(row, key, values[key])
            return _project(row)

    @endpoint(since="1.6")
    def role_assignment_get_all(self, ctxt, user_id=None, project_id=None, role=None):
        """[[user_id, project_id, role]] of the grants matching (granted
        roles only: the api adds the implied ones when asked)."""
        with transaction() as session:
            return [list(row) for row in identity.assignments(session, user_id, project_id, role)]

    @endpoint(since="1.4")
    def user_delete(self, ctxt, user):
        """Delete a user (name or id) and its role assignments."""
        with transaction() as session:
            identity.user_delete(session, _found(session, User, user,
                                                 exception.UserNotFound(user_id=user)))

    @endpoint(since="1.4")
    def project_delete(self, ctxt, project):
        """Delete a project (name or id) and the roles granted on it;
        Conflict while it has servers."""
        with transaction() as session:
            identity.project_delete(session, _found(
                session, Project, project, exception.ProjectNotFound(project_id=project)))

    @endpoint(since="1.4")
    def token_roles(self, ctxt, user_id, project_id):
        """The roles (implied ones included) a token of this user on this
        project may carry now: [] when the user or the project is gone or
        disabled. The api re-checks its tokens with it."""
        with transaction() as session:
            user_row, project_row = session.get(User, user_id), session.get(Project, project_id)
            if not (user_row and user_row.enabled and project_row and project_row.enabled):
                return []
            return identity.roles_of(session, user_id, project_id)

    @endpoint(since="1.2")
    def user_authenticate(self, ctxt, user, password, project):
        """Check a password and a project scope (Keystone references:
        {"id"} or {"name", "domain"}; no project: the user's default one).
        Returns {"user", "project", "roles"}; NotAuthenticated otherwise."""
        with transaction() as session:
            user_row = identity.find(session, User, user)
            stored = user_row.password_hash if user_row is not None else None
            try:
                found = _scope(session, user_row, project) if user_row is not None else None
            except exception.StratusException as exc:
                found = exc  # told only to whoever knows the password
        if not passwords.check_password(password, stored) or not user_row.enabled:
            raise exception.NotAuthenticated()
        if isinstance(found, exception.StratusException):
            raise found
        project_row, roles = found
        return {"user": _user(user_row), "project": _project(project_row), "roles": roles}

    @endpoint(since="1.2")
    def token_revoke(self, ctxt, token_id, expires_at):
        with transaction() as session:
            identity.revoke(session, token_id, parse_isotime(expires_at))

    @endpoint(since="1.2")
    def token_revoked(self, ctxt, token_id):
        # Core only: every api request asks it (or its first call carries it).
        with core_transaction() as session:
            return identity.is_revoked(session, token_id)


def bootstrap(password):
    """Keystone's bootstrap: an `admin` project and an `admin` user holding
    the admin role on it, with this password (set again when they exist).
    Run where the database is, like a migration: no conductor needs to be
    up yet. Returns {"user", "project"}."""
    hashed = passwords.hash_password(password)
    with transaction() as session:
        project = identity.find(session, Project, {"name": _ADMIN}) or \
            identity.project_create(session, {"name": _ADMIN, "description": "Bootstrap project"})
        user = identity.find(session, User, {"name": _ADMIN}) or \
            identity.user_create(session, {"name": _ADMIN, "password_hash": hashed,
                                           "default_project_id": project.id})
        user.password_hash, user.enabled = hashed, True
        identity.assign(session, user.id, project.id, _ADMIN)
        return {"user": _user(user), "project": _project(project)}


def _scope(session, user_row, project):
    """(project row, roles) of a scope; a missing or disabled project, or
    none of the user's roles on it, is a 401 as in Keystone."""
    if project is None:
        if not user_row.default_project_id:
            raise exception.Invalid("A project scope is required: Stratus issues "
                                    "project-scoped tokens only.")
        project = {"id": user_row.default_project_id}
    row = identity.find(session, Project, project)
    roles = identity.roles_of(session, user_row.id, row.id) if row is not None else []
    if row is None or not row.enabled or not roles:
        name = (row.id if row is not None else project.get("id") or project.get("name"))
        raise exception.NotAuthenticated(
            f"User {user_row.id} has no access to project {name}")
    return row, roles

"""Role assignments: Keystone's grants of a role to a user on a project
(/projects/{p}/users/{u}/roles[/{r}]: list, grant, check, revoke) and
/role_assignments, the admin's view of them all. With ?effective the
roles a grant implies are listed too (admin > manager > member > reader), as
Keystone lists implied roles."""
import flask
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.identity import views
from stratus.api.request_context import get_context
from stratus.api.schemas.identity import AssignmentQuery
from stratus.common import exception
from stratus.common.context import implied_roles

blp = Blueprint("identity_grants", __name__, url_prefix="/identity/v3",
                description="Identity: role assignments")

RolesResponse = Schema.from_dict({"roles": fields.List(fields.Dict()),
                                  "links": fields.Dict()}, name="GrantedRolesResponse")
AssignmentsResponse = Schema.from_dict({"role_assignments": fields.List(fields.Dict()),
                                        "links": fields.Dict()},
                                       name="RoleAssignmentsResponse")


def _is_true(query, key):
    """Keystone's flags: present and not "0"/"false"."""
    return key in query and str(query[key]).lower() not in ("0", "false")


def _user_and_project(ctxt, project_id, user_id):
    """The ids, checked (404 for an unknown user or project)."""
    conductor = common.conductor()
    return conductor.user_get(ctxt, user_id).id, conductor.project_get(ctxt, project_id).id


@blp.route("/projects/<project_id>/users/<user_id>/roles")
class Grants(MethodView):
    """The roles a user holds on a project."""

    @blp.response(200, RolesResponse)
    def get(self, project_id, user_id):
        """List the roles granted to a user on a project."""
        policy.authorize("identity:list_grants")
        ctxt = get_context()
        user, project = _user_and_project(ctxt, project_id, user_id)
        granted = common.conductor().role_assignment_get_all(ctxt, user_id=user,
                                                             project_id=project)
        return views.collection("roles", [views.role_view(role) for _u, _p, role in granted])


@blp.route("/projects/<project_id>/users/<user_id>/roles/<role_id>")
class Grant(MethodView):
    """One role of a user on a project."""

    @blp.response(204)
    def put(self, project_id, user_id, role_id):
        """Grant the role (idempotent)."""
        policy.authorize("identity:create_grant")
        ctxt = get_context()
        role = views.role_name(role_id)
        common.conductor().role_assignment_create(
            ctxt, *_user_and_project(ctxt, project_id, user_id), role)
        return ""

    @blp.response(204)
    def head(self, project_id, user_id, role_id):
        """Check the role is granted (404 if not)."""
        policy.authorize("identity:check_grant")
        self._granted(project_id, user_id, role_id)
        return ""

    @blp.response(204)
    def get(self, project_id, user_id, role_id):
        """Check the role is granted (404 if not)."""
        policy.authorize("identity:check_grant")
        self._granted(project_id, user_id, role_id)
        return ""

    @blp.response(204)
    def delete(self, project_id, user_id, role_id):
        """Take the role back (404 if it was not granted)."""
        policy.authorize("identity:revoke_grant")
        ctxt = get_context()
        role = views.role_name(role_id)
        common.conductor().role_assignment_delete(
            ctxt, *_user_and_project(ctxt, project_id, user_id), role)
        return ""

    @staticmethod
    def _granted(project_id, user_id, role_id):
        ctxt = get_context()
        role = views.role_name(role_id)
        user, project = _user_and_project(ctxt, project_id, user_id)
        if not common.conductor().role_assignment_get_all(ctxt, user_id=user,
                                                          project_id=project, role=role):
            raise exception.NotFound(f"Could not find role assignment: role {role_id} of user "
                                     f"{user_id} on project {project_id}.")


@blp.route("/role_assignments")
class RoleAssignments(MethodView):
    """Every role assignment."""

    @blp.arguments(AssignmentQuery, location="query")
    @blp.response(200, AssignmentsResponse)
    @blp.alt_response(404, description="?role.id names no role.")
    def get(self, query):
        """List role assignments (?user.id, ?scope.project.id, ?role.id,
        ?effective, ?include_names)."""
        policy.authorize("identity:list_role_assignments")
        ctxt = get_context()
        role = views.role_name(query["role_id"]) if "role_id" in query else None
        granted = common.conductor().role_assignment_get_all(
            ctxt, user_id=query.get("user_id"), project_id=query.get("project_id"))
        effective = _is_true(flask.request.args, "effective")
        rows = [(user, project, name) for user, project, granted_role in granted
                for name in (implied_roles([granted_role]) if effective else [granted_role])]
        rows = sorted({row for row in rows if role in (None, row[2])})
        names = _names(ctxt) if _is_true(flask.request.args, "include_names") else None
        return views.collection("role_assignments",
                                [_assignment_view(row, names) for row in rows])


def _names(ctxt):
    conductor = common.conductor()
    return {"users": {u.id: u.name for u in conductor.user_get_all(ctxt, {})},
            "projects": {p.id: p.name for p in conductor.project_get_all(ctxt, {})}}


def _assignment_view(row, names):
    user_id, project_id, role = row
    role_body = {"id": views.role_view(role)["id"]}
    user_body, project_body = {"id": user_id}, {"id": project_id}
    if names is not None:
        role_body["name"] = role
        user_body.update(name=names["users"].get(user_id), domain={"id": "default",
                                                                    "name": "Default"})
        project_body.update(name=names["projects"].get(project_id),
                            domain={"id": "default", "name": "Default"})
    return {"role": role_body, "user": user_body, "scope": {"project": project_body},
            "links": {"assignment": views.url("projects", project_id, "users", user_id,
                                              "roles", role_body["id"])}}

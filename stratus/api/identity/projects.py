"""/identity/v3/projects: Keystone's projects (create, list, show,
update, delete) and the lists of a user's projects (/users/{id}/projects,
and /auth/projects for the token's own user). Admins manage projects; a
user may show the project of its token and list its own."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.identity import views
from stratus.api.request_context import get_context
from stratus.api.schemas.identity import ListQuery, ProjectCreateBody, ProjectUpdateBody

blp = Blueprint("identity_projects", __name__, url_prefix="/identity/v3",
                description="Identity: projects")

ProjectResponse = Schema.from_dict({"project": fields.Dict()}, name="ProjectResponse")
ProjectsResponse = Schema.from_dict({"projects": fields.List(fields.Dict()),
                                     "links": fields.Dict()}, name="ProjectsResponse")


def filters_of(query):
    """The conductor's filters of a list query; None when `domain_id`
    names another domain (nothing can match)."""
    if query.get("domain_id") not in (None, "default"):
        return None
    return {key: query[key] for key in ("name", "enabled") if key in query}


def projects_list(query, user_id=None):
    filters = filters_of(query)
    found = [] if filters is None else common.conductor().project_get_all(
        get_context(), filters, user_id=user_id)
    return views.collection("projects", [views.project_view(p) for p in found])


@blp.route("/projects")
class Projects(MethodView):
    """Projects."""

    @blp.arguments(ListQuery, location="query")
    @blp.response(200, ProjectsResponse)
    def get(self, query):
        """List projects (?name=, ?enabled=, ?domain_id=)."""
        policy.authorize("identity:list_projects")
        return projects_list(query)

    @blp.arguments(ProjectCreateBody)
    @blp.response(201, ProjectResponse)
    def post(self, body):
        """Create a project in the default domain."""
        policy.authorize("identity:create_project")
        values = {key: body["project"][key] for key in ("name", "description", "enabled")
                  if key in body["project"]}
        return {"project": views.project_view(
            common.conductor().project_create(get_context(), values))}


@blp.route("/projects/<project_id>")
class Project(MethodView):
    """A project."""

    @blp.response(200, ProjectResponse)
    def get(self, project_id):
        """Show a project (admins, or a token scoped to it)."""
        policy.authorize("identity:get_project", project_id=project_id)
        return {"project": views.project_view(
            common.conductor().project_get(get_context(), project_id))}

    @blp.arguments(ProjectUpdateBody)
    @blp.response(200, ProjectResponse)
    def patch(self, body, project_id):
        """Change a project's name, description or enabled."""
        policy.authorize("identity:update_project")
        values = {key: body["project"][key] for key in ("name", "description", "enabled")
                  if key in body["project"]}
        return {"project": views.project_view(
            common.conductor().project_update(get_context(), project_id, values))}

    @blp.response(204)
    def delete(self, project_id):
        """Delete a project (409 while it has servers)."""
        policy.authorize("identity:delete_project")
        ctxt = get_context()
        common.conductor().project_delete(ctxt, common.conductor().project_get(ctxt, project_id).id)
        return ""


@blp.route("/users/<user_id>/projects")
class UserProjects(MethodView):
    """The projects on which a user holds a role."""

    @blp.arguments(ListQuery, location="query")
    @blp.response(200, ProjectsResponse)
    def get(self, query, user_id):
        """List a user's projects (admins, or the user itself)."""
        policy.authorize("identity:list_user_projects", user_id=user_id)
        return projects_list(query, user_id=user_id)


@blp.route("/auth/projects")
class AuthProjects(MethodView):
    """The projects the token's user may scope to."""

    @blp.response(200, ProjectsResponse)
    def get(self):
        """List the projects of the token's user."""
        return projects_list({"enabled": True}, user_id=get_context().user_id)

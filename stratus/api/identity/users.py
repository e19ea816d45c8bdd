"""/identity/v3/users: Keystone's users (create, list, show, update,
delete). Admins manage users; a user may show itself. A password goes to
the conductor, which keeps only its hash; no body ever carries it back."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.identity import views
from stratus.api.identity.projects import filters_of
from stratus.api.request_context import get_context
from stratus.api.schemas.identity import ListQuery, UserCreateBody, UserUpdateBody

blp = Blueprint("identity_users", __name__, url_prefix="/identity/v3",
                description="Identity: users")

UserResponse = Schema.from_dict({"user": fields.Dict()}, name="UserResponse")
UsersResponse = Schema.from_dict({"users": fields.List(fields.Dict()),
                                  "links": fields.Dict()}, name="UsersResponse")
_KEPT = ("name", "password", "enabled", "email", "description")


@blp.route("/users")
class Users(MethodView):
    """Users."""

    @blp.arguments(ListQuery, location="query")
    @blp.response(200, UsersResponse)
    def get(self, query):
        """List users (?name=, ?enabled=, ?domain_id=)."""
        policy.authorize("identity:list_users")
        filters = filters_of(query)
        found = [] if filters is None else common.conductor().user_get_all(get_context(),
                                                                            filters)
        return views.collection("users", [views.user_view(u) for u in found])

    @blp.arguments(UserCreateBody)
    @blp.response(201, UserResponse)
    def post(self, body):
        """Create a user in the default domain."""
        policy.authorize("identity:create_user")
        given = body["user"]
        values = {"password": given.get("password"),
                  **{key: given[key] for key in _KEPT if key in given}}
        if given.get("default_project_id"):
            values["default_project"] = given["default_project_id"]
        return {"user": views.user_view(common.conductor().user_create(get_context(), values))}


@blp.route("/users/<user_id>")
class User(MethodView):
    """A user."""

    @blp.response(200, UserResponse)
    def get(self, user_id):
        """Show a user (admins, or the user itself)."""
        policy.authorize("identity:get_user", user_id=user_id)
        return {"user": views.user_view(common.conductor().user_get(get_context(), user_id))}

    @blp.arguments(UserUpdateBody)
    @blp.response(200, UserResponse)
    def patch(self, body, user_id):
        """Change a user: name, password, enabled, default project, email,
        description."""
        policy.authorize("identity:update_user")
        ctxt = get_context()
        user = common.conductor().user_get(ctxt, user_id)
        values = {key: value for key, value in body["user"].items()
                  if key in (*_KEPT, "default_project_id")}
        return {"user": views.user_view(common.conductor().user_update(ctxt, user.id, values))}

    @blp.response(204)
    def delete(self, user_id):
        """Delete a user and its role assignments."""
        policy.authorize("identity:delete_user")
        ctxt = get_context()
        common.conductor().user_delete(ctxt, common.conductor().user_get(ctxt, user_id).id)
        return ""

"""/v2.1/os-quota-class-sets (admins): Nova's quota classes. The `default`
class's limits are every project's defaults (over the ones from config);
other classes are kept and shown only, as in Nova. The resources shown
follow the microversion as Nova's do (server groups from 2.50, network
proxies until 2.50, file injection until 2.57)."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.quotas import FILTERED_V236, FILTERED_V257, RESOURCES, QuotaLimit
from stratus.api.schemas.responses import envelope
from stratus.common import exception

blp = Blueprint("quota_classes", __name__, url_prefix="/v2.1",
                description="Quota classes (admin)")

QuotaClassSetResponse = envelope("QuotaClassSetResponse", "quota_class_set")
_RULE = "os_compute_api:os-quota-class-sets:%s"
_SERVER_GROUPS = ("server_groups", "server_group_members")
QuotaClassSetUpdate = Schema.from_dict({name: QuotaLimit() for name in RESOURCES},
                                       name="QuotaClassSetUpdate")


class QuotaClassSetUpdateBody(Schema):
    """PUT /os-quota-class-sets/{id}."""

    quota_class_set = fields.Nested(QuotaClassSetUpdate, required=True)


def _shown():
    if is_supported("2.57"):
        hidden = FILTERED_V257
    elif is_supported("2.50"):
        hidden = FILTERED_V236
    else:
        hidden = _SERVER_GROUPS
    return [name for name in RESOURCES if name not in hidden]


def _view(limits, class_name=None):
    body = {"id": class_name} if class_name is not None else {}
    body.update({name: limits[name] for name in _shown()})
    return {"quota_class_set": body}


@blp.route("/os-quota-class-sets/<class_name>")
class QuotaClassSet(MethodView):
    """A quota class."""

    @blp.response(200, QuotaClassSetResponse)
    def get(self, class_name):
        """Show a quota class's limits."""
        policy.authorize(_RULE % "show")
        return _view(common.conductor().quota_class_get(get_context(), class_name), class_name)

    @blp.arguments(QuotaClassSetUpdateBody)
    @blp.response(200, QuotaClassSetResponse)
    def put(self, body, class_name):
        """Set some of a quota class's limits (`default`: every project's
        defaults)."""
        policy.authorize(_RULE % "update")
        values = body["quota_class_set"]
        hidden = sorted(set(values) - set(_shown()))
        if hidden:
            raise exception.Invalid("Invalid input for field/attribute quota_class_set: "
                                    f"Additional properties are not allowed ({', '.join(hidden)})")
        if len(class_name) > 255:
            raise exception.Invalid("Invalid input for field/attribute id: too long.")
        return _view(common.conductor().quota_class_update(get_context(), class_name, values))

"""Server group bodies and queries (Nova's server_groups schema). The body
takes the fields of every microversion; the view checks which of them
the request's microversion allows (policies before 2.64, policy and
rules from 2.64)."""
from marshmallow import EXCLUDE, Schema, fields

from stratus.api.schemas.common import name_field
from stratus.api.schemas.fields import MAX_QUERY_INT, NovaInteger


class ServerGroupRules(Schema):
    """2.64's `rules`: only max_server_per_host, a positive integer."""

    max_server_per_host = NovaInteger(minimum=1)


class ServerGroupCreate(Schema):
    """The inside of `{"server_group": {...}}`; unknown keys are a 400."""

    name = name_field(required=True)
    policies = fields.List(fields.String(), metadata={"description": "One policy; before 2.64."})
    policy = fields.String(metadata={"description": "From 2.64."})
    rules = fields.Nested(ServerGroupRules, metadata={"description": "From 2.64."})


class ServerGroupCreateBody(Schema):
    """POST /os-server-groups."""

    server_group = fields.Nested(ServerGroupCreate, required=True)


class ServerGroupListQuery(Schema):
    """?all_projects (admins), limit and offset; other keys are ignored
    before 2.75 and a 400 from 2.75 (checked in the view)."""

    class Meta:
        unknown = EXCLUDE

    all_projects = fields.String()
    limit = NovaInteger(minimum=0, maximum=MAX_QUERY_INT)
    offset = NovaInteger(minimum=0, maximum=MAX_QUERY_INT)

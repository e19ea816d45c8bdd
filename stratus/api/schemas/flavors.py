"""Flavor bodies and query strings (Nova's flavor_manage schema)."""
from marshmallow import Schema, fields, validate

from stratus.api.schemas.common import PagingQuery, name_field
from stratus.api.schemas.fields import (BOOLEAN_SPELLINGS, DB_MAX_INT, MAX_QUERY_INT,
                                        NovaBoolean, NovaInteger, PositiveNumber,
                                        StringOrInteger, spellings_pattern)

_ID_PATTERN = r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"


class FlavorCreate(Schema):
    """The inside of `{"flavor": {...}}`."""

    name = name_field(required=True)
    id = StringOrInteger(allow_none=True, validate=validate.Regexp(_ID_PATTERN))
    ram = NovaInteger(minimum=1, maximum=DB_MAX_INT, required=True)
    vcpus = NovaInteger(minimum=1, maximum=DB_MAX_INT, required=True)
    disk = NovaInteger(minimum=0, maximum=DB_MAX_INT, required=True)
    ephemeral = NovaInteger(minimum=0, maximum=DB_MAX_INT, data_key="OS-FLV-EXT-DATA:ephemeral")
    swap = NovaInteger(minimum=0, maximum=DB_MAX_INT)
    rxtx_factor = PositiveNumber()
    is_public = NovaBoolean(data_key="os-flavor-access:is_public")
    description = fields.String(allow_none=True, validate=validate.Length(max=65535),
                                metadata={"description": "From microversion 2.55."})


class FlavorCreateBody(Schema):
    """POST /flavors."""

    flavor = fields.Nested(FlavorCreate, required=True)


SORT_KEYS = ("description", "disabled", "ephemeral_gb", "flavorid", "id", "is_public",
             "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "vcpus")


class FlavorListQuery(PagingQuery):
    """Filters of GET /flavors and /flavors/detail."""

    is_public = fields.String(
        validate=validate.Regexp(spellings_pattern(BOOLEAN_SPELLINGS | {"none"}),
                                 error="Invalid is_public filter [{input}]"),
        metadata={"description": "true, false, or None for both (admins)."})
    minRam = NovaInteger(minimum=0, maximum=MAX_QUERY_INT)
    minDisk = NovaInteger(minimum=0, maximum=MAX_QUERY_INT)
    sort_key = fields.String(validate=validate.OneOf(SORT_KEYS))
    sort_dir = fields.String(validate=validate.OneOf(["asc", "desc"]))

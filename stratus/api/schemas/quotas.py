"""os-quota-sets bodies: limits are integers (or digit strings) from -1
(unlimited) to Nova's MAX_INT; unknown keys are a 400."""
from marshmallow import EXCLUDE, Schema, fields, validate

from stratus.api.schemas.fields import DB_MAX_INT, NovaBoolean
from stratus.common.integers import is_decimal

# Every resource Nova's quota-sets carry, in Nova's order (sorted). The
# legacy ones (network proxies, file injection) are dropped at 2.36/2.57.
RESOURCES = ("cores", "fixed_ips", "floating_ips", "injected_file_content_bytes",
             "injected_file_path_bytes", "injected_files", "instances", "key_pairs",
             "metadata_items", "ram", "security_group_rules", "security_groups",
             "server_group_members", "server_groups")
FILTERED_V236 = ("fixed_ips", "floating_ips", "security_group_rules", "security_groups")
FILTERED_V257 = FILTERED_V236 + ("injected_files", "injected_file_content_bytes",
                                 "injected_file_path_bytes")


class QuotaLimit(fields.Field):
    """An integer or a string of digits, from -1 (unlimited) to MAX_INT."""

    default_error_messages = {"invalid": f"Must be an integer from -1 to {DB_MAX_INT}."}

    def json_schema(self, converter=None):
        return {"anyOf": [{"type": "integer", "minimum": -1, "maximum": DB_MAX_INT},
                          {"type": "string", "pattern": "^-?[0-9]+$", "maxLength": 19}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise self.make_error("invalid")
        if isinstance(value, str) and not (len(value) < 20 and is_decimal(value, signed=True)):
            raise self.make_error("invalid")
        number = int(value)
        if not -1 <= number <= DB_MAX_INT:
            raise self.make_error("invalid")
        return number


QuotaSetUpdate = Schema.from_dict(
    dict({name: QuotaLimit() for name in RESOURCES}, force=NovaBoolean()),
    name="QuotaSetUpdate")


class QuotaSetUpdateBody(Schema):
    """PUT /os-quota-sets/{project_id}."""

    quota_set = fields.Nested(QuotaSetUpdate, required=True)


class QuotaQuery(Schema):
    """?user_id=: the limits of a user within the project."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(validate=validate.Length(min=1, max=255))

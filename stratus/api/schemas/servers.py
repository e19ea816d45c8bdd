"""Server bodies and query strings (Nova's servers schema, v2.1-2.96)."""
import base64
import binascii

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from stratus.api.schemas.common import PagingQuery, name_field
from stratus.api.schemas.fields import NovaBoolean, NovaInteger, StringOrInteger
from stratus.common.integers import is_decimal


class Networks(fields.Field):
    """"auto", "none", or a list of {uuid, port, fixed_ip, tag} objects
    whose values are strings (or null)."""

    KEYS = ("uuid", "port", "fixed_ip", "tag")

    def json_schema(self, converter=None):
        network = {"type": "object", "additionalProperties": False,
                   "properties": {key: {"type": "string", "nullable": True} for key in self.KEYS}}
        return {"anyOf": [{"type": "string", "enum": ["auto", "none"]},
                          {"type": "array", "items": network}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if value in ("auto", "none"):
            return value
        if not isinstance(value, list):
            raise ValidationError('Must be "auto", "none" or a list of networks.')
        for net in value:
            if not isinstance(net, dict) or set(net) - set(self.KEYS):
                raise ValidationError(
                    f"Each network is an object with keys among {list(self.KEYS)}.")
            if any(v is not None and not isinstance(v, str) for v in net.values()):
                raise ValidationError("Network uuid, port, fixed_ip and tag are strings.")
        return value


def validate_base64(value):
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("User data needs to be valid base 64.") from None


class BlockDeviceMappingV2(Schema):
    """One entry of block_device_mapping_v2 (boot_index may be a string)."""

    boot_index = fields.Raw(allow_none=True)
    uuid = fields.String(allow_none=True, validate=validate.Length(max=255))
    source_type = fields.String(validate=validate.OneOf(["volume", "image", "snapshot", "blank"]))
    destination_type = fields.String(validate=validate.OneOf(["local", "volume"]))
    volume_size = NovaInteger(minimum=0, allow_none=True)
    delete_on_termination = NovaBoolean()
    device_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    guest_format = fields.String(allow_none=True, validate=validate.Length(max=255))
    disk_bus = fields.String(allow_none=True, validate=validate.Length(max=255))
    device_type = fields.String(allow_none=True, validate=validate.Length(max=255))
    no_device = fields.Raw(allow_none=True)
    image_id = fields.String(allow_none=True)
    snapshot_id = fields.String(allow_none=True)
    volume_id = fields.String(allow_none=True)
    connection_info = fields.String(allow_none=True)
    tag = fields.String(allow_none=True, validate=validate.Length(max=60))
    volume_type = fields.String(allow_none=True, validate=validate.Length(max=255))

    @staticmethod
    def boot_index_of(bdm):
        """boot_index as an int (novaclient sends "0"), or None."""
        value = bdm.get("boot_index")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and is_decimal(value.strip(), signed=True):
            return int(value)
        return None


class SecurityGroup(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 255))


class ServerCreate(Schema):
    """The inside of `{"server": {...}}`."""

    name = name_field(required=True)
    imageRef = fields.String(validate=validate.Length(max=255))
    flavorRef = StringOrInteger(required=True)
    networks = Networks()
    availability_zone = fields.String(validate=validate.Length(1, 255))
    metadata = fields.Dict(keys=fields.String(validate=validate.Length(1, 255)),
                           values=fields.String(validate=validate.Length(max=255)))
    min_count = NovaInteger(minimum=1, maximum=1000)
    max_count = NovaInteger(minimum=1, maximum=1000)
    key_name = fields.String(validate=validate.Length(1, 255))
    block_device_mapping_v2 = fields.List(fields.Nested(BlockDeviceMappingV2))
    block_device_mapping = fields.List(fields.Dict())
    user_data = fields.String(allow_none=True, validate=[validate.Length(max=65535),
                                                         validate_base64])
    config_drive = NovaBoolean()
    adminPass = fields.String(validate=validate.Length(max=255))
    disk_config = fields.String(data_key="OS-DCF:diskConfig",
                                validate=validate.OneOf(["AUTO", "MANUAL"]))
    accessIPv4 = fields.IPv4()
    accessIPv6 = fields.IPv6()
    security_groups = fields.List(fields.Nested(SecurityGroup))
    description = fields.String(allow_none=True, validate=validate.Length(max=255))
    tags = fields.List(fields.String(validate=validate.Length(1, 60)),
                       validate=validate.Length(max=50))
    return_reservation_id = NovaBoolean()
    personality = fields.List(fields.Dict())
    trusted_image_certificates = fields.List(fields.String(), allow_none=True)
    host = fields.String(validate=validate.Length(1, 255))
    hypervisor_hostname = fields.String(validate=validate.Length(1, 255))
    hostname = fields.String(validate=validate.Length(1, 255))


class ServerCreateBody(Schema):
    """POST /servers."""

    server = fields.Nested(ServerCreate, required=True)
    scheduler_hints = fields.Dict(data_key="os:scheduler_hints")
    legacy_scheduler_hints = fields.Dict(data_key="OS-SCH-HNT:scheduler_hints")


class ServerUpdate(Schema):
    """The inside of `{"server": {...}}` for PUT /servers/{id}."""

    name = name_field()
    description = fields.String(allow_none=True, validate=validate.Length(max=255))
    accessIPv4 = fields.IPv4(allow_none=True)
    accessIPv6 = fields.IPv6(allow_none=True)
    disk_config = fields.String(data_key="OS-DCF:diskConfig",
                                validate=validate.OneOf(["AUTO", "MANUAL"]))
    hostname = fields.String(validate=validate.Length(1, 255))


class ServerUpdateBody(Schema):
    """PUT /servers/{id}."""

    server = fields.Nested(ServerUpdate, required=True)


class ServerListQuery(PagingQuery):
    """Filters of GET /servers and /servers/detail (unknown ones are ignored)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(metadata={"description": "A regular expression on the name."})
    status = fields.List(fields.String())
    host = fields.String()
    all_tenants = fields.String(metadata={"description": "Any value but false/0/off: all projects."})
    project_id = fields.String()
    tenant_id = fields.String()
    deleted = fields.String()
    reservation_id = fields.String()
    image = fields.String()
    flavor = fields.String()
    availability_zone = fields.String()
    ip = fields.String(metadata={"description": "A regular expression on the IPv4 addresses."})
    ip6 = fields.String(metadata={"description": "A regular expression on the IPv6 addresses."})
    changes_since = fields.String(data_key="changes-since")
    changes_before = fields.String(data_key="changes-before")
    # 2.26's tag filters: comma-separated tags
    tags = fields.String()
    tags_any = fields.String(data_key="tags-any")
    not_tags = fields.String(data_key="not-tags")
    not_tags_any = fields.String(data_key="not-tags-any")

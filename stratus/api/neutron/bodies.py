"""Neutron's request bodies: `{"network": {...}}`, whose attributes are
checked as Neutron's are (an unknown one is a 400 naming it), and the
reply envelopes."""
import ipaddress

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from stratus.api.schemas.responses import envelope


class NeutronBody(Schema):
    """A Neutron request object: an attribute it does not know is
    Neutron's 400 "Unrecognized attribute(s) 'x'". Fields load under the
    record's column names (`data_key` is Neutron's name where they differ)."""

    OPENAPI = {"additionalProperties": False}

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _known_attributes(self, data, **kwargs):
        if isinstance(data, dict):
            known = {field.data_key or name for name, field in self.load_fields.items()}
            extra = sorted(set(data) - known)
            if extra:
                raise ValidationError(f"Unrecognized attribute(s) '{', '.join(extra)}'")
        return data


class Owned(NeutronBody):
    """A record created for a project: `tenant_id` is the old name of
    `project_id` (both may be sent, if they agree)."""

    tenant_id = fields.String(validate=validate.Length(max=255))
    project_id = fields.String(validate=validate.Length(max=255))


def ip_address(value):
    """A marshmallow validator: an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValidationError(f"'{value}' is not a valid IP address") from None


def ip_network(value):
    """A marshmallow validator: a CIDR."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(f"'{value}' is not a valid IP subnet") from None


def name():
    return fields.String(validate=validate.Length(max=255))


def description():
    return fields.String(validate=validate.Length(max=255))


def wrapped(key, schema):
    """The request `{key: {...}}`, under the name `<Schema>Body`."""
    return NeutronBody.from_dict({key: fields.Nested(schema, required=True)},
                                 name=f"{schema.__name__}Body")


def replies(key, collection_name):
    """(one, many): `{key: {...}}` and `{key + "s": [...]}` envelopes."""
    return (envelope(f"Neutron{collection_name[:-1]}Reply", key),
            envelope(f"Neutron{collection_name}Reply", key + "s", many=True, links=True))

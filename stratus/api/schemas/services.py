"""os-services bodies: the 2.53 form and the older host/binary actions.
One schema holds both sets of keys; the view refuses the keys of the
other form, as Nova's per-version schemas do."""
from marshmallow import Schema, fields, validate

from stratus.api.schemas.fields import NovaBoolean


class ServiceUpdateBody(Schema):
    """PUT /os-services/{id} (2.53+) or /os-services/{action} (before)."""

    status = fields.String(validate=validate.OneOf(["enabled", "disabled"]))
    disabled_reason = fields.String(validate=validate.Length(1, 255))
    forced_down = NovaBoolean()
    host = fields.String(validate=[validate.Length(1, 255),
                                   validate.Regexp(r"^[a-zA-Z0-9-._]*$")])
    binary = fields.String(validate=validate.Length(1, 255))

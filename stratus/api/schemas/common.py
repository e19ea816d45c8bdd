"""Pieces shared by several schemas."""
import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from stratus.api.schemas.fields import NovaInteger

# Nova's parameter_types.name: no leading/trailing blanks, printable.
_NAME_RE = re.compile(r"^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$")


def validate_name(value):
    """1-255 printable characters without leading or trailing whitespace."""
    if not 1 <= len(value) <= 255:
        raise ValidationError("Must be 1 to 255 characters long.")
    if not _NAME_RE.match(value):
        raise ValidationError("Must not start or end with whitespace nor hold control characters.")


def name_field(**kwargs):
    return fields.String(validate=validate_name, **kwargs)


class PagingQuery(Schema):
    """limit and marker, as every Nova list takes them; other keys are ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = NovaInteger(minimum=0, maximum=2 ** 63,
                        metadata={"description": "At most this many items (capped at 1000)."})
    marker = fields.String(validate=validate.Length(max=255),
                           metadata={"description": "The last id of the previous page."})

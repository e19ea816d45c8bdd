"""Pieces shared by several schemas."""
import re

from marshmallow import EXCLUDE, Schema, fields, validate

from stratus.api.schemas.fields import MAX_QUERY_INT, NovaInteger

# Nova's parameter_types.name: no leading/trailing blanks, printable.
NAME_RE = re.compile(r"^(?!\s)[^\x00-\x1f\x7f]*(?<!\s)$")
# Validators apispec can state in the document (length, pattern), so the
# check and its description are one.
NAME_LENGTH = validate.Length(1, 255, error="Must be 1 to 255 characters long.")


def name_validators(pattern=NAME_RE):
    """1-255 characters matching `pattern` (by default: printable, without
    leading or trailing whitespace)."""
    return [NAME_LENGTH, validate.Regexp(pattern, error=(
        "Must not start or end with whitespace nor hold control characters."
        if pattern is NAME_RE else f"'{{input}}' does not match '{pattern.pattern}'"))]


def name_field(**kwargs):
    return fields.String(validate=name_validators(), **kwargs)


class PagingQuery(Schema):
    """limit and marker, as every Nova list takes them; other keys are ignored."""

    class Meta:
        unknown = EXCLUDE

    limit = NovaInteger(minimum=0, maximum=MAX_QUERY_INT,
                        metadata={"description": "At most this many items (capped at 1000)."})
    marker = fields.String(validate=validate.Length(max=255),
                           metadata={"description": "The last id of the previous page."})

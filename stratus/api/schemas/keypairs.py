"""Key pair bodies and queries (Nova's keypairs schema, v2.1-2.96)."""
import re

from marshmallow import EXCLUDE, Schema, fields, validate

from stratus.api.schemas.common import PagingQuery, name_validators

# Nova's keypair_name_special_chars_v292 (names without leading or
# trailing blanks); before 2.92 '@' and '.' are refused too (checked in
# the view, which knows the microversion).
NAME_RE_V292 = re.compile(r"^(?! )[_\-@. a-zA-Z0-9]+(?<! )$")
NAME_RE = re.compile(r"^[_\- a-zA-Z0-9]+$")


class KeypairCreate(Schema):
    """The inside of `{"keypair": {...}}`; unknown keys are a 400."""

    name = fields.String(required=True, validate=name_validators(NAME_RE_V292))
    public_key = fields.String()
    type = fields.String(validate=validate.OneOf(["ssh", "x509"]))
    user_id = fields.String(validate=validate.Length(max=255))


class KeypairCreateBody(Schema):
    """POST /os-keypairs."""

    keypair = fields.Nested(KeypairCreate, required=True)


class KeypairQuery(Schema):
    """?user_id= (admins, from 2.10) on show and delete."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(validate=validate.Length(max=255))


class KeypairListQuery(PagingQuery):
    """?user_id= (2.10) and limit/marker (2.35)."""

    user_id = fields.String(validate=validate.Length(max=255))

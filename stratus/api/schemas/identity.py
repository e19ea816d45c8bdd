"""Bodies and queries of the identity admin API (Keystone v3's projects,
users, roles and role assignments). Attributes Keystone has and Stratus
does not keep (tags, options, a parent other than the domain) are
accepted and left out, as unknown ones are; one domain exists."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from stratus.common.objects.identity import DEFAULT_DOMAIN


def _our_domain(value):
    if value != DEFAULT_DOMAIN["id"]:
        raise ValidationError(f"Could not find domain: {value}. Stratus has one domain, "
                              f"'{DEFAULT_DOMAIN['id']}'.")


class JsonBoolean(fields.Boolean):
    """true or false only (Keystone's schema), not 1, "yes" or "true"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(f"{value!r} is not of type 'boolean'")
        return value


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class ProjectFields(_Lenient):
    name = fields.String(validate=validate.Length(min=1, max=64))
    description = fields.String(allow_none=True)
    enabled = JsonBoolean()
    domain_id = fields.String(validate=_our_domain)
    is_domain = JsonBoolean(validate=validate.Equal(False))


class ProjectCreate(ProjectFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ProjectCreateBody(Schema):
    project = fields.Nested(ProjectCreate, required=True)


class ProjectUpdateBody(Schema):
    project = fields.Nested(ProjectFields, required=True)


class UserFields(_Lenient):
    name = fields.String(validate=validate.Length(min=1, max=255))
    password = fields.String(allow_none=True, validate=validate.Length(max=4096))
    default_project_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    enabled = JsonBoolean()
    domain_id = fields.String(validate=_our_domain)
    email = fields.String(allow_none=True, validate=validate.Length(max=255))
    description = fields.String(allow_none=True)


class UserCreate(UserFields):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))


class UserCreateBody(Schema):
    user = fields.Nested(UserCreate, required=True)


class UserUpdateBody(Schema):
    user = fields.Nested(UserFields, required=True)


class ListQuery(_Lenient):
    """?name= and ?enabled= (Keystone's list filters); ?domain_id= names
    the one domain or matches nothing."""

    name = fields.String()
    enabled = fields.Boolean()
    domain_id = fields.String()


class AssignmentQuery(Schema):
    """GET /role_assignments' filters (Keystone's dotted names)."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(data_key="user.id")
    project_id = fields.String(data_key="scope.project.id")
    role_id = fields.String(data_key="role.id")
    effective = fields.String()
    include_names = fields.String()

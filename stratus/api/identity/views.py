"""Keystone v3's bodies for domains, projects, users and roles, with
their `links`; and the lookups by id that the admin API's routes share."""
import flask

from stratus.api import common
from stratus.api.identity import catalog
from stratus.common import exception
from stratus.common.context import ROLES
from stratus.common.objects.identity import DEFAULT_DOMAIN

DOMAIN_DESCRIPTION = "The default domain"


def url(*parts):
    return "/".join([common.base_url(), "identity", "v3", *parts])


def collection(key, items):
    """{key: [...], "links": {...}}: Keystone's list body (no paging)."""
    return {key: items, "links": {"self": flask.request.base_url, "previous": None,
                                  "next": None}}


def domain_view():
    return {**DEFAULT_DOMAIN, "description": DOMAIN_DESCRIPTION, "enabled": True, "tags": [],
            "options": {}, "links": {"self": url("domains", DEFAULT_DOMAIN["id"])}}


def project_view(project):
    return {"id": project.id, "name": project.name, "domain_id": project.domain_id,
            "description": project.description or "", "enabled": project.enabled,
            "is_domain": False, "parent_id": project.domain_id, "tags": [], "options": {},
            "links": {"self": url("projects", project.id)}}


def user_view(user):
    view = {"id": user.id, "name": user.name, "domain_id": user.domain_id,
            "enabled": user.enabled, "password_expires_at": None, "options": {},
            "links": {"self": url("users", user.id)}}
    # Keystone shows these only when set.
    for key in ("default_project_id", "email", "description"):
        if getattr(user, key, None) is not None:
            view[key] = getattr(user, key)
    return view


def role_view(name):
    role_id = catalog.role_id(name)
    return {"id": role_id, "name": name, "domain_id": None, "description": None,
            "options": {}, "links": {"self": url("roles", role_id)}}


def role_name(role_id):
    """The role of an id (Keystone's role ids; a role's name is accepted
    too, as a client that looked it up by name may send it)."""
    for name in ROLES:
        if role_id in (name, catalog.role_id(name)):
            return name
    raise exception.RoleNotFound(role_id=role_id)


def check_domain(domain_id):
    if domain_id != DEFAULT_DOMAIN["id"]:
        raise exception.NotFound(f"Could not find domain: {domain_id}.")

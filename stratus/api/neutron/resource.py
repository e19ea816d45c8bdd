"""What every Neutron resource does alike: list filters from the query
under Neutron's attribute names, `fields=` selection, the project of a
new record, the attributes only admins may set, and the conductor calls
(which scope reads and writes to the caller's project)."""
import dataclasses

import flask
from marshmallow import EXCLUDE, Schema, fields

from stratus.api import common, policy
from stratus.api.request_context import get_context
from stratus.common import exception

# Query parameters that are no filter (fixed_ips filters are not done).
NOT_FILTERS = frozenset({"fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse",
                         "fixed_ips"})
# Filters the conductor applies (on the record's columns); every filter is
# applied again to the views, where Neutron's names and types are.
CONDUCTOR_FILTERS = {"id": "id", "name": "name", "network_id": "network_id",
                     "device_id": "device_id", "device_owner": "device_owner",
                     "project_id": "project_id", "tenant_id": "project_id",
                     "security_group_id": "security_group_id"}
_TRUE = frozenset({"true", "1", "yes", "on"})


class _AnyQuery(Schema):
    class Meta:
        unknown = EXCLUDE


# Neutron's list query: any attribute of the resource filters (repeat it
# for several values); `fields` picks the attributes shown.
ListQuery = _AnyQuery.from_dict(
    {key: fields.List(fields.String()) for key in ("fields", "id", "name", "project_id",
                                                   "tenant_id")}, name="NeutronListQuery")


@dataclasses.dataclass(frozen=True)
class Resource:
    """One kind of record: `kind` names it to the conductor, in bodies
    and in policy rules; `admin_only` maps a loaded attribute to the
    suffix of its own rule (create_network:shared)."""

    kind: str
    admin_only: tuple = ()

    @property
    def plural(self):
        return self.kind + "s"


def _wanted(args):
    return {key: args.getlist(key) for key in args if key not in NOT_FILTERS}


def _matches(value, wanted):
    if isinstance(value, bool):
        return value in {text.lower() in _TRUE for text in wanted}
    if isinstance(value, (list, dict)):
        return True  # not a filter Neutron applies by value
    return str(value) in wanted


def _shown(view, names):
    return {key: value for key, value in view.items() if key in names} if names else view


def listing(resource):
    """{plural: [...]}: the caller's visible records matching the query."""
    policy.authorize(f"get_{resource.kind}")
    args = flask.request.args
    wanted = _wanted(args)
    filters = {CONDUCTOR_FILTERS[key]: values for key, values in wanted.items()
               if key in CONDUCTOR_FILTERS}
    found = common.conductor().net_list(get_context(), resource.kind, filters)
    found = [view for view in found if all(_matches(view[key], values)
                                           for key, values in wanted.items() if key in view)]
    return {resource.plural: [_shown(view, args.getlist("fields")) for view in found]}


def show(resource, resource_id):
    policy.authorize(f"get_{resource.kind}")
    view = common.conductor().net_get(get_context(), resource.kind, resource_id)
    return {resource.kind: _shown(view, flask.request.args.getlist("fields"))}


def _project_of(values):
    """The project a body names (tenant_id or project_id), or None."""
    tenant, project = values.pop("tenant_id", None), values.pop("project_id", None)
    if tenant and project and tenant != project:
        raise exception.Invalid("'project_id' and 'tenant_id' do not match")
    return project or tenant


def _check_admin_only(resource, verb, values, project_id=None):
    for attribute, rule in resource.admin_only:
        if values.get(attribute) or (verb == "update" and attribute in values):
            policy.authorize(f"{verb}_{resource.kind}:{rule}", project_id=project_id)


def new_values(resource, body):
    """The values of a create body, its project checked: another
    project's is for admins (the rule's target is that project)."""
    values = dict(body[resource.kind])
    project_id = _project_of(values)
    policy.authorize(f"create_{resource.kind}", project_id=project_id)
    _check_admin_only(resource, "create", values, project_id)
    if project_id:
        values["project_id"] = project_id
    return values


def create(resource, values):
    """201 {kind: view} of the new record (values from new_values)."""
    return {resource.kind: common.conductor().net_create(get_context(), resource.kind, values)}


def update(resource, resource_id, body, prepare=None):
    """{kind: view} of the record changed by the body (`prepare(values)`
    checks the values first)."""
    values = dict(body[resource.kind])
    policy.authorize(f"update_{resource.kind}")
    _check_admin_only(resource, "update", values)
    if prepare:
        values = prepare(values)
    return {resource.kind: common.conductor().net_update(get_context(), resource.kind,
                                                         resource_id, values)}


def delete(resource, resource_id):
    policy.authorize(f"delete_{resource.kind}")
    common.conductor().net_delete(get_context(), resource.kind, resource_id)
    return ""

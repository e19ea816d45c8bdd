"""The conductor's endpoints for the network service: networks, subnets,
ports, security groups and their rules, through five endpoints that take
the kind of record. Records travel as Neutron's API shows them (plain
JSON); an admin's context sees every project's records."""
from stratus.common.endpoint import endpoint
from stratus.conductor.db import networks as db
from stratus.conductor.db import security_groups as sg_db
from stratus.conductor.db.session import transaction

def _time(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _common(row):
    return {"id": row.id, "tenant_id": row.project_id, "project_id": row.project_id,
            "description": getattr(row, "description", "") or "", "tags": [],
            "revision_number": 1, "created_at": _time(row.created_at),
            "updated_at": _time(row.updated_at or row.created_at)}


def _grouped(rows, key):
    found = {}
    for row in rows:
        found.setdefault(getattr(row, key), []).append(row)
    return found


# Each builds the views of a list of rows with one query per kind of
# related record (subnets, addresses, rules), never one per row.
def network_views(session, rows):
    subnets = _grouped(db.subnet_list(session, {"network_id": [r.id for r in rows]}),
                       "network_id") if rows else {}
    return [dict(_common(row), name=row.name, status="ACTIVE", shared=row.shared,
                 admin_state_up=row.admin_state_up, mtu=row.mtu,
                 subnets=[s.id for s in subnets.get(row.id, [])],
                 **{"router:external": row.external}, port_security_enabled=True,
                 availability_zones=["nova"], availability_zone_hints=[],
                 ipv4_address_scope=None, ipv6_address_scope=None, l2_adjacency=True,
                 is_default=False) for row in rows]


def subnet_views(session, rows):
    return [dict(_common(row), name=row.name, network_id=row.network_id, cidr=row.cidr,
                 ip_version=row.ip_version, gateway_ip=row.gateway_ip,
                 enable_dhcp=row.enable_dhcp, allocation_pools=row.allocation_pools or [],
                 dns_nameservers=row.dns_nameservers or [], host_routes=row.host_routes or [],
                 ipv6_ra_mode=None, ipv6_address_mode=None, subnetpool_id=None,
                 service_types=[]) for row in rows]


def port_views(session, rows):
    addresses = db.fixed_ips_by_port(session, [row.id for row in rows])
    return [dict(_common(row), name=row.name, network_id=row.network_id,
                 mac_address=row.mac_address, fixed_ips=addresses.get(row.id, []),
                 device_id=row.device_id, device_owner=row.device_owner,
                 admin_state_up=row.admin_state_up, status=row.status,
                 security_groups=list(row.security_groups or []), allowed_address_pairs=[],
                 extra_dhcp_opts=[], port_security_enabled=True, dns_name="",
                 **{"binding:host_id": row.binding_host_id,
                    "binding:vif_type": "bridge" if row.binding_host_id else "unbound",
                    "binding:vnic_type": "normal", "binding:vif_details": {},
                    "binding:profile": {}}) for row in rows]


def rule_views(session, rows):
    return [dict(_common(row), security_group_id=row.security_group_id,
                 direction=row.direction, ethertype=row.ethertype, protocol=row.protocol,
                 port_range_min=row.port_range_min, port_range_max=row.port_range_max,
                 remote_ip_prefix=row.remote_ip_prefix, remote_group_id=row.remote_group_id,
                 remote_address_group_id=None) for row in rows]


def group_views(session, rows):
    rules = _grouped(sg_db.rules_of(session, [row.id for row in rows]),
                     "security_group_id") if rows else {}
    return [dict(_common(row), name=row.name, stateful=True,
                 security_group_rules=rule_views(session, rules.get(row.id, [])))
            for row in rows]


# kind: (get, list, create, update, delete, views); create takes the
# caller's project (None for an admin) where ownership matters.
def _rule_create(session, values, project_id):
    group = sg_db.group_get(session, values["security_group_id"], project_id)
    return sg_db.rule_create(session, group, values)


def _group_create(session, values, project_id):
    return sg_db.group_create(session, values.get("project_id") or project_id,
                              values.get("name", ""), values.get("description", ""))


_OPS = {
    "network": (db.network_get, db.network_list, lambda s, v, p: db.network_create(s, v),
                db.network_update, db.network_delete, network_views),
    "subnet": (db.subnet_get, db.subnet_list, db.subnet_create, db.subnet_update,
               db.subnet_delete, subnet_views),
    "port": (db.port_get, db.port_list, db.port_create, db.port_update, db.port_delete,
             port_views),
    "security_group": (sg_db.group_get, sg_db.group_list, _group_create, sg_db.group_update,
                       sg_db.group_delete, group_views),
    "security_group_rule": (sg_db.rule_get, sg_db.rule_list, _rule_create, None,
                            sg_db.rule_delete, rule_views),
}


def _scope(ctxt):
    return None if ctxt.is_admin else ctxt.project_id


class Networking:
    """Network service records, by kind (the keys of _OPS)."""

    @endpoint(since="1.8")
    def net_get(self, ctxt, kind, resource_id):
        get, *_rest, views = _OPS[kind]
        with transaction() as session:
            return views(session, [get(session, resource_id, _scope(ctxt))])[0]

    @endpoint(since="1.8")
    def net_list(self, ctxt, kind, filters=None):
        _get, listing, *_rest, views = _OPS[kind]
        with transaction() as session:
            if kind == "security_group" and not ctxt.is_admin:
                sg_db.default_group(session, ctxt.project_id)  # as Neutron: there at first look
            return views(session, listing(session, filters, _scope(ctxt)))

    @endpoint(since="1.8")
    def net_create(self, ctxt, kind, values):
        """`values` may name another project only in an admin's request."""
        _get, _list, create, _update, _delete, views = _OPS[kind]
        values = dict(values)
        values.setdefault("project_id", ctxt.project_id)
        with transaction() as session:
            return views(session, [create(session, values, _scope(ctxt))])[0]

    @endpoint(since="1.8")
    def net_update(self, ctxt, kind, resource_id, values):
        _get, _list, _create, update, _delete, views = _OPS[kind]
        with transaction() as session:
            return views(session, [update(session, resource_id, values, _scope(ctxt))])[0]

    @endpoint(since="1.8")
    def net_delete(self, ctxt, kind, resource_id):
        *_rest, delete, _views = _OPS[kind]
        with transaction() as session:
            delete(session, resource_id, _scope(ctxt))

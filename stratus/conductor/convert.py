"""Rows to wire objects: the only place ORM rows become what other
roles see."""
import dataclasses
import datetime
import json
import math

from stratus.config import get_settings
from stratus.common import objects
from stratus.common.objects.base import Encoded, wire_form
from stratus.common.timeutils import utcnow


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def _columns(row, names):
    return {name: _iso(getattr(row, name)) for name in names}


def flavor(row):
    return objects.Flavor(id=row.id, flavorid=row.flavorid, name=row.name, vcpus=row.vcpus,
                          memory_mb=row.memory_mb, root_gb=row.root_gb,
                          ephemeral_gb=row.ephemeral_gb, swap=row.swap,
                          rxtx_factor=row.rxtx_factor, is_public=row.is_public,
                          disabled=row.disabled, description=row.description,
                          extra_specs=dict(row.extra_specs or {}))


def image(row):
    obj = objects.Image(**_columns(row, (
        "id", "name", "status", "disk_format", "container_format", "size", "checksum",
        "visibility", "min_disk", "min_ram", "file", "owner", "created_at", "updated_at",
        "os_hash_algo", "os_hash_value")))
    obj.properties = dict(row.properties or {})
    return obj


def fault(row):
    if row is None:
        return None
    return {"code": row.code, "message": row.message, "details": row.details,
            "host": row.host, "created": _iso(row.created_at)}


_INSTANCE_COLUMNS = ("id", "uuid", "display_name", "project_id", "user_id", "vm_state",
                     "task_state", "power_state", "host", "node", "availability_zone",
                     "image_ref", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "key_name",
                     "access_ip_v4", "access_ip_v6", "launched_at", "terminated_at",
                     "created_at", "updated_at", "deleted_at", "launch_index",
                     "reservation_id", "config_drive", "locked", "locked_by", "locked_reason",
                     "key_data", "user_data", "description")


def instance(row, fault_row=None):
    obj = objects.Instance(**_columns(row, _INSTANCE_COLUMNS))
    obj.deleted = bool(row.deleted)
    obj.metadata = dict(row.user_metadata or {})
    obj.flavor = objects.Flavor.from_dict(row.flavor) if row.flavor else None
    obj.fault = fault(fault_row)
    obj.system_metadata = dict(row.system_metadata or {})
    obj.network_info = list(row.network_info or [])
    return obj


# What a listed instance's wire form is made of (instances_encoded).
INSTANCE_LIST_COLUMNS = _INSTANCE_COLUMNS + ("deleted", "user_metadata", "flavor",
                                             "system_metadata", "network_info")
_LIST_TIMES = ("launched_at", "terminated_at", "created_at", "updated_at", "deleted_at")


_EMPTY_JSON = {"{}": dict, "[]": list}


def _json(text):
    """A JSON column's value from its text (an empty one, as most
    metadata, without parsing)."""
    if text is None:
        return None
    empty = _EMPTY_JSON.get(text)
    return empty() if empty else json.loads(text)


_FLAVOR_FIELDS = frozenset(f.name for f in dataclasses.fields(objects.Flavor))


def _flavor_encoded(stored):
    """An instance's flavor (Flavor.to_dict() as saved) in its wire form:
    its JSON values are their own when it has every field, as saved."""
    if not stored:
        return None
    if stored.keys() == _FLAVOR_FIELDS:
        return wire_form(objects.Flavor, stored)
    return objects.Flavor.from_dict(stored).obj_to_primitive()


def instances_encoded(rows, faults):
    """The reply of a list: to_primitive([instance(row, its fault)...])
    for rows of INSTANCE_LIST_COLUMNS (JSON columns as text, faults by
    instance uuid), built without the objects: a page of 1,000 servers
    spent most of its conductor time building and then encoding them.

    A flavor or system metadata stored alike by many servers of the page
    (a flavor's copy, an image's properties) is decoded once: the wire
    form only goes on to be encoded, so they may share it."""
    encoded, flavors, system_metadata = [], {}, {}
    for row in rows:
        values = dict(zip(INSTANCE_LIST_COLUMNS, row))
        for name in _LIST_TIMES:
            values[name] = _iso(values[name])
        values["deleted"] = bool(values["deleted"])
        values["metadata"] = _json(values.pop("user_metadata")) or {}
        text = values["flavor"]
        if text not in flavors:
            flavors[text] = _flavor_encoded(_json(text))
        values["flavor"] = flavors[text]
        values["fault"] = fault(faults.get(values["uuid"]))
        text = values["system_metadata"]
        if text not in system_metadata:
            system_metadata[text] = _json(text) or {}
        values["system_metadata"] = system_metadata[text]
        values["network_info"] = _json(values["network_info"]) or []
        encoded.append(wire_form(objects.Instance, values))
    return Encoded(encoded)


_MIGRATION_COLUMNS = ("id", "uuid", "instance_uuid", "migration_type", "status",
                      "source_compute", "source_node", "dest_compute", "dest_node",
                      "dest_host", "source_node_id", "dest_node_id", "project_id", "user_id",
                      "memory_total", "memory_processed", "memory_remaining", "disk_total",
                      "disk_processed", "disk_remaining", "error", "created_at", "updated_at")


def migration(row):
    obj = objects.Migration(**_columns(row, _MIGRATION_COLUMNS))
    obj.old_flavor = objects.Flavor.from_dict(row.old_flavor) if row.old_flavor else None
    obj.new_flavor = objects.Flavor.from_dict(row.new_flavor) if row.new_flavor else None
    obj.migrate_data = dict(row.migrate_data or {})
    return obj


def service_is_up(service_row, now=None):
    """Up: not forced down, and a heartbeat within service_down_time."""
    if service_row is None or service_row.forced_down or service_row.last_seen_up is None:
        return False
    age = ((now or utcnow()) - service_row.last_seen_up).total_seconds()
    return age <= get_settings().service_down_time


def service(row):
    obj = objects.Service(**_columns(row, (
        "id", "host", "binary", "topic", "report_count", "disabled", "disabled_reason",
        "forced_down", "availability_zone", "updated_at", "created_at", "last_seen_up",
        "uuid", "version")))
    obj.up = service_is_up(row)
    return obj


_NODE_COLUMNS = ("id", "uuid", "host", "hypervisor_hostname", "hypervisor_type",
                 "hypervisor_version", "vcpus", "memory_mb", "local_gb", "vcpus_used",
                 "memory_mb_used", "local_gb_used", "running_vms", "cpu_allocation_ratio",
                 "ram_allocation_ratio", "disk_allocation_ratio", "host_ip", "service_id",
                 "updated_at")


def usable_totals(node_row):
    """(memory_mb, local_gb) less the reserved room: the totals the
    scheduler compares with (its rows and its compact reads alike)."""
    return (node_row.memory_mb - (node_row.reserved_host_memory_mb or 0),
            node_row.local_gb - math.ceil((node_row.reserved_host_disk_mb or 0) / 1024))


def compute_node(node_row, service_row):
    obj = objects.ComputeNode(**_columns(node_row, _NODE_COLUMNS))
    obj.memory_mb, obj.local_gb = usable_totals(node_row)
    obj.service_up = service_is_up(service_row)
    obj.service_disabled = bool(service_row.disabled) if service_row else True
    obj.service_disabled_reason = service_row.disabled_reason if service_row else None
    obj.availability_zone = service_row.availability_zone if service_row else "nova"
    return obj


def keypair(row):
    return objects.KeyPair(**_columns(row, ("id", "name", "user_id", "fingerprint", "public_key",
                                            "type", "created_at", "updated_at")))


_EVENT_COLUMNS = ("event", "start_time", "finish_time", "result", "traceback", "details",
                  "host", "task_id")
_ACTION_COLUMNS = ("action", "instance_uuid", "request_id", "user_id", "project_id",
                   "start_time", "finish_time", "updated_at", "message")


def action_event(row):
    return objects.InstanceActionEvent(**_columns(row, _EVENT_COLUMNS))


def action(row, event_rows=()):
    obj = objects.InstanceAction(**_columns(row, _ACTION_COLUMNS))
    obj.events = [action_event(e) for e in event_rows]
    return obj


def instance_group(row, members):
    """A server group with its live members' uuids."""
    return objects.InstanceGroup(**_columns(row, ("id", "uuid", "name", "project_id", "user_id",
                                                  "policy", "created_at")),
                                 rules=dict(row.rules or {}), members=list(members))


def certificate(row):
    return objects.Certificate(**_columns(row, ("serial", "user_id", "project_id", "revoked",
                                                "revoked_at", "created_at")))


def aggregate(row, hosts):
    return objects.Aggregate(**_columns(row, ("id", "uuid", "name", "created_at", "updated_at")),
                             hosts=list(hosts), metadata=dict(row.meta or {}))

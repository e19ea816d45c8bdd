"""Security groups and their rules. Every project has a group named
`default` (made the first time it is needed), which new ports join, with
Neutron's default rules: all egress, ingress from the group's own members."""
import uuid as uuidlib

from sqlalchemy import delete, select, true

from stratus.common import exception
from stratus.conductor.db.models import Port, SecurityGroup, SecurityGroupRule

DEFAULT = "default"


def _new_id():
    return str(uuidlib.uuid4())


def group_get(session, group_id, project_id=None):
    row = session.get(SecurityGroup, group_id)
    if row is None or project_id not in (None, row.project_id):
        raise exception.SecurityGroupNotFound(id=group_id)
    return row


def group_list(session, filters=None, project_id=None):
    query = select(SecurityGroup).where(
        true() if project_id is None else SecurityGroup.project_id == project_id)
    for key, value in (filters or {}).items():
        column = getattr(SecurityGroup, key, None)
        if column is not None and value is not None:
            query = query.where(column.in_(value if isinstance(value, list) else [value]))
    return list(session.scalars(query.order_by(SecurityGroup.created_at, SecurityGroup.id)))


def default_group(session, project_id):
    row = session.scalars(select(SecurityGroup).where(
        SecurityGroup.project_id == project_id, SecurityGroup.name == DEFAULT)).first()
    return row if row is not None else group_create(session, project_id, DEFAULT,
                                                    "Default security group")


def group_create(session, project_id, name, description=""):
    row = SecurityGroup(id=_new_id(), project_id=project_id, name=name,
                        description=description or "")
    session.add(row)
    session.flush()
    for ethertype in ("IPv4", "IPv6"):
        rule_create(session, row, {"direction": "egress", "ethertype": ethertype})
        if name == DEFAULT:
            rule_create(session, row, {"direction": "ingress", "ethertype": ethertype,
                                       "remote_group_id": row.id})
    return row


def group_update(session, group_id, values, project_id=None):
    row = group_get(session, group_id, project_id)
    if row.name == DEFAULT and values.get("name", DEFAULT) != DEFAULT:
        raise exception.Conflict("Insufficient rights for removing default security group.")
    for key in ("name", "description"):
        if key in values:
            setattr(row, key, values[key])
    session.flush()
    return row


def group_delete(session, group_id, project_id=None):
    """Refused while a port is in the group; a project's `default` only
    an admin removes (Neutron's)."""
    row = group_get(session, group_id, project_id)
    ports = session.scalars(select(Port).where(Port.project_id == row.project_id))
    if any(group_id in (port.security_groups or []) for port in ports):
        raise exception.SecurityGroupInUse(id=group_id)
    if row.name == DEFAULT and project_id is not None:
        raise exception.SecurityGroupCannotRemoveDefault()
    session.execute(delete(SecurityGroupRule).where(
        SecurityGroupRule.security_group_id == group_id))
    session.execute(delete(SecurityGroup).where(SecurityGroup.id == group_id))


def rules_of(session, group_ids):
    return list(session.scalars(select(SecurityGroupRule).where(
        SecurityGroupRule.security_group_id.in_(group_ids)).order_by(
        SecurityGroupRule.created_at, SecurityGroupRule.id)))


def rule_get(session, rule_id, project_id=None):
    row = session.get(SecurityGroupRule, rule_id)
    if row is None or project_id not in (None, row.project_id):
        raise exception.SecurityGroupRuleNotFound(id=rule_id)
    return row


def rule_list(session, filters=None, project_id=None):
    groups = [g.id for g in group_list(session, None, project_id)]
    rules = rules_of(session, groups)
    for key, value in (filters or {}).items():
        if value is not None and hasattr(SecurityGroupRule, key):
            wanted = value if isinstance(value, list) else [value]
            rules = [r for r in rules if str(getattr(r, key)) in map(str, wanted)]
    return rules


RULE_FIELDS = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
               "remote_ip_prefix", "remote_group_id", "description")


def rule_create(session, group, values):
    """A rule of `group`; the same rule twice is a 409, as Neutron's."""
    fields = {key: values.get(key) for key in RULE_FIELDS}
    fields["ethertype"] = fields["ethertype"] or "IPv4"
    fields["description"] = fields["description"] or ""
    for other in rules_of(session, [group.id]):
        if all(getattr(other, key) == fields[key] for key in RULE_FIELDS if key != "description"):
            raise exception.Conflict(f"Security group rule already exists. Rule id is "
                                     f"{other.id}.")
    row = SecurityGroupRule(id=_new_id(), security_group_id=group.id,
                            project_id=group.project_id, **fields)
    session.add(row)
    session.flush()
    return row


def rule_delete(session, rule_id, project_id=None):
    rule_get(session, rule_id, project_id)
    session.execute(delete(SecurityGroupRule).where(SecurityGroupRule.id == rule_id))

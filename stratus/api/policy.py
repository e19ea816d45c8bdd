"""Nova's default policy (and Keystone's for tokens), by rule name.

A rule's check string is one of Nova's personas:
- ADMIN: the admin role (Nova's `context_is_admin`; an admin of any
  project is an admin everywhere, as in Nova);
- MEMBER / READER: `project_member_or_admin` / `project_reader_or_admin`,
  a member (reader) of the target's project, or an admin. Roles imply
  each other (admin > manager > member > reader), so a member reads as
  well; `service` (Keystone's role for services) implies none;
- OWNER: `(admin) or user_id:%(user_id)s`, the target's user or an admin;
- SERVICE: `service_api`, a token with the service role, or an admin;
- ANY: anyone with a valid token.
Nova's PROJECT_MANAGER rules (migrate, live migrate) are ADMIN here:
there is no manager role.

The target defaults to the context's own project and user. Servers of
another project never reach a rule: app.compute_api.get answers 404 for
them first, as Nova's project-scoped database reads do."""
import logging

from werkzeug.exceptions import Forbidden

from stratus.api.request_context import get_context
from stratus.common import exception

LOG = logging.getLogger(__name__)

ADMIN, MEMBER, READER, OWNER, SERVICE, ANY = ("admin", "member", "reader", "owner", "service",
                                              "any")

_S = "os_compute_api:servers:%s"
RULES = {
    # servers
    _S % "index": READER, _S % "detail": READER, _S % "show": READER,
    _S % "index:get_all_tenants": ADMIN, _S % "detail:get_all_tenants": ADMIN,
    _S % "create": MEMBER, _S % "create:forced_host": ADMIN, _S % "update": MEMBER,
    # 2.74's host / hypervisor_hostname on create (Nova's REQUESTED_DESTINATION)
    "compute:servers:create:requested_destination": ADMIN,
    _S % "delete": MEMBER, _S % "start": MEMBER, _S % "stop": MEMBER, _S % "reboot": MEMBER,
    _S % "resize": MEMBER, _S % "confirm_resize": MEMBER, _S % "revert_resize": MEMBER,
    _S % "rebuild": MEMBER, _S % "create_image": MEMBER, _S % "trigger_crash_dump": MEMBER,
    "os_compute_api:os-pause-server:pause": MEMBER,
    "os_compute_api:os-pause-server:unpause": MEMBER,
    "os_compute_api:os-suspend-server:suspend": MEMBER,
    "os_compute_api:os-suspend-server:resume": MEMBER,
    "os_compute_api:os-lock-server:lock": MEMBER,
    "os_compute_api:os-lock-server:unlock": MEMBER,
    "os_compute_api:os-lock-server:unlock:unlock_override": ADMIN,
    "os_compute_api:os-admin-actions:reset_state": ADMIN,
    "os_compute_api:os-admin-actions:inject_network_info": ADMIN,
    "os_compute_api:os-migrate-server:migrate": ADMIN,
    "os_compute_api:os-migrate-server:migrate_live": ADMIN,
    "os_compute_api:os-evacuate": ADMIN,
    # migration records
    "os_compute_api:os-migrations:index": ADMIN,
    "os_compute_api:servers:migrations:index": ADMIN,
    "os_compute_api:servers:migrations:show": ADMIN,
    "os_compute_api:os-shelve:shelve": MEMBER,
    "os_compute_api:os-shelve:unshelve": MEMBER,
    "os_compute_api:os-shelve:unshelve_to_host": ADMIN,
    "os_compute_api:os-shelve:shelve_offload": ADMIN,
    "os_compute_api:os-rescue": MEMBER, "os_compute_api:os-unrescue": MEMBER,
    "os_compute_api:os-deferred-delete:force": MEMBER,
    "os_compute_api:os-deferred-delete:restore": MEMBER,
    "os_compute_api:os-create-backup": MEMBER, "os_compute_api:os-admin-password": MEMBER,
    "os_compute_api:os-console-output": MEMBER, "os_compute_api:os-remote-consoles": MEMBER,
    "os_compute_api:os-console-auth-tokens": ADMIN,
    "os_compute_api:os-security-groups:add": MEMBER,
    "os_compute_api:os-security-groups:remove": MEMBER,
    "os_compute_api:os-multinic:add": MEMBER, "os_compute_api:os-multinic:remove": MEMBER,
    "os_compute_api:os-floating-ips:add": MEMBER,
    "os_compute_api:os-floating-ips:remove": MEMBER,
    # server metadata and instance actions
    "os_compute_api:server-metadata:index": READER,
    "os_compute_api:server-metadata:show": READER,
    "os_compute_api:server-metadata:create": MEMBER,
    "os_compute_api:server-metadata:update_all": MEMBER,
    "os_compute_api:server-metadata:update": MEMBER,
    "os_compute_api:server-metadata:delete": MEMBER,
    "os_compute_api:extensions": ANY,
    # a server's addresses and its encrypted password
    "os_compute_api:ips:index": READER, "os_compute_api:ips:show": READER,
    "os_compute_api:os-server-password:show": READER,
    "os_compute_api:os-server-password:clear": MEMBER,
    "os_compute_api:os-server-tags:index": READER,
    "os_compute_api:os-server-tags:show": READER,
    "os_compute_api:os-server-tags:update": MEMBER,
    "os_compute_api:os-server-tags:update_all": MEMBER,
    "os_compute_api:os-server-tags:delete": MEMBER,
    "os_compute_api:os-server-tags:delete_all": MEMBER,
    "os_compute_api:os-instance-actions:list": READER,
    "os_compute_api:os-instance-actions:show": READER,
    "os_compute_api:os-instance-actions:events": ADMIN,
    "os_compute_api:os-instance-actions:events:details": ADMIN,
    # flavors (listing and showing them needs no rule in Nova)
    "os_compute_api:os-flavor-manage:create": ADMIN,
    "os_compute_api:os-flavor-manage:update": ADMIN,
    "os_compute_api:os-flavor-manage:delete": ADMIN,
    "os_compute_api:os-flavor-extra-specs:index": READER,
    "os_compute_api:os-flavor-extra-specs:show": READER,
    "os_compute_api:os-flavor-extra-specs:create": ADMIN,
    "os_compute_api:os-flavor-extra-specs:update": ADMIN,
    "os_compute_api:os-flavor-extra-specs:delete": ADMIN,
    # operator resources
    "os_compute_api:os-hypervisors:list": ADMIN,
    "os_compute_api:os-hypervisors:list-detail": ADMIN,
    "os_compute_api:os-hypervisors:show": ADMIN,
    "os_compute_api:os-hypervisors:statistics": ADMIN,
    "os_compute_api:os-hypervisors:uptime": ADMIN,
    "os_compute_api:os-hypervisors:search": ADMIN,
    "os_compute_api:os-hypervisors:servers": ADMIN,
    "os_compute_api:os-server-diagnostics": ADMIN,
    "os_compute_api:os-server-external-events:create": SERVICE,
    "os_compute_api:os-simple-tenant-usage:list": ADMIN,
    "os_compute_api:os-simple-tenant-usage:show": READER,
    "os_compute_api:os-instance-usage-audit-log:list": ADMIN,
    "os_compute_api:os-instance-usage-audit-log:show": ADMIN,
    "os_compute_api:os-services:list": ADMIN, "os_compute_api:os-services:update": ADMIN,
    "os_compute_api:os-services:delete": ADMIN,
    "os_compute_api:os-aggregates:index": ADMIN, "os_compute_api:os-aggregates:create": ADMIN,
    "os_compute_api:os-aggregates:show": ADMIN, "os_compute_api:os-aggregates:update": ADMIN,
    "os_compute_api:os-aggregates:delete": ADMIN,
    "os_compute_api:os-aggregates:add_host": ADMIN,
    "os_compute_api:os-aggregates:remove_host": ADMIN,
    "os_compute_api:os-aggregates:set_metadata": ADMIN,
    "os_compute_api:os-hosts:list": ADMIN, "os_compute_api:os-hosts:show": ADMIN,
    "os_compute_api:os-hosts:update": ADMIN, "os_compute_api:os-hosts:reboot": ADMIN,
    "os_compute_api:os-hosts:shutdown": ADMIN, "os_compute_api:os-hosts:start": ADMIN,
    "os_compute_api:os-flavor-access": ADMIN,
    "os_compute_api:os-flavor-access:add_tenant_access": ADMIN,
    "os_compute_api:os-flavor-access:remove_tenant_access": ADMIN,
    "os_compute_api:os-availability-zone:list": ANY,
    "os_compute_api:os-availability-zone:detail": ADMIN,
    "os_compute_api:limits": ANY, "os_compute_api:limits:other_project": ADMIN,
    "os_compute_api:os-quota-sets:show": READER, "os_compute_api:os-quota-sets:detail": READER,
    "os_compute_api:os-quota-sets:defaults": ANY,
    "os_compute_api:os-quota-class-sets:show": ADMIN,
    "os_compute_api:os-quota-class-sets:update": ADMIN,
    "os_compute_api:os-quota-sets:update": ADMIN, "os_compute_api:os-quota-sets:delete": ADMIN,
    "os_compute_api:os-keypairs:index": OWNER, "os_compute_api:os-keypairs:create": OWNER,
    "os_compute_api:os-keypairs:show": OWNER, "os_compute_api:os-keypairs:delete": OWNER,
    "os_compute_api:os-server-groups:index": READER,
    "os_compute_api:os-server-groups:index:all_projects": ADMIN,
    "os_compute_api:os-server-groups:show": READER,
    "os_compute_api:os-server-groups:create": MEMBER,
    "os_compute_api:os-server-groups:delete": MEMBER,
    "os_compute_api:os-networks:list": READER, "os_compute_api:os-networks:show": READER,
    "os_compute_api:os-tenant-networks:list": READER,
    "os_compute_api:os-tenant-networks:show": READER,
    # certificates (Nova's rules before Pike: the caller's own project)
    "os_compute_api:os-certificates:create": MEMBER,
    "os_compute_api:os-certificates:show": READER,
    # Keystone's: a user's own token, or any for admins
    "identity:validate_token": OWNER, "identity:revoke_token": OWNER,
    # Keystone's admin API: admins manage; a user reads itself, its own
    # projects and the project of its token; the one domain is no secret.
    "identity:get_domain": ANY, "identity:list_domains": ADMIN,
    "identity:get_role": ADMIN, "identity:list_roles": ADMIN,
    "identity:get_project": READER, "identity:list_projects": ADMIN,
    "identity:create_project": ADMIN, "identity:update_project": ADMIN,
    "identity:delete_project": ADMIN, "identity:list_user_projects": OWNER,
    "identity:get_user": OWNER, "identity:list_users": ADMIN,
    "identity:create_user": ADMIN, "identity:update_user": ADMIN,
    "identity:delete_user": ADMIN,
    "identity:list_grants": ADMIN, "identity:check_grant": ADMIN,
    "identity:create_grant": ADMIN, "identity:revoke_grant": ADMIN,
    "identity:list_role_assignments": ADMIN,
    # Nova's proxy to the network service's security groups
    "os_compute_api:os-security-groups:get": READER,
    "os_compute_api:os-security-groups:show": READER,
    "os_compute_api:os-security-groups:create": MEMBER,
    "os_compute_api:os-security-groups:update": MEMBER,
    "os_compute_api:os-security-groups:delete": MEMBER,
    "os_compute_api:os-security-groups:rule:create": MEMBER,
    "os_compute_api:os-security-groups:rule:delete": MEMBER,
    "os_compute_api:os-security-groups:list": READER,
}
# Neutron's (rule names without a prefix, as Neutron's): a project's
# readers read, its members write (visibility is the conductor's: its own
# records and shared networks); only admins share a network, make it
# external or bind a port to a host.
NETWORK_RESOURCES = ("network", "subnet", "port", "security_group", "security_group_rule")
NETWORK_RULES = {
    **{f"{verb}_{resource}": READER if verb == "get" else MEMBER
       for resource in NETWORK_RESOURCES for verb in ("get", "create", "update", "delete")},
    **{f"{verb}_network:{attribute}": ADMIN for verb in ("create", "update")
       for attribute in ("shared", "router:external")},
    "create_port:binding:host_id": ADMIN, "update_port:binding:host_id": ADMIN,
}
RULES.update(NETWORK_RULES)


def _allowed(check, ctxt, project_id, user_id):
    if ctxt.is_admin or check == ANY:
        return True
    if check == OWNER:
        return user_id == ctxt.user_id
    if check == SERVICE:
        return SERVICE in ctxt.roles
    if check in (MEMBER, READER):
        return check in ctxt.roles and project_id == ctxt.project_id
    return False


def check(rule, project_id=None, user_id=None):
    """Whether the current context may perform `rule` on a target of this
    project and user (by default its own). An unknown rule is admin-only."""
    ctxt = get_context()
    if rule not in RULES:
        LOG.warning("No default for policy rule %s: admin only", rule)
    return _allowed(RULES.get(rule, ADMIN), ctxt,
                    ctxt.project_id if project_id is None else project_id,
                    ctxt.user_id if user_id is None else user_id)


def authorize(rule, project_id=None, user_id=None):
    """403 unless check() allows it, with Nova's (or Keystone's) message."""
    if not check(rule, project_id, user_id):
        if rule in NETWORK_RULES:
            raise exception.PolicyNotAuthorized(action=rule)
        if rule.startswith("identity:"):
            raise Forbidden(f"You are not authorized to perform the requested action: {rule}.")
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


def is_admin():
    return get_context().is_admin

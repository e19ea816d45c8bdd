"""Client side of the conductor: what the other roles import.

ConductorAPI proxies database work (the other roles never open the
database); ComputeTaskAPI starts the long orchestrations. Both go to the
`conductor` queue, as in Nova. Each method sends the version that brought
it (or its newest argument), never above STRATUS_CONDUCTOR_RPC_VERSION_CAP.

API version history:
    1.0 - services and compute nodes, claims and their release, flavors,
          images, instances (get, list, compare-and-swap update, destroy),
          faults, action events; ComputeTaskAPI: create_instance(s), build
          (build_instances, build_on_selection), reschedule_instance.
    1.1 - server life cycle: server metadata, instance actions listing,
          keypairs, quotas, service updates and deletion, server groups.
          New arguments: claim_resources `group` (keep a group's hard
          policy), instance_get `read_deleted`, instance_update `action`
          (record the instance action with the save),
          action_event_start/finish `task_id`; left out, with the 1.0
          message sent, when the cap is 1.0.
    1.2 - console auth tokens (for the consoleauth role); certificates
          (for the cert role): create, list, revoke; identity (for the
          api role): projects, users, role assignments, password
          authentication, token revocation.
    1.3 - moving servers: migration records, image update and delete, the
          one-transaction move commit; ComputeTaskAPI: resize and cold
          migration (migrate_server), live migration, rebuild, evacuation,
          unshelve, and the scheduler replies they continue with.
    1.4 - identity upkeep: role assignment deletion, user update (enable,
          disable) and deletion, project deletion (refused while it has
          servers), and token_roles, with which the api re-checks that a
          token's user may still act on its project.
    1.5 - server tags: get (one server, or several at once), add, set,
          delete one, delete all.
    1.6 - the identity admin API (Keystone's projects, users and role
          assignments): user and project get, list and update, role
          assignment listing; user_create takes enabled, email and
          description, user_update name, password, default project,
          email and description (a 1.4 message still changes `enabled`).
    1.7 - quota classes: quota_class_get, quota_class_update; per-user
          quotas: quota_get, quota_update and quota_delete take `user_id`;
          unshelve_instance takes `host` (2.91's unshelve to a host);
          host aggregates: aggregate_get_all, aggregate_get,
          aggregate_create, aggregate_update, aggregate_set_metadata,
          aggregate_delete, aggregate_add_host, aggregate_remove_host;
          flavors: flavor_update (description), flavor_extra_specs_update,
          flavor_extra_spec_delete, flavor_access_get, flavor_access_add,
          flavor_access_remove. (Compute nodes and services now carry
          their aggregates' zone, nodes their aggregates' metadata.)
    1.8 - the network service: net_get, net_list, net_create, net_update,
          net_delete, each for one kind of record (network, subnet, port,
          security_group, security_group_rule). Instances carry
          network_info (Instance 1.3); create_instance(s) request specs
          may carry requested_networks.
    1.9 - flavor_and_image_get: a boot's flavor and image in one call (the
          api sends flavor_get and image_get below 1.9).
    1.10 - compute_node_states: the scheduler's compact host states, and
           after the first read only the nodes changed since.
    1.11 - instance_get_all_with_tags: a page of instances and their
           servers' tags in one call (the api's detail list from 2.26
           sends instance_get_all and instance_tags_get_by_instances
           below 1.11).
    1.12 - ComputeTaskAPI.create_instances_by_ref: create_instances for
           servers that name their flavor and image by id; the conductor
           reads and checks both in the transaction that records them
           (the api sends flavor_and_image_get, then create_instances,
           below 1.12); build_on_hosts, the continuation of the
           scheduler's select_hosts (1.2): the conductor claims the chosen
           host, or the next alternate, in the transaction that records it
           (a build is scheduled with select_destinations, claimed by the
           scheduler, and continues in build_on_selection below 1.12).
    1.13 - a call may carry the api's unchecked token (the context's
           token_check): the conductor refuses the call, before running
           it, when the token was revoked, so that the api's first call
           of a request spares it a token_revoked call (the api sends
           token_revoked first below 1.13).
    1.14 - instance_update takes `expected_host` (the save lands only while
           the instance is on that host), and its event a "started_at"
           time: a compute host saves a build once, at its end, instead of
           claiming it first (it claims it first below 1.14).
    1.15 - no conductor thread waits on another role: migrate_on_selection
           continues migrate_server once the scheduler replies, and
           answers migrate_server's caller itself; live_migrate_checked
           continues a live migration once both hosts' checks reply (below
           1.15 the conductor waits on the scheduler and on the
           destination host).
"""
from stratus.config import get_settings
from stratus.common.rpc import RPCClient
from stratus.common.vocabulary import UNSET

RPC_VERSION = "1.15"
# From this version a conductor checks the token a call carries.
TOKEN_CHECK_SINCE = "1.13"
# From this version a save may expect the instance's host (expected_host).
HOST_CHECKED_SAVE = "1.14"


class _ConductorClient:
    """What both stubs share: one client of the `conductor` queue."""

    def __init__(self):
        self.client = RPCClient("conductor", RPC_VERSION,
                                version_cap=get_settings().conductor_rpc_version_cap,
                                checks_token=TOKEN_CHECK_SINCE)

    def _client(self, version):
        """The client at `version` (VersionCapExceeded above the cap)."""
        return self.client.prepare(version=version)

    def can_send_version(self, version):
        """Whether the conductors may be sent `version` (not while capped
        below it, during a rolling upgrade)."""
        return self.client.can_send_version(version)


class ConductorAPI(_ConductorClient):
    """Database access for roles that may not import the models."""

    # the network service (stratus.conductor.networks): `kind` is one of
    # network, subnet, port, security_group, security_group_rule.
    def net_get(self, ctxt, kind, resource_id):
        return self._client("1.8").call(ctxt, "net_get", kind=kind, resource_id=resource_id)

    def net_list(self, ctxt, kind, filters=None):
        return self._client("1.8").call(ctxt, "net_list", kind=kind, filters=filters)

    def net_create(self, ctxt, kind, values):
        return self._client("1.8").call(ctxt, "net_create", kind=kind, values=values)

    def net_update(self, ctxt, kind, resource_id, values):
        return self._client("1.8").call(ctxt, "net_update", kind=kind,
                                        resource_id=resource_id, values=values)

    def net_delete(self, ctxt, kind, resource_id):
        return self._client("1.8").call(ctxt, "net_delete", kind=kind,
                                        resource_id=resource_id)

    # services and compute nodes
    def service_update(self, ctxt, host, binary, topic, availability_zone=None):
        """Create or heartbeat a service row; returns the Service."""
        return self._client("1.0").call(ctxt, "service_update", host=host, binary=binary,
                                        topic=topic, availability_zone=availability_zone)

    def service_get_all(self, ctxt, binary=None):
        """Every service, each with `up` computed from its last heartbeat."""
        return self._client("1.0").call(ctxt, "service_get_all", binary=binary)

    def compute_node_update(self, ctxt, host, nodename, resources):
        """Create or refresh a hypervisor's totals (not its usage)."""
        return self._client("1.0").call(ctxt, "compute_node_update", host=host,
                                        nodename=nodename, resources=resources)

    def compute_node_get_all(self, ctxt):
        """Every compute node, with its service's state and zone."""
        return self._client("1.0").call(ctxt, "compute_node_get_all")

    def compute_node_states(self, ctxt, since=None):
        """{"now", "columns", "nodes", "gone", "unavailable", "aggregates"}:
        every node as plain values, or with `since` (a previous answer's
        "now") those changed since; callers check can_send_version("1.10")."""
        return self._client("1.10").call(ctxt, "compute_node_states", since=since)

    def compute_node_get(self, ctxt, node_id):
        """One compute node by id."""
        return self._client("1.0").call(ctxt, "compute_node_get", node_id=node_id)

    # claims
    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb,
                        group=None):
        """Atomically take room on a node; False when it does not fit.

        With `group` (a server group uuid, 1.1) the claim also keeps the
        group's hard policy, else raises GroupAffinityViolation. Without
        it, or capped at 1.0, the message is the 1.0 one (the scheduler's
        filters have checked the policy; only the race guard is lost)."""
        client, newer = self.client.prepare_with("1.0", group=("1.1", group))
        return client.call(ctxt, "claim_resources", instance_uuid=instance_uuid,
                           compute_node_id=compute_node_id, vcpus=vcpus, memory_mb=memory_mb,
                           disk_gb=disk_gb, **newer)

    def release_resources(self, ctxt, instance_uuid, compute_node_id=None):
        """Give back an instance's claim(s); idempotent."""
        return self._client("1.0").call(ctxt, "release_resources", instance_uuid=instance_uuid,
                                        compute_node_id=compute_node_id)

    # flavors and images
    def flavor_get_all(self, ctxt, is_public=True, min_ram=None, min_disk=None):
        """Flavors; is_public None means public and private."""
        return self._client("1.0").call(ctxt, "flavor_get_all", is_public=is_public,
                                        min_ram=min_ram, min_disk=min_disk)

    def flavor_get(self, ctxt, flavorid):
        """One flavor by its API id."""
        return self._client("1.0").call(ctxt, "flavor_get", flavorid=flavorid)

    def flavor_create(self, ctxt, values):
        """Create a flavor; `flavorid` None picks a UUID."""
        return self._client("1.0").call(ctxt, "flavor_create", values=values)

    def flavor_delete(self, ctxt, flavorid):
        """Delete a flavor (existing servers keep their copy)."""
        return self._client("1.0").call(ctxt, "flavor_delete", flavorid=flavorid)

    def flavor_update(self, ctxt, flavorid, values):
        """Change a flavor's description; returns the Flavor."""
        return self._client("1.7").call(ctxt, "flavor_update", flavorid=flavorid, values=values)

    def flavor_extra_specs_update(self, ctxt, flavorid, specs):
        """Add or replace extra specs; returns the Flavor."""
        return self._client("1.7").call(ctxt, "flavor_extra_specs_update", flavorid=flavorid,
                                        specs=specs)

    def flavor_extra_spec_delete(self, ctxt, flavorid, key):
        """Remove one extra spec (NotFound if the flavor has no such key)."""
        return self._client("1.7").call(ctxt, "flavor_extra_spec_delete", flavorid=flavorid,
                                        key=key)

    def flavor_access_get(self, ctxt, flavorid):
        """The project ids with access to a private flavor."""
        return self._client("1.7").call(ctxt, "flavor_access_get", flavorid=flavorid)

    def flavor_access_add(self, ctxt, flavorid, project_id):
        """Give a project access to a private flavor; returns the project ids."""
        return self._client("1.7").call(ctxt, "flavor_access_add", flavorid=flavorid,
                                        project_id=project_id)

    def flavor_access_remove(self, ctxt, flavorid, project_id):
        """Take a project's access away; returns the project ids left."""
        return self._client("1.7").call(ctxt, "flavor_access_remove", flavorid=flavorid,
                                        project_id=project_id)

    # host aggregates
    def aggregate_get_all(self, ctxt):
        """Every aggregate with its hosts and metadata."""
        return self._client("1.7").call(ctxt, "aggregate_get_all")

    def aggregate_get(self, ctxt, aggregate_id):
        """One aggregate by id."""
        return self._client("1.7").call(ctxt, "aggregate_get", aggregate_id=aggregate_id)

    def aggregate_create(self, ctxt, name, availability_zone=None):
        """Create an aggregate, in a zone when one is given."""
        return self._client("1.7").call(ctxt, "aggregate_create", name=name,
                                        availability_zone=availability_zone)

    def aggregate_update(self, ctxt, aggregate_id, values):
        """Rename an aggregate and/or change its zone."""
        return self._client("1.7").call(ctxt, "aggregate_update", aggregate_id=aggregate_id,
                                        values=values)

    def aggregate_set_metadata(self, ctxt, aggregate_id, metadata):
        """Merge metadata into an aggregate's (a null value removes a key)."""
        return self._client("1.7").call(ctxt, "aggregate_set_metadata",
                                        aggregate_id=aggregate_id, metadata=metadata)

    def aggregate_delete(self, ctxt, aggregate_id):
        """Delete an empty aggregate."""
        return self._client("1.7").call(ctxt, "aggregate_delete", aggregate_id=aggregate_id)

    def aggregate_add_host(self, ctxt, aggregate_id, host):
        """Add a compute host to an aggregate."""
        return self._client("1.7").call(ctxt, "aggregate_add_host", aggregate_id=aggregate_id,
                                        host=host)

    def aggregate_remove_host(self, ctxt, aggregate_id, host):
        """Remove a host from an aggregate."""
        return self._client("1.7").call(ctxt, "aggregate_remove_host",
                                        aggregate_id=aggregate_id, host=host)

    def image_get_all(self, ctxt, filters=None):
        """Images, filtered by name, id list or status."""
        return self._client("1.0").call(ctxt, "image_get_all", filters=filters or {})

    def image_get(self, ctxt, image_id):
        """One image by id."""
        return self._client("1.0").call(ctxt, "image_get", image_id=image_id)

    def flavor_and_image_get(self, ctxt, flavorid, image_id):
        """[Flavor, Image or None] of a boot (one call instead of two);
        FlavorNotFound."""
        return self._client("1.9").call(ctxt, "flavor_and_image_get", flavorid=flavorid,
                                        image_id=image_id)

    def image_create(self, ctxt, values):
        """Record an image whose file is in the image store."""
        return self._client("1.0").call(ctxt, "image_create", values=values)

    # instances
    def instance_get(self, ctxt, instance_uuid, read_deleted=False):
        """One instance (with its latest fault); deleted ones are not found
        unless `read_deleted` (1.1)."""
        client, newer = self.client.prepare_with("1.0", read_deleted=("1.1", read_deleted))
        return client.call(ctxt, "instance_get", instance_uuid=instance_uuid, **newer)

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None):
        """Instances newest first, filtered, paged by marker."""
        return self._client("1.0").call(ctxt, "instance_get_all", filters=filters or {},
                                        limit=limit, marker=marker)

    def instance_get_all_with_tags(self, ctxt, filters=None, limit=None, marker=None):
        """{"instances": instance_get_all's page, "tags": {uuid: [tag, ...]}
        of its servers}."""
        return self._client("1.11").call(ctxt, "instance_get_all_with_tags",
                                         filters=filters or {}, limit=limit, marker=marker)

    def instance_update(self, ctxt, instance_uuid, values, expected_task_state=UNSET,
                        expected_vm_state=None, event=None, action=None, expected_host=None):
        """Save changes, compare-and-swap on task_state (and vm_state, and
        with `expected_host` (1.14) the host: callers check
        can_send_version(HOST_CHECKED_SAVE) first, for a capped conductor
        would save without it).

        `action` (1.1; a name: "stop", "reboot"...) starts the instance action of
        the context's request, and `event` ({"event", "host", "task_id",
        and "result"/"traceback"/"details" to finish it; "start" too for a
        whole event, "started_at" (1.14) for when it began}) records an
        action event, both in the same transaction as the save: one message
        instead of two or three."""
        client, newer = self.client.prepare_with(
            "1.0", action=("1.1", action), expected_host=(HOST_CHECKED_SAVE, expected_host))
        return client.call(ctxt, "instance_update", instance_uuid=instance_uuid, values=values,
                           expected_task_state=expected_task_state,
                           expected_vm_state=expected_vm_state, event=event, **newer)

    def instance_destroy(self, ctxt, instance_uuid):
        """Release the instance's claims and soft-delete it."""
        return self._client("1.0").call(ctxt, "instance_destroy", instance_uuid=instance_uuid)

    def instance_fault_create(self, ctxt, instance_uuid, code, message, details=None, host=None):
        """Record why an instance failed."""
        return self._client("1.0").call(ctxt, "instance_fault_create", instance_uuid=instance_uuid,
                                        code=code, message=message, details=details, host=host)

    def action_event_start(self, ctxt, instance_uuid, event, host=None, task_id=None):
        """Mark an event of the context's request started; `task_id` (1.1)
        is the sender's Celery task, the one that runs the event."""
        client, newer = self.client.prepare_with("1.0", task_id=("1.1", task_id))
        client.cast(ctxt, "action_event_start", instance_uuid=instance_uuid, event=event,
                    host=host, **newer)

    def action_event_finish(self, ctxt, instance_uuid, event, result, traceback=None, host=None,
                            task_id=None):
        """Mark an event of the context's request finished (Success/Error);
        `task_id` (1.1) as for action_event_start."""
        client, newer = self.client.prepare_with("1.0", task_id=("1.1", task_id))
        client.cast(ctxt, "action_event_finish", instance_uuid=instance_uuid, event=event,
                    result=result, traceback=traceback, host=host, **newer)

    # server metadata and instance actions
    def instance_metadata_update(self, ctxt, instance_uuid, updates, replace=False, remove=()):
        """Merge `updates` into a server's metadata (or replace it whole)
        and drop the keys in `remove`, under the row's lock; returns the
        new metadata. MetadataLimitExceeded past the project's quota."""
        return self._client("1.1").call(ctxt, "instance_metadata_update",
                                        instance_uuid=instance_uuid, updates=updates,
                                        replace=replace, remove=list(remove))

    def action_get_all(self, ctxt, instance_uuid, limit=None, marker=None, changes_since=None,
                       changes_before=None):
        """An instance's actions newest first, without their events; paged
        after the action of request `marker`, filtered on updated_at."""
        return self._client("1.1").call(ctxt, "action_get_all", instance_uuid=instance_uuid,
                                        limit=limit, marker=marker, changes_since=changes_since,
                                        changes_before=changes_before)

    def action_get(self, ctxt, instance_uuid, request_id):
        """One action with its events (newest first); InstanceActionNotFound."""
        return self._client("1.1").call(ctxt, "action_get", instance_uuid=instance_uuid,
                                        request_id=request_id)


    # key pairs, quotas and services (operator resources)
    def keypair_create(self, ctxt, values):
        """Record a key pair {name, user_id, fingerprint, public_key, type},
        within the key_pairs quota of the context's project."""
        return self._client("1.1").call(ctxt, "keypair_create", values=values)

    def keypair_get(self, ctxt, user_id, name):
        """One of a user's key pairs by name."""
        return self._client("1.1").call(ctxt, "keypair_get", user_id=user_id, name=name)

    def keypair_get_all(self, ctxt, user_id, limit=None, marker=None):
        """A user's key pairs by name, paged after the pair named `marker`."""
        return self._client("1.1").call(ctxt, "keypair_get_all", user_id=user_id, limit=limit,
                                        marker=marker)

    def keypair_delete(self, ctxt, user_id, name):
        """Delete one of a user's key pairs."""
        return self._client("1.1").call(ctxt, "keypair_delete", user_id=user_id, name=name)

    def quota_get(self, ctxt, project_id, usages=False, user_id=None):
        """A project's limits; with usages, {limit, in_use, reserved} each.
        With `user_id` (1.7), that user's limits: never silently the
        project's, so a cap below 1.7 refuses it (VersionCapExceeded)."""
        return self._client("1.7" if user_id else "1.1").call(
            ctxt, "quota_get", project_id=project_id, usages=usages,
            **({"user_id": user_id} if user_id else {}))

    def quota_defaults(self, ctxt):
        """The default limits (from config)."""
        return self._client("1.1").call(ctxt, "quota_defaults")

    def quota_class_get(self, ctxt, class_name):
        """A quota class's limits (config's where it sets none)."""
        return self._client("1.7").call(ctxt, "quota_class_get", class_name=class_name)

    def quota_class_update(self, ctxt, class_name, values):
        """Set some of a quota class's limits; `default`'s are the defaults."""
        return self._client("1.7").call(ctxt, "quota_class_update", class_name=class_name,
                                        values=values)

    def quota_update(self, ctxt, project_id, values, force=False, user_id=None):
        """Set some of a project's limits (none below usage unless force);
        with `user_id` (1.7, as quota_get), that user's."""
        return self._client("1.7" if user_id else "1.1").call(
            ctxt, "quota_update", project_id=project_id, values=values, force=force,
            **({"user_id": user_id} if user_id else {}))

    def quota_delete(self, ctxt, project_id, user_id=None):
        """Drop a project's own limits: the defaults apply again; with
        `user_id` (1.7, as quota_get), the user's: the project's apply."""
        return self._client("1.7" if user_id else "1.1").call(
            ctxt, "quota_delete", project_id=project_id,
            **({"user_id": user_id} if user_id else {}))

    def service_save(self, ctxt, service_id, values):
        """Set a service's disabled, disabled_reason and forced_down."""
        return self._client("1.1").call(ctxt, "service_save", service_id=service_id, values=values)

    def service_delete(self, ctxt, service_id):
        """Delete a service (a compute one with its nodes; 409 while it hosts
        instances)."""
        return self._client("1.1").call(ctxt, "service_delete", service_id=service_id)

    # server groups
    def instance_group_create(self, ctxt, values):
        """Create a server group {name, project_id, user_id, policy, rules};
        ServerGroupLimitExceeded over the project's quota of groups."""
        return self._client("1.1").call(ctxt, "instance_group_create", values=values)

    def instance_group_get(self, ctxt, group_uuid):
        """One group with its live members; InstanceGroupNotFound."""
        return self._client("1.1").call(ctxt, "instance_group_get", group_uuid=group_uuid)

    def instance_group_get_all(self, ctxt, project_id=None):
        """The groups of a project (None: of every project), with members."""
        return self._client("1.1").call(ctxt, "instance_group_get_all", project_id=project_id)

    def instance_group_delete(self, ctxt, group_uuid):
        """Delete a group; its servers stay, in no group."""
        return self._client("1.1").call(ctxt, "instance_group_delete", group_uuid=group_uuid)

    # console auth tokens (1.2): the consoleauth role's store
    def console_auth_token_create(self, ctxt, values):
        """Record a console token {token_hash, instance_uuid, host, port,
        console_type, internal_access_path, expires}; drops expired ones."""
        return self._client("1.2").call(ctxt, "console_auth_token_create", values=values)

    def console_auth_token_get_valid(self, ctxt, token_hash):
        """The connection info of an unexpired token, or None."""
        return self._client("1.2").call(ctxt, "console_auth_token_get_valid",
                                        token_hash=token_hash)

    def console_auth_token_destroy_all_by_instance(self, ctxt, instance_uuid):
        """Forget every console token of an instance; returns how many."""
        return self._client("1.2").call(
            ctxt, "console_auth_token_destroy_all_by_instance", instance_uuid=instance_uuid)

    # certificates (1.2): what the cert role signed
    def certificate_create(self, ctxt, values):
        """Record a certificate {serial, user_id, project_id, pem}."""
        return self._client("1.2").call(ctxt, "certificate_create", values=values)

    def certificate_get_all(self, ctxt, revoked=None):
        """Certificates oldest first; revoked True (False): only revoked
        (live) ones."""
        return self._client("1.2").call(ctxt, "certificate_get_all", revoked=revoked)

    def certificate_revoke(self, ctxt, user_id=None, project_id=None):
        """Revoke the live certificates of a user, a project or a user in
        a project (at least one given); returns the ones this revoked."""
        return self._client("1.2").call(ctxt, "certificate_revoke",
                                        user_id=user_id, project_id=project_id)

    # identity (1.2): a Keystone v3 subset for the api role and the CLI
    def project_create(self, ctxt, values):
        """Create a project {name, description} in the default domain;
        `enabled` needs 1.6."""
        version = "1.2" if set(values) <= {"name", "description"} else "1.6"
        return self._client(version).call(ctxt, "project_create", values=values)

    def user_create(self, ctxt, values):
        """Create a user {name, password, default_project (name or id)};
        the conductor stores only a slow hash of the password. No password,
        or enabled, email or description, needs 1.6."""
        version = "1.2" if set(values) <= {"name", "password", "default_project"} and \
            values.get("password", "given") else "1.6"
        return self._client(version).call(ctxt, "user_create", values=values)

    def role_assignment_create(self, ctxt, user, project, role):
        """Grant a role (admin, manager, member, reader, service) on a
        project; user and project by name or id."""
        return self._client("1.2").call(ctxt, "role_assignment_create", user=user, project=project,
                                        role=role)

    def user_authenticate(self, ctxt, user, password, project):
        """Check a password and a project scope (Keystone references);
        returns {"user", "project", "roles"}, else NotAuthenticated."""
        return self._client("1.2").call(ctxt, "user_authenticate", user=user, password=password,
                                        project=project)

    def token_revoke(self, ctxt, token_id, expires_at):
        """Revoke a token until it would expire (`expires_at`, ISO)."""
        return self._client("1.2").call(ctxt, "token_revoke", token_id=token_id,
                                        expires_at=expires_at)

    def token_revoked(self, ctxt, token_id):
        """Whether a token was revoked (asked on every API request)."""
        return self._client("1.2").call(ctxt, "token_revoked", token_id=token_id)

    # identity upkeep (1.4): operators' deletions, and the api's re-check
    def role_assignment_delete(self, ctxt, user, project, role):
        """Take back a role granted on a project (user and project by name
        or id); NotFound when it was not granted."""
        return self._client("1.4").call(ctxt, "role_assignment_delete", user=user,
                                        project=project, role=role)

    def user_update(self, ctxt, user, values):
        """Change a user (name or id): {"enabled": bool} is a 1.4 message;
        any other attribute (name, password, default_project_id, email,
        description) needs 1.6."""
        version = "1.4" if set(values) <= {"enabled"} else "1.6"
        return self._client(version).call(ctxt, "user_update", user=user, values=values)

    def user_delete(self, ctxt, user):
        """Delete a user (name or id) and its role assignments."""
        return self._client("1.4").call(ctxt, "user_delete", user=user)

    def project_delete(self, ctxt, project):
        """Delete a project (name or id); Conflict while it has servers."""
        return self._client("1.4").call(ctxt, "project_delete", project=project)

    def token_roles(self, ctxt, user_id, project_id):
        """The roles a token of this user on this project may carry now
        ([] for a disabled or deleted user or project)."""
        return self._client("1.4").call(ctxt, "token_roles", user_id=user_id,
                                        project_id=project_id)

    # identity admin API (1.6)
    def user_get(self, ctxt, user):
        """A user by id (UserNotFound)."""
        return self._client("1.6").call(ctxt, "user_get", user=user)

    def user_get_all(self, ctxt, filters):
        """Users by name, enabled or default_project_id."""
        return self._client("1.6").call(ctxt, "user_get_all", filters=filters)

    def project_get(self, ctxt, project):
        """A project by id (ProjectNotFound)."""
        return self._client("1.6").call(ctxt, "project_get", project=project)

    def project_get_all(self, ctxt, filters, user_id=None):
        """Projects by name or enabled; with `user_id`, the user's."""
        return self._client("1.6").call(ctxt, "project_get_all", filters=filters,
                                        user_id=user_id)

    def project_update(self, ctxt, project, values):
        """Change a project's name, description or enabled."""
        return self._client("1.6").call(ctxt, "project_update", project=project, values=values)

    def role_assignment_get_all(self, ctxt, user_id=None, project_id=None, role=None):
        """[[user_id, project_id, role]] of the matching grants."""
        return self._client("1.6").call(ctxt, "role_assignment_get_all", user_id=user_id,
                                        project_id=project_id, role=role)

    # migrations and moves (1.3)
    def migration_create(self, ctxt, values):
        """Record a move {instance_uuid, migration_type, status, source_*,
        dest_*, old_flavor, new_flavor, migrate_data}; MigrationInProgress
        while the server has another move in progress."""
        return self._client("1.3").call(ctxt, "migration_create", values=values)

    def migration_get(self, ctxt, migration_id):
        """One migration by id or uuid; MigrationNotFound."""
        return self._client("1.3").call(ctxt, "migration_get", migration_id=migration_id)

    def migration_get_all(self, ctxt, filters=None, limit=None, marker=None):
        """Migrations newest first, filtered (instance_uuid, status,
        migration_type, host, source_compute, dest_compute, project_id,
        user_id, changes_since, changes_before), paged by uuid marker."""
        return self._client("1.3").call(ctxt, "migration_get_all",
                                        filters=filters or {}, limit=limit,
                                        marker=marker)

    def migration_get_in_progress(self, ctxt, instance_uuid):
        """The server's migration still in progress, or None."""
        return self._client("1.3").call(ctxt, "migration_get_in_progress",
                                        instance_uuid=instance_uuid)

    def migration_update(self, ctxt, migration_id, values, expected_status=None):
        """Save a migration's status (and hosts, progress, error); with
        `expected_status` only while it still has it, else
        MigrationStatusConflict."""
        return self._client("1.3").call(
            ctxt, "migration_update", migration_id=migration_id, values=values,
            expected_status=expected_status)

    def instance_move_commit(self, ctxt, instance_uuid, values, migration_id=None,
                             migration_values=None, release_node_id=None,
                             expected_task_state=UNSET, expected_vm_state=None,
                             source_claim=None):
        """One transaction for the step that moves a server: save the
        instance (compare-and-swap as instance_update), save its migration,
        give back its claim on `release_node_id`, and settle the source
        room a resize's migration holds (`source_claim` "release" or
        "restore"). Moving `host` forgets the server's console tokens."""
        return self._client("1.3").call(
            ctxt, "instance_move_commit", instance_uuid=instance_uuid, values=values,
            migration_id=migration_id, migration_values=migration_values,
            release_node_id=release_node_id, expected_task_state=expected_task_state,
            expected_vm_state=expected_vm_state, source_claim=source_claim)

    def image_update(self, ctxt, image_id, values):
        """Save an image's status, file, size, checksum (a snapshot's progress)."""
        return self._client("1.3").call(ctxt, "image_update", image_id=image_id, values=values)

    def image_delete(self, ctxt, image_id):
        """Forget an image record (a shelved server's image, once unshelved)."""
        return self._client("1.3").call(ctxt, "image_delete", image_id=image_id)

    # === server tags (1.5) ===
    def instance_tags_get(self, ctxt, instance_uuid):
        """A server's tags, sorted; InstanceNotFound."""
        return self._client("1.5").call(ctxt, "instance_tags_get", instance_uuid=instance_uuid)

    def instance_tags_get_by_instances(self, ctxt, instance_uuids):
        """{uuid: [tag, ...]} for these servers (one call for a list page)."""
        return self._client("1.5").call(ctxt, "instance_tags_get_by_instances",
                                        instance_uuids=list(instance_uuids))

    def instance_tag_add(self, ctxt, instance_uuid, tag):
        """Add a tag; False when the server had it. TooManyTags past 50."""
        return self._client("1.5").call(ctxt, "instance_tag_add", instance_uuid=instance_uuid,
                                        tag=tag)

    def instance_tags_set(self, ctxt, instance_uuid, tags):
        """Replace a server's tags; returns them, sorted. TooManyTags past 50."""
        return self._client("1.5").call(ctxt, "instance_tags_set", instance_uuid=instance_uuid,
                                        tags=list(tags))

    def instance_tag_delete(self, ctxt, instance_uuid, tag):
        """Remove a tag; InstanceTagNotFound when the server lacks it."""
        return self._client("1.5").call(ctxt, "instance_tag_delete",
                                        instance_uuid=instance_uuid, tag=tag)

    def instance_tags_delete_all(self, ctxt, instance_uuid):
        """Remove every tag of a server."""
        return self._client("1.5").call(ctxt, "instance_tags_delete_all",
                                        instance_uuid=instance_uuid)

class ComputeTaskAPI(_ConductorClient):
    """The conductor's orchestrations (Nova's ComputeTaskAPI)."""

    # The methods a scheduler reply continues to (see continuation), each
    # with its version.
    _REPLY_TO = {"build_on_selection": "1.0", "build_on_hosts": "1.12",
                 "unshelve_on_selection": "1.3",
                 "rebuild_on_check": "1.3", "evacuate_on_selection": "1.3",
                 "live_migrate_on_selection": "1.3", "migrate_on_selection": "1.15",
                 "live_migrate_checked": "1.15"}

    def create_instance(self, ctxt, values, request_spec):
        """Record a new instance (action `create`), then start its build.

        Returns the Instance at once; the build goes on behind a cast sent
        after the commit."""
        return self._client("1.0").call(ctxt, "create_instance", values=values,
                                        request_spec=request_spec)

    def create_instances(self, ctxt, instances_values, request_spec, min_count):
        """Record several instances of one request atomically against the
        project's quota (as many as fit when at least min_count, else
        TooManyInstances), then start each build. Returns the Instances."""
        return self._client("1.0").call(ctxt, "create_instances",
                                        instances_values=instances_values,
                                        request_spec=request_spec, min_count=min_count)

    def create_instances_by_ref(self, ctxt, instances_values, request_spec, min_count,
                                flavorid, image_id):
        """create_instances for instances and a spec without their flavor
        and image: the conductor reads both, checks them as the api would
        (Invalid, a 400, when unknown, disabled, not visible, not active or
        too small) and records the servers in the same transaction."""
        return self._client("1.12").call(ctxt, "create_instances_by_ref",
                                         instances_values=instances_values,
                                         request_spec=request_spec, min_count=min_count,
                                         flavorid=flavorid, image_id=image_id)

    def build_instances(self, ctxt, instance_uuid, request_spec):
        """Schedule an instance and cast its build to the chosen host."""
        self._client("1.0").cast(ctxt, "build_instances", instance_uuid=instance_uuid,
                                 request_spec=request_spec)

    def build_on_hosts(self, ctxt, instance_uuid, request_spec, reply, attempt=1):
        """The scheduler's unclaimed choice for a build (select_hosts):
        claim the first host that has room and send the server there."""
        self._client("1.12").cast(ctxt, "build_on_hosts", instance_uuid=instance_uuid,
                                  request_spec=request_spec, reply=reply, attempt=attempt)

    def build_on_selection(self, ctxt, instance_uuid, request_spec, reply):
        """The scheduler's reply for a build: send it to the chosen host, or
        fail the instance with the scheduler's reason."""
        self._client("1.0").cast(ctxt, "build_on_selection", instance_uuid=instance_uuid,
                                 request_spec=request_spec, reply=reply)

    def continuation(self, method, **kwargs):
        """A `reply_to` for another role's call: its reply goes to `method`,
        sent at that method's version."""
        return self._client(self._REPLY_TO[method]), method, kwargs

    def reschedule_instance(self, ctxt, instance_uuid, request_spec, alternates,
                            failed_host, reason):
        """A host failed to spawn: try the next alternate, or fail the build."""
        self._client("1.0").cast(ctxt, "reschedule_instance", instance_uuid=instance_uuid,
                                 request_spec=request_spec, alternates=alternates,
                                 failed_host=failed_host, reason=reason)

    # === snapshots, shelve and rebuild (1.3) ===
    def unshelve_instance(self, ctxt, instance_uuid, availability_zone=None, host=None):
        """Schedule an offloaded server (task_state unshelving) and cast
        its unshelve to the host chosen and claimed; no valid host puts it
        back to shelved_offloaded with a fault. `host` (1.7): onto that
        host only; never dropped (VersionCapExceeded below 1.7)."""
        self._client("1.7" if host else "1.3").cast(
            ctxt, "unshelve_instance", instance_uuid=instance_uuid,
            availability_zone=availability_zone, **({"host": host} if host else {}))

    def unshelve_on_selection(self, ctxt, instance_uuid, request_spec, reply,
                              availability_zone=None):
        """The scheduler's reply for an unshelve (see continuation)."""
        self._client("1.3").cast(
            ctxt, "unshelve_on_selection", instance_uuid=instance_uuid,
            request_spec=request_spec, reply=reply, availability_zone=availability_zone)

    def rebuild_instance(self, ctxt, instance_uuid, image_id, host, preserve_ephemeral=False):
        """A rebuild with a new image (task_state rebuilding): have the
        scheduler re-check the server's `host` with it, then cast the
        rebuild there; a host that no longer passes fails it (error)."""
        self._client("1.3").cast(
            ctxt, "rebuild_instance", instance_uuid=instance_uuid, image_id=image_id,
            host=host, preserve_ephemeral=preserve_ephemeral)

    def rebuild_on_check(self, ctxt, instance_uuid, image_id, host, reply,
                         preserve_ephemeral=False):
        """The scheduler's reply for a rebuild's host check."""
        self._client("1.3").cast(
            ctxt, "rebuild_on_check", instance_uuid=instance_uuid, image_id=image_id,
            host=host, reply=reply, preserve_ephemeral=preserve_ephemeral)


    # === resize, cold migration and evacuation (1.3) ===
    def migrate_server(self, ctxt, instance_uuid, flavor, host=None):
        """A resize (`flavor` another flavor) or cold migration (the
        server's own flavor, optionally to `host`) of a server in
        resize_prep: record the migration, schedule and claim a destination
        other than the source, cast resize_instance to the source. Raises
        NoValidHost (the server's task_state cleared), OverQuota."""
        return self._client("1.3").call(
            ctxt, "migrate_server", instance_uuid=instance_uuid, flavor=flavor, host=host)

    def migrate_on_selection(self, ctxt, instance_uuid, migration_id, reply_id, reply):
        """The scheduler's reply for migrate_server (see continuation): its
        caller waits on `reply_id` for the outcome."""
        self._client("1.15").cast(
            ctxt, "migrate_on_selection", instance_uuid=instance_uuid,
            migration_id=migration_id, reply_id=reply_id, reply=reply)

    def evacuate_server(self, ctxt, instance_uuid, migration_id, host=None, force=False):
        """Rebuild a server (task_state rebuilding) whose host is down on
        `host` or a scheduled one; `force` skips the filters for `host`."""
        self._client("1.3").cast(
            ctxt, "evacuate_server", instance_uuid=instance_uuid, migration_id=migration_id,
            host=host, force=force)

    def evacuate_on_selection(self, ctxt, instance_uuid, migration_id, request_spec, reply):
        """The scheduler's reply for an evacuation."""
        self._client("1.3").cast(
            ctxt, "evacuate_on_selection", instance_uuid=instance_uuid,
            migration_id=migration_id, request_spec=request_spec, reply=reply)

    # === live migration (1.3) ===
    def live_migrate_instance(self, ctxt, instance_uuid, host, block_migration, force=False):
        """Live-migrate a server the API has put in task_state migrating:
        to `host` (None: the scheduler picks one; `force` skips the
        filters), block_migration True, False or None (auto)."""
        self._client("1.3").cast(
            ctxt, "live_migrate_instance", instance_uuid=instance_uuid, host=host,
            block_migration=block_migration, force=force)

    def live_migrate_on_selection(self, ctxt, instance_uuid, migration_id, block_migration,
                                  reply):
        """The scheduler's reply for a live migration: check the chosen
        destination with both hosts and start the move, or fail it."""
        self._client("1.3").cast(
            ctxt, "live_migrate_on_selection", instance_uuid=instance_uuid,
            migration_id=migration_id, block_migration=block_migration, reply=reply)

    def live_migrate_checked(self, ctxt, instance_uuid, migration_id, reply):
        """Both hosts' reply for a live migration's checks (see
        continuation): start the move, or fail it."""
        self._client("1.15").cast(
            ctxt, "live_migrate_checked", instance_uuid=instance_uuid,
            migration_id=migration_id, reply=reply)

"""Celery entry points of the conductor: unpack, call the manager."""
import functools

from stratus.common import rpc
from stratus.conductor.live_migrate_task import LIVE_MIGRATE_TASK_METHODS
from stratus.conductor.manager import ComputeTaskManager, ConductorManager
from stratus.conductor.resize_task import RESIZE_TASK_METHODS
from stratus.conductor.unshelve_task import UNSHELVE_TASK_METHODS
from stratus.conductor.rpcapi import RPC_VERSION

_conductor = functools.cache(ConductorManager)
_compute_task = functools.cache(ComputeTaskManager)

DB_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "service_update", "service_get_all", "compute_node_update", "compute_node_get_all",
    "compute_node_get", "claim_resources", "release_resources", "flavor_get_all", "flavor_get",
    "flavor_create", "flavor_delete", "image_get_all", "image_get", "image_create",
    "instance_get", "instance_get_all", "instance_update", "instance_destroy",
    "instance_fault_create", "action_event_start", "action_event_finish",
    # operator resources
    "keypair_create", "keypair_get", "keypair_get_all", "keypair_delete", "quota_get",
    "quota_defaults", "quota_update", "quota_delete", "service_save", "service_delete",
    # server metadata and instance actions
    "instance_metadata_update", "action_get_all", "action_get"])

GROUP_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "instance_group_create", "instance_group_get", "instance_group_get_all",
    "instance_group_delete"])

CONSOLE_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "console_auth_token_create", "console_auth_token_get_valid",
    "console_auth_token_destroy_all_by_instance"])

CERTIFICATE_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "certificate_create", "certificate_get_all", "certificate_revoke"])

COMPUTE_TASK_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _compute_task(), [
    "create_instance", "create_instances", "build_instances", "build_on_selection",
    "reschedule_instance"]
    # moves (1.3)
    + UNSHELVE_TASK_METHODS + RESIZE_TASK_METHODS + LIVE_MIGRATE_TASK_METHODS)

IDENTITY_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "project_create", "user_create", "role_assignment_create", "user_authenticate",
    "token_revoke", "token_revoked"])

MOVE_TASKS = rpc.expose("conductor", RPC_VERSION, lambda server: _conductor(), [
    "migration_create", "migration_get", "migration_get_all", "migration_get_in_progress",
    "migration_update", "instance_move_commit", "image_update", "image_delete"])

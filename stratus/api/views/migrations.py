"""Nova's views of migration records: /os-migrations (every move, for
operators) and /servers/{id}/migrations (a server's live migration in
progress, with its memory and disk copy progress)."""
from stratus.api import common
from stratus.api.microversion import is_supported
from stratus.common.vocabulary import MigrationStatus, MigrationType


def in_progress_live(item):
    """Whether /servers/{id}/migrations shows this migration."""
    return (item.migration_type == MigrationType.LIVE_MIGRATION
            and item.status in MigrationStatus.IN_PROGRESS)


def _flavor_id(flavor):
    return flavor.id if flavor is not None else None


def _owner_and_uuid(view, item):
    if is_supported("2.59"):
        view["uuid"] = item.uuid
    if is_supported("2.80"):
        view["user_id"], view["project_id"] = item.user_id, item.project_id
    return view


def migration(item):
    """One migration of /os-migrations: its type from 2.23, and then links
    to it under its server while it is a live migration in progress."""
    view = {
        "created_at": common.isotime_micro(item.created_at),
        "dest_compute": item.dest_compute, "dest_host": item.dest_host,
        "dest_node": item.dest_node, "id": item.id, "instance_uuid": item.instance_uuid,
        "new_instance_type_id": _flavor_id(item.new_flavor),
        "old_instance_type_id": _flavor_id(item.old_flavor),
        "source_compute": item.source_compute, "source_node": item.source_node,
        "status": item.status, "updated_at": common.isotime_micro(item.updated_at),
    }
    if is_supported("2.23"):
        view["migration_type"] = item.migration_type
        if in_progress_live(item):
            view["links"] = common.links(f"servers/{item.instance_uuid}/migrations", item.id)
    return _owner_and_uuid(view, item)


def server_migration(item):
    """One live migration of /servers/{id}/migrations, with its progress."""
    view = {
        "created_at": common.isotime_micro(item.created_at),
        "dest_compute": item.dest_compute, "dest_host": item.dest_host,
        "dest_node": item.dest_node, "disk_processed_bytes": item.disk_processed,
        "disk_remaining_bytes": item.disk_remaining, "disk_total_bytes": item.disk_total,
        "id": item.id, "memory_processed_bytes": item.memory_processed,
        "memory_remaining_bytes": item.memory_remaining,
        "memory_total_bytes": item.memory_total, "server_uuid": item.instance_uuid,
        "source_compute": item.source_compute, "source_node": item.source_node,
        "status": item.status, "updated_at": common.isotime_micro(item.updated_at),
    }
    return _owner_and_uuid(view, item)

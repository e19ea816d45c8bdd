"""The migrations table (Nova's migrations): one row per move of a
server (resize, cold or live migration, evacuation), with its hosts,
its flavors and its status."""
from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from stratus.conductor.db.models import Base


class Migration(Base):
    """A move of one server from a source host to a destination host.

    old_flavor/new_flavor are the flavors before and after (the same for
    a migration), so that a revert can put the server back as it was."""

    __tablename__ = "migrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    instance_uuid: Mapped[str] = mapped_column(String(36), index=True)
    migration_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(255), index=True)
    source_compute: Mapped[str | None] = mapped_column(String(255))
    source_node: Mapped[str | None] = mapped_column(String(255))
    dest_compute: Mapped[str | None] = mapped_column(String(255))
    dest_node: Mapped[str | None] = mapped_column(String(255))
    dest_host: Mapped[str | None] = mapped_column(String(255))
    source_node_id: Mapped[int | None] = mapped_column(Integer)
    dest_node_id: Mapped[int | None] = mapped_column(Integer)
    old_flavor: Mapped[dict] = mapped_column(JSON, default=dict)
    new_flavor: Mapped[dict] = mapped_column(JSON, default=dict)
    project_id: Mapped[str | None] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    # live migrations: what the hosts agreed (block migration, the
    # destination's libvirt URI...), and the memory copy's progress
    migrate_data: Mapped[dict] = mapped_column(JSON, default=dict)
    memory_total: Mapped[int | None] = mapped_column(Integer)
    memory_processed: Mapped[int | None] = mapped_column(Integer)
    memory_remaining: Mapped[int | None] = mapped_column(Integer)
    disk_total: Mapped[int | None] = mapped_column(Integer)
    disk_processed: Mapped[int | None] = mapped_column(Integer)
    disk_remaining: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(255))
    deleted: Mapped[int] = mapped_column(Integer, default=0)

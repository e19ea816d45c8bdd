"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_migrations_match_models(db):
    from stratus.conductor.db.models import Base
    from stratus.conductor.db.session import get_engine

    with get_engine().connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_0006_gives_stored_services_nova_binary_names(db):
    from alembic import command
    from sqlalchemy import select

    from stratus.conductor.db import migration
    from stratus.conductor.db.models import Service
    from stratus.conductor.db.session import transaction

    command.downgrade(migration.alembic_config(), "0005")
    try:
        with transaction() as session:
            for i, binary in enumerate(("stratus-compute", "stratus-scheduler", "other"), 1):
                session.add(Service(uuid=f"u{i}", host="h", binary=binary, topic="t"))
    finally:
        migration.upgrade()
    with transaction() as session:
        stored = session.scalars(select(Service.binary).order_by(Service.id))
        assert list(stored) == ["nova-compute", "nova-scheduler", "other"]


def test_a_heartbeat_under_a_former_name_keeps_one_row(db):
    from stratus.conductor.db import hosts
    from stratus.conductor.db.session import transaction

    with transaction() as session:
        first = hosts.service_update(session, "h1", "nova-compute", "compute.h1")
        again = hosts.service_update(session, "h1", "stratus-compute", "compute.h1")
        assert (again.id, again.binary) == (first.id, "nova-compute")
        assert len(hosts.service_get_all(session)) == 1

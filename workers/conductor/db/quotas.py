"""Per-project limits and the lock that makes "count, then add" atomic.

A limit is the project's row in `quotas`, else the default from config;
-1 means unlimited. Usage is always counted from the records themselves
(as Nova's counting quota driver), never kept in a separate counter that
a crash could leave wrong."""
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from config import get_settings
from workers.conductor.db.models import ProjectLock, Quota

RESOURCES = ("instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups",
             "server_group_members")


def defaults():
    """{resource: default hard limit} from config."""
    settings = get_settings()
    return {name: getattr(settings, f"quota_{name}") for name in RESOURCES}


def limits(session, project_id):
    """{resource: hard limit} of a project: its own rows over the defaults."""
    values = defaults()
    rows = session.scalars(select(Quota).where(Quota.project_id == project_id))
    values.update({row.resource: row.hard_limit for row in rows})
    return values


def lock_project(session, project_id):
    """Serialise this transaction with every other one that locks the same
    project, until commit. Call it before counting usage."""
    bumped = session.execute(update(ProjectLock).where(ProjectLock.project_id == project_id)
                             .values(generation=ProjectLock.generation + 1)
                             .execution_options(synchronize_session=False)).rowcount
    if bumped:
        return
    # First use by this project: create the row in its own savepoint (a
    # concurrent creator may win), then lock it.
    try:
        with session.begin_nested():
            session.add(ProjectLock(project_id=project_id, generation=0))
    except IntegrityError:
        pass  # a concurrent transaction created it; the UPDATE below waits for it
    session.execute(update(ProjectLock).where(ProjectLock.project_id == project_id)
                    .values(generation=ProjectLock.generation + 1)
                    .execution_options(synchronize_session=False))

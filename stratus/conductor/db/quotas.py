"""Per-project limits and the lock that makes "count, then add" atomic.

A limit is the project's row in `quotas`, else the default from config;
-1 means unlimited. Usage is always counted from the records themselves
(as Nova's counting quota driver), never kept in a separate counter that
a crash could leave wrong."""
from sqlalchemy import (bindparam, delete, func, insert, literal, literal_column, or_, select,
                        union_all, update)
from sqlalchemy.exc import IntegrityError

from stratus.config import get_settings
from stratus.common import exception
from stratus.conductor.db.models import (Instance, InstanceGroup, ProjectLock, Quota,
                                         QuotaClass, UserQuota)
from stratus.common.vocabulary import VmState

RESOURCES = ("instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups",
             "server_group_members")
# Nova's resources for network proxies and file injection, which Stratus
# does not have: shown and settable at the microversions that still carry
# them, enforced nowhere. Nova's defaults.
LEGACY_DEFAULTS = {"fixed_ips": -1, "floating_ips": -1, "security_groups": -1,
                   "security_group_rules": -1, "injected_files": 5,
                   "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255}


DEFAULT_CLASS = "default"

# A boot reads limits and usage under the project's lock: those reads are
# Core statements built once (building and loading them through the ORM
# cost more than running them).
_QUOTAS, _CLASSES, _USERS = Quota.__table__, QuotaClass.__table__, UserQuota.__table__
_LOCKS, _INSTANCES, _GROUPS = (ProjectLock.__table__, Instance.__table__,
                               InstanceGroup.__table__)
_CLASS_ROWS = select(_CLASSES.c.resource, _CLASSES.c.hard_limit).where(
    _CLASSES.c.class_name == bindparam("match_class"))
_USER_ROWS = select(_USERS.c.resource, _USERS.c.hard_limit).where(
    _USERS.c.project_id == bindparam("match_project"), _USERS.c.user_id == bindparam("match_user"))
_LOCK = update(_LOCKS).where(_LOCKS.c.project_id == bindparam("match_project")).values(
    generation=_LOCKS.c.generation + 1)


def _limit_rows_statement(by_user):
    """(scope, resource, hard limit) of every limit row that applies to a
    project (and one of its users), in one statement: the default class's
    (scope 0), the project's (1), the user's (2); in that order, each over
    the ones before."""
    c, q, u = _CLASSES.c, _QUOTAS.c, _USERS.c
    parts = [select(literal(0).label("scope"), c.resource, c.hard_limit).where(
                 c.class_name == DEFAULT_CLASS),
             select(literal(1), q.resource, q.hard_limit).where(
                 q.project_id == bindparam("match_project"))]
    if by_user:
        parts.append(select(literal(2), u.resource, u.hard_limit).where(
            u.project_id == bindparam("match_project"), u.user_id == bindparam("match_user")))
    return union_all(*parts).order_by(literal_column("scope"))


_LIMIT_ROWS = {by_user: _limit_rows_statement(by_user) for by_user in (False, True)}
USER_SCOPE = 2


def _usage_statement(by_user):
    """(instances, cores, ram, server groups) in use, of a project (and one
    of its users), in one statement."""
    i, g = _INSTANCES.c, _GROUPS.c
    live = [i.project_id == bindparam("match_project"), i.deleted == 0,
            or_(i.vm_state != VmState.SOFT_DELETED, i.vm_state.is_(None))]
    owned = [g.project_id == bindparam("match_project"), g.deleted == 0]
    if by_user:
        live.append(i.user_id == bindparam("match_user"))
        owned.append(g.user_id == bindparam("match_user"))
    return select(func.count(i.id), func.coalesce(func.sum(i.vcpus), 0),
                  func.coalesce(func.sum(i.memory_mb), 0),
                  select(func.count(g.id)).where(*owned).scalar_subquery()).where(*live)


_USAGES = {by_user: _usage_statement(by_user) for by_user in (False, True)}


def defaults(session=None):
    """{resource: default hard limit}: from config (and Nova's legacy
    ones), under the `default` quota class's limits when a session is
    given to read them."""
    settings = get_settings()
    values = {name: getattr(settings, f"quota_{name}") for name in RESOURCES}
    values.update(LEGACY_DEFAULTS)
    if session is not None:
        values.update(_class_rows(session, DEFAULT_CLASS))
    return values


def _class_rows(session, class_name):
    return dict(session.execute(_CLASS_ROWS, {"match_class": class_name}).all())


def class_limits(session, class_name):
    """{resource: hard limit} of a quota class: its rows over config's."""
    values = defaults()
    values.update(_class_rows(session, class_name))
    return values


def update_class(session, class_name, values):
    """Set some of a quota class's limits; returns the class's limits."""
    unknown = sorted(set(values) - set(defaults()))
    if unknown:
        raise exception.Invalid(f"Unknown quota resources {unknown}.")
    for name, limit in values.items():
        _set(session, QuotaClass, limit, class_name=class_name, resource=name)
    session.flush()
    return class_limits(session, class_name)


def _user_rows(session, project_id, user_id):
    return dict(session.execute(_USER_ROWS, {"match_project": project_id,
                                             "match_user": user_id}).all())


def limits(session, project_id, user_id=None):
    """{resource: hard limit} of a project: its own rows over the defaults;
    with `user_id`, that user's rows over the project's (Nova's per-user
    quotas)."""
    values = defaults()
    values.update((resource, limit) for _, resource, limit in session.execute(
        _LIMIT_ROWS[bool(user_id)], {"match_project": project_id, "match_user": user_id}))
    return values


_NEW_LOCK = insert(ProjectLock.__table__)  # Core: it runs in a core_transaction() too


def lock_project(session, project_id):
    """Serialise this transaction with every other one that locks the same
    project, until commit. Call it before counting usage."""
    bumped = session.execute(_LOCK, {"match_project": project_id}).rowcount
    if bumped:
        return
    # First use by this project: create the row in its own savepoint (a
    # concurrent creator may win), then lock it.
    try:
        with session.begin_nested():
            session.execute(_NEW_LOCK, {"project_id": project_id, "generation": 0})
    except IntegrityError:
        pass  # a concurrent transaction created it; the UPDATE below waits for it
    session.execute(_LOCK, {"match_project": project_id})


def usages(session, project_id, user_id=None):
    """{resource: in use} counted from the records, as Nova's counting
    driver: live instances (soft-deleted ones aside) with their vCPUs and
    RAM, and server groups; with `user_id`, those of that user only.
    Per-user resources (key pairs, group members) and the legacy ones count
    0 here, as in Nova."""
    instances, cores, ram, groups = session.execute(_USAGES[bool(user_id)], {
        "match_project": project_id, "match_user": user_id}).one()
    used = dict.fromkeys(defaults(), 0)
    used.update(instances=instances, cores=int(cores), ram=int(ram), server_groups=groups)
    return used


def check_instances(session, project_id, vcpus, memory_mb, min_count, max_count,
                    user_id=None):
    """How many of `max_count` instances (vcpus, memory_mb each) the
    project (and the user, where it has limits of its own) may add: all,
    or as many as fit when that is at least `min_count`; else
    TooManyInstances with Nova's text. Call it after lock_project, in the
    transaction that inserts them."""
    return _check_instances(session, limits(session, project_id), project_id, vcpus,
                            memory_mb, min_count, max_count, user_id)


def check_boot(session, project_id, metadata, vcpus, memory_mb, min_count, max_count,
               user_id=None):
    """check_metadata, then check_instances, on one read of the limits: a
    boot's checks."""
    project_limits, user_rows = defaults(), {}
    for scope, resource, limit in session.execute(_LIMIT_ROWS[bool(user_id)], {
            "match_project": project_id, "match_user": user_id}):
        (user_rows if scope == USER_SCOPE else project_limits)[resource] = limit
    _check_metadata(project_limits, metadata)
    scopes = [(project_limits, usages(session, project_id))]
    if user_rows:
        scopes.append((dict(project_limits, **user_rows), usages(session, project_id, user_id)))
    return min(_room(quota, used, vcpus, memory_mb, min_count, max_count)
               for quota, used in scopes)


def _check_instances(session, project_limits, project_id, vcpus, memory_mb, min_count,
                     max_count, user_id):
    scopes = [(project_limits, usages(session, project_id))]
    if user_id and _user_rows(session, project_id, user_id):
        scopes.append((limits(session, project_id, user_id),
                       usages(session, project_id, user_id)))
    return min(_room(quota, used, vcpus, memory_mb, min_count, max_count)
               for quota, used in scopes)


def _room(quota, used, vcpus, memory_mb, min_count, max_count):
    per_instance = {"instances": 1, "cores": vcpus, "ram": memory_mb}
    wanted = {name: max_count * size for name, size in per_instance.items()}
    overs = sorted(name for name, delta in wanted.items() if 0 <= quota[name] < used[name] + delta)
    if not overs:
        return max_count
    room = min(((quota[name] - used[name]) // size for name, size in per_instance.items()
                if quota[name] >= 0 and size), default=0)
    if min_count <= room:
        return min(room, max_count)
    wanted["instances"] = str(max_count) if min_count == max_count else f"{min_count}-{max_count}"
    raise exception.TooManyInstances(
        overs=", ".join(overs), req=", ".join(str(wanted[name]) for name in overs),
        used=", ".join(str(used[name]) for name in overs),
        allowed=", ".join(str(quota[name]) for name in overs))


def update_limits(session, project_id, values, force=False, user_id=None):
    """Set some of a project's limits (with `user_id`, that user's, none
    above the project's); unless `force`, none below what the project (the
    user) already uses (Nova's checks). Returns the limits."""
    unknown = sorted(set(values) - set(defaults()))
    if unknown:
        raise exception.Invalid(f"Unknown quota resources {unknown}.")
    # Under the project's lock: a boot cannot slip in between the check
    # and the new limit.
    lock_project(session, project_id)
    if user_id:
        project_limits = limits(session, project_id)
        for name, limit in values.items():
            if project_limits[name] != -1 and not 0 <= limit <= project_limits[name]:
                raise exception.Invalid(
                    f"Quota limit {limit} for {name} must be less than or equal to "
                    f"{project_limits[name]}.")
    if not force:
        used = usages(session, project_id, user_id)
        for name, limit in values.items():
            if limit != -1 and limit < used[name]:
                raise exception.Invalid(
                    f"Quota limit {limit} for {name} must be greater than or equal to "
                    f"already used and reserved {used[name]}.")
    for name, limit in values.items():
        _set(session, UserQuota if user_id else Quota, limit, project_id=project_id,
             resource=name, **({"user_id": user_id} if user_id else {}))
    session.flush()
    return limits(session, project_id, user_id)


def _set(session, model, limit, **key):
    row = session.scalars(select(model).filter_by(**key)).first()
    if row is None:
        session.add(model(hard_limit=limit, **key))
    else:
        row.hard_limit = limit


def delete_limits(session, project_id, user_id=None):
    """Back to the defaults (with `user_id`: that user back to the
    project's limits); a project's deletion takes its users' too."""
    users = delete(UserQuota).where(UserQuota.project_id == project_id)
    if user_id:
        session.execute(users.where(UserQuota.user_id == user_id))
        return
    session.execute(users)
    session.execute(delete(Quota).where(Quota.project_id == project_id))


def check_metadata(session, project_id, metadata):
    """At most the metadata_items quota of keys on one server."""
    _check_metadata(limits(session, project_id), metadata)


def _check_metadata(project_limits, metadata):
    allowed = project_limits["metadata_items"]
    if 0 <= allowed < len(metadata or {}):
        raise exception.MetadataLimitExceeded(allowed=allowed)

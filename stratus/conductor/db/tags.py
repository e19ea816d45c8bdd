"""Server tags (Nova's instance tags): sets of short strings per server,
and the list filters on them (tags, tags-any, not-tags, not-tags-any)."""
from sqlalchemy import delete, func, select

from stratus.common import exception
from stratus.conductor.db.models import Instance, Tag

# Nova's objects.instance.MAX_TAG_COUNT.
MAX_TAGS = 50


def get(session, instance_uuid):
    """A server's tags, sorted."""
    return list(session.scalars(select(Tag.tag).where(Tag.instance_uuid == instance_uuid)
                                .order_by(Tag.tag)))


def by_instances(session, instance_uuids):
    """{uuid: [tag, ...]} for these servers (every one present, sorted)."""
    tags = {uuid: [] for uuid in instance_uuids}
    rows = session.execute(select(Tag.instance_uuid, Tag.tag)
                           .where(Tag.instance_uuid.in_(list(tags))).order_by(Tag.tag))
    for uuid, tag in rows:
        tags[uuid].append(tag)
    return tags


def add(session, instance_uuid, tag):
    """Add one tag; False if the server had it. TooManyTags when the
    server has MAX_TAGS already (even of that tag, as Nova checks first)."""
    current = get(session, instance_uuid)
    if len(current) >= MAX_TAGS:
        raise exception.TooManyTags(limit=MAX_TAGS)
    if tag in current:
        return False
    session.add(Tag(instance_uuid=instance_uuid, tag=tag))
    session.flush()
    return True


def replace(session, instance_uuid, tags):
    """Make `tags` (duplicates dropped) the server's whole set."""
    wanted = sorted(set(tags))
    if len(wanted) > MAX_TAGS:
        raise exception.TooManyTags(limit=MAX_TAGS)
    delete_all(session, instance_uuid)
    session.add_all(Tag(instance_uuid=instance_uuid, tag=t) for t in wanted)
    session.flush()
    return wanted


def remove(session, instance_uuid, tag):
    """Remove one tag; InstanceTagNotFound if the server lacks it."""
    done = session.execute(delete(Tag).where(Tag.instance_uuid == instance_uuid,
                                             Tag.tag == tag))
    if done.rowcount != 1:
        raise exception.InstanceTagNotFound(instance_id=instance_uuid, tag=tag)


def delete_all(session, instance_uuid):
    session.execute(delete(Tag).where(Tag.instance_uuid == instance_uuid))


def _having(tags, every):
    """Uuids of servers with every tag (or, every=False, any) of `tags`."""
    query = select(Tag.instance_uuid).where(Tag.tag.in_(tags)).group_by(Tag.instance_uuid)
    if every:
        query = query.having(func.count(Tag.tag) == len(set(tags)))
    return query


def filtered(query, filters):
    """`query` of instances narrowed by the tag filters in `filters`, each
    a list of tags: `tags` all of them, `tags-any` at least one,
    `not-tags` not all of them, `not-tags-any` none of them (Nova's)."""
    for key, every, negate in (("tags", True, False), ("tags-any", False, False),
                               ("not-tags", True, True), ("not-tags-any", False, True)):
        if filters.get(key):
            having = Instance.uuid.in_(_having(filters[key], every))
            query = query.where(~having if negate else having)
    return query

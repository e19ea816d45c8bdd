"""Reading instance actions and their events (Nova's os-instance-actions)."""
from sqlalchemy import select

from stratus.common import exception
from stratus.conductor.db import paging
from stratus.conductor.db.models import InstanceAction, InstanceActionEvent


def action_get(session, instance_uuid, request_id):
    """The action of one request on an instance, or None."""
    return session.scalars(select(InstanceAction).where(
        InstanceAction.instance_uuid == instance_uuid,
        InstanceAction.request_id == request_id)).first()


def action_get_all(session, instance_uuid, limit=None, marker=None, changes_since=None,
                   changes_before=None):
    """An instance's actions, newest first; `marker` is a request id."""
    query = select(InstanceAction).where(InstanceAction.instance_uuid == instance_uuid).order_by(
        InstanceAction.created_at.desc(), InstanceAction.id.desc())
    if changes_since is not None:
        query = query.where(InstanceAction.updated_at >= changes_since)
    if changes_before is not None:
        query = query.where(InstanceAction.updated_at <= changes_before)
    if marker is not None:
        after = action_get(session, instance_uuid, marker)
        if after is None:
            raise exception.Invalid(f"Marker {marker} could not be found.")
        query = paging.after_marker(query, InstanceAction, after)
    if limit is not None:
        query = query.limit(int(limit))
    return list(session.scalars(query))


def events_get(session, action_id):
    """The events of an action, newest first (as Nova lists them)."""
    return list(session.scalars(select(InstanceActionEvent).where(
        InstanceActionEvent.action_id == action_id).order_by(
        InstanceActionEvent.created_at.desc(), InstanceActionEvent.id.desc())))

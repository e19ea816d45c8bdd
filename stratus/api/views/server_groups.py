"""Nova's server group view, microversion aware."""
from stratus.api.microversion import is_supported


def show(group):
    """id, name, policies and an empty metadata before 2.64 (policy and
    rules from 2.64), the live members, and from 2.13 the owners."""
    view = {"id": group.uuid, "name": group.name}
    if is_supported("2.64"):
        view["policy"] = group.policy
        view["rules"] = dict(group.rules or {})
    else:
        view["policies"] = [group.policy]
        view["metadata"] = {}
    view["members"] = list(group.members)
    if is_supported("2.13"):
        view["project_id"] = group.project_id
        view["user_id"] = group.user_id
    return view

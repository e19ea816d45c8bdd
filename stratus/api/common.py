"""Helpers shared by the views: links, paging, times, ids, rpc clients."""
import re
from urllib.parse import urlencode

import flask
from werkzeug.exceptions import BadRequest

from stratus.config import get_settings
from stratus.compute import rpcapi as compute_rpcapi
from stratus.conductor import rpcapi as conductor_rpcapi
from stratus.common.timeutils import parse_isotime

MAX_LIMIT = 1000
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def conductor():
    """The conductor client (looked up at call time so tests can swap it)."""
    return conductor_rpcapi.ConductorAPI()


def compute_task():
    """The conductor's orchestration client."""
    return conductor_rpcapi.ComputeTaskAPI()


def compute():
    """The compute client (casts to one host's queue)."""
    return compute_rpcapi.ComputeAPI()


def base_url():
    """http://HOST:PORT: the configured public URL or the request's host."""
    configured = flask.current_app.config.get("PUBLIC_URL") or get_settings().public_url
    return (configured or flask.request.host_url).rstrip("/")


def compute_url(*parts):
    return "/".join([base_url(), "v2.1", *map(str, parts)])


def links(collection, item_id, base=None):
    """Nova's self and bookmark links of one resource (`base`: base_url(),
    when the caller has read it already)."""
    base = base or base_url()
    return [{"rel": "self", "href": f"{base}/v2.1/{collection}/{item_id}"},
            *bookmark(collection, item_id, base)]


def bookmark(collection, item_id, base=None):
    return [{"rel": "bookmark", "href": f"{base or base_url()}/{collection}/{item_id}"}]


def limit_from(args):
    """The page size: `limit` capped at MAX_LIMIT (webargs checked it is an int)."""
    limit = args.get("limit")
    if limit is None:
        return MAX_LIMIT
    if limit < 0:
        raise BadRequest("limit param must be positive")
    return min(limit, MAX_LIMIT)


def next_links(collection, items, limit, id_key="id"):
    """`<collection>_links` with a `next` link when this page is full."""
    if not items or len(items) != limit:
        return []
    params = flask.request.args.to_dict(flat=False)
    params["marker"] = [items[-1][id_key]]
    params["limit"] = [str(limit)]
    href = f"{compute_url(collection)}?{urlencode(params, doseq=True)}"
    return [{"rel": "next", "href": href}]


def page(items, limit, marker, key):
    """Page a list in the API (for calls that do not page themselves)."""
    if marker is not None:
        ids = [key(item) for item in items]
        if marker not in ids:
            raise BadRequest(f"marker [{marker}] not found")
        items = items[ids.index(marker) + 1:]
    return items[:limit]


# A naive ISO time as the wire objects carry it (datetime.isoformat()):
# shown by slicing, not parsing (a page of servers has four a server).
_WIRE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?", re.ASCII)


def isotime(value):
    """'2024-05-01T12:00:00Z' (Nova's `created`/`updated`), or None."""
    if type(value) is str and _WIRE_TIME.fullmatch(value):
        return value[:19] + "Z"
    value = parse_isotime(value)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def isotime_micro(value):
    """'2024-05-01T12:00:00.000000' (Nova's launched_at, updated_at of services)."""
    if type(value) is str and _WIRE_TIME.fullmatch(value):
        return value if len(value) > 19 else value + ".000000"
    value = parse_isotime(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def is_uuid_like(value):
    return bool(_UUID_RE.match(str(value)))


def id_from_href(href):
    """The last path element of a link, or the value itself (Nova's get_id_from_href)."""
    href = str(href)
    return href.rstrip("/").rsplit("/", 1)[-1] if "/" in href else href


def listing(key, items, limit, collection):
    """{key: items}, plus `<key>_links` only when a next page may exist."""
    body = {key: items}
    links_ = next_links(collection, items, limit)
    if links_:
        body[f"{key}_links"] = links_
    return body


def reject_unknown_params(allowed):
    """Nova's query schemas from the microversions that close them: any
    parameter outside `allowed` is a 400 naming it."""
    unexpected = sorted(set(flask.request.args) - set(allowed))
    if unexpected:
        raise BadRequest("Invalid input for query parameters: Additional properties are not "
                         f"allowed ({', '.join(map(repr, unexpected))} were unexpected)")


def changes_window(args):
    """(changes-since, changes-before) of a query as ISO strings (None when
    absent); 400 for a value that is not a date-time or a window that ends
    before it starts."""
    def parsed(name):
        try:
            value = parse_isotime(args.get(name.replace("-", "_")))
        except ValueError:
            raise BadRequest(f"Invalid input for query parameters {name}: "
                             "not a 'date-time'") from None
        return value.isoformat() if value else None

    since, before = parsed("changes-since"), parsed("changes-before")
    if since and before and before < since:
        raise BadRequest("The value of changes-since must be less than or equal to "
                         "changes-before.")
    return since, before

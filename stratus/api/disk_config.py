"""OS-DCF:diskConfig, Nova's auto_disk_config: AUTO (the guest's disk is
grown to the flavor) or MANUAL. Kept in the instance's system_metadata
(SystemMetadata.AUTO_DISK_CONFIG, a boolean); a server without it (made
before it was kept) is MANUAL, as Nova's default.

As Nova: a create or rebuild without it is MANUAL (no image here carries
an auto_disk_config property); a resize or cold migration without it
resets it to MANUAL (Nova's `auto_disk_config or False`); an update
without it leaves it."""
from stratus.api.action_body import invalid
from stratus.common.vocabulary import SystemMetadata

API_KEY = "OS-DCF:diskConfig"
_AUTO = {"AUTO": True, "MANUAL": False}


def parse(body):
    """True (AUTO) or False (MANUAL) from the request body, None when the
    body does not say; any other value is Nova's 400."""
    value = body.get(API_KEY)
    if value is None and API_KEY not in body:
        return None
    if not isinstance(value, str) or value not in _AUTO:
        raise invalid(API_KEY, value, f"{value!r} is not one of ['AUTO', 'MANUAL']")
    return _AUTO[value]


def recorded(system_metadata, auto):
    """system_metadata with the choice recorded (None: MANUAL)."""
    return dict(system_metadata or {}, **{SystemMetadata.AUTO_DISK_CONFIG: bool(auto)})


def shown(instance):
    """The API's value for an instance: 'AUTO' or 'MANUAL'."""
    auto = (instance.system_metadata or {}).get(SystemMetadata.AUTO_DISK_CONFIG)
    return "AUTO" if auto else "MANUAL"

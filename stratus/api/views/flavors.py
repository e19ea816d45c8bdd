"""Nova's flavor views, microversion aware."""
from stratus.api import common
from stratus.api.microversion import is_supported


def basic(flavor):
    """The list entry: id, name, links (and description from 2.55)."""
    view = {"id": flavor.flavorid, "name": flavor.name,
            "links": common.links("flavors", flavor.flavorid)}
    if is_supported("2.55"):
        view["description"] = flavor.description
    return view


def show(flavor):
    """The full flavor."""
    view = {
        "id": flavor.flavorid,
        "name": flavor.name,
        "ram": flavor.memory_mb,
        "disk": flavor.root_gb,
        # Before 2.75 Nova shows a zero swap as "" (a legacy of XML).
        "swap": flavor.swap if is_supported("2.75") else (flavor.swap or ""),
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
        "OS-FLV-DISABLED:disabled": flavor.disabled,
        "vcpus": flavor.vcpus,
        "os-flavor-access:is_public": flavor.is_public,
        "rxtx_factor": flavor.rxtx_factor,
        "links": common.links("flavors", flavor.flavorid),
    }
    if is_supported("2.55"):
        view["description"] = flavor.description
    if is_supported("2.61"):
        view["extra_specs"] = dict(flavor.extra_specs or {})
    return view


def copied(flavor):
    """The flavor as a server shows it from 2.47 (a copy, not a link)."""
    return {"vcpus": flavor.vcpus, "ram": flavor.memory_mb, "disk": flavor.root_gb,
            "ephemeral": flavor.ephemeral_gb, "swap": flavor.swap,
            "original_name": flavor.name, "extra_specs": dict(flavor.extra_specs or {})}

"""The service catalog a token carries: where the compute, image,
identity and network APIs are, built from the public URL (or the address the client
used). Clients pick the `public` interface; every interface names the
same URL, in region RegionOne."""
import uuid

from stratus.api import common

REGION = "RegionOne"
_INTERFACES = ("public", "internal", "admin")
# (type, name, path under the public URL)
_SERVICES = (("compute", "nova", "/v2.1"), ("image", "glance", "/image"),
             ("identity", "keystone", "/identity"), ("network", "neutron", "/network"))


def _id(*parts):
    """A stable id, so that every token names the same services."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "stratus:" + ":".join(parts)).hex


def catalog():
    base = common.base_url()
    return [{"id": _id(kind), "type": kind, "name": name,
             "endpoints": [{"id": _id(kind, interface), "interface": interface,
                            "region": REGION, "region_id": REGION, "url": base + path}
                           for interface in _INTERFACES]}
            for kind, name, path in _SERVICES]


def role_id(name):
    """The id of a role (admin, manager, member, reader, service): fixed,
    like the roles."""
    return _id("role", name)

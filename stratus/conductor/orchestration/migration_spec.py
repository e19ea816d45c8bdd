"""What every move of an existing server asks of the scheduler and the
claims (resize and cold migration, live migration, evacuation, unshelve,
rebuild): its request spec, the destination it may go to, the node rows
its hosts name, and a claim on a forced host."""
import math

from stratus.common import exception
from stratus.conductor import convert
from stratus.conductor.db import catalog, hosts


def needs(flavor):
    """(vcpus, memory_mb, disk_gb) an instance of this flavor claims."""
    return (flavor.vcpus, flavor.memory_mb,
            flavor.root_gb + flavor.ephemeral_gb + math.ceil((flavor.swap or 0) / 1024))


def node_of(session, host, nodename=None):
    """The compute node row of `host` (and `nodename` when given), or None."""
    for node, _service in hosts.compute_nodes_with_services(session):
        if node.host == host and (nodename is None or node.hypervisor_hostname == nodename):
            return node
    return None


def image_of(session, image_id):
    """The Image `image_id`, or None when there is none (or it is gone)."""
    if not image_id:
        return None
    try:
        return convert.image(catalog.image_get(session, image_id))
    except exception.ImageNotFound:
        return None


def request_spec(session, instance, flavor=None, image=None, away_from=None, host=None,
                 availability_zone=None):
    """A scheduling request for `instance` (with `flavor`, default its own).

    `away_from`: a host it must leave (the source of a move). `host`: the
    only host it may go to, still through the filters (Nova's requested
    destination; force_hosts would skip them); ComputeHostNotFound if no
    node has that name."""
    ignore = [away_from] if away_from else []
    if host:
        names = {node.host for node, _svc in hosts.compute_nodes_with_services(session)}
        if host not in names:
            raise exception.ComputeHostNotFound(host=host)
        ignore = sorted((names - {host}) | set(ignore))
    return {"flavor": flavor or instance.flavor, "image": image, "num_instances": 1,
            "availability_zone": availability_zone or instance.availability_zone,
            "project_id": instance.project_id, "user_id": instance.user_id,
            "ignore_hosts": ignore}


def claim_forced(session, instance, host, flavor=None):
    """A forced host skips the filters (Nova's force), not the claim: the
    node row claimed on `host`, or NoValidHost saying why not."""
    node = node_of(session, host)
    if node is None:
        raise exception.NoValidHost(reason=f"Compute host {host} could not be found.")
    if not hosts.claim(session, instance.uuid, node.id, *needs(flavor or instance.flavor)):
        raise exception.NoValidHost(reason=f"The forced host {host} has no room for the "
                                           "server.")
    return node

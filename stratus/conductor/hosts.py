"""The conductor's endpoints for hosts: services (their heartbeats and
operator updates), compute nodes and the resource claims on them. One
short transaction per call, wire objects out.

A host's availability zone is its aggregates' (Nova), else the one its
compute service reports; it is filled in here so that every reader (the
zone listing, server views, the scheduler's filters) sees the same.
Compute nodes also carry their aggregates' metadata for the filters."""
from stratus.conductor import convert
from stratus.conductor.db import aggregates, hosts, node_states
from stratus.conductor.db.session import core_transaction, transaction
from stratus.common.endpoint import endpoint


class Hosts:
    """Services, compute nodes and claims."""

    # services
    @endpoint(since="1.0")
    def service_update(self, ctxt, host, binary, topic, availability_zone=None):
        with transaction() as session:
            return convert.service(hosts.service_update(session, host, binary, topic,
                                                        availability_zone))

    @endpoint(since="1.0")
    def service_get_all(self, ctxt, binary=None):
        with transaction() as session:
            zones = aggregates.host_zones(session)
            return [_zoned(convert.service(row), zones)
                    for row in hosts.service_get_all(session, binary)]

    @endpoint(since="1.1")
    def service_save(self, ctxt, service_id, values):
        with transaction() as session:
            return convert.service(hosts.service_save(session, service_id, values))

    @endpoint(since="1.1")
    def service_delete(self, ctxt, service_id):
        with transaction() as session:
            hosts.service_destroy(session, service_id)

    # compute nodes
    @endpoint(since="1.0")
    def compute_node_update(self, ctxt, host, nodename, resources):
        with transaction() as session:
            node = hosts.compute_node_update(session, host, nodename, resources)
            return _node(session, *hosts.compute_node_get(session, node.id))

    @endpoint(since="1.0")
    def compute_node_get_all(self, ctxt):
        with transaction() as session:
            zones, metadata = aggregates.host_zones(session), aggregates.host_metadata(session)
            return [_node(session, node, svc, zones, metadata)
                    for node, svc in hosts.compute_nodes_with_services(session)]

    @endpoint(since="1.10")
    def compute_node_states(self, ctxt, since=None):
        """The scheduler's host states, compact and, given the "now" of a
        previous answer, only what changed since (db.node_states)."""
        with transaction() as session:
            return node_states.node_states(session, since)

    @endpoint(since="1.0")
    def compute_node_get(self, ctxt, node_id):
        with transaction() as session:
            return _node(session, *hosts.compute_node_get(session, node_id))

    # claims
    @endpoint(since="1.0")
    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb,
                        group=None):
        # Without a group to check, a claim is Core statements only (once a boot).
        with (transaction() if group else core_transaction()) as session:
            return hosts.claim(session, instance_uuid, compute_node_id, vcpus, memory_mb,
                               disk_gb, group=group)

    @endpoint(since="1.0")
    def release_resources(self, ctxt, instance_uuid, compute_node_id=None):
        with transaction() as session:
            return hosts.release(session, instance_uuid, compute_node_id)


def _zoned(obj, zones):
    obj.availability_zone = zones.get(obj.host, obj.availability_zone)
    return obj


def _node(session, node_row, service_row, zones=None, metadata=None):
    """A compute node's wire object with its aggregates' zone and metadata
    (read for this node alone when the caller has not read every host's)."""
    if zones is None:
        zones, metadata = aggregates.host_zones(session), aggregates.host_metadata(session)
    obj = _zoned(convert.compute_node(node_row, service_row), zones)
    obj.aggregate_metadata = metadata.get(obj.host, {})
    return obj

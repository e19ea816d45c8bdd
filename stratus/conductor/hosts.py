"""The conductor's endpoints for hosts: services (their heartbeats and
operator updates), compute nodes and the resource claims on them. One
short transaction per call, wire objects out."""
from stratus.conductor import convert
from stratus.conductor.db import hosts
from stratus.conductor.db.session import transaction
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
            return [convert.service(row) for row in hosts.service_get_all(session, binary)]

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
            return convert.compute_node(*hosts.compute_node_get(session, node.id))

    @endpoint(since="1.0")
    def compute_node_get_all(self, ctxt):
        with transaction() as session:
            return [convert.compute_node(node, svc)
                    for node, svc in hosts.compute_nodes_with_services(session)]

    @endpoint(since="1.0")
    def compute_node_get(self, ctxt, node_id):
        with transaction() as session:
            return convert.compute_node(*hosts.compute_node_get(session, node_id))

    # claims
    @endpoint(since="1.0")
    def claim_resources(self, ctxt, instance_uuid, compute_node_id, vcpus, memory_mb, disk_gb,
                        group=None):
        with transaction() as session:
            return hosts.claim(session, instance_uuid, compute_node_id, vcpus, memory_mb,
                               disk_gb, group=group)

    @endpoint(since="1.0")
    def release_resources(self, ctxt, instance_uuid, compute_node_id=None):
        with transaction() as session:
            return hosts.release(session, instance_uuid, compute_node_id)

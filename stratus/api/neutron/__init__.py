"""The network service's API, Neutron v2.0-shaped, under /network:
version discovery, the extensions it has, and networks, subnets, ports,
security groups and their rules (Neutron's bodies, filters and error
shape). The records are the conductor's (stratus.conductor.networks)."""

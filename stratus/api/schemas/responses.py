"""Response envelopes, for the OpenAPI document. The views build Nova's
dicts themselves (the keys depend on the microversion), so the envelopes
pass their contents through untouched."""
from marshmallow import Schema, fields


def envelope(schema_name, key, many=False, links=False):
    """A schema `{key: {...}}` or `{key: [...], key_links: [...]}`."""
    body = {key: fields.List(fields.Dict()) if many else fields.Dict()}
    if links:
        body[f"{key}_links"] = fields.List(fields.Dict())
    return Schema.from_dict(body, name=schema_name)


FlavorResponse = envelope("FlavorResponse", "flavor")
FlavorsResponse = envelope("FlavorsResponse", "flavors", many=True, links=True)
ExtraSpecsResponse = envelope("ExtraSpecsResponse", "extra_specs")
ServerResponse = envelope("ServerResponse", "server")
ServersResponse = envelope("ServersResponse", "servers", many=True, links=True)
HypervisorResponse = envelope("HypervisorResponse", "hypervisor")
HypervisorsResponse = envelope("HypervisorsResponse", "hypervisors", many=True, links=True)
HypervisorStatisticsResponse = envelope("HypervisorStatisticsResponse", "hypervisor_statistics")
ServicesResponse = envelope("ServicesResponse", "services", many=True)
NetworksResponse = envelope("NetworksResponse", "networks", many=True)
NovaImageResponse = envelope("NovaImageResponse", "image")
NovaImagesResponse = envelope("NovaImagesResponse", "images", many=True, links=True)

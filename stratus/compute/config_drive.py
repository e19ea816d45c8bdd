"""The config drive (Nova's configdrive and InstanceMetadata): an ISO9660
image labelled config-2 holding what a metadata service would tell the
guest, in OpenStack's layout, so cloud-init and simpler guests read it
the same way. Stratus has no metadata service: this is the only road.

Driver-neutral: a driver decides where the file goes and how it is
attached."""
import base64
import io
import ipaddress
import json
import os
import re

LABEL = "config-2"
VERSIONS = ("latest", "2012-08-10")


def hostname(instance):
    """The display name made a hostname, as Nova's sanitize_hostname."""
    name = re.sub(r"[ _]", "-", (instance.display_name or "").lower())
    name = re.sub(r"[^a-z0-9.-]", "", name)[:63].strip(".-")
    return name or f"server-{instance.uuid}"


def meta_data(instance):
    """openstack/<version>/meta_data.json, as Nova writes it."""
    data = {"uuid": instance.uuid, "name": instance.display_name,
            "hostname": hostname(instance), "launch_index": instance.launch_index,
            "availability_zone": instance.availability_zone,
            "project_id": instance.project_id, "meta": dict(instance.metadata or {}),
            "devices": [], "random_seed": base64.b64encode(os.urandom(512)).decode()}
    if instance.key_data:
        data["public_keys"] = {instance.key_name: instance.key_data}
        data["keys"] = [{"name": instance.key_name, "type": "ssh", "data": instance.key_data}]
    return data


def network_data(network_info):
    """openstack/<version>/network_data.json: links, networks, services."""
    links, networks, dns = [], [], []
    for index, vif in enumerate(network_info or ()):
        link = "tap" + vif["port_id"][:11]
        links.append({"id": link, "vif_id": vif["port_id"], "type": "bridge",
                      "mtu": vif.get("mtu"), "ethernet_mac_address": vif["mac"]})
        services = [{"type": "dns", "address": a} for a in vif.get("dns_nameservers") or ()]
        version = vif.get("ip_version", 4)
        subnet = ipaddress.ip_network(vif["cidr"], strict=False)
        default = "0.0.0.0" if version == 4 else "::"
        routes = [{"network": default, "netmask": default, "gateway": vif["gateway"]}] \
            if vif.get("gateway") else []
        networks.append({"id": f"network{index}", "type": f"ipv{version}", "link": link,
                         "ip_address": vif["ip"], "netmask": str(subnet.netmask),
                         "routes": routes, "network_id": vif["network_id"],
                         "services": services})
        dns.extend(s for s in services if s not in dns)
    return {"links": links, "networks": networks, "services": dns}


def files(instance):
    """{path in the drive: bytes} for `instance`."""
    content = {"meta_data.json": json.dumps(meta_data(instance)).encode(),
               "network_data.json": json.dumps(network_data(instance.network_info)).encode()}
    if instance.user_data:
        content["user_data"] = base64.b64decode(instance.user_data)
    return {f"openstack/{version}/{name}": data
            for version in VERSIONS for name, data in content.items()}


def build(instance, path):
    """Write the instance's config drive to `path` (replaced whole, so a
    guest already reading the old file keeps a consistent one)."""
    # Loaded at the first config drive, not at start: an idle compute
    # worker does not hold it (about 2 MB).
    import pycdlib

    partial = path.with_name(path.name + ".part")
    iso = pycdlib.PyCdlib()
    # Rock Ridge and Joliet carry the real names; the ISO9660 names
    # themselves must be 8.3 upper case, so they are just numbered.
    iso.new(interchange_level=1, joliet=3, rock_ridge="1.09", vol_ident=LABEL)
    names, content = _Iso9660Names(), files(instance)
    for dirpath in sorted({p.rsplit("/", n)[0] for p in content for n in (1, 2)}):
        iso.add_directory(names.directory(dirpath), rr_name=dirpath.rsplit("/", 1)[-1],
                          joliet_path="/" + dirpath)
    for filepath, data in sorted(content.items()):
        iso.add_fp(io.BytesIO(data), len(data), names.file(filepath),
                   rr_name=filepath.rsplit("/", 1)[-1], joliet_path="/" + filepath)
    iso.write(str(partial))
    iso.close()
    partial.replace(path)


class _Iso9660Names:
    """Short ISO9660 paths (D1/F2.;1) standing for the real ones."""

    def __init__(self):
        self._dirs = {"": ""}
        self._count = 0

    def directory(self, path):
        self._count += 1
        self._dirs[path] = f"{self._dirs[path.rpartition('/')[0]]}/D{self._count}"
        return self._dirs[path]

    def file(self, path):
        self._count += 1
        return f"{self._dirs[path.rpartition('/')[0]]}/F{self._count}.;1"

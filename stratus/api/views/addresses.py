"""A server's addresses by network name, from its network_info (Nova's
addresses view, in server bodies and /servers/{id}/ips)."""


def addresses(instance, extended=True):
    """{network_name: [{"version", "addr", ...}]}; `extended` adds 2.1's
    OS-EXT-IPS type and MAC (the ips API leaves them out, as Nova)."""
    found = {}
    for vif in instance.network_info or []:
        entries = found.setdefault(vif["network_name"], [])
        if not vif.get("ip"):
            continue
        entry = {"version": vif.get("ip_version") or 4, "addr": vif["ip"]}
        if extended:
            entry.update({"OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": vif["mac"]})
        entries.append(entry)
    return found

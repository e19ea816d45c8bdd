"""Server diagnostics before microversion 2.48: the flat dictionary
Nova's libvirt driver answered, made from the 2.48 shape the compute
reports."""


def legacy(diagnostics):
    """The flat shape before 2.48 (Nova's libvirt keys: cpu0_time,
    memory, vda_read, ...)."""
    flat = {f"cpu{cpu['id']}_time": cpu["time"] for cpu in diagnostics["cpu_details"]}
    flat["memory"] = diagnostics["memory_details"]["maximum"] * 1024
    for index, disk in enumerate(diagnostics["disk_details"]):
        for key, name in (("read_bytes", "read"), ("write_bytes", "write"),
                          ("read_requests", "read_req"), ("write_requests", "write_req"),
                          ("errors_count", "errors")):
            flat[f"disk{index}_{name}"] = disk[key]
    for index, nic in enumerate(diagnostics["nic_details"]):
        for key in ("rx_octets", "rx_packets", "rx_errors", "rx_drop", "tx_octets",
                    "tx_packets", "tx_errors", "tx_drop"):
            flat[f"nic{index}_{key}"] = nic[key]
    return flat

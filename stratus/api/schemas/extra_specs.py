"""Flavor extra specs as Nova checks them: the body's keys and values
always, and from 2.86 the specs themselves (nova/api/validation/extra_specs):
a key of a namespace Nova knows must be one of its specs and have a value
of the right kind; keys of other namespaces (an operator's own, `foo:bar`)
and keys without a namespace are taken as they are."""
import re

from stratus.api.action_body import invalid

_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
_BOOLEANS = {"true", "false", "1", "0", "yes", "no", "on", "off", "y", "n", "t", "f"}
BOOL, INT, STR = "bool", "int", "str"

# Nova's hw:, hw_rng:, hw_video:, os:, accel: and pci_passthrough: specs
# (name pattern, kind, allowed values or minimum).
_SPECS = [
    (r"hw:cpu_policy", STR, ("shared", "dedicated", "mixed")),
    (r"hw:cpu_thread_policy", STR, ("prefer", "isolate", "require")),
    (r"hw:emulator_threads_policy", STR, ("isolate", "share")),
    (r"hw:pci_numa_affinity_policy", STR, ("required", "preferred", "legacy", "socket")),
    (r"hw:watchdog_action", STR, ("none", "pause", "poweroff", "reset", "disabled")),
    (r"hw:(numa_nodes|numa_mem\.\d+|cpu_sockets|cpu_cores|cpu_threads|cpu_max_sockets"
     r"|cpu_max_cores|cpu_max_threads)", INT, 1),
    (r"hw:(serial_port_count|redirected_usb_ports)", INT, 0),
    (r"hw:(cpu_realtime|hide_hypervisor_id|locked_memory|boot_menu|vif_multiqueue_enabled"
     r"|mem_encryption|pmu|virtio_packed_ring|ephemeral_encryption)", BOOL, None),
    (r"hw:(cpu_realtime_mask|cpu_dedicated_mask|mem_page_size|numa_cpus\.\d+|pmem"
     r"|mem_encryption_model|tpm_model|tpm_version|tpm_secret_security|viommu_model"
     r"|sound_model|usb_model|ephemeral_encryption_format|maxphysaddr_mode"
     r"|maxphysaddr_bits|vtpm_secret_security)", STR, None),
    (r"hw_rng:allowed", BOOL, None),
    (r"hw_rng:(rate_bytes|rate_period)", INT, 0),
    (r"hw_video:ram_max_mb", INT, 0),
    (r"os:secure_boot", STR, ("required", "disabled", "optional")),
    (r"os:monitors", STR, None),
    (r"accel:device_profile", STR, None),
    (r"pci_passthrough:alias", STR, None),
]
_STRICT_NAMESPACES = {"hw", "hw_rng", "hw_video", "os", "accel", "pci_passthrough"}


def _check_value(name, value, kind, rule):
    if kind == BOOL and value.strip().lower() not in _BOOLEANS:
        raise invalid(name, value, "Value must be a boolean")
    if kind == INT:
        if not re.fullmatch(r"-?\d+", value.strip()) or int(value) < rule:
            raise invalid(name, value, f"Value must be an integer of at least {rule}")
    if kind == STR and rule and value not in rule:
        raise invalid(name, value, f"Value must be one of {', '.join(rule)}")


def validate_spec(name, value):
    """Nova's 2.86 check of one spec: 400 for a wrong value, or for an
    unknown key in a namespace Nova owns."""
    for pattern, kind, rule in _SPECS:
        if re.fullmatch(pattern, name):
            return _check_value(name, value, kind, rule)
    if ":" in name and name.split(":", 1)[0] in _STRICT_NAMESPACES:
        raise invalid(name, value, f"Validation failed; extra spec '{name}' does not appear "
                                   "to be a valid extra spec.")


def specs_from(body, validate):
    """{key: str value} from `body` (string or number values, as Nova's
    schema allows); each spec checked when `validate` (2.86)."""
    if not isinstance(body, dict):
        raise invalid("extra_specs", body, "is not of type 'object'")
    specs = {}
    for key, value in body.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise invalid("extra_specs", key, "Invalid extra spec key")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid(f"extra_specs.{key}", value, "must be a string or a number")
        text = str(value)
        if len(text) > 255:
            raise invalid(f"extra_specs.{key}", value, "is longer than 255 characters")
        if validate:
            validate_spec(key, text)
        specs[key] = text
    return specs

"""Checks of an action's body the way Nova's JSON schemas check it: an
object with only the keys its microversion allows, strings of a length,
Nova's booleans. Each failure is Nova's 400 text naming the field."""
from werkzeug.exceptions import BadRequest

# Nova's parameter_types.boolean: these strings, in any case, count too.
_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "y": True, "t": True,
             "false": False, "0": False, "no": False, "off": False, "n": False, "f": False}


def invalid(field, value, why=""):
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {why}".rstrip())


def object_of(name, value, allowed, required=()):
    """`value` as a dict with only `allowed` keys and every `required` one."""
    if not isinstance(value, dict):
        raise invalid(name, value, f"{value!r} is not of type 'object'")
    extra = sorted(set(value) - set(allowed))
    if extra:
        raise invalid(name, value, "Additional properties are not allowed "
                                   f"({', '.join(map(repr, extra))} was unexpected)")
    missing = [key for key in required if key not in value]
    if missing:
        raise invalid(name, value, f"'{missing[0]}' is a required property")
    return value


def string(name, value, max_length=255, nullable=False, min_length=1):
    """A string of min_length..max_length characters (or None if nullable)."""
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not min_length <= len(value) <= max_length:
        raise invalid(name, value)
    return value


def boolean(name, value, auto=False):
    """True or False from Nova's boolean forms; with `auto`, "auto" is None."""
    if auto and value == "auto":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    allowed = "True, False, 'auto'" if auto else "True, False"
    raise invalid(name, value, f"{value!r} is not one of [{allowed}]")


def host_name(value):
    """An optional host name (1-255 characters)."""
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 255):
        raise invalid("host", value, f"{value!r} is not a valid host name")
    return value

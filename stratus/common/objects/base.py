"""Plain versioned wire objects: what roles other than the conductor see
of the database. No ORM here; each object is a dataclass with a VERSION
and travels as {"stratus_object.name", "stratus_object.version",
"stratus_object.data"} inside JSON messages."""
import dataclasses
import datetime
import functools

_REGISTRY = {}
_NAME = "stratus_object.name"
_VERSION = "stratus_object.version"
_DATA = "stratus_object.data"


def register(cls):
    """Class decorator: make a dataclass a wire object."""
    _REGISTRY[cls.__name__] = cls
    return cls


class StratusObject:
    """Base of the wire objects: dict round trip and version tag."""

    VERSION = "1.0"

    def to_dict(self):
        return {name: to_primitive(getattr(self, name)) for name in _fields(type(self))[0]}

    @classmethod
    def from_dict(cls, data):
        _, names, plain = _fields(cls)
        # Scalars (most fields) kept as they are without a call each.
        values = {k: v if type(v) in _SCALARS else from_primitive(v)
                  for k, v in data.items() if k in names}
        if plain and len(values) == len(names):
            # Every field sent, so no default to fill: the dataclass's
            # __init__ (42 keywords for an Instance) would only copy them.
            obj = cls.__new__(cls)
            obj.__dict__.update(values)
            return obj
        return cls(**values)

    def obj_to_primitive(self):
        return {_NAME: type(self).__name__, _VERSION: self.VERSION, _DATA: self.to_dict()}

    def update(self, values):
        for key, value in values.items():
            setattr(self, key, value)


@functools.cache
def _fields(cls):
    """(field names in order, the same as a set, whether its __init__ only
    stores them) of a wire class: calling dataclasses.fields() for every
    object was a fifth of the encoding of a 1,000-server list."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    plain = not (hasattr(cls, "__post_init__") or cls.__dataclass_params__.frozen)
    return names, frozenset(names), plain


class Encoded:
    """A value already in its wire form (what to_primitive would make of
    it), passed on as it is: a reply built straight from database rows,
    without the objects (see wire_form)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def wire_form(cls, data):
    """What `cls(**data)` becomes on the wire; `data` holds JSON-ready
    values of every field."""
    return {_NAME: cls.__name__, _VERSION: cls.VERSION, _DATA: data}


# Values that are their own JSON form: returned at once, before the
# isinstance checks (most fields of a wire object are these).
_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_primitive(value):
    """Turn objects, lists and dicts of them into JSON-ready values."""
    if type(value) in _SCALARS:
        return value
    if type(value) is Encoded:
        return value.value
    if isinstance(value, StratusObject):
        return value.obj_to_primitive()
    if isinstance(value, (list, tuple)):
        return [to_primitive(v) for v in value]
    if isinstance(value, dict):
        return {k: to_primitive(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def from_primitive(value):
    """The inverse of to_primitive: rebuild registered objects."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dict):
        if _NAME in value:
            cls = _REGISTRY[value[_NAME]]
            major = value[_VERSION].split(".")[0]
            if major != cls.VERSION.split(".")[0]:
                raise ValueError(f"{cls.__name__} {value[_VERSION]} is incompatible with {cls.VERSION}")
            return cls.from_dict(value[_DATA])
        return {k: from_primitive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_primitive(v) for v in value]
    return value

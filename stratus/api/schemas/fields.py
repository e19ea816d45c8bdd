"""Fields with Nova's JSON-schema types, which marshmallow lacks:
integers that may arrive as digit strings, Nova's boolean spellings,
ids that may be strings or integers."""
import math
import re

from marshmallow import fields

from stratus.common.integers import is_decimal

DB_MAX_INT = 2147483647
# The largest integer a query filter may carry: the databases' BIGINT (a
# larger one overflows in the driver: a 500 where a 400 belongs).
MAX_QUERY_INT = 2 ** 63 - 1
_TRUE = {"true", "1", "on", "yes", "y", "t"}
_FALSE = {"false", "0", "off", "no", "n", "f"}
# The longest digit string an integer field reads (a 5000-digit string
# must be a 400, not a ValueError).
MAX_DIGITS = 19


def _any_case(word):
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def spellings_pattern(words):
    """A pattern matching `words` in any case, blanks around allowed."""
    return r"^\s*(" + "|".join(_any_case(w) for w in sorted(words)) + r")\s*$"


# The string spellings of NovaBoolean, for its document.
BOOLEAN_SPELLINGS = _TRUE | _FALSE
BOOLEAN_PATTERN = spellings_pattern(BOOLEAN_SPELLINGS)


class NovaInteger(fields.Field):
    """An integer, or a string of ASCII digits, within [minimum, maximum]."""

    default_error_messages = {
        "invalid": "Must be an integer or a string of digits.",
        "range": "Must be between {minimum} and {maximum}.",
    }

    def __init__(self, minimum=0, maximum=DB_MAX_INT, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def json_schema(self, converter=None):
        """What _to_int and the range accept (a digit string's range is
        checked once read, which a pattern cannot say)."""
        digits = r"0*[1-9][0-9]*" if self.minimum >= 1 else "[0-9]+"
        return {"anyOf": [
            {"type": "integer", "minimum": self.minimum, "maximum": self.maximum},
            {"type": "string", "pattern": rf"^\s*{digits}\s*$", "maxLength": MAX_DIGITS}]}

    def _deserialize(self, value, attr, data, **kwargs):
        number = self._to_int(value)
        if not self.minimum <= number <= self.maximum:
            raise self.make_error("range", minimum=self.minimum, maximum=self.maximum)
        return number

    def _to_int(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        # Length cap: a 5000-digit string must be a 400, not a ValueError.
        if isinstance(value, str) and is_decimal(value.strip()) and len(value) <= MAX_DIGITS:
            return int(value.strip())
        raise self.make_error("invalid")


class NovaBoolean(fields.Field):
    """True/False or one of Nova's string spellings ('true', 'on', 'yes'...)."""

    default_error_messages = {"invalid": "Must be a boolean."}

    def json_schema(self, converter=None):
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": BOOLEAN_PATTERN}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise self.make_error("invalid")


class PositiveNumber(fields.Field):
    """A finite number (or numeric string) above 0, as Nova's rxtx_factor."""

    default_error_messages = {"invalid": "Must be a number above 0 and at most {maximum}."}
    MAXIMUM = 3.40282e38

    # Nova's pattern for the text form (float() alone would also read
    # 'inf', '1_0' and '١'), with a non-zero digit somewhere (0 is refused).
    TEXT = re.compile(r"^(?=[0-9.]*[1-9])[0-9]+(\.[0-9]+)?$")

    def json_schema(self, converter=None):
        """A number, or its decimal text (whose value is checked once read)."""
        return {"anyOf": [
            {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": self.MAXIMUM},
            {"type": "string", "pattern": self.TEXT.pattern}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise self.make_error("invalid", maximum=self.MAXIMUM)
        if isinstance(value, str) and not self.TEXT.match(value):
            raise self.make_error("invalid", maximum=self.MAXIMUM)
        number = float(value)
        if not (math.isfinite(number) and 0 < number <= self.MAXIMUM):
            raise self.make_error("invalid", maximum=self.MAXIMUM)
        return number


class StringOrInteger(fields.Field):
    """A non-empty string or an integer, loaded as a string (flavorRef, ids)."""

    default_error_messages = {"invalid": "Must be a non-empty string or an integer.",
                              "length": "Must be at most {maximum} characters."}

    def __init__(self, maximum=255, **kwargs):
        super().__init__(**kwargs)
        self.maximum = maximum

    def json_schema(self, converter=None):
        return {"anyOf": [{"type": "string", "minLength": 1, "maxLength": self.maximum},
                          {"type": "integer"}]}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise self.make_error("invalid")
        text = str(value)
        if len(text) > self.maximum:
            raise self.make_error("length", maximum=self.maximum)
        return text


class NoneString(fields.Field):
    """A query value where the literal string 'None' means None (OSC sends it)."""

    def json_schema(self, converter=None):
        return {"type": "string"}

    def _deserialize(self, value, attr, data, **kwargs):
        return None if str(value).strip().lower() == "none" else str(value)

"""Integers written as text (query strings, string values in JSON bodies,
ids in URLs): ASCII digits only, as Nova's `^[0-9]+$` patterns.

Not str.isdigit(): it accepts '²', which int() then refuses (a 500 where a
400 belongs). Not a bare int(): it reads '٣' (Arabic-Indic three) and
' 7 ', which no Nova schema accepts."""
import re

_UNSIGNED = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def is_decimal(value, signed=False):
    """True when `value` is a str made only of ASCII digits (after one
    leading '-' when `signed`); no spaces, no '+', nothing else."""
    pattern = _SIGNED if signed else _UNSIGNED
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def is_integer_id(value):
    """True for a database integer id given as an int or a decimal string
    (a URL segment); False for a uuid, a bool or anything else."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or is_decimal(value)

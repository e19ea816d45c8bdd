"""Only hosts whose aggregates' metadata matches the flavor's
`aggregate_instance_extra_specs:` extra specs (Nova's
AggregateInstanceExtraSpecsFilter). Unscoped keys are left alone: in Nova
they are shared with ComputeCapabilitiesFilter, which Stratus has not,
and reading them here would turn away every host for flavors that carry
them for other reasons."""
import operator

from stratus.scheduler.filters.base import BaseHostFilter, host_names

SCOPE = "aggregate_instance_extra_specs:"


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _compare(op, wanted):
    def check(value):
        left, right = _number(value), _number(wanted)
        return left is not None and right is not None and op(left, right)
    return check


_NUMERIC = {"=": operator.ge, "==": operator.eq, "!=": operator.ne, ">=": operator.ge,
            "<=": operator.le}
_STRING = {"s==": operator.eq, "s!=": operator.ne, "s>=": operator.ge, "s<=": operator.le,
           "s>": operator.gt, "s<": operator.lt}


def matches(value, requirement):
    """Nova's extra_specs_ops.match for one aggregate value: a plain
    requirement is string equality; `<in> x` a substring, `<or> a <or> b`
    one of, `<all-in> a b` all of, `=`/`==`/`>=`... numbers, `s==`... strings."""
    words = requirement.split()
    if len(words) < 2 or words[0] not in (*_NUMERIC, *_STRING, "<in>", "<or>", "<all-in>"):
        return value == requirement
    op, rest = words[0], words[1:]
    if op == "<in>":
        return rest[0] in value
    if op == "<or>":
        return value in [w for w in words if w != "<or>"]
    if op == "<all-in>":
        return all(w in value.split() for w in rest)
    if op in _STRING:
        return _STRING[op](value, rest[0])
    return _compare(_NUMERIC[op], rest[0])(value)


class AggregateInstanceExtraSpecsFilter(BaseHostFilter):
    """Every scoped spec must match one value of that key in the host's
    aggregates' metadata."""

    def host_passes(self, host_state, spec):
        metadata = host_state.aggregate_metadata
        for key, requirement in (spec.flavor.extra_specs or {}).items():
            if not key.startswith(SCOPE):
                continue
            values = metadata.get(key[len(SCOPE):])
            if not values or not any(matches(str(v), str(requirement)) for v in values):
                return False
        return True

    def explain(self, removed, spec):
        wanted = {k[len(SCOPE):]: v for k, v in (spec.flavor.extra_specs or {}).items()
                  if k.startswith(SCOPE)}
        return f"aggregate metadata does not match {wanted} on {host_names(removed)}"

"""The shared vocabulary is the only place that spells out the values of
task states, migration statuses, system_metadata keys, service binaries
and the unset sentinel: a literal copy elsewhere drifts the day one side changes."""
import ast
from pathlib import Path

from stratus.common import vocabulary

ROOT = Path(__file__).resolve().parents[3] / "stratus"
# Words too common to police (a dict key "error", a reply's "done").
_COMMON = {"error", "done", "failed"}


def _values(cls):
    return {value for name, value in vars(cls).items()
            if name.isupper() and isinstance(value, str)}


def _spelled_out():
    return ((_values(vocabulary.TaskState) | _values(vocabulary.MigrationStatus)
             | _values(vocabulary.SystemMetadata) | _values(vocabulary.ServiceBinary)
             | {vocabulary.UNSET}) - _COMMON)


def _copies():
    words = _spelled_out()
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "vocabulary.py" or "migrations" in path.parts:
            continue  # Alembic's versions keep the values they were written with
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in words:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}"


def test_no_module_spells_out_a_word_of_the_vocabulary():
    assert list(_copies()) == []


def test_the_vocabulary_keeps_each_kind_apart():
    assert vocabulary.PowerState.PAUSED == 3 and vocabulary.VmState.PAUSED == "paused"
    assert vocabulary.MigrationStatus.MIGRATING == vocabulary.TaskState.MIGRATING == "migrating"
    assert set(vocabulary.MigrationStatus.IN_PROGRESS) <= _values(vocabulary.MigrationStatus)
    assert set(vocabulary.SystemMetadata.IMAGE_IN_FLIGHT) <= _values(vocabulary.TaskState)

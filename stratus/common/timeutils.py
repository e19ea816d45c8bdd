"""Times as every role stores and sends them: naive datetimes in UTC,
ISO 8601 strings on the wire."""
import datetime


def utcnow():
    """Now, as a naive UTC datetime (what the database columns hold)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_isotime(value):
    """A naive UTC datetime from an ISO string ('Z' or an offset allowed)
    or a datetime; None for None or ''."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value

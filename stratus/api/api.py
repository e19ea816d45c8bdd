"""flask-smorest glue: an Api whose errors have Nova's shape and a
Blueprint whose body parser never lets a malformed body become a 500."""
import json

import flask_smorest
import marshmallow as ma
from webargs import core
from webargs.flaskparser import FlaskParser


class FaultSchema(ma.Schema):
    """Nova's error body: one key naming the fault, e.g. `itemNotFound`."""

    badRequest = ma.fields.Dict(metadata={"description": "{message, code} (the key varies: "
                                          "itemNotFound, conflictingRequest, computeFault...)"})


class StratusApi(flask_smorest.Api):
    """The Api with Nova's fault body documented as the default error."""

    ERROR_SCHEMA = FaultSchema

    def _register_error_handlers(self):
        # app.errors registers the handlers (Nova's shape) instead.
        pass


class LenientJsonParser(FlaskParser):
    """webargs' Flask parser, hardened for hostile bodies.

    Reads JSON whatever the Content-Type (curl's default form type would
    otherwise hide the body), and turns every decoding failure (bad UTF-8,
    bad JSON, ints past Python's digit limit, absurd nesting) into a 400."""

    def _raw_load_json(self, req):
        data = req.get_data(cache=True)
        if not data or not data.strip():
            return core.missing
        try:
            return json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            flask_smorest.abort(400, message=f"Malformed request body: {_short(exc)}")


def _short(exc):
    return str(exc).split("\n")[0][:200]


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint using the hardened parser."""

    ARGUMENTS_PARSER = LenientJsonParser()

"""flask-smorest glue: an Api whose errors have Nova's shape and a
Blueprint whose body parser never lets a malformed body become a 500 and
whose bodiless replies (202, 204) are empty, as Nova's."""
import functools
import json

import flask
import flask_smorest
import marshmallow
from webargs import core
from webargs.flaskparser import FlaskParser

from stratus.api.openapi import ErrorsPlugin, field_schema


class StratusApi(flask_smorest.Api):
    """The Api whose document states each operation's errors (by the rules
    of app.openapi), with no catch-all `default` response that would let
    any status pass as documented."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app=None, **kwargs):
        kwargs.setdefault("spec_kwargs", {}).setdefault("extra_plugins", [ErrorsPlugin()])
        super().__init__(app, **kwargs)

    def _init_spec(self, **kwargs):
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(field_schema)

    def _register_responses(self):
        # flask-smorest's generic ones (one per HTTP status, all with one
        # schema): ErrorsPlugin registers Nova's, one per fault name.
        pass

    def _register_error_handlers(self):
        # app.errors registers the handlers (Nova's shape) instead.
        pass


class LenientJsonParser(FlaskParser):
    """webargs' Flask parser, hardened for hostile bodies.

    Reads JSON whatever the Content-Type (curl's default form type would
    otherwise hide the body), and turns every decoding failure (bad UTF-8,
    bad JSON, ints past Python's digit limit, absurd nesting) into a 400.
    A body or query failing its schema is a 400 too, as Nova's JSON-schema
    check (and so documented)."""

    DEFAULT_VALIDATION_STATUS = 400

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas = {}

    def _get_schema(self, argmap, req):
        # webargs makes a new instance of a schema class for every request:
        # a deep copy of each field, and of each nested schema, costing more
        # than the load. Loading keeps no state in a schema (none of ours
        # has a hook that stores any), so one instance per class serves all.
        if isinstance(argmap, type) and issubclass(argmap, marshmallow.Schema):
            schema = self._schemas.get(argmap)
            return schema if schema is not None else self._schemas.setdefault(argmap, argmap())
        return super()._get_schema(argmap, req)

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
    """A Blueprint using the hardened parser, and answering an empty body
    where a view without a response schema returns no body."""

    ARGUMENTS_PARSER = LenientJsonParser()

    def response(self, status_code, schema=None, **kwargs):
        """flask-smorest's response decorator; with no schema, a view
        returning None or "" (alone or as `("", status)`) answers an empty
        body with no content type, where flask-smorest would send the JSON
        `""` (Nova's 202 and 204 have no body, and clients parse it)."""
        decorate = super().response(status_code, schema, **kwargs)
        if schema is not None:
            return decorate
        return lambda func: decorate(_empty_when_bodiless(func, status_code))


def _empty_when_bodiless(func, status_code):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        parts = result if isinstance(result, tuple) else (result,)
        if parts[0] not in (None, ""):
            return result
        return empty(next((p for p in parts[1:] if isinstance(p, int)), status_code))
    return wrapper


def empty(status):
    """A reply with no body and no Content-Type (nothing to describe), as
    Nova's 202 and 204."""
    reply = flask.Response(status=status)
    del reply.headers["Content-Type"]
    return reply

"""/v2.1/os-keypairs: a user's key pairs (create or import, list, show,
delete). The key material is checked and fingerprinted here (app.crypto);
the conductor records it within the key_pairs quota."""
from flask.views import MethodView
from marshmallow import Schema, fields

from stratus.api import common, crypto, policy
from stratus.api.api import Blueprint
from stratus.api.microversion import is_supported
from stratus.api.request_context import get_context
from stratus.api.schemas.keypairs import NAME_RE, KeypairCreateBody, KeypairListQuery, KeypairQuery
from stratus.api.schemas.responses import envelope
from stratus.common import exception

blp = Blueprint("keypairs", __name__, url_prefix="/v2.1", description="Key pairs")

KeypairResponse = envelope("KeypairResponse", "keypair")
KeypairsResponse = Schema.from_dict({"keypairs": fields.List(fields.Dict()),
                                     "keypairs_links": fields.List(fields.Dict())},
                                    name="KeypairsResponse")
_RULE = "os_compute_api:os-keypairs:%s"
# Body fields Nova accepts only from some microversion on.
_NEWER_FIELDS = {"type": "2.2", "user_id": "2.10"}


def _user_id(action, requested):
    """The user acted on: the context's, or (2.10+) `user_id` for admins."""
    ctxt = get_context()
    user_id = (requested if is_supported("2.10") else None) or ctxt.user_id
    policy.authorize(_RULE % action, user_id=user_id)
    return user_id


def _view(keypair, fields_):
    return {name: getattr(keypair, name) for name in fields_}


def _index_fields():
    return ("name", "public_key", "fingerprint") + (("type",) if is_supported("2.2") else ())


def _show_view(keypair):
    view = _view(keypair, ("name", "public_key", "fingerprint", "user_id"))
    # Nova shows its soft-delete columns, never set for a live pair.
    view.update({"created_at": common.isotime_micro(keypair.created_at), "deleted": False,
                 "deleted_at": None, "id": keypair.id, "updated_at": None})
    if is_supported("2.2"):
        view["type"] = keypair.type
    return view


def _check_body(keypair):
    for name, version in _NEWER_FIELDS.items():
        if name in keypair and not is_supported(version):
            raise exception.Invalid(f"Invalid input for field/attribute keypair.{name}: "
                                    f"not allowed before microversion {version}.")
    if not is_supported("2.92") and not NAME_RE.match(keypair["name"]):
        raise exception.Invalid("Invalid input for field/attribute keypair.name: "
                                f"'{keypair['name']}' does not match '{NAME_RE.pattern}'")
    if is_supported("2.92") and "public_key" not in keypair:
        raise exception.Invalid("Invalid input for field/attribute keypair: "
                                "'public_key' is a required property")


def create(ctxt, keypair, user_id):
    """Import the given public key, or generate a pair (before 2.92);
    returns (KeyPair, private key or None)."""
    key_type = keypair.get("type", crypto.SSH)
    private_key = None
    if "public_key" in keypair:
        public_key = keypair["public_key"]
        fingerprint = crypto.fingerprint(public_key, key_type)
    else:
        private_key, public_key, fingerprint = crypto.generate(key_type, user_id)
    created = common.conductor().keypair_create(ctxt, {
        "name": keypair["name"], "user_id": user_id, "fingerprint": fingerprint,
        "public_key": public_key, "type": key_type})
    return created, private_key


@blp.route("/os-keypairs")
class Keypairs(MethodView):
    """Key pairs."""

    @blp.arguments(KeypairListQuery, location="query")
    @blp.response(200, KeypairsResponse)
    def get(self, args):
        """List a user's key pairs (paged by name from 2.35)."""
        user_id = _user_id("index", args.get("user_id"))
        paged = is_supported("2.35")
        limit = common.limit_from(args) if paged else None
        pairs = common.conductor().keypair_get_all(
            get_context(), user_id, limit=limit, marker=args.get("marker") if paged else None)
        items = [{"keypair": _view(k, _index_fields())} for k in pairs]
        body = {"keypairs": items}
        links = common.next_links("os-keypairs", [{"name": k.name} for k in pairs], limit,
                                  id_key="name") if paged else []
        if links:
            body["keypairs_links"] = links
        return body

    @blp.arguments(KeypairCreateBody)
    @blp.response(200, KeypairResponse, description="Before 2.2.")
    @blp.alt_response(201, schema=KeypairResponse, description="From 2.2.", success=True)
    def post(self, body):
        """Create (generate) or import a key pair; 201 from 2.2."""
        keypair = body["keypair"]
        _check_body(keypair)
        user_id = _user_id("create", keypair.get("user_id"))
        created, private_key = create(get_context(), keypair, user_id)
        view = _view(created, ("name", "public_key", "fingerprint", "user_id"))
        if is_supported("2.2"):
            view["type"] = created.type
        if private_key is not None:
            view["private_key"] = private_key
        return {"keypair": view}, 201 if is_supported("2.2") else 200


@blp.route("/os-keypairs/<keypair_name>")
class Keypair(MethodView):
    """One key pair, by name."""

    @blp.arguments(KeypairQuery, location="query")
    @blp.response(200, KeypairResponse)
    def get(self, args, keypair_name):
        """Show a key pair."""
        user_id = _user_id("show", args.get("user_id"))
        return {"keypair": _show_view(common.conductor().keypair_get(
            get_context(), user_id, keypair_name))}

    @blp.arguments(KeypairQuery, location="query")
    @blp.response(204, description="From 2.2.")
    @blp.alt_response(202, description="Before 2.2.", success=True)
    def delete(self, args, keypair_name):
        """Delete a key pair (202 before 2.2)."""
        user_id = _user_id("delete", args.get("user_id"))
        common.conductor().keypair_delete(get_context(), user_id, keypair_name)
        return "", 204 if is_supported("2.2") else 202

"""The routes of one Neutron resource, made the same way for each:
`/<collection>` (list, create: 201) and `/<collection>/<id>` (show,
update unless the resource has none, delete: 204)."""
from flask.views import MethodView

from stratus.api.neutron import bodies, resource as res


def register(blp, resource, collection, create_body, update_body=None, prepare=None):
    """Add the routes of `resource` to `blp`; `prepare(values)` checks or
    completes the values of a create or an update before the conductor
    sees them."""
    one, many = bodies.replies(resource.kind, _camel(collection))
    label = collection.replace("-", " ")

    class Collection(MethodView):
        @blp.arguments(res.ListQuery, location="query")
        @blp.response(200, many)
        def get(self, _query):
            return res.listing(resource)

        @blp.arguments(bodies.wrapped(resource.kind, create_body))
        @blp.response(201, one)
        @blp.alt_response(404, description="A record the body names (its network, subnet, "
                          "security group) is not one the caller sees.")
        def post(self, body):
            values = res.new_values(resource, body)
            return res.create(resource, prepare(values) if prepare else values)

    Collection.get.__doc__ = f"List {label} (filters: any attribute; ?fields=)."
    Collection.post.__doc__ = f"Create one of the {label}."
    blp.route(f"/{collection}")(type(f"{_camel(collection)}", (Collection,),
                                     {"__doc__": label.capitalize() + "."}))
    blp.route(f"/{collection}/<resource_id>")(_item(blp, resource, one, update_body, label,
                                                                prepare))


def _item(blp, resource, one, update_body, label, prepare):
    class Item(MethodView):
        @blp.response(200, one)
        def get(self, resource_id):
            return res.show(resource, resource_id)

        @blp.response(204)
        def delete(self, resource_id):
            return res.delete(resource, resource_id)

    Item.get.__doc__ = f"Show one of the {label} (?fields=)."
    Item.delete.__doc__ = f"Delete one of the {label}."
    methods = {"__doc__": f"One of the {label}."}
    if update_body is not None:
        @blp.arguments(bodies.wrapped(resource.kind, update_body))
        @blp.response(200, one)
        def put(self, body, resource_id):
            return res.update(resource, resource_id, body, prepare)

        put.__doc__ = f"Update one of the {label}."
        methods["put"] = put
    return type(f"{_camel(label)}Item", (Item,), methods)


def _camel(text):
    return "".join(part.capitalize() for part in text.replace("-", " ").split())

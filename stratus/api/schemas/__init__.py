"""marshmallow schemas of request bodies and query strings."""

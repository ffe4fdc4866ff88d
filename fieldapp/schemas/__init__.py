"""marshmallow schemas: what the API accepts and returns (and so what OpenAPI says)."""

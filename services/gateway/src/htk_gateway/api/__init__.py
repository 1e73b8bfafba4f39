"""The public JSON API under ``/api/v1`` (``routes``), its one OpenAPI document (``openapi``),
the clients to the services behind it (``upstream``), the live figures stream (``live``) and
the operators' routes hidden from the public (``internal``)."""

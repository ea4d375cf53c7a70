"""The REST API of klaster (Django REST framework + drf-spectacular): ``/api/v1/…``.

Read-only JSON, documented by an OpenAPI 3 schema (``/api/schema/``) and a browsable page
(``/api/docs/``, Swagger UI served from the vendored drf-spectacular-sidecar assets). Every view
states its roles like the pages do (:mod:`klaster.api.permissions`), and object-level access is
decided by the same django-rules predicates and query functions as the pages: never wider.
See docs/operations.md, "API".
"""

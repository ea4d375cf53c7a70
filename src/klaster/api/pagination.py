"""Paging of every API list: ``?page=N`` (from 1) and ``?page_size=`` (1–500, default 50).

A page that does not exist (``page=0``, ``page=abc``, beyond the last) is answered 404 with
``{"detail": …}``; a malformed ``page_size`` falls back to the default.
"""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` pages of 50 items (``page_size`` up to 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

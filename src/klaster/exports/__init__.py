"""Exports of every list as CSV and XLSX, filtered as on screen (``/exports/``).

The lists and their builders are in :mod:`klaster.exports.lists` (pure functions of a user and the
filters, returning bytes through :mod:`klaster.common.exports`); the list pages link to them with
their own query (``{% export_links "register" %}``). See docs/operations.md, "Exports".
"""

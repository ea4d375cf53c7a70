"""Shared test fixtures.

Datasets come from the data directory filled by ``klaster data fetch`` (``make test`` does it
first, from ``../shared/data`` when that mirror exists). A test that needs a dataset calls
``klaster.datasets.path(...)``; a missing file fails the test with a message that says how to
obtain it, rather than skipping silently.
"""

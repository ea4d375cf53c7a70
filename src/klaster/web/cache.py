"""Results that change only when data changes: computed once per process, invalidated by the database.

A page part that depends only on data (the regions map in a language, the OKED tree, the public
register on a date) is cached under the **data version** of its *area* — a set of tables. Each
area has a row in ``web_dataversion`` holding a random token; triggers installed on every table
of the area (:func:`install_triggers`, run after each ``migrate``) give it a new token on every
``INSERT``, ``UPDATE`` and ``DELETE``, in the same transaction as the change. So:

- a change made anywhere — a view, the admin, ``klaster load-reference``'s bulk writes, another
  worker process, another server on the same database — is seen by the next request of every
  process (no signal can miss it, no process keeps a stale copy);
- a change that is rolled back leaves the token as it was (the cached value is still right);
- a request reads the tokens of the areas it uses in one query, then finds the value in its
  process's memory (``CACHES["default"]``, local memory) or computes and stores it.

Tokens are random, never counters: after a database is emptied (``flush`` in tests) a new token is
drawn, so a value cached for an earlier state of the same database is never taken for the current
one. ``settings.PAGE_CACHE = False`` (``KLASTER_PAGE_CACHE=0``) computes everything afresh.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
import secrets
from typing import Callable, Iterable, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connections, router, transaction

T = TypeVar("T")
_MISSING = object()
#: The tokens read by :class:`AnonymousPageMiddleware` for the request being answered (a GET that
#: writes nothing), so that the view's own :func:`cached` calls do not read them again.
_REQUEST_TOKENS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("klaster_request_tokens", default=None)

#: Area → the models whose tables it covers (``app_label.Model``; many-to-many tables of these
#: models are covered too). A cached value names the areas it is computed from.
AREAS: dict[str, tuple[str, ...]] = {
    # regions, territorial changes, OKED: the regions map, the home page's counts, the OKED tree
    "reference": ("reference.Region", "reference.TerritorialChange", "reference.OkedCode"),
    # the public register on a date: clusters, their regions, members, eligibility, applications
    "register": ("register.*", "reference.Region"),
    # a targeted programme's page: projects, financing, effects, counter-obligations with their
    # targets and reported actuals, and the calendar that dates the reports
    "programmes": ("programmes.Programme", "programmes.KeyProject", "programmes.Financing", "programmes.CounterObligation",
                   "programmes.ObligationTarget", "programmes.QuarterlyReport", "programmes.ObligationActual", "programmes.EffectRow",
                   "common.CalendarException", "register.Cluster"),
    # the competitions as the public sees them: announcements, events, winners
    "competition": ("competition.*",),
    # support received by a cluster (its public card)
    "support": ("support.*",),
}

#: Public pages whose whole answer to an anonymous visitor is kept (:class:`AnonymousPageMiddleware`):
#: view name → the areas of every table the page reads (``tests/perf/test_anonymous_pages.py``
#: renders each one and fails when it reads a table outside them).
ANONYMOUS_PAGES: dict[str, tuple[str, ...]] = {
    "web:home": ("reference",),
    "web:regions": ("reference", "register"),
    "web:oked": ("reference",),
    "register:list": ("register",),
    "register:detail": ("register", "programmes", "support"),
    "register:rankings": ("register",),
    "competition:list": ("competition",),
    "competition:public": ("competition",),
}

TRIGGER_PREFIX = "klaster_dv_"


def _new_token() -> str:
    return secrets.token_hex(8)


def tokens(*areas: str, using: str = "default") -> str:
    """The current data version of ``areas``: one string that changes whenever any table of any of
    them changes (one query; a missing row — an emptied database — is created with a new token).

    Raises
    ------
    KeyError
        An area not in :data:`AREAS`.
    """
    from klaster.web.models import DataVersion

    for a in areas:
        AREAS[a]  # noqa: B018 — an unknown area is a programming error
    memo = _REQUEST_TOKENS.get()
    if memo is not None and using == "default" and all(a in memo for a in areas):
        return ".".join(f"{a}:{memo[a]}" for a in areas)
    conn = connections[using]
    # raw SQL: on every cached page, the ORM's query building cost more than the query
    with conn.cursor() as cur:
        cur.execute(f"SELECT area, token FROM {conn.ops.quote_name(DataVersion._meta.db_table)} WHERE area IN ({', '.join(['%s'] * len(areas))})",
                    list(areas))
        found = dict(cur.fetchall())
    for a in areas:
        if a not in found:
            try:
                with transaction.atomic(using=using):
                    found[a] = DataVersion.objects.using(using).create(area=a, token=_new_token()).token
            except IntegrityError:  # created meanwhile by another request
                found[a] = DataVersion.objects.using(using).get(area=a).token
    return ".".join(f"{a}:{found[a]}" for a in areas)


def cached(areas: Iterable[str], key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the value it returned before for ``key`` while the data of ``areas`` has
    not changed.

    Parameters
    ----------
    areas
        Names in :data:`AREAS` whose data ``compute`` reads — all of it: data outside them would
        not invalidate the value.
    key
        What else the value depends on (language, date, page…), as a tuple of strings/numbers.
    compute
        Returns a picklable value (the local-memory cache stores a copy); None is returned but
        not kept, so that made-up keys (a code typed in a URL) cannot fill the cache.

    Returns
    -------
    The value; with ``settings.PAGE_CACHE`` false, always ``compute()``.
    """
    if not getattr(settings, "PAGE_CACHE", True):
        return compute()
    stamp = tokens(*areas)
    cache_key = "klaster:" + hashlib.sha256(repr((stamp, key)).encode()).hexdigest()
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        if value is not None:  # "nothing there" (an unknown code in a URL) is not kept
            cache.set(cache_key, value)
    return value


# ---------------------------------------------------------------------------------------- triggers

def _models_of(label: str):
    """The models an :data:`AREAS` entry names: ``app.Model``, or ``app.*`` for every model of the app."""
    app_label, name = label.split(".")
    if name == "*":
        return list(apps.get_app_config(app_label).get_models())
    return [apps.get_model(label)]


def area_tables() -> dict[str, list[str]]:
    """Area → the database tables it covers (its models' tables and their many-to-many tables)."""
    out: dict[str, list[str]] = {}
    for area, labels in AREAS.items():
        tables: list[str] = []
        for model in (m for label in labels for m in _models_of(label)):
            tables.append(model._meta.db_table)
            for f in model._meta.local_many_to_many:
                if f.remote_field.through._meta.auto_created:
                    tables.append(f.remote_field.through._meta.db_table)
        out[area] = sorted(set(tables))
    return out


def _trigger_name(area: str, table: str, event: str = "") -> str:
    name = f"{TRIGGER_PREFIX}{area}_{table}" + (f"_{event}" if event else "")
    if len(name) > 63:  # PostgreSQL's identifier limit
        name = name[:50] + hashlib.sha1(name.encode()).hexdigest()[:13]
    return name


def install_triggers(using: str = "default") -> int:
    """(Re)create the triggers that give an area a new token on every write to its tables, and drop
    those of tables no longer in an area; idempotent (run after every ``migrate``).

    Returns
    -------
    int
        Number of triggers installed.

    Raises
    ------
    NotImplementedError
        A database other than PostgreSQL or SQLite (the two klaster supports).
    """
    conn = connections[using]
    vendor = conn.vendor
    dv = apps.get_model("web", "DataVersion")._meta.db_table
    qn = conn.ops.quote_name
    n = 0
    existing = set(conn.introspection.table_names())
    areas = {area: [t for t in tables if t in existing] for area, tables in area_tables().items()}
    with transaction.atomic(using=using), conn.cursor() as cur:
        if vendor == "postgresql":
            cur.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s", [TRIGGER_PREFIX + "%"])
            for name, table in cur.fetchall():
                cur.execute(f"DROP TRIGGER IF EXISTS {qn(name)} ON {qn(table)}")
            cur.execute(f"""
                CREATE OR REPLACE FUNCTION klaster_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO {qn(dv)} (area, token) VALUES (TG_ARGV[0], substr(md5(random()::text || clock_timestamp()::text), 1, 16))
                    ON CONFLICT (area) DO UPDATE SET token = EXCLUDED.token;
                    RETURN NULL;
                END $$""")
            for area, tables in areas.items():
                for table in tables:
                    cur.execute(f"CREATE TRIGGER {qn(_trigger_name(area, table))} AFTER INSERT OR UPDATE OR DELETE ON {qn(table)} "
                                f"FOR EACH STATEMENT EXECUTE FUNCTION klaster_bump_data_version(%s)", [area])
                    n += 1
        elif vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [TRIGGER_PREFIX + "%"])
            for (name,) in cur.fetchall():
                cur.execute(f"DROP TRIGGER IF EXISTS {qn(name)}")
            for area, tables in areas.items():
                for table in tables:
                    for event in ("INSERT", "UPDATE", "DELETE"):
                        # SQLite has no statement-level triggers; one row's bump costs microseconds.
                        cur.execute(
                            f"CREATE TRIGGER {qn(_trigger_name(area, table, event.lower()))} AFTER {event} ON {qn(table)} BEGIN "
                            f"INSERT INTO {qn(dv)} (area, token) VALUES ('{area}', lower(hex(randomblob(8)))) "
                            f"ON CONFLICT (area) DO UPDATE SET token = excluded.token; END")
                        n += 1
        else:
            raise NotImplementedError(f"klaster.web.cache: no data-version triggers for {vendor}")
        for area in AREAS:
            cur.execute(f"DELETE FROM {qn(dv)} WHERE area = %s", [area])
            cur.execute(f"INSERT INTO {qn(dv)} (area, token) VALUES (%s, %s)", [area, _new_token()])
    return n


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` handler of the web app: install the triggers once the tables exist."""
    if not router.allow_migrate_model(using, apps.get_model("web", "DataVersion")):
        return
    install_triggers(using)


# ---------------------------------------------------------------------------------------- whole pages

_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


class AnonymousPageMiddleware:
    """Keep the whole answer of a public page to an anonymous visitor under its data version.

    For a ``GET`` of a view in :data:`ANONYMOUS_PAGES` by a visitor who is not logged in and has
    no message waiting, the page is looked up under (view, full path, language, today, the data
    version of the page's areas); a hit answers without running the view. What differs per
    request is put back in the kept page: the CSP nonce of every script (the nonce the page was
    rendered with is replaced by this request's, which the CSP header then carries) and each
    CSRF token of its forms (a fresh one for this visitor, which also sets their CSRF cookie).
    The key also holds the static files' manifest (a page names their hashed copies). Only 200 HTML
    answers that set no cookie are kept. The data-version triggers make a change
    visible on the next request of every process, as for :func:`cached`; ``KLASTER_PAGE_CACHE=0``
    switches this off. Answers carry ``X-Klaster-Page: hit`` or ``miss`` (benchmarks, tests).

    Place it last in ``MIDDLEWARE`` (it needs the user, the language, the messages and the nonce).
    Source: issue 11 — the public pages a visitor opens most cost a template render each.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            if (reset := getattr(request, "_klaster_tokens_reset", None)) is not None:
                _REQUEST_TOKENS.reset(reset)
        key = getattr(request, "_klaster_page_key", None)
        if key is not None:
            response["X-Klaster-Page"] = "miss"
            if (response.status_code == 200 and not response.streaming and not response.cookies
                    and response.get("Content-Type", "").startswith("text/html")):
                nonce = getattr(request, "_csp_nonce", None) or ""
                headers = {k: v for k, v in response.items() if k.lower() not in ("set-cookie", "x-klaster-page")}
                cache.set(key, (response.content.decode(response.charset), headers, nonce))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(settings, "PAGE_CACHE", True) or request.method != "GET":
            return None
        match = getattr(request, "resolver_match", None)
        areas = ANONYMOUS_PAGES.get(match.view_name) if match else None
        if areas is None or request.user.is_authenticated:
            return None
        from django.contrib.messages import get_messages

        if len(get_messages(request)):
            return None
        from klaster.common.dates import today

        stamp = tokens(*areas)
        request._klaster_tokens_reset = _REQUEST_TOKENS.set(dict(part.split(":", 1) for part in stamp.split(".")))
        from django.contrib.staticfiles.storage import staticfiles_storage

        # the static files' manifest: a page names their hashed copies
        static = getattr(staticfiles_storage, "manifest_hash", "")
        raw = repr((stamp, match.view_name, request.get_full_path(), getattr(request, "LANGUAGE_CODE", ""), today().isoformat(), static))
        key = "klaster:page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is None:
            request._klaster_page_key = key
            return None
        return self._replay(request, *hit)

    @staticmethod
    def _replay(request, body: str, headers: dict, nonce: str):
        from django.http import HttpResponse
        from django.middleware.csrf import get_token

        if nonce:
            body = body.replace(nonce, str(request.csp_nonce))
        body = _CSRF_INPUT.sub(lambda m: m.group(1) + get_token(request) + m.group(2), body)
        response = HttpResponse(body)
        for k, v in headers.items():
            response[k] = v
        response["X-Klaster-Page"] = "hit"
        return response

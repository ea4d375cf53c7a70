"""Every boundary, tried as a careless user and as an attacker would: no 5xx, and a refused
request changes no row.

For the anonymous visitor and each of the nine roles (one test each), on the demo world of every
module (``klaster demo``'s data, plus a mapping run and a cluster applying for inclusion, loaded
once; each role's walk is rolled back):

1. **Crawl.** Starting from every parameter-free URL pattern, follow the site's own links (GET)
   and collect the forms of every page the role can open (at most :data:`PER_PATTERN` concrete
   URLs per URL pattern).
2. **GET with malformed values.** Each query parameter the site uses on that page (from its
   links and GET forms, plus ``page``, ``date``, ``year``) and each integer or slug in the path
   is replaced by malformed values.
3. **POST with malformed values.** Each form (once per submit button that has a name) is sent
   with its browser defaults and one field replaced by values drawn from :func:`malformed`
   (hypothesis), then with every field replaced by each core malformed class
   (:data:`CORE`); file inputs get files whose content is not what their name says.

Asserted for every request: the status is not 5xx. A request is *refused* when it answers 4xx,
queues an error message, or re-renders a bound form with errors; for a refused request any
``INSERT``/``UPDATE``/``DELETE`` it executed (sessions and the login-throttling log excepted)
must have been rolled back: the rows of the domain tables before and after are compared (a
savepoint taken before the request is the "before").

A final test checks that the walk reached every URL pattern of the site (the Django admin's own
pages excepted, their index included) and prints the number of URL × role × value combinations
tried. Run one role: ``pytest tests/security/test_boundaries.py -k organizer``; one area of the
site: ``KLASTER_FUZZ_PREFIX=/support/ pytest tests/security/test_boundaries.py``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.slow]

#: At most this many concrete URLs of one URL pattern are walked per role.
PER_PATTERN = 2
#: Values drawn per form field (and per query parameter, beside "abc" and a 30-digit number).
DRAWS_PER_FIELD = 1
PREFIX = os.environ.get("KLASTER_FUZZ_PREFIX", "")

#: The core malformed classes: each is sent in every field of every form at once.
CORE = ["abc", "9" * 30, "1e30", "-5", "", "2026-02-30", "Ωмега 𝔘 ✓ <b>x</b>"]
EXTRA = ["NaN", "9999-12-31", "0", "1x", "y", " ", "-1", "inf", "-inf", "1.5", "17000,5", "−500 000", "0001-01-01", "31.12.1899", "2100-01-02",
         "1992-01-01", "../../etc/passwd", "a" * 2000, "'; DROP TABLE x; --", "%00", "\u202e", "12345678901234567890", "-9" * 12]
#: Tables whose writes are part of answering any request (sessions, login throttling, last login).
IGNORED_TABLES = ("django_session", "axes_", "auth_user")

SKIP_PATHS = ("/static/", "/i18n/", "/accounts/logout/", "/media/")
ROLES = ["anonymous", "organizer", "analyst", "expert", "akimat", "authorized_body", "regional_body",
         "commission_secretary", "applicant", "administrator"]
DEMO_USER = {"organizer": "organizer", "analyst": "analyst", "expert": "expert", "akimat": "akimat",
             "authorized_body": "authorized", "regional_body": "regional", "commission_secretary": "secretary",
             "applicant": "applicant", "administrator": "admin"}

#: shared by the tests of this module: patterns walked and requests sent, per role
WALKED: dict[str, set[str]] = defaultdict(set)
SENT: dict[str, int] = defaultdict(int)


def malformed():
    """Values a careless user or an attacker sends: non-integers, 30-digit numbers, 1e30, NaN,
    negatives, empty strings, Unicode, impossible and far dates, long text."""
    return st.one_of(
        st.sampled_from(CORE + EXTRA),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates().map(lambda d: d.isoformat()),
        st.text(max_size=40),
    )


# ---------------------------------------------------------------------------------------- the world


def load_world():
    """The demo data of every module (accounts, competition, register, programmes, support)."""
    from rich.console import Console

    from klaster.cli.web import DEMO_MODULES
    import importlib

    console = Console(file=io.StringIO())
    for mod in DEMO_MODULES:
        importlib.import_module(mod).load_demo(console)


def client_for(role: str) -> Client:
    from django.contrib.auth import get_user_model

    c = Client(raise_request_exception=False)
    if role != "anonymous":
        c.force_login(get_user_model().objects.get(username=DEMO_USER[role]))
    return c


# ---------------------------------------------------------------------------------------- URL patterns


def _patterns(patterns=None, prefix="", ns=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                yield "admin:index", "/admin/"
                continue
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name or p.callback.__name__}", "/" + prefix + str(p.pattern)


ALL_PATTERNS = dict(_patterns())


def pattern_of(path: str) -> str | None:
    try:
        m = resolve(path)
    except Resolver404:
        return None
    if m.namespace == "admin" or (m.app_names and m.app_names[0] == "admin"):
        return "admin:index" if path.rstrip("/") == "/admin" else None
    return m.view_name


# ---------------------------------------------------------------------------------------- pages and forms


def _close(resp) -> None:
    """Close a response as the test client does (a streaming file included), without letting
    ``request_finished`` close the database connection of the test's transaction (PostgreSQL)."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    if not getattr(resp, "streaming", False):
        return  # the test client closed it already
    request_finished.disconnect(close_old_connections)
    try:
        resp.close()
    finally:
        request_finished.connect(close_old_connections)


def _html(resp) -> str:
    ctype = resp.get("Content-Type", "")
    if "text/html" not in ctype or getattr(resp, "streaming", False):
        return ""
    return resp.content.decode("utf-8", "replace")


def _local(href: str, base: str) -> str | None:
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path.startswith("/"):
        from urllib.parse import urljoin

        parts = urlsplit(urljoin(base, href))
    path = parts.path
    if any(path.startswith(s) for s in SKIP_PATHS):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


class Form:
    """A form of a page: method, action, default values, fields and file inputs."""

    def __init__(self, method, action, values, fields, files, submit):
        self.method, self.action, self.values, self.fields, self.files, self.submit = method, action, values, fields, files, submit

    def key(self):
        return (self.method, pattern_of(urlsplit(self.action).path), tuple(sorted(self.fields)), self.submit)


def parse_page(html: str, url: str):
    """Links and forms of a page (lxml)."""
    import lxml.html

    try:
        doc = lxml.html.fromstring(html)
    except Exception:  # noqa: BLE001 - an empty or odd page has no links
        return [], []
    links = [u for u in (_local(a.get("href"), url) for a in doc.iter("a")) if u]
    forms = []
    for f in doc.forms:
        action = _local(f.get("action") or url, url) or url
        method = (f.get("method") or "get").lower()
        if any(action.startswith(s) for s in SKIP_PATHS):
            continue
        values = [(k, v) for k, v in f.form_values()]
        fields = sorted({el.get("name") for el in f.inputs if el.get("name") and (el.get("type") or "").lower() not in ("submit", "button", "file", "image", "reset")}
                        - {"csrfmiddlewaretoken"})
        files = sorted({el.get("name") for el in f.inputs if el.get("name") and (el.get("type") or "").lower() == "file"})
        buttons = [(b.get("name"), b.get("value") or "") for b in f.xpath(".//button[@name] | .//input[@type='submit'][@name]")]
        for submit in buttons or [None]:
            forms.append(Form(method, action, values, fields, files, submit))
    return links, forms


# ---------------------------------------------------------------------------------------- writes and refusals


class WriteLog:
    """SQL writes executed while active (``connection.execute_wrapper``)."""

    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        s = sql.lstrip()[:200].upper()
        if s.startswith(("INSERT", "UPDATE", "DELETE")) and not any(t.upper() in s for t in IGNORED_TABLES):
            self.writes.append(sql[:160])
        return execute(sql, params, many, context)


def fingerprint() -> str:
    """A digest of the domain tables' rows (audit trail by count and last id)."""
    from django.apps import apps

    h = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        label = model._meta.app_label
        if label not in ("accounts", "common", "competition", "register", "programmes", "support", "analysis"):
            continue
        if model._meta.model_name == "auditentry":
            qs = model.objects.order_by("-pk").values_list("pk", flat=True)
            h.update(f"{model._meta.label}:{qs.count()}:{qs.first()}".encode())
            continue
        rows = list(model.objects.order_by("pk").values_list())
        h.update(f"{model._meta.label}:{rows!r}".encode())
    return h.hexdigest()


def _forms_in(ctx):
    for v in ctx:
        for item in (v.values() if isinstance(v, dict) else [v]):
            if isinstance(item, (BaseForm, BaseFormSet)):
                yield item
            elif isinstance(item, (list, tuple)):
                for x in item:
                    if isinstance(x, (BaseForm, BaseFormSet)):
                        yield x
                    elif isinstance(x, (list, tuple)):
                        yield from (y for y in x if isinstance(y, (BaseForm, BaseFormSet)))


def refused(resp) -> bool:
    """4xx, an error message queued, or a bound form with errors re-rendered."""
    if resp.status_code >= 400:
        return True
    storage = getattr(resp.wsgi_request, "_messages", None)
    if storage is not None and any(m.level >= ERROR for m in getattr(storage, "_queued_messages", [])):
        return True
    ctx = getattr(resp, "context", None)
    if ctx:
        dicts = ctx.dicts if hasattr(ctx, "dicts") else list(ctx)
        for d in dicts:
            for form in _forms_in([d] if isinstance(d, dict) else [d]):
                if getattr(form, "is_bound", False) and (form.errors if isinstance(form, BaseForm) else (form.non_form_errors() or any(form.errors))):
                    return True
    return False


class Walker:
    """Sends the requests of one role and checks each."""

    def __init__(self, role: str):
        self.role = role
        self.client = client_for(role)
        self.failures: list[str] = []

    def send(self, method: str, url: str, data=None):
        if PREFIX and not url.startswith(PREFIX):
            return None
        SENT[self.role] += 1
        log = WriteLog()
        sid = transaction.savepoint()
        try:
            with connection.execute_wrapper(log):
                resp = self.client.get(url) if method == "get" else self.client.post(url, data or {})
        except Exception as e:  # noqa: BLE001 - raise_request_exception=False keeps most out; a client-side error is a failure too
            self.failures.append(f"{self.role} {method.upper()} {url} {data!r:.300}: raised {e!r}")
            transaction.savepoint_rollback(sid)
            return None
        if resp.status_code >= 500:
            self.failures.append(f"{self.role} {method.upper()} {url} {data!r:.300}: HTTP {resp.status_code}")
            transaction.savepoint_rollback(sid)
            _close(resp)
            return resp
        if log.writes and refused(resp):
            after = fingerprint()
            transaction.savepoint_rollback(sid)
            if fingerprint() != after:
                self.failures.append(f"{self.role} {method.upper()} {url} {data!r:.300}: refused ({resp.status_code}) but wrote {log.writes[:3]}")
            _close(resp)
            return resp
        transaction.savepoint_commit(sid)
        _close(resp)
        return resp

    # -- crawl
    def crawl(self):
        seen_urls: set[str] = set()
        per_pattern: dict[str, int] = defaultdict(int)
        pages: list[tuple[str, str]] = []
        # the applying cluster's card first: the register links more cards than PER_PATTERN visits
        # a password-reset link is only ever e-mailed: an expired one stands for it
        queue = ["/", f"/register/{APPLYING}/", "/accounts/password-reset/MQ/expired-0000/"] + sorted({p for name, p in ALL_PATTERNS.items() if "<" not in p and name != "admin:index"}) + ["/admin/"]
        forms: dict[tuple, Form] = {}
        while queue:
            url = queue.pop(0)
            if url in seen_urls:
                continue
            seen_urls.add(url)
            pat = pattern_of(urlsplit(url).path)
            if pat is None:
                continue
            if per_pattern[pat] >= PER_PATTERN:
                continue
            per_pattern[pat] += 1
            SENT[self.role] += 1
            resp = self.client.get(url)
            WALKED[self.role].add(pat)
            if resp.status_code >= 500:
                self.failures.append(f"{self.role} GET {url}: HTTP {resp.status_code} while crawling")
            html = _html(resp) if resp.status_code == 200 else ""
            _close(resp)
            if not html:
                continue
            pages.append((pat, url))
            links, page_forms = parse_page(html, url)
            for link in links:
                if link not in seen_urls:
                    queue.append(link)
            for f in page_forms:
                fpat = pattern_of(urlsplit(f.action).path)
                if fpat is None:
                    continue
                forms.setdefault(f.key() + (urlsplit(f.action).path,), f)
                WALKED[self.role].add(fpat)
        return pages, list(forms.values())


def _mutated_paths(url: str) -> list[str]:
    parts = urlsplit(url)
    segs = parts.path.split("/")
    out = []
    for i, s in enumerate(segs):
        if s.isdigit():
            for v in ("9" * 30, "0", "99999999"):
                out.append("/".join(segs[:i] + [v] + segs[i + 1:]))
        elif s and re.fullmatch(r"[-\w]+", s) and i > 1 and s not in ("new", "edit", "action"):
            out.append("/".join(segs[:i] + ["ü" * 3 + "-x"] + segs[i + 1:]))
    return out


def _query_mutations(url: str, names: set[str], values: list[str]) -> list[str]:
    parts = urlsplit(url)
    base = dict(parse_qsl(parts.query, keep_blank_values=True))
    out = []
    for n in sorted(names | set(base) | {"page", "date", "year"}):
        for v in values:
            q = dict(base)
            q[n] = v
            out.append(f"{parts.path}?{urlencode(q)}")
    return out


def _file_for(name: str, value: str):
    if value == "":
        return SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")
    payloads = [("x.pdf", b"%PDF-1.7\nMZ\x90\x00" + os.urandom(64)), ("x.xlsx", b"PK\x03\x04" + b"\x00" * 40),
                ("x.csv", b"\x00\x01\x02binary"), ("x.exe", b"MZ\x90\x00"), ("x.docx", b"%PDF-1.4 not a docx")]
    fname, data = payloads[int(hashlib.md5(f"{name}{value}".encode()).hexdigest(), 16) % len(payloads)]
    return SimpleUploadedFile(fname, data)


def _post_data(form: Form, overrides: dict) -> dict:
    data = defaultdict(list)
    for k, v in form.values:
        if k != "csrfmiddlewaretoken":
            data[k].append(v)
    for k, v in overrides.items():
        data[k] = [v]
    if form.submit:
        data[form.submit[0]] = [form.submit[1]]
    return {k: (v[0] if len(v) == 1 else v) for k, v in data.items()}


def walk(role: str, draw) -> list[str]:
    w = Walker(role)
    pages, forms = w.crawl()
    get_forms = defaultdict(set)
    for f in forms:
        if f.method == "get":
            get_forms[urlsplit(f.action).path].update(f.fields)
    # GET: malformed query values and path segments
    for pat, url in pages:
        names = get_forms.get(urlsplit(url).path, set())
        vals = [draw(malformed()) for _ in range(DRAWS_PER_FIELD)] + ["abc", "9" * 30]
        for u in _query_mutations(url, names, vals):
            w.send("get", u)
        for u in _mutated_paths(url):
            w.send("get", u)
    # POST: one field at a time with drawn values, then every field with each core class
    for f in forms:
        if f.method != "post":
            continue
        for field in f.fields:
            for _ in range(DRAWS_PER_FIELD):
                w.send("post", f.action, _post_data(f, {field: draw(malformed())}))
        for fname in f.files:
            w.send("post", f.action, _post_data(f, {fname: _file_for(fname, draw(malformed()))}))
        for v in CORE:
            over = {field: v for field in f.fields}
            over.update({fname: _file_for(fname, v) for fname in f.files})
            w.send("post", f.action, _post_data(f, over))
    return w.failures


#: code of the cluster applying for inclusion that :func:`extra_world` adds
APPLYING = "fuzz-applying"


def extra_world() -> None:
    """What the demo data lacks for the walk to reach every page: a mapping run of the analyst (on the
    built-in BNS panel, through the page that makes it) and a cluster applying for inclusion."""
    from klaster.register.domain import services as register
    from klaster.register.models import Cluster, ClusterStatus

    c = client_for("analyst")
    r = c.post("/analysis/map/", {"source": "kz-bns-gva", "frame": "2022", "methodologies": ["cmp"], "stability": "0"})
    assert r.status_code == 302, "the analyst's mapping run could not be made"
    base = Cluster.objects.exclude(association=None).order_by("code").first()
    applying = Cluster.objects.create(code=APPLYING, name_kk="Өтінім (үлгі)", name_ru="Заявитель (образец)", name_en="Applying (sample)",
                                      oked=base.oked, association=base.association, status=ClusterStatus.APPLIED, is_demo=True)
    from django.contrib.auth import get_user_model

    from klaster.common.dates import today

    register.submit_inclusion(actor=get_user_model().objects.get(username="applicant"), cluster=applying, on=today())


class WorldTestCase(TestCase):
    """The demo world of every module plus :func:`extra_world`, loaded once per class, with the
    class's own MEDIA_ROOT (the mapping run's files) and ``testserver`` allowed. Shared by the
    boundary walk and the interface checks on the census (tests/web)."""

    media_per_class = True

    @classmethod
    def setUpClass(cls):
        import tempfile

        from django.conf import settings as dj
        from django.test.utils import override_settings

        cls._media = tempfile.TemporaryDirectory(prefix="klaster-world-")
        cls._override = override_settings(MEDIA_ROOT=cls._media.name, ALLOWED_HOSTS=[*dj.ALLOWED_HOSTS, "testserver"])
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        load_world()
        extra_world()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._override.disable()
        cls._media.cleanup()


class BoundaryWalk(WorldTestCase):
    """One walk per role on the same world (loaded once; each role's walk is rolled back)."""


def _role_test(role: str):
    def test(self):
        failures: list[str] = []

        @settings(max_examples=1, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            failures.extend(walk(role, data.draw))

        run()
        print(f"\n{role}: {SENT[role]} requests, {len(WALKED[role])} patterns")
        assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures[:60])

    test.__name__ = f"test_{ROLES.index(role):02d}_{role}_no_server_error_and_no_write_on_refusal"
    return test


for _role in ROLES:
    setattr(BoundaryWalk, _role_test(_role).__name__, _role_test(_role))


def test_every_url_pattern_was_walked():
    if set(SENT) != set(ROLES):
        pytest.skip("runs after the walk of every role")
    walked = set().union(*WALKED.values())
    # with KLASTER_FUZZ_PREFIX, the patterns under the prefix must all be reached
    expected = {name for name, path in ALL_PATTERNS.items() if path.startswith(PREFIX)} if PREFIX else set(ALL_PATTERNS)
    missing = sorted(expected - walked)
    total = sum(SENT.values())
    print(f"\nboundary walk: {len(ALL_PATTERNS)} URL patterns × {len(ROLES)} roles; {total} requests "
          + ", ".join(f"{r}: {SENT[r]}" for r in ROLES))
    assert not missing, f"URL patterns the walk did not reach: {missing}"

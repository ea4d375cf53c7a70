"""The mixed day of klaster for Locust (driven by ``benchmarks/load.py``; loopback only).

Three kinds of users, each waiting 1–3 s between pages:

- **visitors** (weight 6, anonymous): home, the register, a cluster profile, the competitions, a
  competition's public page, the regions map;
- **organizers** (weight 2, ``organizer``): their competition page, a targeted programme page,
  the register;
- **experts** (weight 2, ``expert``): their workspace and an assigned score sheet.

Every user keeps a small browser cache: the stylesheet and scripts a page links to are fetched
as a browser would — again only when its ``Cache-Control`` lifetime has run out (revalidated with
``If-None-Match``/``If-Modified-Since``), never when ``immutable``; responses are asked for with
``Accept-Encoding: gzip, br``. So the programme page costs what it costs a browser: plotly.js
once (content-hashed, immutable) in the new setup, at every view (no lifetime) in the old one.
Static requests are reported under ``static …`` names, apart from the pages.

Each role logs in once per Locust process (password ``klaster-demo-2026``, the demo's) and its
users share the session, as the tabs of one browser would: a day has far fewer log-ins than
pages, and the password hash (PBKDF2, ~0.3 s of CPU by design) is not what is measured. The URLs
of objects (a competition, an assignment) are found by following the pages' links, so the same
file drives any version of klaster.
"""

from __future__ import annotations

import os
import re
import threading
import time
from urllib.parse import urljoin

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("KLASTER_BENCH_PASSWORD", "klaster-demo-2026")
CLUSTER = os.environ.get("KLASTER_BENCH_CLUSTER", "construction")
ASSETS = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="(/[^"]+)"')
HEADERS = {"Accept-Encoding": "gzip, br", "Accept-Language": "ru"}

_sessions: dict[str, dict] = {}
_lock = threading.Lock()

#: Every response (name, milliseconds, failed) written to this file when Locust stops, so that
#: ``load.py`` computes exact percentiles over several runs of one side (interleaved rounds).
SAMPLES = os.environ.get("KLASTER_BENCH_SAMPLES")
_samples: list[tuple[str, float, int]] = []


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, exception=None, **kwargs):
    if SAMPLES:
        _samples.append((name, response_time, 1 if exception else 0))


@events.quitting.add_listener
def _write_samples(environment, **kwargs):
    if SAMPLES:
        with open(SAMPLES, "a") as fh:
            fh.writelines(f"{n}\t{ms:.3f}\t{failed}\n" for n, ms, failed in _samples)


def _first(pattern: str, html: str) -> str | None:
    m = re.search(pattern, html)
    return m.group(0) if m else None


class Browser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role: str | None = None

    def on_start(self):
        self.client.headers.update(HEADERS)
        self.assets: dict[str, tuple[float, dict]] = {}  # url → (fresh until, validators)
        if self.role:
            self.client.cookies.update(self._session())

    def _session(self) -> dict:
        with _lock:
            if self.role not in _sessions:
                r = self.client.get("/accounts/login/", name="login (once per role)")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
                r = self.client.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": self.role, "password": PASSWORD},
                                     headers={"Referer": self.host + "/accounts/login/"}, name="login (once per role)", allow_redirects=False)
                if r.status_code != 302:
                    raise RuntimeError(f"log-in as {self.role} failed: HTTP {r.status_code}")
                _sessions[self.role] = dict(self.client.cookies)
            return _sessions[self.role]

    def page(self, url: str, name: str) -> str:
        """GET a page and the assets it links to, as a browser with a cache would."""
        with self.client.get(url, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
                return ""
            html = r.text
        for asset in ASSETS.findall(html):
            self._asset(urljoin(url, asset))
        return html

    def _asset(self, url: str) -> None:
        fresh_until, validators = self.assets.get(url, (0.0, {}))
        if time.time() < fresh_until:
            return
        name = "static " + re.sub(r"\.[0-9a-f]{12}\.", ".", url.split("?")[0])
        r = self.client.get(url, name=name, headers=validators)
        if r.status_code not in (200, 304):
            return
        cc = r.headers.get("Cache-Control", "")
        if "immutable" in cc:
            lifetime = 365 * 86400.0
        else:
            m = re.search(r"max-age=(\d+)", cc)
            lifetime = float(m.group(1)) if m else 0.0
        keep = {}
        if r.headers.get("ETag"):
            keep["If-None-Match"] = r.headers["ETag"]
        if r.headers.get("Last-Modified"):
            keep["If-Modified-Since"] = r.headers["Last-Modified"]
        self.assets[url] = (time.time() + lifetime, keep or validators)


class Visitor(Browser):
    weight = 6

    @task(3)
    def home(self):
        self.page("/", "/")

    @task(3)
    def register(self):
        self.page("/register/", "/register/")

    @task(2)
    def cluster(self):
        self.page(f"/register/{CLUSTER}/", "/register/<cluster>/")

    @task(2)
    def competitions(self):
        html = self.page("/competition/", "/competition/")
        link = _first(r"/competition/\d+/", html)
        if link:
            self.page(link, "/competition/<pk>/")

    @task(2)
    def regions(self):
        self.page("/regions/", "/regions/")


class Organizer(Browser):
    weight = 2
    role = "organizer"

    def on_start(self):
        super().on_start()
        html = self.client.get("/competition/organizer/", name="/competition/organizer/ (discovery)").text
        self.competition = _first(r"/competition/organizer/\d+/", html)

    @task(3)
    def competition(self):
        if self.competition:
            self.page(self.competition, "/competition/organizer/<pk>/")

    @task(2)
    def programme(self):
        self.page(f"/programmes/{CLUSTER}/", "/programmes/<cluster>/")

    @task(1)
    def register(self):
        self.page("/register/", "/register/")


class Expert(Browser):
    weight = 2
    role = "expert"

    def on_start(self):
        super().on_start()
        html = self.client.get("/competition/expert/", name="/competition/expert/ (discovery)").text
        sheets = re.findall(r"/competition/expert/\d+/", html)
        # the last assignment: in the demo it is one with a score sheet (declared, being scored)
        self.sheet = sheets[-1] if sheets else None

    @task(1)
    def workspace(self):
        self.page("/competition/expert/", "/competition/expert/")

    @task(3)
    def sheet_page(self):
        if self.sheet:
            self.page(self.sheet, "/competition/expert/<pk>/")

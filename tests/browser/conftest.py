"""Browser tests: Playwright drives Debian's Chromium (``/usr/bin/chromium``).

Outside CI a missing Chromium skips the tests; in CI (``CI`` set) it is a failure, because
``.ci/run`` installs it. The launch flags keep Chromium off the network (this machine has none).
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    """A launched Playwright Chromium browser (closed after the test)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(browser):
    """A new page of :func:`browser`."""
    yield browser.new_page()


def artifacts_dir(*parts: str):
    """The folder of a browser run's screenshots, ``tests/browser/artifacts/`` (CI artefacts, ignored
    by git; ``KLASTER_UI_ARTIFACTS=DIR`` moves it), with ``parts`` below it, created."""
    from pathlib import Path

    root = Path(os.environ.get("KLASTER_UI_ARTIFACTS", Path(__file__).resolve().parent / "artifacts"))
    root.mkdir(parents=True, exist_ok=True)
    if not (ignore := root / ".gitignore").exists():
        ignore.write_text("*\n")
    out = root.joinpath(*parts)
    out.mkdir(parents=True, exist_ok=True)
    return out


def shot(page, journey: str, lang: str, step: str) -> None:
    """A full-page screenshot of a journey's step: ``artifacts/<journey>/<lang>-<step>.png``."""
    page.screenshot(path=str(artifacts_dir(journey) / f"{lang}-{step}.png"), full_page=True)


def translated(lang: str, msgid: str) -> str:
    """``msgid`` in ``lang`` from the catalogues; in kk and ru it must be translated (not the English)."""
    from django.utils import translation

    with translation.override(lang):
        text = translation.gettext(msgid)
    if lang != "en":
        assert text != msgid, f"{msgid!r} has no {lang} translation"
    return text

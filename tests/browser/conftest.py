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

"""Browser end-to-end fixtures: Debian's chromium driven by Playwright (sync API) against
pytest-django's live server; the real SMTP server is in tests/conftest.py. No browser is
ever downloaded: without a chromium on the PATH the tests skip."""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.skip("skipped: no chromium on the PATH (Debian package 'chromium')")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Chromium for the tests of one module. Not for the whole session: Playwright's sync
    API keeps an asyncio loop marked as running in this thread while it is up, and
    pytest-django runs the tests without a database after the transactional ones, so a
    later `asyncio.run()` elsewhere in the suite would fail."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django refuses database
    # access from a thread with a running loop unless told it is safe, as it is here —
    # for the browser tests only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            if previous is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) pointed at the live server."""
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()

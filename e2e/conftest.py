"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: ``CHROMIUM`` (default /usr/bin/chromium) must exist;
``.ci/run`` installs Debian's ``chromium`` package when it is missing. The
personas and the small region tree come from the project's ``conftest.py``.
"""

from __future__ import annotations

import os
import shutil

# Playwright's sync API keeps an event loop running in this thread; Django
# would otherwise refuse the ORM calls that fixtures and assertions make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from .helpers import CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"找不到 Chromium({CHROMIUM})。请先安装:apt-get install -y chromium fonts-wqy-microhei",
                    pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url, **extra)
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop-width page (1280 px)."""
    page = _new_page(browser, live_server, DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-width page (375 px, touch)."""
    page = _new_page(browser, live_server, PHONE, is_mobile=True, has_touch=True)
    yield page
    page.context.close()

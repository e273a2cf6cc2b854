"""Screenshots of the main pages at desktop and phone width, for looking at the UI.

Run against a server holding the demo data (``make demo``, or
``manage.py runserver 127.0.0.1:8765`` on the seeded dev database):

    .venv/bin/python scripts/screenshots.py --base http://127.0.0.1:8765 --out /tmp/shots

Uses Debian's Chromium (/usr/bin/chromium); never downloads a browser.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--lang=zh-CN", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "Demo@2026"
WIDTHS = {"desktop": (1280, 800), "phone": (375, 740)}


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def first_family_url(page: Page, base: str) -> str:
    page.goto(f"{base}/families/?category=deceased")
    href = page.locator("table tbody a").first.get_attribute("href")
    return base + href


def worklist_family_url(page: Page, base: str, *, compliance: bool = False) -> str:
    """The most urgent family on the user's worklist (its archive, or its 联系走访情况 page)."""
    page.goto(f"{base}/compliance/mine/")
    href = page.locator(".list-group-item a.fw-semibold").first.get_attribute("href")
    if compliance:
        href = href.replace("/families/", "/compliance/family/")
    return base + href


def confirmation_url(page: Page, base: str, suffix: str = "") -> str:
    """The user's latest eligibility-confirmation window (plus ``suffix``, e.g. the worklist)."""
    page.goto(f"{base}/confirmations/")
    return base + page.locator("table tbody a").first.get_attribute("href") + suffix


def confirmation_form_url(page: Page, base: str) -> str:
    """The confirmation form of the first pending family on the user's worklist."""
    page.goto(confirmation_url(page, base, "families/"))
    return base + page.locator("table tbody a").first.get_attribute("href")


def reveal_first_id(page: Page) -> None:
    """Show the reveal flow (and leave a sensitive-read event for the auditor's page)."""
    box = page.locator("details.reveal-box").nth(1)  # the first member's ID number (0 is the bank account)
    box.locator("summary").click()
    box.locator("input[name=reason]").fill("上门走访前核对身份")
    box.locator("button").click()
    page.wait_for_selector("text=已留痕")


def shoot(page: Page, out: Path, name: str, width_name: str, max_height: int) -> None:
    path = out / f"{name}-{width_name}.png"
    width = page.viewport_size["width"]
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, max_height)} if max_height else None
    page.screenshot(path=str(path), full_page=True, clip=clip)
    print(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8765")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--only", default="", help="regular expression on the screenshot name")
    parser.add_argument("--max-height", type=int, default=1600, help="crop long pages (0 = whole page)")
    parser.add_argument("--widths", default=",".join(WIDTHS), help="comma-separated: desktop,phone")
    opts = parser.parse_args()
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    only = re.compile(opts.only) if opts.only else None
    base = opts.base.rstrip("/")

    # (screenshot name, user or None, path or callable returning a URL, optional action before the shot)
    pages = [
        ("login", None, "/accounts/login/"),
        ("home-village", "demo_village", "/"),
        ("home-township", "demo_township", "/"),
        ("home-county", "demo_county", "/"),
        ("home-city", "demo_city", "/"),
        ("family-detail", "demo_village", first_family_url),
        ("home-auditor", "demo_auditor", "/"),
        ("home-admin", "demo_admin", "/"),
        ("family-list", "demo_county", "/families/?health=serious"),
        ("family-form", "demo_village", "/families/new/"),
        ("region-browse", "demo_county", "/regions/"),
        ("audit-search", "demo_auditor", "/audit/"),
        ("profile", "demo_village", "/accounts/profile/"),
        ("compliance-mine", "demo_village", "/compliance/mine/"),
        ("compliance-family", "demo_village", lambda page, base: worklist_family_url(page, base, compliance=True)),
        ("family-overdue", "demo_village", worklist_family_url),
        ("compliance-region-county", "demo_county", "/compliance/region/"),
        ("compliance-region-province", "demo_province", "/compliance/region/"),
        ("contacts-coverage", "demo_county", "/contacts/coverage/"),
        ("contacts-list", "demo_county", "/contacts/"),
        ("confirmation-county", "demo_county", confirmation_url),
        ("confirmation-worklist", "demo_township", lambda page, base: confirmation_url(page, base, "families/")),
        ("confirmation-form", "demo_village", confirmation_form_url),
        ("dashboard-county", "demo_county", "/reports/dashboard/"),
        ("dashboard-province", "demo_province", "/reports/dashboard/"),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width_name, (width, height) in WIDTHS.items():
            if width_name not in opts.widths.split(","):
                continue
            contexts: dict[str | None, Page] = {}
            for name, username, target in pages:
                if only and not only.search(name):
                    continue
                page = contexts.get(username)
                if page is None:
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                                  device_scale_factor=1)
                    page = context.new_page()
                    if username:
                        login(page, base, username)
                    contexts[username] = page
                url = target(page, base) if callable(target) else base + target
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if name == "family-detail":
                    reveal_first_id(page)
                if name.startswith("dashboard"):
                    page.wait_for_timeout(800)  # the charts' short animation
                shoot(page, out, name, width_name, opts.max_height)
        browser.close()


if __name__ == "__main__":
    main()

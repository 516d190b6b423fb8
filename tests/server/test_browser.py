"""The dashboard in a real headless Chromium (Debian's, driven by Playwright;
no browser download): every page loads without console errors (CSP
violations included), the overview -> service -> check path works by
clicking, the table filter works, and screenshots land in the test output."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from prodready.cli.push import push_document
from prodready.server.sample import daily_scans, fleet
from tests.server.conftest import make_tokens
from tests.server.serve import ServeProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("server-browser")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from prodready.server import Database, upgrade_schema

    path = tmp_path_factory.mktemp("browser") / "prodready.db"
    url = f"sqlite:///{path}"
    db = Database(url)
    upgrade_schema(db.engine)
    db.dispose()
    tokens = make_tokens(url)
    services = fleet(12, seed=3, teams=4)
    rng = random.Random(5)
    start = datetime.now(UTC) - timedelta(days=6)
    with ServeProcess(url) as server:
        for doc in daily_scans(services, days=6, start=start, rng=rng, spread_minutes=600):
            push_document(doc, server.url, tokens.push)
        yield server.url


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Per test: Playwright's sync API runs an event loop in this thread while it
    lives, which would block the async tests if it outlived one test."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console() -> list[str]:
    """Console errors and warnings of the page (CSP violations land here)."""
    return []


@pytest.fixture
def page(browser: Browser, console: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            console.append(f"{message.type}: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    yield opened
    context.close()


def _shot(page: Page, output_dir: Path, name: str) -> None:
    page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def test_click_through_overview_service_check(
    page: Page, seeded_server: str, output_dir: Path, console: list[str]
) -> None:
    page.goto(seeded_server + "/")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("svg.chart").count() >= 1
    assert page.get_attribute("html", "lang") == "en"
    _shot(page, output_dir, "overview")

    page.get_by_role("link", name="Services", exact=True).click()
    page.wait_for_url("**/services")
    first = page.locator("table.data tbody tr td a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(f"**/services/{name}")
    assert name in page.locator("h1").inner_text()
    assert page.locator("#checks-table tbody tr").count() >= 30
    _shot(page, output_dir, "service")

    # The filter box narrows the checks table as you type (app.js).
    page.fill("#check-filter", "res.timeouts")
    visible = page.locator("#checks-table tbody tr:visible")
    assert visible.count() == 1
    page.fill("#check-filter", "")

    check_link = page.locator("#checks-table tbody tr td a[href^='/checks/']").first
    check_id = check_link.inner_text()
    check_link.click()
    page.wait_for_url(f"**/checks/{check_id}")
    assert check_id in page.locator("h1").inner_text()
    assert page.locator("svg.chart").count() == 1
    _shot(page, output_dir, "check")
    assert console == []


def test_every_page_renders(
    page: Page, seeded_server: str, output_dir: Path, console: list[str]
) -> None:
    page.goto(seeded_server + "/services?sort=-score")
    service = page.locator("table.data tbody tr td a").first.inner_text()
    paths = {
        "services-filtered": "/services?level=bronze&sort=-score",
        "checks": "/checks",
        "teams": "/teams",
        "team": "/teams/payments",
        "status": "/status",
        "docs": "/docs",
        "diff": f"/services/{service}/diff",
        "service-90d": f"/services/{service}?window=90&outcome=failing",
    }
    for name, path in paths.items():
        response = page.goto(seeded_server + path)
        assert response is not None
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        for image in page.locator("img").all():
            assert image.get_attribute("alt"), f"{path}: an image without alt text"
        _shot(page, output_dir, name)
    page.goto(seeded_server + f"/services/{service}")
    page.locator("form[action$='/diff'] button[type=submit]").click()
    page.wait_for_url("**/diff?**")
    assert "what changed" in page.locator("h1").inner_text()
    page.goto(seeded_server + "/services")
    page.fill("#global-search", service)
    page.press("#global-search", "Enter")
    page.wait_for_url("**/services?q=**")
    assert page.locator("table.data tbody tr").count() == 1
    assert console == []


def test_not_found_page(page: Page, seeded_server: str, console: list[str]) -> None:
    response = page.goto(seeded_server + "/services/no-such-service")
    assert response is not None
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    # Only the 404 itself is reported; the page's own assets all loaded under the CSP.
    assert all("404" in line for line in console), console

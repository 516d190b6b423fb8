"""Every dashboard page renders on both databases, escapes what it shows,
and links to the others (the browser test clicks through them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from prodready.scan.model import Level
from tests.server.conftest import Api
from tests.server.documents import one

pytestmark = pytest.mark.anyio


async def _seed(api: Api) -> None:
    now = datetime.now(UTC)
    await api.push(
        one("api", team="pay", at=now - timedelta(days=2), level=Level.SILVER, commit="1")
    )
    await api.push(one("api", team="pay", at=now - timedelta(days=1), score=60.0, commit="2"))
    await api.push(one("<img src=x onerror=alert(1)>", team="pay&co", at=now, commit="3"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "Recent regressions"),
        ("/?window=30", "Average score over time"),
        ("/services", "2 services"),
        ("/services?team=pay&level=bronze&sort=-score", "1 service"),
        ("/services?tier=x&level=bogus&sort=bogus", "2 services"),
        ("/services/api", "What blocks the next level"),
        ("/services/api?outcome=failing&window=all", "res.timeouts"),
        ("/services/api/diff", "what changed"),
        ("/checks", "Campaigns"),
        ("/checks/res.timeouts", "How to fix"),
        ("/checks/res.timeouts?team=pay", "Failing services of team pay"),
        ("/teams", "Teams"),
        ("/teams/pay", "Team pay"),
        ("/status", "No webhook targets"),
        ("/docs", "API reference"),
    ],
)
async def test_pages_render(api: Api, path: str, expected: str) -> None:
    await _seed(api)
    response = await api.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert expected in response.text
    assert "<img src=x" not in response.text  # autoescaped everywhere


async def test_scan_page_and_pruned_document(api: Api) -> None:
    await _seed(api)
    scans = (await api.get("/api/v1/services/api/scans")).json()["items"]
    page = await api.get(f"/services/api/scans/{scans[-1]['id']}")
    assert page.status_code == 200
    assert "app/main.py:12" in page.text
    from prodready.server import Database
    from prodready.server._models import ScanDocument

    db = Database(api.settings.database_url)
    try:
        with db.write() as session:
            session.query(ScanDocument).filter(ScanDocument.scan_id == scans[-1]["id"]).delete()
    finally:
        db.dispose()
    pruned = await api.get(f"/services/api/scans/{scans[-1]['id']}")
    assert "was pruned" in pruned.text
    gone = await api.get(f"/api/v1/scans/{scans[-1]['id']}")
    assert gone.status_code == 410


async def test_diff_page_orders_scans_old_to_new(api: Api) -> None:
    await _seed(api)
    scans = (await api.get("/api/v1/services/api/scans")).json()["items"]
    newer, older = scans[0]["id"], scans[1]["id"]
    response = await api.get(
        f"/services/api/diff?base={newer}&head={older}", follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"base={older}&head={newer}")


async def test_badge(api: Api) -> None:
    await _seed(api)
    badge = await api.get("/badge/api.svg")
    assert badge.status_code == 200
    assert badge.headers["content-type"] == "image/svg+xml"
    assert "60 · bronze" in badge.text
    assert (await api.get("/badge/ghost.svg")).status_code == 404


async def test_campaign_lists_the_worst_teams_and_links_the_rest(api: Api) -> None:
    for i in range(7):
        for j in range(i + 1):  # team t6 has the most failing services
            doc = one(f"s{i}-{j}", team=f"t{i}", failing=("res.timeouts",), commit=f"{i}{j}")
            assert (await api.push(doc)).status_code == 201
    page = (await api.get("/checks/res.timeouts")).text
    for shown in ("t6", "t5", "t4", "t3", "t2"):
        assert f"<summary>{shown} " in page
    assert "<summary>t1 " not in page
    assert "2 more teams fail it" in page
    assert "/checks/res.timeouts?team=t0#failing-h" in page
    one_team = (await api.get("/checks/res.timeouts?team=t0")).text
    assert "<summary>t0 " in one_team
    assert "s0-0" in one_team
    assert "s6-0" not in one_team

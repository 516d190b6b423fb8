"""The read API on SQLite and PostgreSQL: lists, filters, sorting, pagination,
history, diffs, campaigns, teams, and the JSON error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest

from prodready.scan.model import Level
from tests.server.conftest import Api
from tests.server.documents import T0, one

pytestmark = pytest.mark.anyio

FLEET = [
    # name, team, tier, score, level, failing
    ("alpha", "payments", 1, 91.0, Level.GOLD, ()),
    ("bravo", "payments", 2, 72.5, Level.BRONZE, ("res.timeouts",)),
    ("charlie", "search", 1, 55.0, None, ("doc.readme", "res.timeouts")),
    ("delta", "search", 3, 80.0, Level.SILVER, ("res.retries",)),
    ("echo", None, None, 64.0, Level.BRONZE, ("res.timeouts", "obs.metrics")),
]


async def _seed(api: Api) -> None:
    for i, (name, team, tier, score, level, failing) in enumerate(FLEET):
        response = await api.push(
            one(name, team=team, tier=tier, score=score, level=level, failing=failing,
                commit=f"c{i}", at=T0 + timedelta(minutes=i))
        )  # fmt: skip
        assert response.status_code == 201, response.text


async def test_list_filter_sort_paginate(api: Api) -> None:
    await _seed(api)
    everything = (await api.get("/api/v1/services")).json()
    assert everything["total"] == 5
    assert [s["name"] for s in everything["items"]] == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
    ]
    by_score = (await api.get("/api/v1/services", params={"sort": "-score"})).json()
    assert [s["name"] for s in by_score["items"]] == ["alpha", "delta", "bravo", "echo", "charlie"]
    team = (await api.get("/api/v1/services", params={"team": "search"})).json()
    assert [s["name"] for s in team["items"]] == ["charlie", "delta"]
    bronze = (await api.get("/api/v1/services", params={"level": "bronze"})).json()
    assert [s["name"] for s in bronze["items"]] == ["bravo", "echo"]
    none = (await api.get("/api/v1/services", params={"level": "none"})).json()
    assert [s["name"] for s in none["items"]] == ["charlie"]
    tier = (await api.get("/api/v1/services", params={"tier": 1})).json()
    assert [s["name"] for s in tier["items"]] == ["alpha", "charlie"]
    search = (await api.get("/api/v1/services", params={"q": "HAR"})).json()
    assert [s["name"] for s in search["items"]] == ["charlie"]
    like_chars = (await api.get("/api/v1/services", params={"q": "%_"})).json()
    assert like_chars["total"] == 0
    page = (await api.get("/api/v1/services", params={"limit": 2, "offset": 2})).json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)
    assert [s["name"] for s in page["items"]] == ["charlie", "delta"]
    by_tier = (await api.get("/api/v1/services", params={"sort": "tier"})).json()
    assert by_tier["items"][-1]["name"] == "echo"  # no tier sorts last


@pytest.mark.parametrize(
    "query",
    [
        {"sort": "password"},
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"level": "diamond"},
        {"tier": "x"},
    ],
)
async def test_bad_query_parameters_are_422_with_the_error_shape(
    api: Api, query: dict[str, object]
) -> None:
    response = await api.get("/api/v1/services", params=query)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["detail"].startswith("query.")
    assert body["errors"][0]["loc"][0] == "query"


async def test_history_detail_and_diff(api: Api) -> None:
    first = (await api.push(one("svc", at=T0, failing=("res.timeouts",), commit="a"))).json()
    second = (
        await api.push(
            one("svc", at=T0 + timedelta(days=1), failing=("obs.metrics",), score=85.0, commit="b")
        )
    ).json()
    scans = (await api.get("/api/v1/services/svc/scans")).json()
    assert [s["id"] for s in scans["items"]] == [second["id"], first["id"]]
    assert scans["items"][0]["is_latest"] is True
    detail = (await api.get(f"/api/v1/services/svc/scans/{first['id']}")).json()
    assert detail["document_available"] is True
    assert detail["result"]["checks"][2]["findings"][0]["path"] == "app/main.py"
    diff = (await api.get("/api/v1/services/svc/diff")).json()
    assert diff["base"]["id"] == first["id"]
    assert diff["head"]["id"] == second["id"]
    assert diff["score_change"] == 5.0
    changes = {c["id"]: c["change"] for c in diff["changes"]}
    assert changes == {"obs.metrics": "broken", "res.timeouts": "fixed"}
    explicit = await api.get(
        "/api/v1/services/svc/diff", params={"base": second["id"], "head": first["id"]}
    )
    assert {c["id"]: c["change"] for c in explicit.json()["changes"]} == {
        "obs.metrics": "fixed",
        "res.timeouts": "broken",
    }


async def test_campaign_lists_failing_services_by_team(api: Api) -> None:
    await _seed(api)
    checks = (await api.get("/api/v1/checks")).json()
    assert checks[0]["id"] == "res.timeouts"
    assert (checks[0]["failing"], checks[0]["applicable"]) == (3, 5)
    campaign = (await api.get("/api/v1/checks/res.timeouts")).json()
    assert campaign["how_to_fix"] == "Fix res.timeouts."
    assert {t["team"]: t["failing"] for t in campaign["teams"]} == {
        "payments": 1,
        "search": 1,
        None: 1,
    }
    assert campaign["progress"][-1]["failing"] == 3
    failing = (await api.get("/api/v1/checks/res.timeouts/services")).json()
    assert [(i["team"], i["service"]) for i in failing["items"]] == [
        ("payments", "bravo"),
        ("search", "charlie"),
        (None, "echo"),
    ]
    passing = (
        await api.get("/api/v1/checks/res.timeouts/services", params={"outcome": "pass"})
    ).json()
    assert [i["service"] for i in passing["items"]] == ["alpha", "delta"]
    only = await api.get("/api/v1/checks/res.timeouts/services", params={"team": "search"})
    assert [i["service"] for i in only.json()["items"]] == ["charlie"]


async def test_teams_and_overview(api: Api) -> None:
    await _seed(api)
    teams = (await api.get("/api/v1/teams")).json()
    assert [t["team"] for t in teams] == ["payments", "search", None]
    assert teams[0]["average_score"] == 81.8
    team = (await api.get("/api/v1/teams/search")).json()
    assert [m["name"] for m in team["members"]] == ["delta", "charlie"]
    assert team["trend"][-1]["services"] == 2
    overview = (await api.get("/api/v1/overview")).json()
    assert overview["services"] == 5
    assert overview["levels"] == {"none": 1, "bronze": 2, "silver": 1, "gold": 1, "platinum": 0}
    assert overview["average_score"] == 72.5
    assert overview["weakest_pillars"][0]["pillar"] == "res"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services/nope",
        "/api/v1/services/nope/scans",
        "/api/v1/services/nope/scans/1",
        "/api/v1/services/nope/diff",
        "/api/v1/checks/nope",
        "/api/v1/checks/nope/services",
        "/api/v1/teams/nope",
        "/api/v1/scans/99",
        "/api/v1/does-not-exist",
    ],
)
async def test_unknown_things_are_404_json(api: Api, path: str) -> None:
    response = await api.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]


async def test_pages_answer_html_errors(api: Api) -> None:
    response = await api.get("/services/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no service named" in response.text

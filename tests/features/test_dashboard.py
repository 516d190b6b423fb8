"""Step definitions for dashboard.feature: overview, service page, campaigns
and regression notifications, read the way people and webhooks see them."""

from __future__ import annotations

import html
import re
import time

from pytest_bdd import given, parsers, scenarios, then, when

from tests.features.conftest import World, scan_of
from tests.server.receiver import WebhookReceiver

scenarios("dashboard.feature")

WAIT_SECONDS = 20.0  # bound on waiting for the background notifier (not a timing assertion)


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _page(world: World, path: str) -> str:
    response = world.running.get(path)
    assert response.status_code == 200, response.text[:500]
    return response.text


@given(parsers.parse('a prodready server that sends regressions to the webhook "{target}"'))
def _server_with_webhook(world: World, receiver: WebhookReceiver, target: str) -> None:
    world.start(
        webhooks=[{"name": target, "url": f"{receiver.base}/{target}", "format": "json"}],
        webhook_backoff_seconds=0.05,
    )


@when(
    parsers.parse(
        'CI pushes a scan of "{name}" of team "{team}" scoring {score:g}, failing "{failing}"'
    )
)
def _push_failing(world: World, name: str, team: str, score: float, failing: str) -> None:
    answer = world.running.push(scan_of(name, team, score, failing))
    assert answer.status_code == 201, answer.text
    world.answers.append(answer)


@when("CI pushes these scans:")
def _push_table(world: World, datatable: list[list[str]]) -> None:
    header, *rows = datatable
    for row in rows:
        spec = dict(zip(header, row, strict=True))
        scan = scan_of(spec["service"], spec["team"], float(spec["score"]), spec["failing"])
        answer = world.running.push(scan)
        assert answer.status_code == 201, answer.text


@then(parsers.parse('the overview counts {count:d} service, with team "{team}" on the leaderboard'))
def _overview(world: World, count: int, team: str) -> None:
    page = _page(world, "/")
    assert f"{count} services" in _text(page)
    assert f'<a href="/teams/{team}">{team}</a>' in page


@then(parsers.parse('the services page links to "{name}"'))
def _services_page(world: World, name: str) -> None:
    assert f'href="/services/{name}"' in _page(world, "/services")


@then(parsers.parse('the page of "{name}" shows score {score:g} and level "{level}"'))
def _service_score(world: World, name: str, score: float, level: str) -> None:
    page = _page(world, f"/services/{name}")
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None
    assert _text(heading.group(1)) == f"{name} {level}"
    assert f"{score:.1f} score" in _text(page)


@then(parsers.parse('the page of "{name}" shows check "{check}" failing at "{location}"'))
def _service_check(world: World, name: str, check: str, location: str) -> None:
    page = _page(world, f"/services/{name}")
    row = re.search(rf'<tr id="check-{re.escape(check)}">(.*?)</tr>', page, re.S)
    assert row is not None, f"no row for {check}"
    words = _text(row.group(1))
    assert " fail " in f" {words} ", words
    assert location in words, words


@then(parsers.parse('the campaign page of check "{check}" lists these failing services:'))
def _campaign(world: World, check: str, datatable: list[list[str]]) -> None:
    page = _page(world, f"/checks/{check}")
    shown: dict[str, list[str]] = {}
    for group in re.findall(r'<details class="team-group".*?</details>', page, re.S):
        team = re.search(r"<summary>(\S+) ", group)
        assert team is not None, group
        services = re.findall(r'<li><a href="[^"]*">([^<]+)</a>', group)
        shown[team.group(1)] = sorted(services)
    _, *rows = datatable
    expected = {team: sorted(s.strip() for s in names.split(",")) for team, names in rows}
    assert shown == expected


def _outbox(world: World, name: str) -> list[dict[str, object]]:
    items = world.running.get("/api/v1/notifications").json()["items"]
    return [n for n in items if n["service"] == name]


@then(parsers.parse('the notification outbox holds {count:d} score-drop notification for "{name}"'))
def _outbox_holds(world: World, count: int, name: str) -> None:
    notes = _outbox(world, name)
    assert len(notes) == count, notes
    assert all(n["kinds"] == ["score_drop"] for n in notes), notes


@then(parsers.parse('the status page lists {count:d} notification for "{target}"'))
def _status_page(world: World, count: int, target: str) -> None:
    page = _page(world, "/status")
    rows = re.findall(r'<tr class="note-[^"]*">(.*?)</tr>', page, re.S)
    assert len([r for r in rows if f"<td>{target}</td>" in r]) == count, rows


@then(
    parsers.parse(
        '"{target}" receives a "{kind}" regression of "{name}" from {before:g} to {after:g}'
    )
)
def _received(
    receiver: WebhookReceiver, target: str, kind: str, name: str, before: float, after: float
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    with receiver.arrived:
        while not receiver.on(f"/{target}") and time.monotonic() < deadline:
            receiver.arrived.wait(timeout=0.2)
    deliveries = receiver.on(f"/{target}")
    assert len(deliveries) == 1, f"{len(deliveries)} deliveries to {target}"
    body = deliveries[0].body
    assert body["event"] == "prodready.regression"
    assert body["service"] == name
    assert body["kinds"] == [kind]
    assert (body["before"]["score"], body["after"]["score"]) == (before, after)


@then("the notification outbox shows it delivered")
def _delivered(world: World) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    statuses: list[object] = []
    while time.monotonic() < deadline:
        statuses = [n["status"] for n in world.running.get("/api/v1/notifications").json()["items"]]
        if statuses == ["delivered"]:
            return
        time.sleep(0.05)
    raise AssertionError(f"outbox statuses: {statuses}")

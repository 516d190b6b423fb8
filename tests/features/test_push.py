"""Step definitions for push.feature: storing, retrying and refusing pushes."""

from __future__ import annotations

from pytest_bdd import given, parsers, scenarios, then, when

from tests.features.conftest import World, scan_of

scenarios("push.feature")


@given(parsers.parse('a scan of "{name}" of team "{team}" scoring {score:g}'))
def _a_scan(world: World, name: str, team: str, score: float) -> None:
    world.scan = scan_of(name, team, score)


@given(parsers.parse("its score is {score:d}, above the maximum of 100"))
def _score_out_of_range(world: World, score: int) -> None:
    world.scan["services"][0]["score"] = score


@given(parsers.parse("it has grown to {kib:d} KiB"))
def _grown(world: World, kib: int) -> None:
    world.scan["services"][0]["checks"][0]["summary"] = "x" * (kib * 1024)


@given(parsers.parse("a prodready server that accepts scan documents of at most {kib:d} KiB"))
def _a_small_server(world: World, kib: int) -> None:
    world.start(max_body_bytes=kib * 1024)


@given(parsers.parse('a push token that may only push services of team "{team}"'))
def _team_token(world: World, team: str) -> None:
    server = world.running
    created = server.post(
        "/api/v1/tokens",
        {"name": f"{team}-ci", "scopes": [f"push:team:{team}"]},
        token=server.api.tokens.admin,
    )
    assert created.status_code == 201, created.text
    world.token = created.json()["secret"]


@when("CI pushes the same scan again")
def _push_again(world: World) -> None:
    world.answers.append(world.running.push(world.scan, world.token))


@then("the answer carries the id of the stored scan")
def _carries_id(world: World) -> None:
    body = world.answer.json()
    assert body["created"] is True
    stored = world.running.get(f"/api/v1/scans/{body['id']}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["services"][0]["name"] == world.scan["services"][0]["name"]


@then("the answer carries the same scan id as the first push")
def _same_id(world: World) -> None:
    first, again = (a.json() for a in world.answers[:2])
    assert again["id"] == first["id"]
    assert again["created"] is False


@then(parsers.parse('"{name}" has {count:d} stored scan'))
def _stored_scans(world: World, name: str, count: int) -> None:
    history = world.running.get(f"/api/v1/services/{name}/scans")
    assert history.status_code == 200, history.text
    assert history.json()["total"] == count


@then(parsers.parse('nothing is stored for "{name}"'))
def _nothing_stored(world: World, name: str) -> None:
    assert world.running.get(f"/api/v1/services/{name}").status_code == 404
    assert world.running.get("/api/v1/overview").json()["services"] == 0


@then(parsers.parse('the JSON reason says the token may not push service "{name}"'))
def _forbidden_reason(world: World, name: str) -> None:
    body = world.answer.json()
    assert body["error"] == "forbidden"
    assert f"may not push service '{name}'" in body["detail"]


@then(parsers.parse('the JSON reason is "{error}"'))
def _reason(world: World, error: str) -> None:
    body = world.answer.json()
    assert body["error"] == error
    assert body["detail"]


@then(parsers.parse('the error names the field "{location}"'))
def _names_field(world: World, location: str) -> None:
    body = world.answer.json()
    assert body["error"] == "invalid_document"
    assert location.split(".") in [e["loc"] for e in body["errors"]], body

"""Documentation facts: README, OpenAPI/AsyncAPI/proto, ADRs, runbooks, ownership."""

from __future__ import annotations

import json
import pickle

import pytest

from prodready.scan.facts.docs import (
    docs_facts,
    find_readme,
    parse_adr,
    parse_asyncapi,
    parse_catalog_info,
    parse_codeowners,
    parse_openapi,
    parse_owners_file,
    parse_proto,
    parse_readme,
    parse_runbook,
    parse_service_metadata,
)
from prodready.scan.facts.source import InMemoryFiles

# --------------------------------------------------------------------------- README

GOOD_README = """\
# Orders service

[![CI](https://github.com/acme/orders/actions/workflows/ci.yml/badge.svg)](https://github.com/acme/orders/actions)

Orders keeps track of customer orders and talks to payments.

## Getting started

```bash
$ make install
$ docker compose up -d db
$ uv run uvicorn orders.app:app --reload
```

## Testing

Run `make test`, or directly:

```
pytest -q
```
"""


def test_readme_with_run_and_test_instructions() -> None:
    readme = parse_readme("README.md", GOOD_README)
    assert readme.says_how_to_run
    assert readme.says_how_to_test
    assert not readme.links_only
    assert [(c.line, c.command) for c in readme.run_commands] == [
        (11, "docker compose up -d db"),
        (12, "uvicorn orders.app:app --reload"),
    ]
    assert [(c.line, c.command, c.in_code_block) for c in readme.test_commands] == [
        (17, "make test", False),
        (20, "pytest -q", True),
    ]
    assert readme.run_commands[0].section == "Getting started"
    assert [h.text for h in readme.headings] == ["Orders service", "Getting started", "Testing"]
    assert [h.line for h in readme.run_sections] == [7]
    assert [h.line for h in readme.test_sections] == [15]
    assert readme.code_blocks == 2


def test_links_only_readme() -> None:
    text = """\
# Orders

See the [wiki](https://wiki.acme.com/orders) for everything.

* [Runbook](https://wiki.acme.com/orders/runbook)
* [Dashboards](https://grafana.acme.com/d/orders)
* https://confluence.acme.com/display/ORD
"""
    readme = parse_readme("README.md", text)
    assert readme.links_only
    assert readme.links == 4
    assert not readme.says_how_to_run
    assert not readme.says_how_to_test


def test_link_heavy_readme_with_commands_is_not_links_only() -> None:
    text = (
        "# x\n\n[docs](https://x)\n[wiki](https://y)\n\n```\ngo run ./cmd/x\ngo test ./...\n```\n"
    )
    readme = parse_readme("README.md", text)
    assert not readme.links_only
    assert readme.says_how_to_run
    assert readme.says_how_to_test


def test_prose_only_sections_do_not_count() -> None:
    text = (
        "# Orders\n\n## Running\n\nOpen the project in your IDE and press the run button.\n\n"
        "## Testing\n\nWe test things thoroughly, we promise.\n"
    )
    readme = parse_readme("README.md", text)
    assert [h.text for h in readme.run_sections] == ["Running"]
    assert not readme.says_how_to_run
    assert not readme.says_how_to_test


def test_run_section_with_unrecognised_command_counts() -> None:
    text = "# svc\n\n## Usage\n\n```sh\n./orders-server --port 8080\n```\n"
    readme = parse_readme("README.md", text)
    assert readme.run_commands == ()
    assert readme.run_section_has_code
    assert readme.says_how_to_run


def test_rst_readme() -> None:
    text = """\
Orders
======

Usage
-----

Start it::

    gunicorn orders.wsgi

Tests
-----

.. code-block:: console

   $ tox -e py311
"""
    readme = parse_readme("README.rst", text)
    assert readme.format == "rst"
    assert [c.command for c in readme.run_commands] == ["gunicorn orders.wsgi"]
    assert [(c.line, c.command) for c in readme.test_commands] == [(16, "tox -e py311")]
    assert [h.text for h in readme.headings] == ["Orders", "Usage", "Tests"]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("go run ./cmd/orders", "run"),
        ("npm start", "run"),
        ("yarn dev", "run"),
        ("python manage.py runserver 0.0.0.0:8000", "run"),
        ("python -m orders", "run"),
        ("flask --app orders run", "run"),
        ("./gradlew bootRun", "run"),
        ("docker run -p 8080:8080 acme/orders", "run"),
        ("docker-compose -f compose.dev.yml up --build", "run"),
        ("poetry run pytest -x", "test"),
        ("python -m pytest tests/", "test"),
        ("go test -race ./...", "test"),
        ("npm test", "test"),
        ("make test-integration", "test"),
        ("./mvnw verify", "test"),
        ("cargo test", "test"),
        ("pip install -e .", None),
        ("git clone https://github.com/acme/orders", None),
        ("python -m pip install orders", None),
    ],
)
def test_command_classification(line: str, kind: str | None) -> None:
    readme = parse_readme("README.md", f"# x\n\n```\n{line}\n```\n")
    kinds = [c.kind for c in (*readme.run_commands, *readme.test_commands)]
    assert kinds == ([kind] if kind else [])


def test_empty_readme_and_plain_text() -> None:
    empty = parse_readme("README", "")
    assert not empty.says_how_to_run
    assert not empty.links_only
    text = parse_readme("readme.txt", "Orders\n\nRun it with: make run\nTest: make test\n")
    assert text.format == "text"
    assert not text.says_how_to_run  # a command in prose without code formatting


def test_find_readme_prefers_markdown_and_respects_root() -> None:
    paths = ["README.rst", "readme.md", "docs/README.md", "svc/a/README.txt", "svc/a/main.go"]
    assert find_readme(paths) == "readme.md"
    assert find_readme(paths, "svc/a") == "svc/a/README.txt"
    assert find_readme(paths, "svc/b") is None
    assert find_readme(["READMEs/x.md"]) is None


# --------------------------------------------------------------------------- OpenAPI

VALID_OPENAPI = """\
openapi: 3.0.3
info:
  title: Orders API
  version: 1.0.0
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: integer}
      responses:
        '200':
          description: the order
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Order'}
    delete:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '204': {description: deleted}
components:
  schemas:
    Order:
      type: object
      properties:
        id: {type: integer}
"""


def test_valid_openapi() -> None:
    spec, problem = parse_openapi("api/openapi.yaml", VALID_OPENAPI)
    assert problem is None
    assert spec is not None
    assert spec.valid
    assert spec.full_validation
    assert (spec.kind, spec.version, spec.title, spec.paths, spec.operations) == (
        "openapi",
        "3.0.3",
        "Orders API",
        1,
        2,
    )
    assert spec.line == 1


def test_invalid_openapi_reports_located_errors() -> None:
    text = """\
openapi: 3.0.3
info:
  title: Orders
paths:
  /orders:
    get:
      responses:
        200:
          content: {}
"""
    spec, _ = parse_openapi("openapi.yaml", text)
    assert spec is not None
    assert not spec.valid
    messages = {(e.json_path, e.line) for e in spec.errors}
    assert ("$.info", 2) in messages
    assert any(e.line == 8 and "responses" in e.json_path for e in spec.errors)
    assert len(spec.errors) <= 5


def test_openapi_dangling_local_ref_is_located() -> None:
    text = VALID_OPENAPI.replace("#/components/schemas/Order'", "#/components/schemas/Nope'")
    spec, _ = parse_openapi("openapi.yaml", text)
    assert spec is not None
    assert not spec.valid
    (error,) = spec.errors
    assert error.message == "$ref target #/components/schemas/Nope does not exist"
    assert error.line == 19


def test_openapi_external_refs_are_never_fetched() -> None:
    text = VALID_OPENAPI.replace(
        "{$ref: '#/components/schemas/Order'}",
        "{$ref: 'https://schemas.example.invalid/order.yaml'}",
    ).replace("description: deleted}", "description: deleted, $ref: './responses.yaml#/Gone'}")
    spec, _ = parse_openapi("openapi.yaml", text)
    assert spec is not None
    assert spec.external_refs == (
        "./responses.yaml#/Gone",
        "https://schemas.example.invalid/order.yaml",
    )
    assert not spec.full_validation
    assert spec.valid
    assert "not followed" in spec.notes[0]


def test_swagger_json_and_version_problems() -> None:
    swagger = json.dumps(
        {
            "swagger": "2.0",
            "info": {"title": "Legacy", "version": "1"},
            "paths": {"/ping": {"get": {"responses": {"200": {"description": "pong"}}}}},
        },
        indent=2,
    )
    spec, _ = parse_openapi("docs/swagger.json", swagger)
    assert spec is not None
    assert (spec.kind, spec.valid, spec.operations) == ("swagger", True, 1)
    numeric, _ = parse_openapi(
        "openapi.yaml", "openapi: 3.0\ninfo: {title: x, version: y}\npaths: {}\n"
    )
    assert numeric is not None
    assert not numeric.valid
    assert "must be a string" in numeric.errors[0].message
    future, _ = parse_openapi("openapi.yaml", "openapi: 9.0.0\ninfo: {title: x, version: y}\n")
    assert future is not None
    assert future.errors[0].message == "unsupported openapi version '9.0.0'"


def test_not_openapi_and_broken_yaml() -> None:
    assert parse_openapi("config.yaml", "server:\n  port: 8080\n") == (None, None)
    spec, problem = parse_openapi("openapi.yaml", "openapi: 3.0.0\ninfo: [unclosed\n")
    assert spec is None
    assert problem is not None
    assert problem.line is not None


def test_asyncapi() -> None:
    text = """\
asyncapi: 2.6.0
info:
  title: Order events
  version: 1.0.0
channels:
  order/created:
    subscribe:
      message: {payload: {type: object}}
  order/cancelled:
    publish:
      message: {payload: {type: object}}
"""
    spec, _ = parse_asyncapi("asyncapi.yaml", text)
    assert spec is not None
    assert spec.valid
    assert (spec.version, spec.channels, spec.operations) == ("2.6.0", 2, 2)
    broken, _ = parse_asyncapi("asyncapi.yaml", "asyncapi: 2.6.0\ninfo: {title: x}\n")
    assert broken is not None
    assert {e.message for e in broken.errors} == {"'version' is required", "'channels' is required"}


def test_proto_services_and_health() -> None:
    text = """\
syntax = "proto3";
package acme.orders.v1;

import "google/protobuf/timestamp.proto";
import "grpc/health/v1/health.proto";
option go_package = "github.com/acme/orders//gen"; // not a comment start inside a string

/* service Commented { rpc Nope(A) returns (B); } */
service OrderService {
  rpc GetOrder(GetOrderRequest) returns (Order);
  // rpc Hidden(A) returns (B);
  rpc ListOrders(ListOrdersRequest) returns (stream Order) {
    option (google.api.http) = { get: "/v1/orders" };
  }
}

service Admin {
  rpc Drain(DrainRequest) returns (DrainResponse);
}
"""
    proto = parse_proto("proto/orders.proto", text)
    assert proto.package == "acme.orders.v1"
    assert [(s.name, s.line, s.rpcs) for s in proto.services] == [
        ("OrderService", 9, 2),
        ("Admin", 17, 1),
    ]
    assert proto.rpcs == 3
    assert proto.health
    assert not parse_proto("a.proto", "syntax = 'proto3';\nmessage A {}\n").health


# --------------------------------------------------------------------------- ADRs


NYGARD_ADR = """\
# 2. Use PostgreSQL for orders

Date: 2024-03-01

## Status

Accepted

## Context

Orders need transactions.

## Decision

We will use PostgreSQL 16.

## Consequences

We run a database.
"""

MADR = """\
---
status: proposed
date: 2024-05-01
---
# Use Kafka for order events

## Context and Problem Statement

How do we publish events?

## Decision Outcome

Chosen option: Kafka.
"""


def test_adr_formats() -> None:
    nygard = parse_adr("docs/adr/0002-use-postgresql.md", NYGARD_ADR)
    assert (nygard.number, nygard.title, nygard.status) == (
        2,
        "Use PostgreSQL for orders",
        "Accepted",
    )
    assert nygard.complete
    assert nygard.has_consequences
    madr = parse_adr("docs/decisions/0007-kafka.md", MADR)
    assert (madr.number, madr.status) == (7, "Proposed")
    assert madr.complete
    assert not madr.has_consequences
    inline = parse_adr("adr/ADR-003-cache.md", "# ADR-003: Cache\n\n* Status: superseded\n")
    assert (inline.number, inline.title, inline.status) == (3, "Cache", "Superseded")
    assert not inline.complete


def test_adr_discovery() -> None:
    files = InMemoryFiles(
        {
            "docs/adr/0001-record-architecture-decisions.md": NYGARD_ADR,
            "docs/adr/0002-use-postgresql.md": NYGARD_ADR,
            "docs/adr/template.md": "# Title\n## Status\n",
            "docs/adr/README.md": "# ADRs\n",
            "architecture/decisions/0001-x.md": MADR,
            "docs/ADR-010-auth.md": NYGARD_ADR,
            "custom/records/0001-a.md": NYGARD_ADR,
            ".adr-dir": "custom/records\n",
            "docs/adr-guide.md": "# how we write ADRs\n",
        }
    )
    adrs = docs_facts(files).adrs
    assert adrs.configured_dir == "custom/records"
    assert sorted(r.path for r in adrs.records) == [
        "architecture/decisions/0001-x.md",
        "custom/records/0001-a.md",
        "docs/ADR-010-auth.md",
        "docs/adr/0001-record-architecture-decisions.md",
        "docs/adr/0002-use-postgresql.md",
    ]
    assert "docs/adr" in adrs.directories


# --------------------------------------------------------------------------- runbooks

RUNBOOK = """\
# Orders runbook

## Alerts

### OrdersHighErrorRate
Check the Grafana dashboard "Orders"; look at the logs of the latest deploy.

## Rollback

helm rollback orders 0 -n shop

## Restart

kubectl -n shop rollout restart deploy/orders

## Escalation

Page the payments on-call if the errors come from the payment provider.
"""


def test_runbook_content_check() -> None:
    runbook = parse_runbook("RUNBOOK.md", RUNBOOK)
    assert runbook.kind == "runbook"
    assert runbook.substantive
    assert {"alerts", "rollback", "restart", "escalation", "monitoring"} <= set(runbook.topics)
    stub = parse_runbook("docs/runbook.md", "# Runbook\n\nTODO\n")
    assert not stub.substantive
    empty = parse_runbook("RUNBOOK.md", "")
    assert empty.words == 0
    assert not empty.substantive


def test_runbook_discovery() -> None:
    files = InMemoryFiles(
        {
            "RUNBOOK.md": RUNBOOK,
            "docs/oncall.md": "# On-call\n\nPager rotation, escalation to the team lead.\n",
            "runbooks/db-failover.md": RUNBOOK,
            "docs/operations/scaling.md": RUNBOOK,
            "ansible/playbooks/site.yml": "- hosts: all\n",
            "ON_CALL.md": RUNBOOK,
            "docs/architecture.md": "# Architecture\n",
        }
    )
    runbooks = {r.path: r.kind for r in docs_facts(files).runbooks}
    assert runbooks == {
        "ON_CALL.md": "oncall",
        "RUNBOOK.md": "runbook",
        "docs/oncall.md": "oncall",
        "docs/operations/scaling.md": "operations",
        "runbooks/db-failover.md": "runbook",
    }


# --------------------------------------------------------------------------- ownership


def test_codeowners_variants() -> None:
    text = """\
# Default owners
*       @acme/orders-team
/docs/  docs@acme.com @writer
/vendor/
*.go    @gopher   # inline comment
/legacy/ not-a-valid-owner
"""
    owners = parse_codeowners(".github/CODEOWNERS", text)
    assert [(r.line, r.pattern, r.owners) for r in owners.rules] == [
        (2, "*", ("@acme/orders-team",)),
        (3, "/docs/", ("docs@acme.com", "@writer")),
        (4, "/vendor/", ()),
        (5, "*.go", ("@gopher",)),
        (6, "/legacy/", ()),
    ]
    assert owners.has_owner
    assert owners.covers_everything
    (problem,) = owners.problems
    assert problem.line == 6
    assert "not-a-valid-owner" in problem.message


def test_codeowners_gitlab_sections_and_empty() -> None:
    gitlab = "[Backend][2] @acme/backend\n*.py\n^[Docs] @docs\n/docs/ @writer\n"
    owners = parse_codeowners("CODEOWNERS", gitlab)
    assert [(r.pattern, r.owners, r.section) for r in owners.rules] == [
        ("*.py", ("@acme/backend",), "Backend"),
        ("/docs/", ("@writer",), "Docs"),
    ]
    empty = parse_codeowners("CODEOWNERS", "# nobody yet\n\n")
    assert not empty.has_owner
    assert empty.rules == ()


def test_owners_files_catalog_and_service_metadata() -> None:
    k8s = parse_owners_file(
        "OWNERS",
        "approvers:\n  - alice\n  - bob\nreviewers: [carol]\n"
        "filters:\n  '.*':\n    approvers: [dave]\n",
    )
    assert (k8s.format, k8s.approvers, k8s.reviewers) == (
        "kubernetes",
        ("alice", "bob", "dave"),
        ("carol",),
    )
    plain = parse_owners_file("OWNERS", "# owners\nalice@acme.com\nset noparent\nbob@acme.com\n")
    assert (plain.format, plain.approvers) == ("plain", ("alice@acme.com", "bob@acme.com"))
    catalog = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: service
  lifecycle: production
  owner: group:default/orders-team
  system: shop
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, owner: orders-team}
"""
    entities, problems = parse_catalog_info("catalog-info.yaml", catalog)
    assert problems == ()
    assert [(e.kind, e.name, e.owner, e.line) for e in entities] == [
        ("Component", "orders", "group:default/orders-team", 1),
        ("API", "orders-api", "orders-team", 11),
    ]
    assert entities[0].lifecycle == "production"
    opslevel = parse_service_metadata(
        "opslevel.yml", "version: 1\nservice:\n  owner: orders-team\n"
    )
    assert opslevel is not None
    assert (opslevel.owner, opslevel.source, opslevel.line) == ("orders-team", "opslevel", 3)
    k8s_service = "apiVersion: v1\nkind: Service\nmetadata: {name: orders}\n"
    assert parse_service_metadata("service.yaml", k8s_service) is None
    cortex = "info:\n  x-cortex-owners:\n    - type: group\n      name: orders-team\n"
    cortex_meta = parse_service_metadata("cortex.yaml", cortex)
    assert cortex_meta is not None
    assert cortex_meta.owner == "orders-team"


def test_ownership_precedence_and_has_owner() -> None:
    files = InMemoryFiles(
        {
            "CODEOWNERS": "* @root-owner\n",
            ".github/CODEOWNERS": "# empty, but GitHub reads this one first\n",
            "MAINTAINERS.md": "- Alice\n",
        }
    )
    ownership = docs_facts(files).ownership
    effective = ownership.effective_codeowners
    assert effective is not None
    assert effective.path == ".github/CODEOWNERS"
    assert not ownership.has_owner
    assert ownership.maintainers_files == ("MAINTAINERS.md",)
    with_catalog = docs_facts(
        InMemoryFiles(
            {
                "catalog-info.yaml": (
                    "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
                    "metadata: {name: x}\nspec: {owner: team-x}\n"
                )
            }
        )
    )
    assert with_catalog.ownership.has_owner


# --------------------------------------------------------------------------- combined


PROTO = 'syntax = "proto3";\nservice S { rpc A(B) returns (C); }\n'
OPENAPI_31 = '{"openapi": "3.1.0", "info": {"title": "B", "version": "1"}}'


def test_docs_facts_combines_and_scopes_to_root() -> None:
    files = InMemoryFiles(
        {
            "README.md": GOOD_README,
            "services/orders/README.md": "# orders\n\nSee [wiki](https://wiki).\n",
            "services/orders/api/openapi.yaml": VALID_OPENAPI,
            "services/orders/proto/orders.proto": PROTO,
            "services/billing/openapi.json": OPENAPI_31,
            "node_modules/pkg/openapi.yaml": VALID_OPENAPI,
            "config/settings.yaml": "debug: true\n",
            "broken/openapi.yaml": "openapi: 3.0.0\npaths: [\n",
        }
    )
    everything = docs_facts(files)
    assert everything.readme is not None
    assert everything.readme.path == "README.md"
    assert sorted(s.path for s in everything.openapi_specs) == [
        "services/billing/openapi.json",
        "services/orders/api/openapi.yaml",
    ]
    assert [p.path for p in everything.problems] == ["broken/openapi.yaml"]
    orders = docs_facts(files, root="services/orders")
    assert orders.readme is not None
    assert orders.readme.links_only
    assert [s.path for s in orders.valid_openapi_specs] == ["services/orders/api/openapi.yaml"]
    assert [p.path for p in orders.proto_files] == ["services/orders/proto/orders.proto"]
    assert pickle.loads(pickle.dumps(orders)) == orders


def test_openapi_validation_never_opens_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scan must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text = """\
openapi: 3.1.0
jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base
info: {title: x, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $schema: https://json-schema.org/draft/2020-12/schema
                properties:
                  b: {$ref: '#/components/schemas/B'}
                  c: {$ref: 'https://schemas.example.invalid/c.json'}
components:
  schemas:
    B: {$id: 'https://schemas.example.invalid/b', type: string}
"""
    spec, _ = parse_openapi("openapi.yaml", text)
    assert spec is not None
    assert spec.valid
    without_external = text.replace(
        "                  c: {$ref: 'https://schemas.example.invalid/c.json'}\n", ""
    ).replace("$id: 'https://schemas.example.invalid/b', ", "")
    full, _ = parse_openapi("openapi.yaml", without_external)
    assert full is not None
    assert full.full_validation
    assert full.valid


def test_openapi_error_paths_use_the_document_keys() -> None:
    text = "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n"
    text += "      responses:\n        200:\n          content: {}\n"
    spec, _ = parse_openapi("openapi.yaml", text)
    assert spec is not None
    (error,) = spec.errors
    assert error.json_path == "$.paths./a.get.responses.200"
    assert error.line == 7


@pytest.mark.parametrize(
    "text",
    ["# x\n\n\tmake run\n", "# x\n\n\t\n\tpytest\n", "x::\n\n\tcode\n", "x::\n\n \t\n"],
)
def test_tab_indented_code_is_parsed_and_never_loops(text: str) -> None:
    """A tab-indented line after a blank once made the README parser loop forever."""
    readme = parse_readme("README.md", text)
    assert readme is not None

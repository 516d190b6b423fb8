"""doc.readme: the service's README (or the root one) must say how to run and test."""

from __future__ import annotations

import pytest

from prodready.scan.checks.docs import (
    judge_adr,
    judge_api_spec,
    judge_ownership,
    judge_readme,
    judge_runbook,
)
from prodready.scan.model import Outcome, Severity
from tests.scan.conftest import folder_facts, run_judge, service_facts

GOOD = "# svc\n\n## Run\n\n```sh\nmake run\n```\n\n## Test\n\n```sh\nmake test\n```\n"


def judge(files: dict[str, str], service: str = ".") -> tuple[Outcome, float | None, str]:
    verdict = judge_readme(folder_facts(files, service))
    return verdict.outcome, verdict.score, verdict.summary


def test_run_and_test_commands_pass() -> None:
    assert judge({"README.md": GOOD})[:2] == (Outcome.PASS, 10.0)


def test_missing_readme_fails() -> None:
    outcome, score, summary = judge({"app.py": "x = 1\n"})
    assert (outcome, score) == (Outcome.FAIL, 0.0)
    assert "no README" in summary


def test_links_only_readme_fails() -> None:
    outcome, score, _ = judge({"README.md": "# x\n\nDocs: [wiki](https://wiki.example.com/x)\n"})
    assert (outcome, score) == (Outcome.FAIL, 1.0)


def test_half_a_readme_is_partial() -> None:
    text = "# svc\n\nThe service that does things, written with care and attention.\n\n"
    text += "## Usage\n\n```sh\ndocker compose up\n```\n"
    outcome, score, summary = judge({"README.md": text})
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert summary == "README does not say how to run the tests"


def test_a_service_uses_its_own_readme_else_the_root_one() -> None:
    files = {
        "README.md": GOOD,
        "services/a/README.md": "# a\n\nSee [the root README](../../README.md).\n",
        "services/b/main.go": "package main\n",
    }
    assert judge(files, "services/a")[0] is Outcome.FAIL
    assert judge(files, "services/b")[0] is Outcome.PASS


def test_tab_indented_readme_lines_are_judged_promptly() -> None:
    """A README with a tab-indented code line once sent the README parser into an
    endless loop, hanging the whole scan. Judged in a thread so a regression
    fails this test instead of hanging the suite."""
    import threading

    outcome: list[Outcome] = []
    text = "# svc\n\n\tmake run\n\n## Test\n\n\tmake test\n"
    worker = threading.Thread(
        target=lambda: outcome.append(judge({"README.md": text})[0]), daemon=True
    )
    worker.start()
    worker.join(timeout=30)
    assert outcome == [Outcome.PASS], "judging a tab-indented README did not finish"


# --------------------------------------------------------------------------- shared inputs


PYPROJECT = '[project]\nname = "orders"\nversion = "1.0"\n'
FASTAPI = 'from fastapi import FastAPI\n\napp = FastAPI(title="orders")\n'
FLASK = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
    '@app.get("/healthz")\ndef health():\n    return "ok"\n\n\n'
    '@app.get("/orders/<int:order_id>")\ndef order(order_id):\n    return {}\n'
)
LIBRARY = {"pyproject.toml": PYPROJECT, "src/orders/__init__.py": "def f():\n    return 1\n"}


# --------------------------------------------------------------------------- doc.api-spec

OPENAPI = (
    "openapi: 3.0.3\ninfo:\n  title: orders\n  version: 1.0.0\npaths:\n"
    "  /orders/{id}:\n    get:\n      parameters:\n"
    "        - {name: id, in: path, required: true, schema: {type: string}}\n"
    "      responses:\n        '200':\n          description: The order\n"
)
BROKEN_OPENAPI = (
    "openapi: 3.0.3\ninfo:\n  title: orders\npaths:\n  /orders:\n    get:\n"
    "      responses:\n        '200': {}\n"
)


def test_a_framework_that_serves_a_spec_passes() -> None:
    verdict = judge_api_spec(
        service_facts({"pyproject.toml": PYPROJECT, "src/orders/main.py": FASTAPI})
    )
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].detail == "fastapi serves its OpenAPI document at /openapi.json"


def test_a_switched_off_spec_is_a_finding() -> None:
    app = (
        "from fastapi import FastAPI\n\napp = FastAPI(openapi_url=None)\n\n\n"
        '@app.get("/v1/x")\ndef x():\n    return 1\n'
    )
    outcome, _, findings = run_judge(
        judge_api_spec, {"pyproject.toml": PYPROJECT, "src/orders/main.py": app}
    )
    assert outcome is Outcome.FAIL
    assert findings[0].startswith(
        "src/orders/main.py:3: fastapi could serve an OpenAPI document but it is switched off"
    )


def test_a_committed_spec_that_validates_passes() -> None:
    files = {"pyproject.toml": PYPROJECT, "src/orders/main.py": FLASK, "api/openapi.yaml": OPENAPI}
    verdict = judge_api_spec(service_facts(files))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "openapi 3.0.3: 1 operations"


def test_an_invalid_spec_fails_with_json_paths_and_lines() -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/orders/main.py": FLASK,
        "openapi.yaml": BROKEN_OPENAPI,
    }
    outcome, score, findings = run_judge(judge_api_spec, files)
    assert (outcome, score) == (Outcome.FAIL, 3.0)
    assert findings[0] == (
        "openapi.yaml:2: openapi document does not validate at $.info: "
        '"version" is a required property'
    )
    assert any(
        f.startswith("openapi.yaml:8: openapi document does not validate at $.paths")
        for f in findings
    )


def test_an_invalid_spec_beside_a_served_one_passes_with_its_findings() -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/orders/main.py": FASTAPI,
        "openapi.yaml": BROKEN_OPENAPI,
    }
    outcome, score, findings = run_judge(judge_api_spec, files)
    assert (outcome, score) == (Outcome.PASS, 7.0)
    assert findings


def test_specs_in_test_fixtures_do_not_count() -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/orders/main.py": FLASK,
        "tests/fixtures/openapi.yaml": OPENAPI,
    }
    outcome, _, findings = run_judge(judge_api_spec, files)
    assert outcome is Outcome.FAIL
    assert findings == [
        "src/orders/main.py:11: the service serves 1 API route(s) (GET /orders/<int:order_id> "
        "with flask) but no machine-readable contract: commit an OpenAPI document or serve one "
        "from the framework"
    ]


GRPC_SERVER = (
    'package main\n\nimport (\n\t"net"\n\n\t"google.golang.org/grpc"\n)\n\n'
    'func main() {\n\tlis, _ := net.Listen("tcp", ":9090")\n\ts := grpc.NewServer()\n'
    "\ts.Serve(lis)\n}\n"
)
GO_MOD = "module example.com/stock\n\ngo 1.22\n\nrequire google.golang.org/grpc v1.67.1\n"


def test_proto_services_describe_a_grpc_api() -> None:
    proto = (
        'syntax = "proto3";\npackage stock.v1;\n\nservice Stock {\n'
        "  rpc Get(GetRequest) returns (Item);\n}\nmessage GetRequest {}\nmessage Item {}\n"
    )
    files = {"go.mod": GO_MOD, "main.go": GRPC_SERVER, "api/stock/v1/stock.proto": proto}
    verdict = judge_api_spec(service_facts(files))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "gRPC services Stock"
    del files["api/stock/v1/stock.proto"]
    outcome, _, findings = run_judge(judge_api_spec, files)
    assert outcome is Outcome.FAIL
    assert "a gRPC server is started but no .proto file describes its services" in findings[0]


def test_a_graphql_schema_describes_a_graphql_api() -> None:
    """saleor commits ``saleor/graphql/schema.graphql``; a file of operations
    only (a client's queries) is not a contract."""
    schema = (
        '"""The store."""\nschema {\n  query: Query\n  mutation: Mutation\n}\n\n'
        "type Query {\n  order(id: ID!): Order\n}\n\ntype Mutation {\n  cancel(id: ID!): Order\n}\n"
    )
    queries = "query GetOrder($id: ID!) {\n  order(id: $id) { id }\n}\n"
    files = {"pyproject.toml": PYPROJECT, "src/orders/main.py": FLASK}
    assert run_judge(judge_api_spec, {**files, "web/queries.graphql": queries})[0] is Outcome.FAIL
    verdict = judge_api_spec(service_facts({**files, "src/orders/schema.graphql": schema}))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "GraphQL schema (Mutation, Query, schema)"
    assert verdict.evidence[0].line == 2


def test_asyncapi_describes_an_event_api() -> None:
    asyncapi = (
        "asyncapi: 2.6.0\ninfo:\n  title: orders events\n  version: 1.0.0\nchannels:\n"
        "  order.placed:\n    subscribe:\n      message:\n        payload: {type: object}\n"
    )
    files = {"pyproject.toml": PYPROJECT, "src/orders/main.py": FLASK, "asyncapi.yaml": asyncapi}
    assert run_judge(judge_api_spec, files)[:2] == (Outcome.PASS, 10.0)


def test_generators_declared_as_dependencies() -> None:
    pom = (
        "<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId>"
        "<artifactId>invoices</artifactId><version>1.0.0</version><dependencies>"
        "<dependency><groupId>org.springdoc</groupId>"
        "<artifactId>springdoc-openapi-starter-webmvc-ui</artifactId><version>2.6.0</version>"
        "</dependency></dependencies></project>\n"
    )
    verdict = judge_api_spec(service_facts({"pom.xml": pom}))
    assert verdict.outcome is Outcome.PASS
    assert "generates and serves an OpenAPI document" in str(verdict.evidence[0].detail)


def test_no_api_is_not_applicable() -> None:
    assert run_judge(judge_api_spec, LIBRARY)[0] is Outcome.NOT_APPLICABLE
    admin_only = (
        'package main\n\nimport "net/http"\n\nfunc main() {\n'
        '\thttp.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})\n'
        '\thttp.Handle("/metrics", nil)\n\thttp.ListenAndServe(":9090", nil)\n}\n'
    )
    files = {"go.mod": "module example.com/mailer\n\ngo 1.22\n", "main.go": admin_only}
    verdict = judge_api_spec(service_facts(files))
    assert verdict.outcome is Outcome.NOT_APPLICABLE
    assert "only operational endpoints" in verdict.summary


def test_a_repository_wide_spec_belongs_to_the_service_it_names() -> None:
    files = {
        "services/orders/pyproject.toml": PYPROJECT,
        "services/orders/src/orders/main.py": FLASK,
        "services/billing/pyproject.toml": '[project]\nname = "billing"\nversion = "1"\n',
        "services/billing/src/billing/main.py": FLASK,
        "docs/api/orders.yaml": OPENAPI,
    }
    assert run_judge(judge_api_spec, files, "services/orders")[0] is Outcome.PASS
    assert run_judge(judge_api_spec, files, "services/billing")[0] is Outcome.FAIL


# --------------------------------------------------------------------------- doc.ownership


def test_codeowners_with_a_valid_rule() -> None:
    files = {"pyproject.toml": PYPROJECT, ".github/CODEOWNERS": "* @acme/orders\n"}
    verdict = judge_ownership(service_facts(files))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 10.0)
    assert verdict.evidence[0].detail == "* @acme/orders"


def test_codeowners_without_a_valid_owner_fails() -> None:
    files = {"pyproject.toml": PYPROJECT, "CODEOWNERS": "* acme-orders-team\n"}
    outcome, _, findings = run_judge(judge_ownership, files)
    assert outcome is Outcome.FAIL
    assert findings[0] == "CODEOWNERS:1: CODEOWNERS: invalid owner 'acme-orders-team' for *"


MONO_OWNERS = (
    "* @acme/platform\n/services/orders/ @acme/orders\n# web has no owner yet\n/services/web/\n"
)
MONO = {
    "services/orders/pyproject.toml": PYPROJECT,
    "services/web/package.json": '{"name": "web"}',
    "services/billing/go.mod": "module example.com/billing\n\ngo 1.22\n",
    ".github/CODEOWNERS": MONO_OWNERS,
}


def test_the_last_matching_codeowners_rule_owns_a_monorepo_service() -> None:
    verdict = judge_ownership(service_facts(MONO, "services/orders"))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "/services/orders/ @acme/orders"
    assert judge_ownership(service_facts(MONO, "services/billing")).evidence[0].detail == (
        "* @acme/platform"
    )
    outcome, _, findings = run_judge(judge_ownership, MONO, "services/web")
    assert outcome is Outcome.FAIL
    assert findings == [
        ".github/CODEOWNERS:4: the last CODEOWNERS rule matching the service "
        "(/services/web/) assigns no valid owner"
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n"
            "spec:\n  type: service\n  owner: group:orders\n  lifecycle: production\n",
        ),
        ("OWNERS", "approvers:\n  - orders-team\nreviewers:\n  - ana\n"),
        ("service.yaml", "name: orders\nowner: orders-team\n"),
        ("prodready.toml", 'owner = "orders-team"\n'),
    ],
)
def test_other_ways_to_declare_an_owner(path: str, text: str) -> None:
    files = {"pyproject.toml": PYPROJECT, path: text}
    verdict = judge_ownership(service_facts(files))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].path == path


def test_the_policy_owner_in_pyproject_and_a_service_policy_file() -> None:
    files = {"pyproject.toml": PYPROJECT + '\n[tool.prodready]\nteam = "orders"\n'}
    assert judge_ownership(service_facts(files)).evidence[0].detail == (
        "[tool.prodready] team = 'orders'"
    )
    mono = dict(MONO)
    del mono[".github/CODEOWNERS"]
    mono["services/billing/prodready.toml"] = 'owner = "billing-team"\n'
    assert run_judge(judge_ownership, mono, "services/billing")[0] is Outcome.PASS
    assert run_judge(judge_ownership, mono, "services/orders")[0] is Outcome.FAIL


def test_a_catalog_entity_without_an_owner_and_maintainers_only() -> None:
    entity = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n"
    outcome, _, findings = run_judge(
        judge_ownership, {"pyproject.toml": PYPROJECT, "catalog-info.yaml": entity}
    )
    assert outcome is Outcome.FAIL
    assert findings == ["catalog-info.yaml:1: catalog entity Component orders has no spec.owner"]
    verdict = judge_ownership(service_facts({"pyproject.toml": PYPROJECT, "MAINTAINERS": "ana\n"}))
    assert verdict.outcome is Outcome.FAIL
    assert verdict.findings[0].severity is Severity.LOW
    assert run_judge(judge_ownership, {"pyproject.toml": PYPROJECT})[:2] == (Outcome.FAIL, 0.0)


# --------------------------------------------------------------------------- doc.runbook

RUNBOOK = (
    "# orders runbook\n\n## Alerts\n\nOrdersHighErrorRate fires when more than 2% of requests "
    "fail for five minutes. Check the orders dashboard in Grafana first, then the payments "
    "dependency.\n\n## Rollback\n\nRoll back with `kubectl argo rollouts undo orders`.\n\n"
    "## Escalation\n\nPage the orders on-call rotation, then the payments team.\n"
)
SERVICE = {"pyproject.toml": PYPROJECT, "src/orders/main.py": FASTAPI}


def test_a_substantive_runbook_passes() -> None:
    verdict = judge_runbook(service_facts(SERVICE | {"docs/runbook.md": RUNBOOK}))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail is not None
    assert "rollback" in verdict.evidence[0].detail


def test_a_stub_runbook_fails() -> None:
    outcome, score, findings = run_judge(
        judge_runbook, SERVICE | {"docs/runbook.md": "# Runbook\n\nTODO\n"}
    )
    assert (outcome, score) == (Outcome.FAIL, 2.0)
    assert findings[0].startswith("docs/runbook.md:1: docs/runbook.md is a stub, not a runbook")


def test_no_runbook_fails_and_a_library_is_not_applicable() -> None:
    assert run_judge(judge_runbook, SERVICE)[:2] == (Outcome.FAIL, 0.0)
    assert run_judge(judge_runbook, LIBRARY)[0] is Outcome.NOT_APPLICABLE
    assert run_judge(judge_runbook, LIBRARY | {"RUNBOOK.md": RUNBOOK})[0] is Outcome.PASS


def test_a_shared_runbook_covers_every_service_of_a_monorepo() -> None:
    files = {
        "services/orders/pyproject.toml": PYPROJECT,
        "services/orders/src/orders/main.py": FASTAPI,
        "services/billing/pyproject.toml": '[project]\nname = "billing"\nversion = "1"\n',
        "services/billing/src/billing/main.py": FASTAPI,
        "docs/operations.md": RUNBOOK,
    }
    assert run_judge(judge_runbook, files, "services/billing")[0] is Outcome.PASS


# --------------------------------------------------------------------------- doc.adr

ADR_TEXT = (
    "# 1. Use PostgreSQL\n\n## Status\n\nAccepted\n\n## Context\n\nOrders need transactions.\n\n"
    "## Decision\n\nWe use PostgreSQL 16.\n\n## Consequences\n\nOne more thing to operate.\n"
)


def test_decision_records_pass() -> None:
    verdict = judge_adr(service_facts(SERVICE | {"docs/adr/0001-use-postgresql.md": ADR_TEXT}))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "ADR 1 Use PostgreSQL (Accepted)"


def test_an_adr_tools_folder_and_its_template() -> None:
    files = SERVICE | {
        "doc/architecture/decisions/0002-queue.md": ADR_TEXT,
        "doc/architecture/decisions/template.md": "# Title\n\n## Context\n\n## Decision\n",
    }
    verdict = judge_adr(service_facts(files))
    assert verdict.summary == "1 decision record(s) in doc/architecture/decisions"
    only_template = SERVICE | {"docs/adr/template.md": "# Title\n\n## Context\n\n## Decision\n"}
    assert run_judge(judge_adr, only_template)[:2] == (Outcome.FAIL, 0.0)


def test_records_that_decide_nothing_score_half() -> None:
    files = SERVICE | {"docs/adr/0001-idea.md": "# 1. An idea\n\nWe could use Kafka.\n"}
    outcome, score, findings = run_judge(judge_adr, files)
    assert (outcome, score) == (Outcome.FAIL, 5.0)
    assert findings == [
        "docs/adr/0001-idea.md:1: docs/adr/0001-idea.md does not say its context and the "
        "decision: add Context and Decision sections"
    ]


def test_a_decision_recorded_in_prose_counts_with_a_note() -> None:
    """saleor's docs/adr: titled records that explain a decision in prose,
    without Context/Decision headings."""
    prose = " ".join(
        ["A gift card is a bearer instrument: whoever holds the code can spend it."] * 12
    )
    files = SERVICE | {
        "docs/adr/0001-gift-cards-are-bearer-instruments.md": f"# Gift cards\n\n{prose}\n"
    }
    verdict = judge_adr(service_facts(files))
    assert (verdict.outcome, verdict.score) == (Outcome.PASS, 8.0)
    assert verdict.summary.startswith("1 free-form decision record(s) in docs/adr")
    assert "a decision in prose" in verdict.findings[0].message


def test_no_records_fail_even_for_a_library() -> None:
    assert run_judge(judge_adr, LIBRARY)[:2] == (Outcome.FAIL, 0.0)


def test_codeowners_that_only_cover_other_files_give_the_code_no_owner() -> None:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/orders/main.py": FASTAPI,
        ".github/CODEOWNERS": "*.md @acme/docs\n",
    }
    outcome, _, findings = run_judge(judge_ownership, files)
    assert outcome is Outcome.FAIL
    assert "no CODEOWNERS rule with a valid owner matches the service's files" in findings[0]
    files[".github/CODEOWNERS"] += "/src/ @acme/orders\n"
    verdict = judge_ownership(service_facts(files))
    assert verdict.outcome is Outcome.PASS
    assert verdict.evidence[0].detail == "/src/ @acme/orders"


LIBRARY_README = (
    "# retrykit\n\nRetries for Python functions, with backoff and jitter.\n\n"
    "## Installation\n\n```sh\npip install retrykit\n```\n\n"
    "## Usage\n\n### A first retry\n\n```python\nfrom retrykit import retry\n\n"
    "@retry(attempts=3)\ndef fetch():\n    ...\n```\n"
)
LIBRARY = {
    "pyproject.toml": '[project]\nname = "retrykit"\nversion = "1.0"\ndependencies = []\n',
    "src/retrykit/__init__.py": "def retry(attempts):\n    return lambda f: f\n",
}


def test_a_library_readme_says_how_to_install_and_use_it() -> None:
    """A library is not run: install + usage is what its README owes."""
    outcome, _score, summary = judge({**LIBRARY, "README.md": LIBRARY_README})
    assert outcome is Outcome.FAIL
    assert summary == "README does not say how to run the tests"
    with_tests = LIBRARY_README + "\n## Tests\n\n```sh\npytest\n```\n"
    assert judge({**LIBRARY, "README.md": with_tests})[:2] == (Outcome.PASS, 10.0)


def test_a_service_still_owes_how_to_run_it() -> None:
    service = {
        "pyproject.toml": '[project]\nname = "orders"\ndependencies = ["fastapi"]\n',
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "README.md": LIBRARY_README + "\n## Tests\n\n```sh\npytest\n```\n",
    }
    outcome, _score, summary = judge(service)
    assert outcome is Outcome.FAIL
    assert summary == "README does not say how to run the service"


def test_how_to_test_may_live_in_the_contributing_guide() -> None:
    guide = "# Contributing\n\n## Running the tests\n\n```sh\nscripts/test\n```\n"
    files = {**LIBRARY, "README.md": LIBRARY_README, ".github/CONTRIBUTING.md": guide}
    outcome, score, summary = judge(files)
    assert (outcome, score) == (Outcome.PASS, 10.0)
    assert "(tests: .github/CONTRIBUTING.md)" in summary
    silent = {**files, ".github/CONTRIBUTING.md": "# Contributing\n\nBe kind.\n"}
    assert judge(silent)[0] is Outcome.FAIL

"""Container facts: Dockerfile parsing, .dockerignore, Jib/ko/buildpacks/bake."""

from __future__ import annotations

import pickle

import pytest

from prodready.scan.facts.containers import (
    container_facts,
    is_dockerfile_path,
    parse_bake_file,
    parse_dockerfile,
    parse_image_builder,
    split_image_reference,
)
from prodready.scan.facts.source import InMemoryFiles

MULTI_STAGE = """\
# syntax=docker/dockerfile:1.7
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY pyproject.toml .
RUN pip install --no-cache-dir \\
    # comments inside a continuation are dropped
    build \\
 && python -m build --wheel
RUN <<EOF
FROM evil:latest
USER root
EOF

FROM build AS test
RUN pytest -q

FROM python:3.12-slim@sha256:2be8daddbb82756f7d1f2c7ece706aadcb284bf6ab6d769ea695cc3ed6016743
RUN useradd --uid 10001 app
COPY --from=build /src/dist /wheels
ENV APP_ENV=production API_TOKEN=s3cr3tvalue DB_PASSWORD_FILE=/run/secrets/db
EXPOSE 8080/tcp
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-f", "http://localhost:8080/healthz"]
ENTRYPOINT ["python", "-m", "app"]
"""


def test_multi_stage_non_root_final_stage() -> None:
    df = parse_dockerfile("svc/Dockerfile", MULTI_STAGE)
    assert df.problems == ()
    assert df.syntax == "docker/dockerfile:1.7"
    assert [s.name for s in df.stages] == ["build", "test", None]
    build, test, final = df.stages
    # The heredoc body is not parsed as instructions.
    assert [i.keyword for i in build.instructions] == ["FROM", "WORKDIR", "COPY", "RUN", "RUN"]
    assert build.instructions[3].line == 6
    assert build.instructions[3].end_line == 9
    assert "# comments" not in build.instructions[3].args
    # ARG default substituted into the tag, noted as such.
    assert build.from_.raw == "python:${PYTHON_VERSION}-slim"
    assert build.from_.tag == "3.12-slim"
    assert build.from_.uses_args
    assert build.from_.pinned
    # FROM an earlier stage is a reference, not a base image.
    assert test.from_.stage_ref == 0
    assert not test.from_.is_base_image
    assert final.from_.digest is not None
    assert final.from_.tag == "3.12-slim"
    assert [f.line for f in df.base_images] == [3, 18]
    assert df.unpinned_base_images == ()
    assert df.final_user is not None
    assert df.final_user.line == 23
    assert df.final_user.is_root is False
    assert df.runs_as_non_root is True
    assert df.final_healthcheck is not None
    assert not df.final_healthcheck.disabled
    assert "healthz" in (df.final_healthcheck.command or "")
    assert final.exposed_ports == ("8080/tcp",)
    assert final.entrypoint is not None
    assert final.entrypoint.exec_form
    assert final.entrypoint.argv == ("python", "-m", "app")
    assert final.copies_from == ("build",)


def test_secret_env_values_are_masked_and_file_pointers_are_not_secrets() -> None:
    final = parse_dockerfile("Dockerfile", MULTI_STAGE).stages[-1]
    by_name = {e.name: e for e in final.env}
    token = by_name["API_TOKEN"]
    assert token.secret_like
    assert token.literal_secret
    assert token.value == "s3***"
    assert "s3cr3tvalue" not in repr(final)
    assert not by_name["DB_PASSWORD_FILE"].secret_like
    assert by_name["APP_ENV"].value == "production"


def test_env_reference_is_not_a_literal_secret() -> None:
    df = parse_dockerfile(
        "Dockerfile", "FROM alpine:3.20\nARG NPM_TOKEN\nENV NPM_TOKEN ${NPM_TOKEN}\n"
    )
    env = df.stages[0].env
    assert [e.instruction for e in env] == ["ARG", "ENV"]
    assert all(e.secret_like and not e.literal_secret for e in env)


@pytest.mark.parametrize(
    ("text", "pinned", "latest"),
    [
        ("FROM python:latest\n", False, True),
        ("FROM python\n", False, True),
        ("FROM node:lts\n", False, False),
        ("FROM python:3.12.4-slim-bookworm\n", True, False),
        ("FROM registry.example.com:5000/team/api:1.4.2\n", True, False),
        ("FROM localhost:5000/api\n", False, True),
        ("FROM alpine@sha256:" + "ab" * 32 + "\n", True, False),
        ("ARG TAG\nFROM golang:${TAG}\n", False, False),
        ("FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\n", True, False),
    ],
)
def test_base_image_pinning(text: str, pinned: bool, latest: bool) -> None:
    base = parse_dockerfile("Dockerfile", text).stages[-1].from_
    assert base.pinned is pinned
    assert base.uses_latest is latest


def test_unresolved_arg_is_reported_and_platform_kept() -> None:
    df = parse_dockerfile("Dockerfile", "ARG TAG\nFROM --platform=linux/amd64 golang:${TAG}\n")
    base = df.stages[0].from_
    assert base.unresolved_args == ("TAG",)
    assert base.platform == "linux/amd64"


def test_scratch_and_stage_reference_case_insensitive() -> None:
    df = parse_dockerfile(
        "Dockerfile",
        "FROM golang:1.22 AS Builder\nRUN go build -o /app\nFROM builder\nFROM scratch\n"
        "COPY --from=Builder /app /app\nUSER 65532\n",
    )
    assert df.stages[1].from_.stage_ref == 0
    assert df.stages[2].from_.is_scratch
    assert not df.stages[2].from_.is_base_image
    assert len(df.base_images) == 1
    assert df.runs_as_non_root is True


@pytest.mark.parametrize(
    ("user_line", "expected"),
    [
        ("USER root", False),
        ("USER 0", False),
        ("USER 0:0", False),
        ("USER root:root", False),
        ("USER appuser", True),
        ("USER 1000", True),
        ("USER nobody:nogroup", True),
        ("USER $APP_UID", None),
    ],
)
def test_user_root_detection(user_line: str, expected: bool | None) -> None:
    df = parse_dockerfile("Dockerfile", f'FROM debian:12\n{user_line}\nCMD ["app"]\n')
    assert df.runs_as_non_root is expected


def test_user_from_arg_default_resolves() -> None:
    df = parse_dockerfile("Dockerfile", "FROM debian:12\nARG UID=10001\nUSER ${UID}\n")
    assert df.final_user is not None
    assert df.final_user.user == "10001"
    assert df.runs_as_non_root is True


def test_no_user_means_root_unless_base_defaults_to_non_root() -> None:
    assert parse_dockerfile("Dockerfile", "FROM python:3.12\n").runs_as_non_root is False
    distroless = parse_dockerfile("Dockerfile", "FROM gcr.io/distroless/static:nonroot\n")
    assert distroless.runs_as_non_root is True
    chainguard = parse_dockerfile("Dockerfile", "FROM cgr.dev/chainguard/python:latest\n")
    assert chainguard.runs_as_non_root is True


def test_user_inherited_from_earlier_stage_and_root_in_final_stage_wins() -> None:
    inherited = parse_dockerfile("Dockerfile", "FROM python:3.12 AS base\nUSER app\nFROM base\n")
    assert inherited.final_user is not None
    assert inherited.final_user.user == "app"
    # USER in a build stage does not make the final image non-root.
    builder_only = parse_dockerfile(
        "Dockerfile",
        "FROM golang:1.22 AS build\nUSER 1000\nFROM alpine:3.20\nCOPY --from=build / /\n",
    )
    assert builder_only.final_user is None
    assert builder_only.runs_as_non_root is False
    back_to_root = parse_dockerfile("Dockerfile", "FROM python:3.12\nUSER app\nRUN x\nUSER root\n")
    assert back_to_root.runs_as_non_root is False


def test_healthcheck_none() -> None:
    df = parse_dockerfile("Dockerfile", "FROM nginx:1.27\nHEALTHCHECK NONE\n")
    assert df.final_healthcheck is not None
    assert df.final_healthcheck.disabled


def test_remote_add_and_checksum() -> None:
    df = parse_dockerfile(
        "Dockerfile",
        "FROM alpine:3.20\nADD https://example.com/a.tgz /opt/\n"
        "ADD --checksum=sha256:abc https://example.com/b.tgz /opt/\nADD local.tgz /opt/\n",
    )
    adds = df.stages[0].remote_adds
    assert [(a.url, a.checksum) for a in adds] == [
        ("https://example.com/a.tgz", False),
        ("https://example.com/b.tgz", True),
    ]


def test_escape_directive_and_lowercase_instructions() -> None:
    text = (
        "# escape=`\nfrom mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "run echo a `\n  b\nuser ContainerUser\n"
    )
    df = parse_dockerfile("Dockerfile", text)
    assert df.escape == "`"
    assert [i.keyword for i in df.stages[0].instructions] == ["FROM", "RUN", "USER"]
    assert df.stages[0].instructions[1].args == "echo a b"
    assert df.runs_as_non_root is True


def test_problems_are_values_not_exceptions() -> None:
    df = parse_dockerfile("Dockerfile", "RUN echo before\nFROM\nFROM alpine:3\nFROBNICATE x\n")
    messages = [(p.line, p.message) for p in df.problems]
    assert (1, "RUN before the first FROM") in messages
    assert (2, "FROM without an image") in messages
    assert (4, "unknown instruction 'FROBNICATE'") in messages
    empty = parse_dockerfile("Dockerfile", "just some text\n")
    assert any("no FROM" in p.message for p in empty.problems)


def test_cmd_shell_form() -> None:
    df = parse_dockerfile("Dockerfile", "FROM node:20\nCMD npm start\n")
    cmd = df.stages[0].cmd
    assert cmd is not None
    assert not cmd.exec_form
    assert cmd.argv == ("npm", "start")


def test_split_image_reference() -> None:
    assert split_image_reference("ghcr.io/org/app:1.2@sha256:ff") == (
        "ghcr.io",
        "org/app",
        "1.2",
        "sha256:ff",
    )
    assert split_image_reference("library/python") == (None, "library/python", None, None)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", True),
        ("docker/Dockerfile.prod", True),
        ("api.Dockerfile", True),
        ("Containerfile", True),
        ("dockerfile", True),
        ("Dockerfile.dockerignore", False),
        ("Dockerfile.md", False),
        ("docs/dockerfiles.md", False),
        ("README", False),
    ],
)
def test_is_dockerfile_path(path: str, expected: bool) -> None:
    assert is_dockerfile_path(path) is expected


def test_image_builders() -> None:
    pom = """<project><build><plugins><plugin>
      <groupId>com.google.cloud.tools</groupId>
      <artifactId>jib-maven-plugin</artifactId>
      <configuration>
        <from><image>eclipse-temurin:21-jre</image></from>
        <container><user>1000</user></container>
      </configuration>
    </plugin></plugins></build></project>"""
    jib = parse_image_builder("pom.xml", pom)
    assert jib is not None
    assert jib.tool == "jib"
    assert jib.line == 3
    assert jib.base_image == "eclipse-temurin:21-jre"
    assert jib.user == "1000"
    gradle = 'plugins {\n  id("com.google.cloud.tools.jib") version "3.4.3"\n}\n'
    gradle += 'jib {\n  from { image = "eclipse-temurin:21" }\n}\n'
    jib_gradle = parse_image_builder("build.gradle.kts", gradle)
    assert jib_gradle is not None
    assert jib_gradle.base_image == "eclipse-temurin:21"
    assert parse_image_builder("pom.xml", "<project/>") is None
    ko = parse_image_builder(".ko.yaml", "defaultBaseImage: cgr.dev/chainguard/static\n")
    assert ko is not None
    assert ko.tool == "ko"
    assert ko.non_root_by_default
    ko_root = parse_image_builder(".ko.yaml", "defaultBaseImage: alpine:3.20\n")
    assert ko_root is not None
    assert not ko_root.non_root_by_default
    packs = parse_image_builder(
        "project.toml", '[_]\nschema-version = "0.2"\n[[io.buildpacks.build.env]]\nname="X"\n'
    )
    assert packs is not None
    assert packs.tool == "buildpacks"
    assert parse_image_builder("project.toml", "[tool.other]\nx = 1\n") is None
    assert parse_image_builder("project.toml", "not = [toml") is None


def test_bake_file() -> None:
    hcl = (
        'group "default" {\n  targets = ["api"]\n}\n'
        'target "api" {\n  dockerfile = "api/Dockerfile"\n}\n'
    )
    bake = parse_bake_file("docker-bake.hcl", hcl)
    assert bake.targets == ("api",)
    assert bake.dockerfiles == ("api/Dockerfile",)
    as_json = parse_bake_file(
        "docker-bake.json", '{"target": {"web": {"dockerfile": "Dockerfile"}}}'
    )
    assert as_json.targets == ("web",)


def test_container_facts_collects_and_finds_dockerignore() -> None:
    files = InMemoryFiles(
        {
            "Dockerfile": "FROM python:3.12\n",
            "services/api/Dockerfile": "FROM python:3.12\n",
            "services/api/Dockerfile.dockerignore": "*\n!src\n",
            "services/worker/worker.Dockerfile": "FROM golang:1.22\n",
            ".dockerignore": "# comment\n.git\n**/.env\nnode_modules/\n",
            ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/devcontainers/python:3\n",
            "tests/e2e/Dockerfile": "FROM alpine\n",
            "vendor/github.com/x/y/Dockerfile": "FROM alpine\n",
            "docker-bake.hcl": 'target "x" {\n}\n',
            "pom.xml": "<project/>",
            "broken/Dockerfile": "not a dockerfile\n",
        }
    )
    facts = container_facts(files)
    roles = {d.path: d.role for d in facts.dockerfiles}
    assert roles == {
        ".devcontainer/Dockerfile": "devcontainer",
        "Dockerfile": "service",
        "broken/Dockerfile": "service",
        "services/api/Dockerfile": "service",
        "services/worker/worker.Dockerfile": "service",
        "tests/e2e/Dockerfile": "test",
        "vendor/github.com/x/y/Dockerfile": "vendored",
    }
    assert facts.builds_image
    assert [p.path for p in facts.problems] == ["broken/Dockerfile"]
    root_ignore = facts.dockerignore_for("Dockerfile")
    assert root_ignore is not None
    assert root_ignore.path == ".dockerignore"
    assert root_ignore.mentions(".git")
    assert root_ignore.mentions(".env")
    assert root_ignore.mentions("node_modules")
    assert not root_ignore.mentions("dist")
    own = facts.dockerignore_for("services/api/Dockerfile")
    assert own is not None
    assert own.path == "services/api/Dockerfile.dockerignore"
    nearest = facts.dockerignore_for("services/worker/worker.Dockerfile")
    assert nearest is not None
    assert nearest.path == ".dockerignore"
    assert [b.path for b in facts.bake_files] == ["docker-bake.hcl"]
    assert facts.image_builders == ()
    pickle.loads(pickle.dumps(facts))


def test_no_dockerignore_and_no_image() -> None:
    facts = container_facts(InMemoryFiles({"app.py": "print()\n"}))
    assert not facts.builds_image
    assert facts.dockerignore_for("Dockerfile") is None
    only_devcontainer = container_facts(
        InMemoryFiles({".devcontainer/Dockerfile": "FROM python:3\n"})
    )
    assert not only_devcontainer.builds_image


def test_huge_and_binaryish_input_does_not_raise() -> None:
    text = "FROM alpine:3\n" + "RUN echo \\\n" * 20_000 + "  done\n"
    df = parse_dockerfile("Dockerfile", text)
    assert len(df.stages[0].instructions) == 2
    unterminated = parse_dockerfile("Dockerfile", "FROM alpine:3\nRUN <<EOF\necho never ends\n")
    assert len(unterminated.stages[0].instructions) == 2

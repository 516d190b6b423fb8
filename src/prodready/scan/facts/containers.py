"""Container image facts: Dockerfiles/Containerfiles, ``.dockerignore`` and the
other ways a repository builds an image (Jib, ko, buildpacks, bake files).

Feeds ``ops.container`` (does the service build an image at all) and
``ops.container-hardening`` (non-root user, pinned base image, a
``.dockerignore``). The Dockerfile parser follows the Docker reference rather
than grepping: parser directives (``# escape=``), continuation lines,
comments inside continuations, BuildKit heredocs (whose bodies are not
instructions), stages and ``FROM <earlier stage>`` references (which are not
base images), global ``ARG`` defaults substituted into ``FROM`` and the user of
the *final* stage, inherited through stage references.

Everything here is pure: per-file functions take ``(path, text)`` and return
frozen, picklable dataclasses the engine may cache by content hash; problems
are ``ParseProblem`` values, never exceptions.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prodready.scan.facts._yamltree import load_yaml_documents
from prodready.scan.facts.source import ParseProblem, RepoFiles

__all__ = [
    "BakeFile",
    "Command",
    "ContainerFacts",
    "DockerIgnore",
    "Dockerfile",
    "EnvVar",
    "FromInstruction",
    "Healthcheck",
    "ImageBuilder",
    "Instruction",
    "RemoteAdd",
    "Stage",
    "UserInstruction",
    "container_facts",
    "is_dockerfile_path",
    "parse_bake_file",
    "parse_dockerfile",
    "parse_dockerignore",
    "parse_image_builder",
    "split_image_reference",
]

FLOATING_TAGS = frozenset(
    {
        "latest",
        "stable",
        "edge",
        "nightly",
        "main",
        "master",
        "develop",
        "dev",
        "current",
        "lts",
        "rolling",
        "mainline",
    }
)
"""Tags that move: an image ``FROM x:<one of these>`` is not pinned."""

_KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$")
_VARIABLE = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)
_SECRET_NAME = re.compile(
    r"(?i)(?:^|_)(?:password|passwd|pwd|pass|secret|token|api_?key|apikey|access_?key|"
    r"secret_?key|private_?key|client_?secret|credentials?|auth_?token)(?:$|_)"
)
_NOT_SECRET_SUFFIX = re.compile(r"(?i)_(?:file|path|dir|location|name|url_env|env)$")
_REMOTE = re.compile(r"^(?:https?://|git@|git://|ssh://)", re.IGNORECASE)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class Instruction:
    """One logical instruction (continuations joined), 1-based lines."""

    keyword: str
    args: str
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class FromInstruction:
    """A ``FROM``: which image (after ARG substitution) or which earlier stage."""

    line: int
    raw: str
    image: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None
    platform: str | None
    alias: str | None
    stage_ref: int | None
    """Index of the earlier stage this FROM builds on; None for a real image."""
    uses_args: bool
    unresolved_args: tuple[str, ...]

    @property
    def is_scratch(self) -> bool:
        return self.stage_ref is None and self.image.lower() == "scratch"

    @property
    def is_base_image(self) -> bool:
        """A real image pulled from a registry (not a stage, not ``scratch``)."""
        return self.stage_ref is None and not self.is_scratch

    @property
    def pinned(self) -> bool:
        """Digest-pinned, or tagged with a version (not ``latest``/a moving tag).
        An unresolved ``ARG`` in the tag counts as not pinned: we cannot tell."""
        if not self.is_base_image:
            return True
        if self.digest:
            return True
        if self.unresolved_args or self.tag is None:
            return False
        return self.tag.lower() not in FLOATING_TAGS

    @property
    def uses_latest(self) -> bool:
        """Untagged (implicitly ``latest``) or explicitly ``:latest``, no digest."""
        return (
            self.is_base_image
            and self.digest is None
            and not self.unresolved_args
            and (self.tag is None or self.tag.lower() == "latest")
        )


@dataclass(frozen=True, slots=True)
class UserInstruction:
    """A ``USER``; ``is_root`` is None when it names an unresolved variable."""

    line: int
    raw: str
    user: str
    group: str | None
    is_root: bool | None


@dataclass(frozen=True, slots=True)
class Healthcheck:
    line: int
    disabled: bool
    """``HEALTHCHECK NONE``: explicitly switched off (also disables an inherited one)."""
    command: str | None
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Command:
    """``CMD``/``ENTRYPOINT``: exec form (JSON array) or shell form."""

    line: int
    exec_form: bool
    argv: tuple[str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class EnvVar:
    """An ``ENV`` or ``ARG`` entry. Secret-looking values are kept masked only."""

    line: int
    instruction: str
    name: str
    has_value: bool
    value: str | None
    """The value for ordinary variables; masked (``ab***``) for secret-like ones."""
    value_is_reference: bool
    """The value only refers to other variables (``$TOKEN``, ``${X:-}``)."""
    secret_like: bool

    @property
    def literal_secret(self) -> bool:
        """A secret-looking name given a literal value baked into the image."""
        return self.secret_like and self.has_value and not self.value_is_reference


@dataclass(frozen=True, slots=True)
class RemoteAdd:
    """``ADD <url>``: fetched at build time; ``checksum`` when ``--checksum`` pins it."""

    line: int
    url: str
    checksum: bool


@dataclass(frozen=True, slots=True)
class Stage:
    index: int
    name: str | None
    from_: FromInstruction
    instructions: tuple[Instruction, ...]
    users: tuple[UserInstruction, ...]
    healthcheck: Healthcheck | None
    """The last HEALTHCHECK of this stage (None when the stage has none)."""
    exposed_ports: tuple[str, ...]
    cmd: Command | None
    entrypoint: Command | None
    env: tuple[EnvVar, ...]
    remote_adds: tuple[RemoteAdd, ...]
    copies_from: tuple[str, ...]

    @property
    def line(self) -> int:
        return self.from_.line

    @property
    def user(self) -> UserInstruction | None:
        """The last USER of this stage."""
        return self.users[-1] if self.users else None


@dataclass(frozen=True, slots=True)
class Dockerfile:
    path: str
    role: str
    """"service", or "devcontainer"/"vendored"/"test"/"example" by location:
    checks about the shipped image may skip the others."""
    syntax: str | None
    escape: str
    global_args: tuple[EnvVar, ...]
    stages: tuple[Stage, ...]
    problems: tuple[ParseProblem, ...] = ()

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    @property
    def base_images(self) -> tuple[FromInstruction, ...]:
        """Every FROM that pulls a real image (stage references excluded)."""
        return tuple(s.from_ for s in self.stages if s.from_.is_base_image)

    @property
    def unpinned_base_images(self) -> tuple[FromInstruction, ...]:
        return tuple(f for f in self.base_images if not f.pinned)

    def _final_chain(self) -> list[Stage]:
        """The final stage, then the stages it is built FROM, nearest first."""
        chain: list[Stage] = []
        stage = self.final_stage
        seen: set[int] = set()
        while stage is not None and stage.index not in seen:
            chain.append(stage)
            seen.add(stage.index)
            ref = stage.from_.stage_ref
            stage = self.stages[ref] if ref is not None and ref < len(self.stages) else None
        return chain

    @property
    def final_user(self) -> UserInstruction | None:
        """The USER in effect in the final image (inherited from the stages it
        is built FROM), or None when no stage in that chain sets one."""
        for stage in self._final_chain():
            if stage.user is not None:
                return stage.user
        return None

    @property
    def final_base(self) -> FromInstruction | None:
        """The real image at the root of the final stage's chain (None: scratch)."""
        chain = self._final_chain()
        return chain[-1].from_ if chain else None

    @property
    def final_healthcheck(self) -> Healthcheck | None:
        for stage in self._final_chain():
            if stage.healthcheck is not None:
                return stage.healthcheck
        return None

    @property
    def runs_as_non_root(self) -> bool | None:
        """True: the final image runs as a non-root user (its USER, or a base
        image known to default to non-root, or ``scratch`` with a USER).
        False: USER root, or no USER on a base image that defaults to root.
        None: the USER is an unresolved variable."""
        user = self.final_user
        if user is not None:
            return None if user.is_root is None else not user.is_root
        base = self.final_base
        return base is not None and base.is_base_image and image_defaults_to_non_root(base.image)


@dataclass(frozen=True, slots=True)
class DockerIgnore:
    path: str
    patterns: tuple[str, ...]

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def empty(self) -> bool:
        return not self.patterns

    def mentions(self, name: str) -> bool:
        """A pattern names ``name`` (``.git``, ``.env``...), ignoring ``**/``, ``/``."""
        wanted = name.strip("/")
        for pattern in self.patterns:
            if pattern.startswith("!"):
                continue
            bare = pattern.removeprefix("**/").strip("/")
            if bare == wanted or bare.rstrip("*") == wanted or bare == f"{wanted}/**":
                return True
        return False


@dataclass(frozen=True, slots=True)
class ImageBuilder:
    """An image built without a Dockerfile: Jib, ko, Cloud Native Buildpacks."""

    tool: str
    """"jib", "ko" or "buildpacks"."""
    path: str
    line: int
    base_image: str | None = None
    user: str | None = None
    """The configured runtime user (Jib ``container.user``), when set."""
    non_root_by_default: bool = False
    """ko (distroless ``static:nonroot``) and buildpacks (the ``cnb`` user)
    produce non-root images unless told otherwise."""


@dataclass(frozen=True, slots=True)
class BakeFile:
    """``docker-bake.hcl``/``.json``: build targets and the Dockerfiles they use."""

    path: str
    targets: tuple[str, ...]
    dockerfiles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContainerFacts:
    dockerfiles: tuple[Dockerfile, ...] = ()
    dockerignores: tuple[DockerIgnore, ...] = ()
    image_builders: tuple[ImageBuilder, ...] = ()
    bake_files: tuple[BakeFile, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    @property
    def builds_image(self) -> bool:
        """Any way of building an image was found (``ops.container``)."""
        return bool(self.service_dockerfiles or self.image_builders)

    @property
    def service_dockerfiles(self) -> tuple[Dockerfile, ...]:
        """Dockerfiles of the shipped service (not devcontainers, tests, examples)."""
        return tuple(d for d in self.dockerfiles if d.role == "service")

    def dockerignore_for(self, dockerfile_path: str) -> DockerIgnore | None:
        """The ignore file that applies to a Dockerfile, best effort: its own
        ``<Dockerfile>.dockerignore`` (BuildKit), else the nearest
        ``.dockerignore`` in its directory or an ancestor (the build context
        is usually one of those)."""
        index = {i.path: i for i in self.dockerignores}
        own = index.get(f"{dockerfile_path}.dockerignore")
        if own is not None:
            return own
        directory = posixpath.dirname(dockerfile_path)
        while True:
            candidate = posixpath.join(directory, ".dockerignore") if directory else ".dockerignore"
            found = index.get(candidate)
            if found is not None:
                return found
            if not directory:
                return None
            directory = posixpath.dirname(directory)


# --------------------------------------------------------------------------- paths


def is_dockerfile_path(path: str) -> bool:
    """``Dockerfile``, ``Dockerfile.prod``, ``prod.Dockerfile``, ``Containerfile``..."""
    name = posixpath.basename(path)
    lower = name.lower()
    if lower.endswith(".dockerignore"):
        return False
    for stem in ("dockerfile", "containerfile"):
        if lower == stem or lower.startswith(f"{stem}.") or lower.startswith(f"{stem}-"):
            return not lower.endswith((".md", ".txt", ".rst", ".j2", ".tpl", ".tmpl"))
        if lower.endswith(f".{stem}"):
            return True
    return False


_TEST_PARTS = frozenset({"test", "tests", "testing", "e2e", "integration-tests", "testdata"})
_EXAMPLE_PARTS = frozenset({"example", "examples", "sample", "samples", "demo", "docs", "doc"})


_VENDOR_PARTS = frozenset({"vendor", "third_party", "third-party", "node_modules", "external"})


def _role(path: str) -> str:
    parts = [p.lower() for p in path.split("/")[:-1]]
    if ".devcontainer" in parts:
        return "devcontainer"
    if any(p in _VENDOR_PARTS for p in parts):
        return "vendored"
    if any(p in _TEST_PARTS for p in parts):
        return "test"
    if any(p in _EXAMPLE_PARTS for p in parts):
        return "example"
    return "service"


# --------------------------------------------------------------------------- Dockerfile


def _directives(lines: list[str]) -> tuple[dict[str, str], int]:
    """Parser directives at the top: ``# syntax=...``, ``# escape=...``."""
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() in found:
            return found, index
        found[match.group(1).lower()] = match.group(2)
    return found, len(lines)


def _logical_lines(lines: list[str], start: int, escape: str) -> list[Instruction]:
    """Join continuations, drop comments, swallow heredoc bodies."""
    out: list[Instruction] = []
    index = start
    total = len(lines)
    while index < total:
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        first = index
        parts: list[str] = []
        current = line.rstrip()
        while True:
            if current.endswith(escape) and not current.endswith(escape * 2):
                parts.append(current[: -len(escape)])
                index += 1
                # Comments and blank lines inside a continuation are dropped.
                while index < total and (
                    not lines[index].strip() or lines[index].lstrip().startswith("#")
                ):
                    index += 1
                if index >= total:
                    break
                current = lines[index].rstrip()
                continue
            parts.append(current)
            break
        text = " ".join(p.strip() for p in parts).strip()
        keyword, _, args = text.partition(" ")
        if not args and "\t" in keyword:
            keyword, _, args = keyword.partition("\t")
        keyword = keyword.upper()
        end = index
        index += 1
        if keyword in _HEREDOC_INSTRUCTIONS or (
            keyword == "ONBUILD" and args.split(" ", 1)[0].upper() in _HEREDOC_INSTRUCTIONS
        ):
            for match in _HEREDOC.finditer(args):
                strip_tabs, terminator = match.group(1) == "-", match.group(3)
                while index < total:
                    body = lines[index]
                    index += 1
                    candidate = body.lstrip("\t") if strip_tabs else body
                    if candidate.rstrip("\r\n") == terminator or candidate.strip() == terminator:
                        break
                end = index - 1
        out.append(Instruction(keyword, args.strip(), first + 1, end + 1))
    return out


def _substitute(text: str, variables: Mapping[str, str | None]) -> tuple[str, bool, list[str]]:
    """Expand ``$X``, ``${X}``, ``${X:-d}``, ``${X:+a}``. Returns (text, used
    any variable, names that had no value)."""
    missing: list[str] = []
    used = False

    def repl(match: re.Match[str]) -> str:
        nonlocal used
        used = True
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return word
            return value
        if op in (":+", "+"):
            return word if value else ""
        if value is None:
            missing.append(name)
            return ""
        return value

    return _VARIABLE.sub(repl, text), used, missing


def split_image_reference(reference: str) -> tuple[str | None, str, str | None, str | None]:
    """``registry:5000/ns/name:tag@sha256:...`` -> (registry, repository, tag, digest)."""
    ref = reference.strip()
    digest: str | None = None
    if "@" in ref:
        ref, _, digest = ref.partition("@")
        digest = digest or None
    registry: str | None = None
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry = parts[0]
        parts = parts[1:]
    last = parts[-1] if parts else ""
    tag: str | None = None
    if ":" in last:
        last, _, tag = last.partition(":")
        tag = tag or None
    repository = "/".join([*parts[:-1], last])
    return registry, repository, tag, digest


def image_defaults_to_non_root(image: str) -> bool:
    """Images documented to run as a non-root user by default (heuristic)."""
    lower = image.lower()
    _, repository, tag, _ = split_image_reference(lower)
    if tag and "nonroot" in tag:
        return True
    if repository.startswith("bitnami/") or repository.endswith("-unprivileged"):
        return True  # Bitnami images run as uid 1001; nginxinc/nginx-unprivileged as 101
    return lower.startswith("cgr.dev/chainguard/") or repository.endswith("-nonroot")


def _parse_from(
    instruction: Instruction,
    global_args: Mapping[str, str | None],
    stage_names: Mapping[str, int],
) -> FromInstruction:
    tokens = instruction.args.split()
    platform: str | None = None
    positional: list[str] = []
    for token in tokens:
        if token.startswith("--platform="):
            platform = token.split("=", 1)[1]
        elif token.startswith("--"):
            continue
        else:
            positional.append(token)
    raw = positional[0] if positional else ""
    alias = None
    if len(positional) >= 3 and positional[1].lower() == "as":
        alias = positional[2]
    image, uses_args, missing = _substitute(raw, global_args)
    stage_ref = stage_names.get(image.lower())
    registry, repository, tag, digest = split_image_reference(image)
    return FromInstruction(
        line=instruction.line,
        raw=raw,
        image=image,
        registry=registry if stage_ref is None else None,
        repository=repository if stage_ref is None else image,
        tag=tag if stage_ref is None else None,
        digest=digest if stage_ref is None else None,
        platform=platform,
        alias=alias,
        stage_ref=stage_ref,
        uses_args=uses_args,
        unresolved_args=tuple(missing),
    )


def _parse_user(instruction: Instruction, variables: Mapping[str, str | None]) -> UserInstruction:
    raw = instruction.args.strip()
    value, _, missing = _substitute(raw, variables)
    user, _, group = value.partition(":")
    user = user.strip()
    is_root: bool | None
    if missing or not user:
        is_root = None
    else:
        is_root = user.lower() == "root" or (user.isdigit() and int(user) == 0)
    return UserInstruction(instruction.line, raw, user, group or None, is_root)


def _parse_healthcheck(instruction: Instruction) -> Healthcheck:
    tokens = instruction.args.split()
    options = tuple(t for t in tokens if t.startswith("--"))
    rest = [t for t in tokens if not t.startswith("--")]
    if rest and rest[0].upper() == "NONE":
        return Healthcheck(instruction.line, True, None, options)
    command = instruction.args
    upper = command.upper()
    position = upper.find("CMD")
    command = command[position + 3 :].strip() if position >= 0 else " ".join(rest)
    return Healthcheck(instruction.line, False, command or None, options)


def _parse_command(instruction: Instruction) -> Command:
    raw = instruction.args
    if raw.startswith("["):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return Command(instruction.line, True, tuple(value), raw)
    return Command(instruction.line, False, tuple(raw.split()), raw)


def _mask(value: str) -> str:
    return (value[:2] + "***") if len(value) > 4 else "***"


def _env_entry(line: int, instruction: str, name: str, value: str | None) -> EnvVar:
    secret = bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_SUFFIX.search(name)
    has_value = value is not None and value != ""
    reference = has_value and value is not None and _VARIABLE.sub("", value).strip() == ""
    shown = value
    if secret and has_value and value is not None and not reference:
        shown = _mask(value)
    return EnvVar(line, instruction, name, has_value, shown, reference, secret)


def _split_words(text: str) -> list[str]:
    """Shell-ish word split honouring double and single quotes."""
    words: list[str] = []
    current: list[str] = []
    quote: str | None = None
    in_word = False
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and index + 1 < len(text):
                index += 1
                current.append(text[index])
            else:
                current.append(char)
        elif char in "\"'":
            quote = char
            in_word = True
        elif char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
        index += 1
    if in_word:
        words.append("".join(current))
    return words


def _parse_env(instruction: Instruction) -> list[tuple[EnvVar, str | None]]:
    """The entries of an ENV/ARG with their unmasked values (kept out of the
    result; used only to substitute variables)."""
    args = instruction.args
    keyword = instruction.keyword
    words = _split_words(args)
    if keyword == "ENV" and words and "=" not in words[0]:
        # Legacy form: ENV NAME value with spaces
        pieces = args.split(None, 1)
        value = pieces[1].strip().strip("\"'") if len(pieces) > 1 else ""
        return [(_env_entry(instruction.line, keyword, words[0], value), value)]
    out: list[tuple[EnvVar, str | None]] = []
    for word in words:
        name, sep, value = word.partition("=")
        if keyword == "ENV" and not sep:
            continue
        raw = value if sep else None
        out.append((_env_entry(instruction.line, keyword, name, raw), raw))
    return out


def _parse_add(instruction: Instruction) -> list[RemoteAdd]:
    words = instruction.args.split()
    checksum = any(w.startswith("--checksum") for w in words)
    sources = [w for w in words if not w.startswith("--")]
    if instruction.args.lstrip().startswith("["):
        try:
            parsed = json.loads(instruction.args[instruction.args.index("[") :])
            sources = [s for s in parsed if isinstance(s, str)]
        except ValueError:
            pass
    return [RemoteAdd(instruction.line, s, checksum) for s in sources[:-1] if _REMOTE.match(s)]


class _StageBuilder:
    def __init__(self, index: int, from_: FromInstruction, inherited: dict[str, str | None]):
        self.index = index
        self.from_ = from_
        self.instructions: list[Instruction] = []
        self.users: list[UserInstruction] = []
        self.healthcheck: Healthcheck | None = None
        self.ports: list[str] = []
        self.cmd: Command | None = None
        self.entrypoint: Command | None = None
        self.env: list[EnvVar] = []
        self.remote: list[RemoteAdd] = []
        self.copies_from: list[str] = []
        self.variables: dict[str, str | None] = dict(inherited)

    def add(self, instruction: Instruction) -> None:
        self.instructions.append(instruction)
        keyword = instruction.keyword
        if keyword == "USER":
            self.users.append(_parse_user(instruction, self.variables))
        elif keyword == "HEALTHCHECK":
            self.healthcheck = _parse_healthcheck(instruction)
        elif keyword == "EXPOSE":
            self.ports.extend(instruction.args.split())
        elif keyword == "CMD":
            self.cmd = _parse_command(instruction)
        elif keyword == "ENTRYPOINT":
            self.entrypoint = _parse_command(instruction)
        elif keyword in ("ENV", "ARG"):
            for entry, value in _parse_env(instruction):
                self.env.append(entry)
                if value is not None or entry.name not in self.variables:
                    self.variables[entry.name] = value
        elif keyword == "ADD":
            self.remote.extend(_parse_add(instruction))
        elif keyword == "COPY":
            for word in instruction.args.split():
                if word.startswith("--from="):
                    self.copies_from.append(word.split("=", 1)[1])

    def build(self) -> Stage:
        return Stage(
            index=self.index,
            name=self.from_.alias,
            from_=self.from_,
            instructions=tuple(self.instructions),
            users=tuple(self.users),
            healthcheck=self.healthcheck,
            exposed_ports=tuple(self.ports),
            cmd=self.cmd,
            entrypoint=self.entrypoint,
            env=tuple(self.env),
            remote_adds=tuple(self.remote),
            copies_from=tuple(self.copies_from),
        )


def _mask_instruction(instruction: Instruction) -> Instruction:
    """Keep literal secret values out of the stored instruction text."""
    args = instruction.args
    for entry, value in _parse_env(instruction):
        if entry.literal_secret and value:
            args = args.replace(value, _mask(value))
    if args == instruction.args:
        return instruction
    return Instruction(instruction.keyword, args, instruction.line, instruction.end_line)


def _start_stage(
    instruction: Instruction,
    stages: list[_StageBuilder],
    names: dict[str, int],
    global_values: Mapping[str, str | None],
) -> None:
    from_ = _parse_from(instruction, global_values, names)
    inherited: dict[str, str | None] = {}
    if from_.stage_ref is not None:
        inherited = dict(stages[from_.stage_ref].variables)
    builder = _StageBuilder(len(stages), from_, inherited)
    builder.instructions.append(instruction)
    stages.append(builder)
    if from_.alias:
        names[from_.alias.lower()] = builder.index


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    """Parse one Dockerfile/Containerfile. Never raises."""
    lines = text.splitlines()
    directives, start = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        escape = "\\"
    problems: list[ParseProblem] = []
    global_args: list[EnvVar] = []
    global_values: dict[str, str | None] = {}
    stages: list[_StageBuilder] = []
    names: dict[str, int] = {}
    for instruction in _logical_lines(lines, start, escape):
        keyword = instruction.keyword
        if keyword not in _KNOWN_INSTRUCTIONS:
            problems.append(
                ParseProblem(path, f"unknown instruction {keyword!r}", instruction.line)
            )
            continue
        if keyword == "FROM":
            if not instruction.args.strip():
                problems.append(ParseProblem(path, "FROM without an image", instruction.line))
            else:
                _start_stage(instruction, stages, names, global_values)
            continue
        if not stages:
            if keyword == "ARG":
                for entry, value in _parse_env(instruction):
                    global_args.append(entry)
                    global_values[entry.name] = value
            else:
                problems.append(
                    ParseProblem(path, f"{keyword} before the first FROM", instruction.line)
                )
            continue
        builder = stages[-1]
        if keyword in ("ENV", "ARG"):
            instruction = _mask_instruction(instruction)
        if keyword == "ARG":
            # An ARG redeclared inside a stage takes the global default.
            for entry, value in _parse_env(instruction):
                if value is None and entry.name in global_values:
                    builder.variables[entry.name] = global_values[entry.name]
        builder.add(instruction)
    if not stages and text.strip():
        problems = [ParseProblem(path, "no FROM instruction: not a Dockerfile?", None)]
    return Dockerfile(
        path=path,
        role=_role(path),
        syntax=directives.get("syntax"),
        escape=escape,
        global_args=tuple(global_args),
        stages=tuple(b.build() for b in stages),
        problems=tuple(problems),
    )


# --------------------------------------------------------------------------- .dockerignore


def parse_dockerignore(path: str, text: str) -> DockerIgnore:
    patterns = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            patterns.append(stripped)
    return DockerIgnore(path, tuple(patterns))


# --------------------------------------------------------------------------- other builders

_JIB_MAVEN = re.compile(r"<artifactId>\s*jib-maven-plugin\s*</artifactId>")
_JIB_GRADLE = re.compile(r"""com\.google\.cloud\.tools\.jib['"]""")
_JIB_GRADLE_LEGACY = re.compile(r"""apply\s+plugin\s*:\s*['"]com\.google\.cloud\.tools\.jib""")


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _jib_maven(path: str, text: str) -> ImageBuilder | None:
    match = _JIB_MAVEN.search(text)
    if not match:
        return None
    end = text.find("</plugin>", match.end())
    config = text[match.end() : end if end >= 0 else len(text)]
    base = re.search(r"<from>\s*<image>\s*([^<\s]+)\s*</image>", config)
    user = re.search(r"<user>\s*([^<\s]+)\s*</user>", config)
    return ImageBuilder(
        "jib",
        path,
        _line_at(text, match.start()),
        base_image=base.group(1) if base else None,
        user=user.group(1) if user else None,
    )


def _jib_gradle(path: str, text: str) -> ImageBuilder | None:
    match = _JIB_GRADLE.search(text) or _JIB_GRADLE_LEGACY.search(text)
    if not match:
        return None
    block = re.search(r"\bjib\s*\{", text)
    config = text[block.start() :] if block else ""
    base = re.search(r"""from\s*\{[^}]*?image\s*=?\s*['"]([^'"]+)['"]""", config, re.S)
    user = re.search(r"""container\s*\{[^}]*?user\s*=?\s*['"]([^'"]+)['"]""", config, re.S)
    return ImageBuilder(
        "jib",
        path,
        _line_at(text, match.start()),
        base_image=base.group(1) if base else None,
        user=user.group(1) if user else None,
    )


def _ko(path: str, text: str) -> ImageBuilder:
    docs, _ = load_yaml_documents(text)
    base = None
    if docs and isinstance(docs[0].value, dict):
        value = docs[0].value.get("defaultBaseImage")
        base = str(value) if isinstance(value, str) else None
    non_root = base is None or image_defaults_to_non_root(base)
    return ImageBuilder("ko", path, 1, base_image=base, non_root_by_default=non_root)


def _buildpacks(path: str, text: str) -> ImageBuilder | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    io_table = data.get("io")
    is_cnb = "_" in data or (isinstance(io_table, dict) and "buildpacks" in io_table)
    if not is_cnb and "build" in data and isinstance(data.get("project"), dict):
        is_cnb = True
    if not is_cnb:
        return None
    return ImageBuilder("buildpacks", path, 1, non_root_by_default=True)


def parse_image_builder(path: str, text: str) -> ImageBuilder | None:
    """Jib in ``pom.xml``/``build.gradle(.kts)``, ko's ``.ko.yaml``,
    buildpacks' ``project.toml``; None when the file configures none."""
    name = posixpath.basename(path)
    if name == "pom.xml":
        return _jib_maven(path, text)
    if name in ("build.gradle", "build.gradle.kts"):
        return _jib_gradle(path, text)
    if name in (".ko.yaml", ".ko.yml"):
        return _ko(path, text)
    if name == "project.toml":
        return _buildpacks(path, text)
    return None


_BAKE_TARGET = re.compile(r"""^\s*target\s+"([^"]+)"\s*\{""", re.MULTILINE)
_BAKE_DOCKERFILE = re.compile(r"""^\s*dockerfile\s*=\s*"([^"]+)\"""", re.MULTILINE)


def parse_bake_file(path: str, text: str) -> BakeFile:
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            return BakeFile(path, (), ())
        targets = data.get("target") if isinstance(data, dict) else None
        if not isinstance(targets, dict):
            return BakeFile(path, (), ())
        files = tuple(
            str(t["dockerfile"])
            for t in targets.values()
            if isinstance(t, dict) and isinstance(t.get("dockerfile"), str)
        )
        return BakeFile(path, tuple(str(k) for k in targets), files)
    return BakeFile(
        path,
        tuple(_BAKE_TARGET.findall(text)),
        tuple(_BAKE_DOCKERFILE.findall(text)),
    )


_BUILDER_FILES = frozenset(
    {"pom.xml", "build.gradle", "build.gradle.kts", ".ko.yaml", ".ko.yml", "project.toml"}
)


def _is_bake(path: str) -> bool:
    name = posixpath.basename(path)
    return name.startswith("docker-bake") and name.endswith((".hcl", ".json"))


# --------------------------------------------------------------------------- collector


def _read(files: RepoFiles, path: str) -> str | None:
    return files.read_text(path)


def container_facts(files: RepoFiles) -> ContainerFacts:
    """Everything container-related in the repository."""
    dockerfiles: list[Dockerfile] = []
    ignores: list[DockerIgnore] = []
    builders: list[ImageBuilder] = []
    bakes: list[BakeFile] = []
    problems: list[ParseProblem] = []
    paths: Iterable[str] = files.paths()
    for path in paths:
        name = posixpath.basename(path)
        if name == ".dockerignore" or name.endswith(".dockerignore"):
            text = _read(files, path)
            if text is not None:
                ignores.append(parse_dockerignore(path, text))
        elif is_dockerfile_path(path):
            text = _read(files, path)
            if text is not None:
                parsed = parse_dockerfile(path, text)
                dockerfiles.append(parsed)
                problems.extend(parsed.problems)
        elif name in _BUILDER_FILES:
            text = _read(files, path)
            builder = parse_image_builder(path, text) if text is not None else None
            if builder is not None:
                builders.append(builder)
        elif _is_bake(path):
            text = _read(files, path)
            if text is not None:
                bakes.append(parse_bake_file(path, text))
    return ContainerFacts(
        dockerfiles=tuple(dockerfiles),
        dockerignores=tuple(ignores),
        image_builders=tuple(builders),
        bake_files=tuple(bakes),
        problems=tuple(problems),
    )

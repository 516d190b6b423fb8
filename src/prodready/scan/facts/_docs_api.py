"""Machine-readable API contracts: OpenAPI/Swagger (validated), AsyncAPI and
Protocol Buffers service definitions.

OpenAPI documents are validated with ``openapi-spec-validator``, but never by
fetching anything: a scan must not touch the network or read files outside
the scanned view. Specs whose ``$ref``s point outside the document (another
file, a URL) or that declare ``$id`` base URIs are therefore validated
against the OpenAPI meta-schema only (structure), and say so in ``notes``;
self-contained specs get the full validation, reference resolution included,
through a resolver that refuses every retrieval.

The public dataclasses are re-exported by ``prodready.scan.facts.docs``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prodready.scan.facts._yamltree import (
    YamlDocument,
    as_str,
    line_of,
    load_json,
    load_yaml_documents,
)
from prodready.scan.facts.source import ParseProblem

MAX_SPEC_CHARS = 5_000_000
MAX_FULL_VALIDATION_CHARS = 1_500_000
"""Above this, specs get the (faster) meta-schema check only."""
MAX_REPORTED_ERRORS = 5
_SPEC_KEY_YAML = re.compile(r"^[\"']?(openapi|swagger|asyncapi)[\"']?\s*:", re.MULTILINE)
_SPEC_KEY_JSON = re.compile(r"\"(openapi|swagger|asyncapi)\"\s*:")


@dataclass(frozen=True, slots=True)
class SpecError:
    """One validation error: message, JSON path (``$.paths./pets.get``) and line."""

    message: str
    json_path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class OpenApiSpec:
    path: str
    line: int
    kind: str
    """"openapi" (3.x) or "swagger" (2.0)."""
    version: str
    title: str | None
    paths: int
    operations: int
    valid: bool
    errors: tuple[SpecError, ...] = ()
    external_refs: tuple[str, ...] = ()
    """``$ref`` targets outside this document (never fetched)."""
    full_validation: bool = True
    """False: only checked against the meta-schema (external refs, ``$id``)."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AsyncApiSpec:
    path: str
    line: int
    version: str
    title: str | None
    channels: int
    operations: int
    errors: tuple[SpecError, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class ProtoService:
    name: str
    line: int
    rpcs: int


@dataclass(frozen=True, slots=True)
class ProtoFile:
    path: str
    package: str | None
    services: tuple[ProtoService, ...]
    imports: tuple[str, ...]
    health: bool
    """Imports or defines the standard gRPC health service (``grpc.health.v1``)."""

    @property
    def rpcs(self) -> int:
        return sum(s.rpcs for s in self.services)


# --------------------------------------------------------------------------- loading


def spec_candidate(path: str, text: str) -> bool:
    """A cheap look for a top-level ``openapi``/``swagger``/``asyncapi`` key."""
    lower = path.lower()
    if lower.endswith(".json"):
        return bool(_SPEC_KEY_JSON.search(text[:4000]))
    if lower.endswith((".yaml", ".yml")):
        return bool(_SPEC_KEY_YAML.search(text))
    return False


def _load(path: str, text: str) -> tuple[YamlDocument | None, ParseProblem | None]:
    if len(text) > MAX_SPEC_CHARS:
        return None, ParseProblem(path, "API spec too large to validate", None)
    docs, errors = load_yaml_documents(text)
    if docs and isinstance(docs[0].value, dict):
        return docs[0], None
    if path.lower().endswith(".json"):
        value, error, line = load_json(text)
        if error is None and isinstance(value, dict):
            return YamlDocument(0, 1, value), None
        return None, ParseProblem(path, error or "not a JSON object", line)
    if errors:
        return None, ParseProblem(path, errors[0].message, errors[0].line)
    return None, None


def _plain(value: Any) -> Any:
    """A plain dict/list copy (YamlMap line info dropped) for the validator."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _walk_refs(value: Any) -> Iterator[tuple[str, str]]:
    """(key, value) of every ``$ref``/``$id``/``$dynamicRef`` in the tree."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if key in ("$ref", "$id", "$dynamicRef", "$schema") and isinstance(child, str):
                    yield key, child
                else:
                    stack.append(child)
        elif isinstance(node, list):
            stack.extend(node)


def _locate(tree: Any, parts: list[Any]) -> tuple[str, int | None]:
    """JSON path text and the line of the deepest node along ``parts`` that
    exists (validators report numeric-looking keys such as ``200`` as ints)."""
    line = line_of(tree)
    node = tree
    text = "$"
    for key in parts:
        if isinstance(node, dict) and str(key) in node:
            line = line_of(node, str(key), line)
            node = node[str(key)]
            text += f".{key}"
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            line = line_of(node, key, line)
            node = node[key]
            text += f"[{key}]"
        else:
            text += f"[{key}]" if isinstance(key, int) else f".{key}"
            node = None
    return text, line


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


# --------------------------------------------------------------------------- OpenAPI


def _refuse(uri: str) -> Any:
    raise LookupError(f"refusing to fetch {uri!r}: scans never read outside the repository")


_REFUSING_HANDLERS = dict.fromkeys(("", "http", "https", "file", "ftp"), _refuse)


def _validate(spec: dict[str, Any], structural_only: bool) -> Iterator[Any]:
    """Validation errors (jsonschema ``ValidationError``s), lazily."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.shortcuts import get_validator_cls

    cls = get_validator_cls(spec)
    schema_path = SchemaPath.from_dict(spec, handlers=_REFUSING_HANDLERS)
    validator = cls(schema_path)
    if structural_only:
        return iter(validator.schema_validator.iter_errors(spec))
    return iter(validator.iter_errors())


_MISSING_POINTER = re.compile(r"^'(/[^']*)' does not exist within")


def _ref_line(tree: Any, pointer: str) -> tuple[str, int | None] | None:
    """Where a ``$ref`` to ``#<pointer>`` is written (JSON path, line)."""
    stack: list[tuple[Any, list[Any], int | None]] = [(tree, [], line_of(tree))]
    while stack:
        node, parts, line = stack.pop()
        if isinstance(node, dict):
            if node.get("$ref") == f"#{pointer}":
                return _json_path(parts), line_of(node, "$ref", line)
            for key, child in node.items():
                stack.append((child, [*parts, key], line_of(node, key, line)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                stack.append((child, [*parts, index], line_of(node, index, line)))
    return None


def _spec_error(tree: Any, message: str, parts: list[Any]) -> SpecError:
    first = message.splitlines()[0] if message else "invalid"
    missing = _MISSING_POINTER.match(first)
    if missing:
        where = _ref_line(tree, missing.group(1))
        text = f"$ref target #{missing.group(1)} does not exist"
        if where is not None:
            return SpecError(text, where[0], where[1])
        return SpecError(text, "$", line_of(tree))
    if len(first) > 240:
        first = first[:237] + "..."
    return SpecError(first, *_locate(tree, parts))


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def parse_openapi(path: str, text: str) -> tuple[OpenApiSpec | None, ParseProblem | None]:
    """Find and validate an OpenAPI/Swagger document; (None, None) when
    ``text`` is not one."""
    if not spec_candidate(path, text):
        return None, None
    doc, problem = _load(path, text)
    if doc is None:
        return None, problem
    tree = doc.value
    kind = "openapi" if "openapi" in tree else "swagger" if "swagger" in tree else None
    if kind is None:
        return None, None
    version = as_str(tree.get(kind)) or ""
    info = tree.get("info") if isinstance(tree.get("info"), dict) else {}
    paths = tree.get("paths") if isinstance(tree.get("paths"), dict) else {}
    operations = sum(
        1
        for item in paths.values()
        if isinstance(item, dict)
        for method in item
        if method.lower() in _HTTP_METHODS
    )
    refs = list(_walk_refs(tree))
    external = tuple(
        sorted({v for k, v in refs if k in ("$ref", "$dynamicRef") and not v.startswith("#")})
    )
    has_ids = any(k == "$id" and not v.startswith("#") for k, v in refs)
    structural_only = bool(external) or has_ids
    notes: list[str] = []
    if external:
        notes.append(
            f"{len(external)} external $ref(s) not followed (no file or network access): "
            "checked against the OpenAPI schema only"
        )
    elif has_ids:
        notes.append("$id base URIs present: checked against the OpenAPI schema only")
    if not structural_only and len(text) > MAX_FULL_VALIDATION_CHARS:
        structural_only = True
        notes.append("large spec: checked against the OpenAPI schema only")
    errors: list[SpecError] = []
    if not isinstance(tree.get(kind), str):
        message = f'the {kind!r} field must be a string such as "3.0.3" (quote it in YAML)'
        errors.append(SpecError(message, f"$.{kind}", line_of(tree, kind)))
    try:
        validation = [] if errors else _validate(_plain(tree), structural_only)
        for error in itertools.islice(validation, MAX_REPORTED_ERRORS):
            parts = list(getattr(error, "absolute_path", getattr(error, "path", [])))
            errors.append(_spec_error(tree, str(getattr(error, "message", error)), parts))
    except RecursionError:
        errors.append(SpecError("spec too deeply nested or recursive to validate", "$", doc.line))
    except Exception as exc:
        if type(exc).__name__ == "ValidatorDetectError":
            message = f"unsupported {kind} version {version!r}"
            errors.append(SpecError(message, f"$.{kind}", line_of(tree, kind)))
        else:
            errors.append(_spec_error(tree, str(exc) or type(exc).__name__, []))
    spec = OpenApiSpec(
        path=path,
        line=line_of(tree, kind) or doc.line,
        kind=kind,
        version=version,
        title=as_str(info.get("title")),
        paths=len(paths),
        operations=operations,
        valid=not errors,
        errors=tuple(errors),
        external_refs=external,
        full_validation=not structural_only,
        notes=tuple(notes),
    )
    return spec, None


# --------------------------------------------------------------------------- AsyncAPI


def parse_asyncapi(path: str, text: str) -> tuple[AsyncApiSpec | None, ParseProblem | None]:
    """An AsyncAPI document with a light structural check (info, channels)."""
    if not spec_candidate(path, text):
        return None, None
    doc, problem = _load(path, text)
    if doc is None:
        return None, problem
    tree = doc.value
    if "asyncapi" not in tree:
        return None, None
    version = as_str(tree.get("asyncapi")) or ""
    errors: list[SpecError] = []
    info = tree.get("info")
    if not isinstance(info, dict):
        errors.append(SpecError("'info' is required", "$", doc.line))
        info = {}
    else:
        for key in ("title", "version"):
            if key not in info:
                errors.append(SpecError(f"'{key}' is required", "$.info", line_of(tree, "info")))
    channels = tree.get("channels")
    if version.startswith("2") and not isinstance(channels, dict):
        errors.append(SpecError("'channels' is required", "$", doc.line))
    channels_map = channels if isinstance(channels, dict) else {}
    operations_map = tree.get("operations") if isinstance(tree.get("operations"), dict) else {}
    operations = len(operations_map) or sum(
        1
        for channel in channels_map.values()
        if isinstance(channel, dict)
        for key in ("publish", "subscribe")
        if key in channel
    )
    if not version[:1].isdigit():
        errors.append(
            SpecError(f"unsupported asyncapi version {version!r}", "$.asyncapi", doc.line)
        )
    return (
        AsyncApiSpec(
            path,
            line_of(tree, "asyncapi") or doc.line,
            version,
            as_str(info.get("title")),
            len(channels_map),
            operations,
            tuple(errors),
        ),
        None,
    )


# --------------------------------------------------------------------------- proto

_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINE_COMMENT = re.compile(r"//[^\n]*")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)
_IMPORT = re.compile(r"^\s*import\s+(?:public\s+|weak\s+)?[\"']([^\"']+)[\"']\s*;", re.MULTILINE)
_SERVICE = re.compile(r"\bservice\s+(\w+)\s*\{")
_RPC = re.compile(r"\brpc\s+\w+\s*\(")


def _blank_comments(text: str) -> str:
    """Comments replaced by spaces (newlines kept) so offsets and lines hold.
    Strings are protected first so ``"//"`` inside an option survives."""
    protected: list[tuple[int, int]] = [m.span() for m in _STRING.finditer(text)]

    def blank(match: re.Match[str]) -> str:
        start = match.start()
        if any(a <= start < b for a, b in protected):
            return match.group(0)
        return re.sub(r"[^\n]", " ", match.group(0))

    return _LINE_COMMENT.sub(blank, _BLOCK_COMMENT.sub(blank, text))


def parse_proto(path: str, text: str) -> ProtoFile:
    clean = _blank_comments(text)
    package_match = _PACKAGE.search(clean)
    package = package_match.group(1) if package_match else None
    imports = tuple(m.group(1) for m in _IMPORT.finditer(clean))
    services: list[ProtoService] = []
    for match in _SERVICE.finditer(clean):
        depth, cursor = 1, match.end()
        while cursor < len(clean) and depth:
            char = clean[cursor]
            depth += 1 if char == "{" else -1 if char == "}" else 0
            cursor += 1
        body = clean[match.end() : cursor]
        line = clean.count("\n", 0, match.start()) + 1
        services.append(ProtoService(match.group(1), line, len(_RPC.findall(body))))
    health = any("grpc/health/v1/health.proto" in i for i in imports) or (
        package == "grpc.health.v1" and any(s.name == "Health" for s in services)
    )
    return ProtoFile(path, package, tuple(services), imports, health)


# --------------------------------------------------------------------------- GraphQL


@dataclass(frozen=True, slots=True)
class GraphqlSchema:
    """A GraphQL schema (SDL) that defines root operation types."""

    path: str
    line: int
    """Where the first root type is defined."""
    roots: tuple[str, ...]
    """``Query``, ``Mutation``, ``Subscription`` (sorted, distinct)."""


_GRAPHQL_ROOT = re.compile(
    r"^[ \t]*(?:extend[ \t]+)?(?:type[ \t]+(Query|Mutation|Subscription)\b|(schema)[ \t]*\{)",
    re.MULTILINE,
)


def parse_graphql_schema(path: str, text: str) -> GraphqlSchema | None:
    """The schema a ``.graphql`` file defines; None for a file of operations
    only (``query GetUser { ... }``: a client's, not a contract)."""
    roots: set[str] = set()
    first: int | None = None
    for match in _GRAPHQL_ROOT.finditer(text):
        roots.add(match.group(1) or "schema")
        if first is None:
            first = text.count("\n", 0, match.start()) + 1
    if first is None:
        return None
    return GraphqlSchema(path, first, tuple(sorted(roots)))

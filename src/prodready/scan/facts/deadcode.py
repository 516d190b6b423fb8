"""Cross-file smells: dead definitions and dropped Go errors.

Both need every file of the service at once: a function is dead only if no
module names it, and whether ``store.Save(x)`` returns an error depends on
the package that declares ``Save``. Input is the per-file ``FileSmells``
(``smells``), plus the words of files that are not measured but may use the
code (tests, configuration: ``[project.scripts]``, a Procfile, a Celery
schedule, a serverless handler).

Dead code is name-based and conservative: any use of a name anywhere keeps
every definition of that name alive. Python: module-level functions and
plain classes that nothing references and no ``__all__`` exports; in a
library (code that starts no server) only private (``_name``) ones, since
the public API is used by other repositories. Go: unexported functions no
file of their package (tests included) names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from prodready.scan.facts.smells import CallSite, FileSmells

__all__ = [
    "DeadDefinition",
    "DroppedError",
    "dead_definitions",
    "describe",
    "dropped_errors",
    "iter_dead_messages",
]

STDLIB_ERRORS = frozenset(
    {
        "encoding/json.Unmarshal",
        "encoding/json.Marshal",
        "encoding/json.MarshalIndent",
        "encoding/json.Indent",
        "encoding/json.Compact",
        "encoding/xml.Unmarshal",
        "encoding/xml.Marshal",
        "encoding/hex.DecodeString",
        "strconv.Atoi",
        "strconv.ParseInt",
        "strconv.ParseUint",
        "strconv.ParseFloat",
        "strconv.ParseBool",
        "strconv.Unquote",
        "io.Copy",
        "io.CopyN",
        "io.CopyBuffer",
        "io.ReadAll",
        "io.ReadFull",
        "io.ReadAtLeast",
        "io/ioutil.ReadAll",
        "io/ioutil.ReadFile",
        "io/ioutil.WriteFile",
        "io/ioutil.ReadDir",
        "os.ReadFile",
        "os.WriteFile",
        "os.Open",
        "os.OpenFile",
        "os.Create",
        "os.Mkdir",
        "os.MkdirAll",
        "os.MkdirTemp",
        "os.CreateTemp",
        "os.Rename",
        "os.Chdir",
        "os.Chmod",
        "os.Chown",
        "os.Symlink",
        "os.Link",
        "os.Truncate",
        "os.ReadDir",
        "os.Getwd",
        "os.Hostname",
        "os.Executable",
        "os.UserHomeDir",
        "net/http.NewRequest",
        "net/http.NewRequestWithContext",
        "net/http.ListenAndServe",
        "net/http.ListenAndServeTLS",
        "net/http.Serve",
        "net/http.Get",
        "net/http.Post",
        "net/http.Head",
        "net/http.PostForm",
        "net/url.Parse",
        "net/url.ParseRequestURI",
        "net/url.ParseQuery",
        "net/url.PathUnescape",
        "net/url.QueryUnescape",
        "net.Dial",
        "net.DialTimeout",
        "net.Listen",
        "net.SplitHostPort",
        "time.Parse",
        "time.ParseInLocation",
        "time.ParseDuration",
        "time.LoadLocation",
        "regexp.Compile",
        "path/filepath.Abs",
        "path/filepath.Rel",
        "path/filepath.Walk",
        "path/filepath.WalkDir",
        "path/filepath.Glob",
        "path/filepath.EvalSymlinks",
        "database/sql.Open",
        "crypto/rand.Read",
        "fmt.Sscanf",
        "fmt.Sscan",
    }
)
"""Standard-library functions whose last result is an error worth checking."""

ERROR_METHODS = {
    "Encode": None,
    "Decode": None,
    "DecodeString": None,
    "Unmarshal": None,
    "Commit": 0,
    "Shutdown": 1,
    "ListenAndServe": 0,
    "ListenAndServeTLS": 2,
    "Serve": 1,
    "ServeTLS": 3,
}
"""Method name -> argument count (None: any) of methods that return an error
on the types that commonly have them: encoders and decoders, ``sql.Tx``,
``http.Server`` (``Shutdown(ctx)``; a gRPC health server's ``Shutdown()`` has
no result). Names that also mean something else on popular types are left
out (gorm's ``Exec`` returns ``*gorm.DB``, go-redis's ``Ping`` a command).
Other method calls are resolved against methods this service declares."""

_EXCLUDED_SUFFIXES = ("Close", "Flush")
_EXCLUDED_CALLEES = frozenset({"os.Remove", "os.RemoveAll", "os.Setenv", "os.Unsetenv"})
_DEFERRED_CLEANUP = frozenset({"Rollback", "Unlock", "RUnlock", "Stop", "Cancel", "Done"})
"""Deferred on error paths by design (``defer tx.Rollback()``)."""


@dataclass(frozen=True, slots=True)
class DeadDefinition:
    path: str
    line: int
    end_line: int
    name: str
    kind: str
    language: str


@dataclass(frozen=True, slots=True)
class DroppedError:
    path: str
    call: CallSite


def dead_definitions(
    measured: Mapping[str, FileSmells],
    other_words: Mapping[str, frozenset[str]],
    *,
    library: bool,
) -> list[DeadDefinition]:
    """Definitions nothing uses. ``other_words``: path -> words of a file that
    is not measured but may use the code (tests, configuration)."""
    python_used: set[str] = set()
    go_used: dict[str, set[str]] = defaultdict(set)
    for smells in measured.values():
        if smells.language == "go":
            go_used[smells.package].update(smells.references)
        else:
            python_used.update(smells.references)
            python_used.update(smells.exported)
    for path, words in other_words.items():
        if path.endswith((".go", ".s")):
            go_used[_folder(path)].update(words)
        else:
            python_used.update(words)
    dead: list[DeadDefinition] = []
    for path in sorted(measured):
        smells = measured[path]
        for definition in smells.definitions:
            if smells.language == "go":
                alive = definition.name in go_used[smells.package]
            else:
                private = definition.name.startswith("_")
                alive = definition.name in python_used or (library and not private)
            if not alive:
                dead.append(
                    DeadDefinition(
                        path,
                        definition.line,
                        definition.end_line,
                        definition.name,
                        definition.kind,
                        smells.language,
                    )
                )
    return dead


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def dropped_errors(
    measured: Mapping[str, FileSmells], modules: Iterable[tuple[str, str]] = ()
) -> list[DroppedError]:
    """Go calls whose error result is dropped. ``modules``: (Go module path,
    folder of its go.mod) pairs, to resolve imports of the service's own
    packages."""
    functions: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    methods: dict[str, list[bool]] = defaultdict(list)
    for smells in measured.values():
        if smells.language != "go":
            continue
        for function in smells.functions:
            if function.method:
                methods[function.name].append(function.returns_error)
            else:
                functions[smells.package][function.name].append(function.returns_error)
    roots = sorted(modules, key=lambda m: -len(m[0]))
    found: list[DroppedError] = []
    for path in sorted(measured):
        smells = measured[path]
        for call in smells.calls:
            if _returns_error(call, smells.package, functions, methods, roots) and not _excluded(
                call
            ):
                found.append(DroppedError(path, call))
    return found


def _all_errors(results: list[bool]) -> bool:
    return bool(results) and all(results)


def _returns_error(
    call: CallSite,
    package: str,
    functions: Mapping[str, Mapping[str, list[bool]]],
    methods: Mapping[str, list[bool]],
    roots: list[tuple[str, str]],
) -> bool:
    callee = call.callee
    if callee.startswith("."):
        name = callee[1:]
        if name in ERROR_METHODS:
            arity = ERROR_METHODS[name]
            return arity is None or arity == call.arguments
        return _all_errors(methods.get(name, []))
    if "." not in callee:
        return _all_errors(functions.get(package, {}).get(callee, []))
    if callee in STDLIB_ERRORS:
        return True
    import_path, _, name = callee.rpartition(".")
    folder = _local_folder(import_path, roots)
    return folder is not None and _all_errors(functions.get(folder, {}).get(name, []))


def _local_folder(import_path: str, roots: list[tuple[str, str]]) -> str | None:
    for module, folder in roots:
        if import_path == module or import_path.startswith(module + "/"):
            rest = import_path[len(module) :].strip("/")
            parts = [p for p in (folder.strip("/"), rest) if p and p != "."]
            return "/".join(parts) or "."
    return None


def _excluded(call: CallSite) -> bool:
    callee = call.callee
    name = callee.rsplit(".", 1)[-1]
    if name.endswith(_EXCLUDED_SUFFIXES) or callee in _EXCLUDED_CALLEES:
        return True
    if name.startswith("Write") or "print" in name.lower():
        return True
    return call.how == "deferred" and name in _DEFERRED_CLEANUP


def describe(dropped: DroppedError) -> str:
    """The finding message for a dropped error."""
    call = dropped.call
    if call.how == "blank":
        return f"the error of `{call.text}` is assigned to _: handle it or return it"
    if call.how == "deferred":
        return f"`defer {call.text}` drops its error: check it in a deferred closure"
    if call.how == "go":
        return f"`go {call.text}` loses its error: collect it (errgroup, a channel) or log it"
    return f"the error returned by `{call.text}` is dropped: check it or return it"


def iter_dead_messages(dead: Iterable[DeadDefinition]) -> Iterator[tuple[DeadDefinition, str]]:
    """``(definition, message)`` for every dead definition."""
    for item in dead:
        if item.language == "go":
            message = f"unexported function `{item.name}` is never used in its package: delete it"
        else:
            message = f"{item.kind} `{item.name}` is never used in this service: delete it"
        yield item, message

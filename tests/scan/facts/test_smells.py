"""Per-file smells and the cross-file ones: dead code, dropped Go errors, duplicates."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from prodready.scan.facts.deadcode import dead_definitions, describe, dropped_errors
from prodready.scan.facts.duplicates import WINDOW, find_duplicates, windows_of
from prodready.scan.facts.smells import FileSmells, file_smells, python_smells, reference_words
from prodready.scan.facts.smells_go import go_smells


def py(text: str, path: str = "app/mod.py") -> FileSmells:
    return python_smells(path, textwrap.dedent(text))


def go(text: str, path: str = "internal/x/x.go", limit: int = 15) -> FileSmells:
    return go_smells(path, textwrap.dedent(text), max_complexity=limit)


# ------------------------------------------------------------------ Python


def test_python_definitions_that_may_be_dead() -> None:
    smells = py(
        '''
        """Module docstring naming old_helper."""
        import functools
        from app import routes

        def old_helper():
            """old_helper is documented here."""
            return 1  # old_helper

        @functools.lru_cache
        def cached(): ...

        @routes.get("/x")
        def endpoint(): ...

        class Plain: ...

        class Model(Base): ...

        def main(): ...

        def __getattr__(name): ...
        '''
    )
    assert [(d.name, d.kind) for d in smells.definitions] == [
        ("old_helper", "function"),
        ("cached", "function"),
        ("Plain", "class"),
    ]
    # neither its docstring, a comment nor the definition itself is a use
    assert "old_helper" not in smells.references
    assert {"routes", "functools", "Base"} <= smells.references


def test_python_references_include_strings_and_all_but_not_comments() -> None:
    smells = py(
        """
        __all__ = ["exported"]
        ENTRY = "app.tasks:nightly"   # mentioned_in_comment
        value = getattr(obj, "dynamic")
        """
    )
    assert {"nightly", "dynamic", "obj"} <= smells.references
    assert "mentioned_in_comment" not in smells.references
    assert smells.exported == frozenset({"exported"})


def test_an_unparsable_python_file_counts_every_word_as_a_reference() -> None:
    smells = python_smells("app/broken.py", "def f(:\n    helper()\n")
    assert not smells.parsed
    assert smells.definitions == ()
    assert "helper" in smells.references


def test_a_python_file_with_an_invalid_escape_is_parsed() -> None:
    """The scanned code's compiler warnings are silenced, never raised or
    printed (the tests run with warnings as errors: a leaked one would make
    the file look unparsable)."""
    smells = python_smells("app/regex.py", "import re\n\nPATTERN = re.compile('\\d+')\n")
    assert smells.parsed


def test_file_smells_only_measures_python_and_go() -> None:
    assert file_smells("web/app.js", "function f() {}", max_complexity=15) is None
    assert file_smells("a.py", "x = 1\n", max_complexity=15) is not None


def test_dead_code_across_modules() -> None:
    measured = {
        "app/a.py": py("def used(): ...\ndef dead(): ...\nclass Gone: ...\n", "app/a.py"),
        "app/b.py": py("from app.a import used\nused()\n", "app/b.py"),
        "app/c.py": py("def _private_dead(): ...\ndef listed(): ...\n", "app/c.py"),
        "app/d.py": py("__all__ = ['listed']\n", "app/d.py"),
        "app/e.py": py("def only_tests_use_me(): ...\ndef in_procfile(): ...\n", "app/e.py"),
    }
    words = {
        "tests/test_e.py": reference_words("from app.e import only_tests_use_me\n"),
        "Procfile": reference_words("worker: python -c 'import app.e; app.e.in_procfile()'\n"),
    }
    dead = dead_definitions(measured, words, library=False)
    assert [(d.path, d.name, d.kind) for d in dead] == [
        ("app/a.py", "dead", "function"),
        ("app/a.py", "Gone", "class"),
        ("app/c.py", "_private_dead", "function"),
    ]
    # in a library the public API is used by other repositories: only private names
    assert [d.name for d in dead_definitions(measured, words, library=True)] == ["_private_dead"]


# ---------------------------------------------------------------------- Go


def test_go_complexity_counts_branches_cases_and_boolean_operators() -> None:
    body = "\n".join(f"\tif x == {i} && y {{\n\t\treturn {i}\n\t}}" for i in range(4))
    source = f"""
package x

func branchy(x int, y bool) int {{
{body}
\tswitch x {{
\tcase 10:
\t\treturn 1
\tcase 11:
\t\treturn 2
\tdefault:
\t}}
\treturn 0
}}

func simple() int {{ return 1 }}
"""
    # 1 + 4 ifs + 4 && + 2 cases = 11
    assert [s.message for s in go(source, limit=11).smells] == []
    smells = go(source, limit=10).smells
    assert [(s.rule, s.line) for s in smells] == [("complexity", 4)]
    assert "(11 > 10)" in smells[0].message


def test_go_shadowed_err_that_loses_an_error() -> None:
    smells = go(
        """
        package x

        func read(f File, buf []byte) error {
            var err error
            for {
                n, err := f.Read(buf)
                if err != nil {
                    break
                }
                _ = n
            }
            return err
        }

        func named() (err error) {
            if cond() {
                _, err := load()
                _ = err
            }
            return
        }
        """
    ).smells
    assert [(s.rule, s.line) for s in smells] == [("shadowed-err", 7), ("shadowed-err", 18)]
    assert "line 13 reads the outer one" in smells[0].message
    assert "line 21 returns the outer one" in smells[1].message


def test_go_shadowing_that_loses_nothing_is_not_reported() -> None:
    smells = go(
        """
        package x

        func fine() error {
            x, err := a()
            if err != nil {
                return err
            }
            if x {
                y, err := b()
                if err != nil {
                    return err
                }
                _ = y
            }
            z, err := c()
            _ = z
            return err
        }

        func scoped() error {
            if _, err := a(); err != nil {
                return err
            }
            return nil
        }
        """
    ).smells
    assert smells == ()


def test_go_dropped_errors_resolved_across_the_package() -> None:
    store = go(
        """
        package store

        func Save(x int) error { return nil }
        func Count() int { return 1 }
        """,
        "internal/store/store.go",
    )
    handler = go(
        """
        package api

        import (
            "encoding/json"
            "os"
            "strconv"

            "example.com/svc/internal/store"
        )

        func handle(w Writer, tx Tx, srv Server, health HealthServer) {
            store.Save(1)
            store.Count()
            json.NewEncoder(w).Encode(1)
            n, _ := strconv.Atoi("1")
            _ = n
            _ = store.Save(2)
            defer tx.Rollback()
            defer tx.Commit()
            defer f.Close()
            os.Remove("x")
            go srv.ListenAndServe()
            health.Shutdown()
            helper()
        }

        func helper() error { return nil }
        """,
        "internal/api/api.go",
    )
    measured = {"internal/store/store.go": store, "internal/api/api.go": handler}
    dropped = dropped_errors(measured, [("example.com/svc", ".")])
    assert [(d.call.line, d.call.how) for d in dropped] == [
        (13, "dropped"),  # store.Save(1): a package of this module returning error
        (15, "dropped"),  # Encode
        (16, "blank"),  # strconv.Atoi's error to _
        (20, "deferred"),  # defer tx.Commit()
        (23, "go"),  # go srv.ListenAndServe()
        (25, "dropped"),  # helper() of this package
    ]
    assert describe(dropped[2]) == (
        'the error of `strconv.Atoi("1")` is assigned to _: handle it or return it'
    )
    # without the module path, store.Save is unknown: silence, not a guess
    assert (13, "dropped") not in [(d.call.line, d.call.how) for d in dropped_errors(measured, [])]


def test_go_dead_code_is_per_package_and_tests_count() -> None:
    lib = go(
        """
        package x

        // unused is documented but never called
        func unused() {}
        func usedByTest() {}
        func usedHere() {}
        func Exported() { usedHere() }
        func main() {}
        func init() {}
        //export fromC
        func fromC() {}
        """,
        "internal/x/x.go",
    )
    other = go("package y\n\nfunc caller() { unused() }\n", "internal/y/y.go")
    words = {"internal/x/x_test.go": reference_words("func TestX(t *T) { usedByTest() }")}
    dead = dead_definitions(
        {"internal/x/x.go": lib, "internal/y/y.go": other}, words, library=False
    )
    assert [(d.path, d.name) for d in dead] == [
        ("internal/x/x.go", "unused"),  # a call from another package cannot reach it
        ("internal/y/y.go", "caller"),
    ]


def test_go_that_does_not_parse_still_yields_what_parsed() -> None:
    smells = go("package x\n\nfunc ok() { helper() }\nfunc broken( {\n")
    assert "helper" in smells.references


# -------------------------------------------------------------- duplicates


BLOCK = """
def report(rows):
    totals = {}
    counts = {}
    for row in rows:
        country = row[3]
        if country not in totals:
            totals[country] = 0
            counts[country] = 0
        totals[country] = totals[country] + row[1]
        counts[country] = counts[country] + 1
    lines = []
    for country in sorted(totals):
        average = totals[country] / counts[country] if counts[country] else 0
        lines.append(format_line(country, counts[country], totals[country], average))
    return lines
"""


def test_a_block_copied_across_files_is_reported_at_the_copy() -> None:
    reformatted = BLOCK.replace("def report", "def export").replace(" = ", "  =  ")
    commented = reformatted.replace("for row in rows:", "for row in rows:  # loop")
    files = {
        "app/report.py": py(BLOCK, "app/report.py").windows,
        "app/export.py": py("import os\n" + commented, "app/export.py").windows,
    }
    duplicates = find_duplicates(files)
    assert len(duplicates) == 1
    copy = duplicates[0]
    assert (copy.path, copy.first_path) == ("app/report.py", "app/export.py")
    assert copy.significant_lines >= WINDOW
    assert (copy.line, copy.end_line) == (5, 16)  # from the loop to the return


def test_short_or_trivial_repetition_is_not_a_duplicate() -> None:
    boilerplate = "\n".join(["if err != nil {", "return err", "}"] * 6)
    files = {
        "a.go": windows_of(enumerate(boilerplate.splitlines(), start=1)),
        "b.go": windows_of(enumerate(boilerplate.splitlines(), start=1)),
    }
    assert find_duplicates(files) == []  # "return err" lines are below the word threshold


def test_a_block_repeated_inside_one_file_is_reported_once() -> None:
    text = BLOCK + BLOCK.replace("def report", "def report2")
    duplicates = find_duplicates({"app/r.py": py(text, "app/r.py").windows})
    assert [(d.path, d.first_line, d.line) for d in duplicates] == [("app/r.py", 5, 21)]


def test_windows_are_stable_across_processes() -> None:
    """Digests are BLAKE2b, not Python's salted hash(): cacheable by content."""
    lines = [(n, f"value_{n} = compute(alpha, beta, gamma)") for n in range(1, 9)]
    program = (
        "from prodready.scan.facts.duplicates import windows_of\n"
        f"print(list(windows_of({lines!r}).digests))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert outputs == {str(list(windows_of(lines).digests))}


def test_rows_of_data_tables_are_not_code() -> None:
    table = "".join(f"    ({i * 7}, {i * 7 + 3}, {i % 3}),\n" for i in range(40))
    names = "".join(f'    "name_{i}": "value {i}",\n' for i in range(40))
    a = py(f"WIDTHS = [\n{table}]\nNAMES = {{\n{names}}}\n", "a.py")
    b = py(f"WIDTHS_V2 = [\n{table}]\nNAMES_V2 = {{\n{names}}}\n", "b.py")
    assert a.windows.digests == ()
    assert find_duplicates({"a.py": a.windows, "b.py": b.windows}) == []


def test_layout_does_not_hide_a_copy() -> None:
    tight = [(n, f"x_{n}=f(a,b,{n})") for n in range(1, 9)]
    loose = [(n, f"    x_{n}  =  f( a , b , {n} )   ") for n in range(1, 9)]
    assert windows_of(tight).digests == windows_of(loose).digests


def test_go_receive_and_range_declarations_are_their_own_scopes() -> None:
    """From git's contrib/persistent-https: `case err := <-result` declares a
    new err for its case; the outer one is not read afterwards."""
    smells = go(
        """
        package x

        func start(cmd Cmd, stdout Reader) error {
            out, err := cmd.StdoutPipe()
            if err != nil {
                return err
            }
            if err := cmd.Start(); err != nil {
                return err
            }
            result := make(chan error)
            go func() {
                _, _, err := read(out)
                result <- err
            }()
            select {
            case err := <-result:
                return err
            case <-timeout():
                return nil
            }
        }
        """
    ).smells
    assert smells == ()


def test_go_err_scoped_on_purpose_is_not_a_shadow() -> None:
    """An if/switch initialiser, a goroutine's own err, and a named result
    reused by := in the function body are not lost errors."""
    smells = go(
        """
        package x

        func handled(xs []int) error {
            err := a()
            if err != nil {
                return err
            }
            for _, x := range xs {
                if err := g(x); err != nil {
                    log(err)
                    continue
                }
            }
            return err
        }

        func background() error {
            var err error
            go func() {
                _, err := g()
                log(err)
            }()
            return err
        }

        func reused() (n int, err error) {
            v, err := g()
            if err != nil {
                return
            }
            n = v
            return
        }
        """
    ).smells
    assert smells == ()


def test_go_shadow_in_a_switch_case_body_is_reported() -> None:
    smells = go(
        """
        package x

        func pick(k int) error {
            var err error
            switch k {
            case 1:
                _, err := g(k)
                log(err)
            }
            return err
        }
        """
    ).smells
    assert [(s.rule, s.line) for s in smells] == [("shadowed-err", 8)]

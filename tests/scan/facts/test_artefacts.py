"""Artefact parsers: values when the file parses, located problems when not."""

from __future__ import annotations

from prodready.scan.facts.artefacts import (
    parse_json,
    parse_python,
    parse_toml,
    parse_yaml_documents,
)


def test_toml() -> None:
    assert parse_toml("a.toml", "[x]\ny = 1\n").value == {"x": {"y": 1}}
    broken = parse_toml("a.toml", "[x]\ny = \n")
    assert broken.value is None
    assert broken.problem is not None
    assert broken.problem.line == 2
    assert broken.problem.message.startswith("invalid TOML")


def test_json() -> None:
    assert parse_json("a.json", '{"a": [1]}').value == {"a": [1]}
    broken = parse_json("a.json", '{\n"a": 1,,\n}')
    assert broken.problem is not None
    assert broken.problem.line == 2


def test_yaml_multi_document_and_application_tags() -> None:
    parsed = parse_yaml_documents("k.yaml", "a: 1\n---\nb: !Ref Thing\nc: !reference [.x, y]\n")
    assert parsed.value == [{"a": 1}, {"b": "Thing", "c": [".x", "y"]}]
    broken = parse_yaml_documents("k.yaml", "a: [1\nb: 2\n")
    assert broken.problem is not None
    assert broken.problem.line is not None


def test_yaml_never_constructs_python_objects() -> None:
    parsed = parse_yaml_documents("x.yaml", "!!python/object/apply:os.system ['touch PWNED']\n")
    assert parsed.value == [["touch PWNED"]]  # read as plain data, never called


def test_python_parses_without_running_and_silences_warnings() -> None:
    tree = parse_python("a.py", 'import os\nos.system("touch PWNED")\nP = "\\d"\n')
    assert tree.ok
    assert tree.value is not None
    broken = parse_python("b.py", "def f(:\n    pass\n")
    assert broken.problem is not None
    assert broken.problem.line == 1
    assert broken.problem.message.startswith("Python syntax error")


def test_python_deeply_nested_code_is_a_problem_not_a_crash() -> None:
    source = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    result = parse_python("deep.py", source)
    assert result.value is None
    assert result.problem is not None

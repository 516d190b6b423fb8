"""INI files (tox.ini, setup.cfg, .flake8, .coveragerc, .pylintrc) with lines.

``configparser`` loses line numbers and chokes on duplicate keys; collectors
need ``path:line`` for evidence and must never fail on a sloppy file. This
reader keeps every value's first line and each physical line of multi-line
values (tox ``commands``, setup.cfg ``install_requires``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class IniValue:
    """A value: its text (continuation lines joined with newlines), the line
    of its key, and each non-empty physical line with its line number."""

    text: str
    line: int
    parts: list[tuple[str, int]] = field(default_factory=list)


@dataclass(slots=True)
class IniFile:
    sections: dict[str, dict[str, IniValue]] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)

    def get(self, section: str, key: str) -> IniValue | None:
        values = self.sections.get(section)
        if values is None:
            return None
        return (
            values.get(key)
            or values.get(key.replace("_", "-"))
            or values.get(key.replace("-", "_"))
        )


def parse_ini(text: str) -> IniFile:
    """Sections, keys and values of an INI text (never raises)."""
    result = IniFile()
    section: dict[str, IniValue] | None = None
    current: IniValue | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if raw[0] in " \t" and current is not None:
            if stripped.startswith(("#", ";")):
                continue
            current.text += "\n" + stripped
            current.parts.append((stripped, number))
            continue
        if stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("[") and "]" in stripped:
            name = stripped[1 : stripped.index("]")].strip()
            section = result.sections.setdefault(name, {})
            result.section_lines.setdefault(name, number)
            current = None
            continue
        if section is None:
            continue
        positions = [p for p in (stripped.find("="), stripped.find(":")) if p > 0]
        if not positions:
            current = None
            continue
        split = min(positions)
        key = stripped[:split].strip().lower()
        value = stripped[split + 1 :].strip()
        current = IniValue(value, number, [(value, number)] if value else [])
        section[key] = current
    return result

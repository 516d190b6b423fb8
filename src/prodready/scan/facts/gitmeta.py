"""Commit, branch and remote of a repository, read from ``.git`` as plain files.

We never run the ``git`` binary on a scanned repository: its ``.git/config``
is attacker-controlled input (``core.fsmonitor``, ``core.sshCommand`` and
friends make git execute commands). Reading ``HEAD``, loose refs and
``packed-refs`` ourselves is enough for the report header, and anything odd
(a corrupt ref, an unknown format) yields "unknown" rather than an error.

Worktrees and submodules have a ``.git`` *file* (``gitdir: <path>``); refs then
live in the git dir named there, or in its ``commondir``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from prodready.scan.facts._regular_file import read_regular_file

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_MAX_META_FILE = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GitMeta:
    commit: str | None = None
    branch: str | None = None
    remote: str | None = None


def read_git_meta(root: Path) -> GitMeta | None:
    """Git metadata of the repository at ``root``; None when it is not a git
    checkout. Never raises for malformed content."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    common = _common_dir(git_dir)
    head = _read(git_dir / "HEAD")
    commit: str | None = None
    branch: str | None = None
    if head is not None:
        head = head.strip()
        if head.startswith("ref:"):
            ref = head[4:].strip()
            if ref.startswith("refs/heads/"):
                branch = ref[len("refs/heads/") :]
            commit = _resolve_ref(git_dir, common, ref)
        elif _SHA.match(head):
            commit = head
    return GitMeta(commit=commit, branch=branch, remote=_remote_url(common))


def _read(path: Path) -> str | None:
    """A small regular file's text; None for anything else."""
    data = read_regular_file(path, _MAX_META_FILE)
    return None if data is None else data.decode("utf-8", "replace")


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    try:
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = _read(dot_git) or ""
            for line in text.splitlines():
                if line.startswith("gitdir:"):
                    target = Path(line[len("gitdir:") :].strip())
                    target = target if target.is_absolute() else root / target
                    return target if target.is_dir() else None
    except OSError:
        return None
    return None


def _common_dir(git_dir: Path) -> Path:
    text = _read(git_dir / "commondir")
    if not text or not text.strip():
        return git_dir
    target = Path(text.strip())
    target = target if target.is_absolute() else git_dir / target
    return target if target.is_dir() else git_dir


def _resolve_ref(git_dir: Path, common: Path, ref: str, depth: int = 0) -> str | None:
    if depth > 5 or ".." in ref.split("/"):
        return None
    for base in (git_dir, common):
        text = _read(base / ref)
        if text is None:
            continue
        value = text.strip()
        if value.startswith("ref:"):
            return _resolve_ref(git_dir, common, value[4:].strip(), depth + 1)
        return value if _SHA.match(value) else None
    packed = _read(common / "packed-refs")
    if packed:
        for line in packed.splitlines():
            if line.startswith(("#", "^")):
                continue
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and _SHA.match(parts[0]):
                return parts[0]
    return None


_SECTION = re.compile(r'^\s*\[\s*remote\s+"(?P<name>[^"]+)"\s*\]\s*$')
_OTHER_SECTION = re.compile(r"^\s*\[")
_URL = re.compile(r"^\s*url\s*=\s*(?P<url>.+?)\s*$", re.IGNORECASE)


def _remote_url(common: Path) -> str | None:
    """The URL of ``origin`` (else the first remote), credentials removed."""
    text = _read(common / "config")
    if not text:
        return None
    remotes: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section:
            current = section.group("name")
            continue
        if _OTHER_SECTION.match(line):
            current = None
            continue
        url = _URL.match(line)
        if current is not None and url and current not in remotes:
            remotes[current] = url.group("url").strip('"')
    chosen = remotes.get("origin") or next(iter(remotes.values()), None)
    return strip_credentials(chosen) if chosen else None


def strip_credentials(url: str) -> str:
    """``https://user:token@host/x`` -> ``https://host/x``: a report must never
    carry a credential, and remotes often embed one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    if parts.scheme == "ssh":
        # ssh://git@host/x: the user name is not a secret, a password is.
        host = f"{userinfo.split(':', 1)[0]}@{host}"
    elif parts.scheme not in {"http", "https", "git", "ftp", "ftps"}:
        return url
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))

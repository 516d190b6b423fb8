"""Git metadata is read from files; git is never run (a hostile config cannot act)."""

from __future__ import annotations

from pathlib import Path

from prodready.scan.facts.gitmeta import read_git_meta, strip_credentials
from tests.scan.conftest import write_tree

SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def test_not_a_git_checkout(tmp_path: Path) -> None:
    assert read_git_meta(tmp_path) is None


def test_loose_ref_branch_and_origin_remote_without_credentials(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/feature/x\n",
            ".git/refs/heads/feature/x": SHA + "\n",
            ".git/config": (
                "[core]\n\tfsmonitor = touch PWNED\n"
                '[remote "upstream"]\n\turl = https://example.com/up.git\n'
                '[remote "origin"]\n\turl = https://user:ghp_token@github.com/acme/shop.git\n'
            ),
        },
    )
    meta = read_git_meta(tmp_path)
    assert meta is not None
    assert (meta.commit, meta.branch) == (SHA, "feature/x")
    assert meta.remote == "https://github.com/acme/shop.git"
    assert not (tmp_path / "PWNED").exists()


def test_packed_refs_and_detached_head(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".git/packed-refs": f"# pack-refs with: peeled\n{SHA} refs/heads/main\n^{OTHER}\n",
        },
    )
    assert read_git_meta(tmp_path).commit == SHA  # type: ignore[union-attr]
    (tmp_path / ".git" / "HEAD").write_text(OTHER + "\n")
    meta = read_git_meta(tmp_path)
    assert meta is not None
    assert (meta.commit, meta.branch) == (OTHER, None)


def test_worktree_gitdir_file_and_commondir(tmp_path: Path) -> None:
    common = tmp_path / "main.git"
    write_tree(common, {"refs/heads/topic": SHA + "\n", "config": ""})
    gitdir = common / "worktrees" / "wt"
    write_tree(gitdir, {"HEAD": "ref: refs/heads/topic\n", "commondir": "../..\n"})
    checkout = tmp_path / "wt"
    write_tree(checkout, {".git": f"gitdir: {gitdir}\n"})
    meta = read_git_meta(checkout)
    assert meta is not None
    assert (meta.commit, meta.branch) == (SHA, "topic")


def test_garbage_is_unknown_not_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {".git/HEAD": "ref: refs/heads/../../../../etc/passwd\n"})
    meta = read_git_meta(tmp_path)
    assert meta is not None
    assert meta.commit is None
    (tmp_path / ".git" / "HEAD").write_bytes(b"\xff\xfe garbage")
    assert read_git_meta(tmp_path).commit is None  # type: ignore[union-attr]


def test_strip_credentials_keeps_ssh_users_and_plain_urls() -> None:
    assert strip_credentials("ssh://git:pw@host/x.git") == "ssh://git@host/x.git"
    assert strip_credentials("git@github.com:acme/x.git") == "git@github.com:acme/x.git"
    assert strip_credentials("https://token@github.com/a/b") == "https://github.com/a/b"
    assert strip_credentials("https://github.com/a/b") == "https://github.com/a/b"


def test_a_fifo_in_git_metadata_is_not_waited_on(tmp_path: Path) -> None:
    import os

    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / ".git" / "HEAD")
    meta = read_git_meta(tmp_path)  # would block forever if the FIFO were read
    assert meta is not None
    assert meta.commit is None

"""Read a regular file without ever blocking on a special one.

The file index, its lazy reads of files a cached stat let the walk skip, and
the git metadata reader all open files a scanned repository controls: a FIFO
named ``.gitignore`` or ``.git/HEAD`` must be refused, not waited on. One
reader for all of them: opened non-blocking, checked with ``fstat``.
"""

from __future__ import annotations

import os
import stat

__all__ = ["read_regular_file"]


def read_regular_file(
    path: str | os.PathLike[str],
    limit: int,
    *,
    same_as: tuple[int, int] | None = None,
) -> bytes | None:
    """Up to ``limit`` bytes of a regular file; None for special files (a FIFO
    is opened non-blocking and refused, never waited on) and unreadable ones.

    With ``same_as`` (a device and inode), a final symlink is not followed and
    the file is read only if it is still that file."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if same_as is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            if same_as is not None and (st.st_dev, st.st_ino) != same_as:
                return None
            return handle.read(limit)
    except OSError:
        return None

"""Facts: everything a scan learns about a repository, collected once and shared.

The file index (``files``) is the only reader of the disk; ``Facts`` (``view``)
is one service's view of it, handed to every check. Collectors are pure
functions over ``RepoFiles`` (``source``) that checks plug in through
``Facts.derived(key, fn)``.
"""

from prodready.scan.facts.artefacts import Parsed
from prodready.scan.facts.files import DEFAULT_MAX_FILE_SIZE, FileIndex, FileInfo, IndexLimits
from prodready.scan.facts.source import InMemoryFiles, ParseProblem, RepoFiles
from prodready.scan.facts.view import Facts, ServiceScope, Thresholds

__all__ = [
    "DEFAULT_MAX_FILE_SIZE",
    "Facts",
    "FileIndex",
    "FileInfo",
    "InMemoryFiles",
    "IndexLimits",
    "ParseProblem",
    "Parsed",
    "RepoFiles",
    "ServiceScope",
    "Thresholds",
]

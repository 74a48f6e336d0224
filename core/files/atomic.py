"""Atomic file writes, shared by every file CapStack saves (deal files, scenario sets, import
mappings, Excel workbooks, PDF reports).

A writer gets a fresh temporary name in the target's own folder; when it has finished, the
file is flushed to disk and renamed over the target in one step (``os.replace``), and the
folder entry is synced. If anything fails, the temporary file is removed and the old target
is untouched. A target that is a symbolic link is written through (the link stays).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); not possible or needed everywhere."""
    if os.name != "posix":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        _fsync_file(directory)


def _fresh_name(target: str) -> str:
    directory, name = os.path.split(target)
    while True:
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[str]:
    """``with replacing(target) as tmp:`` write the whole file to ``tmp``; on a normal exit it
    replaces ``target`` atomically, on an exception it is removed and the target kept.
    Raises ``FileNotFoundError`` naming the folder when the target's folder does not exist."""
    target = os.path.realpath(os.fspath(path))  # save through a symlink, not over it
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{os.fspath(path)}: the folder {directory} does not exist")
    tmp = _fresh_name(target)
    try:
        yield tmp
        _fsync_file(tmp)
        with contextlib.suppress(OSError):  # keep the permissions of the file we replace
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`replacing`)."""
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)

"""Atomic file writes, shared by every file CapStack saves (deal files, scenario sets, import
mappings, Excel workbooks, PDF reports).

A writer gets a fresh temporary name in the target's own folder; when it has finished, the
file is flushed to disk and renamed over the target in one step (``os.replace``), and the
folder entry is synced. If anything fails, the temporary file is removed and the old target
is untouched. A target that is a symbolic link is written through (the link stays).

The temporary name carries the writer's process id (``.NAME.<pid>-<hex>.tmp``): a save killed
half way (kill -9, a power cut) leaves one behind; the next save of any file in that folder
removes those whose process is gone (or that are more than a day old), and the desktop
application sweeps the folders of its recent files at start
(:func:`remove_stale_temporaries_in`). :func:`refuse_same_file` is the guard every command
that reads one file and writes another calls first.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator

from core.model.errors import FileRefused

#: a temporary file older than this is stale even when its process id is in use again
STALE_AFTER_SECONDS = 24 * 3600


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
        tmp = os.path.join(directory, f".{name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
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
    remove_stale_temporaries(target)
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


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, owned by someone else
        return True
    return True


#: a temporary of :func:`_fresh_name`: ``.NAME.<pid>-<8 hex>.tmp``
_TAGGED = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp")


def _is_stale(full: str, pid: str | None, age_if_untagged: float) -> bool:
    try:
        age = time.time() - os.lstat(full).st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_SECONDS:
        return True
    if pid is None:  # files from before the pid was in the name
        return age > age_if_untagged
    return not _process_alive(int(pid))


def _remove(
    directory: str, entries: list[tuple[str, str | None]], untagged_age: float
) -> list[str]:
    removed = []
    for entry, pid in entries:
        full = os.path.join(directory, entry)
        if os.path.isfile(full) and _is_stale(full, pid, untagged_age):
            with contextlib.suppress(OSError):
                os.unlink(full)
                removed.append(entry)
    return removed


def remove_stale_temporaries_in(directory: str | os.PathLike[str]) -> list[str]:
    """Remove from ``directory`` every temporary a killed save of any file there left behind
    (``.NAME.<pid>-<hex>.tmp`` whose process is gone, or more than a day old); returns their
    names. Saves in progress in a live process are left alone."""
    directory = os.fspath(directory)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    tagged = [(n, m.group(1)) for n in names if (m := _TAGGED.fullmatch(n))]
    return _remove(directory, tagged, STALE_AFTER_SECONDS)


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[str]:
    """Before a save of ``path``: remove the temporary files interrupted saves left in its
    folder (of ``path`` itself, also in the former naming without a process id, and of any
    other file there: :func:`remove_stale_temporaries_in`); returns their names."""
    target = os.path.realpath(os.fspath(path))
    directory, name = os.path.split(target)
    old = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    untagged = [(n, None) for n in names if old.fullmatch(n)]
    return _remove(directory, untagged, 60) + remove_stale_temporaries_in(directory)


def refuse_same_file(
    output: str | os.PathLike[str],
    *inputs: str | os.PathLike[str] | None,
    what: str = "output",
    other: str = "input file",
) -> None:
    """Refuse to write ``output`` when it is one of ``inputs`` (the same file, also through a
    symbolic or hard link): the write would replace what is being read. ``None`` inputs are
    skipped. Raises :class:`~core.model.errors.FileRefused` naming both."""
    out = os.fspath(output)
    for given in inputs:
        if given is None:
            continue
        source = os.fspath(given)
        same = os.path.realpath(out) == os.path.realpath(source)
        if not same:
            with contextlib.suppress(OSError):
                same = os.path.samefile(out, source)
        if same:
            reason = (
                f"the {what} is the same file as the {other} {source}; writing it would "
                "replace that file: choose another name"
            )
            raise FileRefused(out, reason)

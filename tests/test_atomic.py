"""Atomic writes (core/files/atomic.py), used by every file CapStack saves."""

from __future__ import annotations

import os
import stat

import pytest

from core.files.atomic import replacing, write_atomically


def test_write_replaces_and_leaves_no_temporary(tmp_path) -> None:  # noqa: ANN001
    target = tmp_path / "a.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # permissions of the replaced file
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_failure_keeps_the_old_file(tmp_path) -> None:  # noqa: ANN001
    target = tmp_path / "a.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="half way"), replacing(target) as tmp:
        with open(tmp, "w") as fh:
            fh.write("half")
        raise RuntimeError("failed half way")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_writes_through_a_symbolic_link(tmp_path) -> None:  # noqa: ANN001
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, b"new")
    assert link.is_symlink() and real.read_text() == "new"


def test_missing_folder_is_named(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_atomically(tmp_path / "nope" / "a.json", b"x")

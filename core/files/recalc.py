"""Recalculate spreadsheets with LibreOffice headless.

``soffice --headless --convert-to xlsx`` opens a workbook and saves it again. By default
LibreOffice keeps the values cached in an ``.xlsx`` file instead of recalculating, so every call
here starts soffice with its own fresh user profile (``-env:UserInstallation``) whose
``registrymodifications.xcu`` sets ``OOXMLRecalcMode`` and ``ODFRecalcMode`` to 0 ("always
recalculate"), and sets ``DisableMacrosExecution`` (with ``MacroSecurityLevel`` 3, "very
high"): no macro of the workbook runs, whatever it holds. A private profile also lets several
soffice processes run side by side. CapStack starts LibreOffice only when asked to
(``import --recalc``, the import dialog's recalculate option, the export tests).

Nothing is written next to the input: soffice writes into a private temporary directory and the
result is moved into ``out_dir`` with ``os.replace``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["RecalcError", "recalculate", "recalculate_many", "soffice_available"]

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" \
oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop \
oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop \
oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""

_INSTALL_HINT = (
    "LibreOffice (soffice) was not found on PATH; install it, e.g. "
    "'apt-get install libreoffice-calc-nogui', to recalculate workbooks"
)


class RecalcError(RuntimeError):
    """LibreOffice is missing, timed out, or did not produce the recalculated workbook."""


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """True when a LibreOffice ``soffice`` executable is on PATH."""
    return _soffice() is not None


def recalculate(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    timeout: float = 120,
) -> Path:
    """Recalculate the workbook at ``path`` and return the recalculated ``.xlsx``.

    The result is ``out_dir / <stem>.xlsx`` (``out_dir`` defaults to a new temporary directory).
    Raises :class:`RecalcError` when soffice is missing, times out or fails to convert.
    """
    return recalculate_many([path], out_dir, timeout)[0]


def recalculate_many(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str] | None = None,
    timeout: float = 120,
) -> list[Path]:
    """Recalculate several workbooks in one soffice process (faster than one call each)."""
    exe = _soffice()
    if exe is None:
        raise RecalcError(_INSTALL_HINT)
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    for src in sources:
        if not src.is_file():
            raise RecalcError(f"cannot recalculate {src}: no such file")
    stems = [s.stem for s in sources]
    if len(set(stems)) != len(stems):
        raise RecalcError(f"cannot recalculate files with the same name together: {stems}")
    target = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="recalc-"))
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capstack-soffice-") as work:
        work_dir = Path(work)
        profile = work_dir / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        conv = work_dir / "out"
        conv.mkdir()
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(conv),
            *map(str, sources),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=work,
                env={**os.environ, "HOME": work},
                start_new_session=True,  # its own process group, so a timeout kills it all
            )
        except OSError as exc:
            raise RecalcError(f"cannot start LibreOffice ({exe}): {exc}") from exc
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RecalcError(
                f"LibreOffice did not finish recalculating {', '.join(map(str, sources))} "
                f"within {timeout:g} s"
            ) from exc
        results = []
        for src in sources:
            produced = conv / (src.stem + ".xlsx")
            if proc.returncode != 0 or not produced.is_file():
                detail = (stderr or stdout or "").strip()[-500:]
                raise RecalcError(
                    f"LibreOffice failed to recalculate {src} (exit code {proc.returncode})"
                    + (f": {detail}" if detail else "")
                )
            final = target / produced.name
            tmp = target / f".{produced.name}.{os.getpid()}.tmp"
            shutil.copyfile(produced, tmp)
            os.replace(tmp, final)
            results.append(final)
    return results

"""core.files.recalc: LibreOffice headless really recalculates (forced), errors are clear."""

from __future__ import annotations

import openpyxl
import pytest

from core.files import recalc
from core.files.recalc import RecalcError, recalculate, recalculate_many, soffice_available

pytestmark = pytest.mark.libreoffice


def _stale_workbook(path, a1: float, b1: float) -> None:
    """A workbook whose formula cell carries a deliberately wrong cached value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = a1
    ws["B1"] = b1
    ws["C1"] = "=A1*B1+1"
    wb.save(path)
    # openpyxl writes no cached value; inject a wrong one so "keep cached values" would show it
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A1*B1+1</f><v></v>", b"<f>A1*B1+1</f><v>999</v>")
                if b"<v>999</v>" not in data:
                    data = data.replace(b"<f>A1*B1+1</f>", b"<f>A1*B1+1</f><v>999</v>")
                assert b"<v>999</v>" in data
            zout.writestr(item, data)
    tmp.replace(path)


def test_soffice_available():
    assert soffice_available(), "install libreoffice-calc-nogui (bash scripts/install.sh)"


def test_recalculate_replaces_stale_cached_values(tmp_path):
    a, b = 3.25, 4.5
    src = tmp_path / "stale.xlsx"
    _stale_workbook(src, a, b)
    cached = openpyxl.load_workbook(src, data_only=True).active["C1"].value
    assert cached == 999
    out = recalculate(src, tmp_path / "out")
    assert out.parent == tmp_path / "out" and out.name == "stale.xlsx"
    assert openpyxl.load_workbook(out, data_only=True).active["C1"].value == pytest.approx(
        a * b + 1, rel=1e-12
    )
    # the input is untouched
    assert openpyxl.load_workbook(src, data_only=True).active["C1"].value == 999


def test_recalculate_many_in_one_call(tmp_path):
    paths = []
    for i in range(2):
        p = tmp_path / f"w{i}.xlsx"
        _stale_workbook(p, i + 1.0, 2.0)
        paths.append(p)
    outs = recalculate_many(paths, tmp_path / "out")
    for i, out in enumerate(outs):
        got = openpyxl.load_workbook(out, data_only=True).active["C1"].value
        assert got == pytest.approx((i + 1.0) * 2.0 + 1)


def test_missing_soffice_message(tmp_path, monkeypatch):
    monkeypatch.setattr(recalc.shutil, "which", lambda name: None)
    assert not soffice_available()
    src = tmp_path / "x.xlsx"
    _stale_workbook(src, 1, 1)
    with pytest.raises(RecalcError, match="libreoffice-calc-nogui"):
        recalculate(src)


def test_missing_input_file(tmp_path):
    with pytest.raises(RecalcError, match="no such file"):
        recalculate(tmp_path / "nope.xlsx")


def test_conversion_failure_is_reported(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")  # a broken zip: soffice cannot load it
    with pytest.raises(RecalcError, match="bad.xlsx"):
        recalculate(bad, tmp_path / "out", timeout=60)


def test_timeout_is_reported(tmp_path):
    src = tmp_path / "t.xlsx"
    _stale_workbook(src, 1, 1)
    with pytest.raises(RecalcError, match="within"):
        recalculate(src, tmp_path / "out", timeout=0.01)

"""Issue #16: no input loses a file, hangs the program or escapes as a traceback.

One regression test (or more) per case of the issue, numbered as there; the deal mutations
over every declared field are a Hypothesis strategy (tests/strategies.py) whose bounds come
from the field declarations. Commands run in this process through ``cli_main``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from cli.main import cli_main
from core import limits
from core.engine.results import run_deal
from core.files import atomic
from core.files.atomic import refuse_same_file, remove_stale_temporaries, write_atomically
from core.files.deal_json import DealFileError, load_deal, loads_deal
from core.files.excel_import import WorkbookError, import_workbook
from core.model.blocks import REGISTRY
from core.model.errors import DealError
from tests.strategies import SAMPLES, deal_mutations

ROOT = Path(__file__).resolve().parents[1]
CORE = SAMPLES / "coreweave_ddtl.json"
HYPERION = SAMPLES / "hyperion_jv.json"


def _cli(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = cli_main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _mutated(tmp_path: Path, source: Path, name: str = "m.json", **terms: object) -> Path:
    """``source`` with ``kind.field=value`` terms set on the first block of each kind."""
    doc = json.loads(source.read_text())
    for key, value in terms.items():
        kind, field = key.split("__")
        block = next(b for b in doc["blocks"] if b["kind"] == kind)
        block.setdefault("terms", {})[field] = value
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _enospc_open(real_open):  # noqa: ANN001, ANN202
    """An ``open`` whose files fail every write with ENOSPC, as on a full disk."""

    class Full:
        def __init__(self, fh) -> None:  # noqa: ANN001
            self.fh = fh

        def write(self, data) -> int:  # noqa: ANN001
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc) -> None:  # noqa: ANN002
            self.fh.close()

    def fake(path, mode="r", *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        fh = real_open(path, mode, *args, **kw)
        return Full(fh) if "w" in mode else fh

    return fake


# ------------------------------------------------------------------ 1. full disk, atomic writes
@pytest.mark.parametrize("command", ["report", "export"])
def test_1_full_disk_keeps_the_old_output_and_exits_2(tmp_path, capsys, monkeypatch, command):
    suffix = ".pdf" if command == "report" else ".xlsx"
    out = tmp_path / f"old{suffix}"
    out.write_bytes(b"the previous file, whole")
    monkeypatch.setattr(atomic, "open", _enospc_open(open), raising=False)
    code, stdout, err = _cli(capsys, command, CORE, "-o", out, "--paths", "0")
    assert code == 2
    assert "No space left on device" in err and str(out) in err
    assert "Wrote" not in stdout and "Traceback" not in err
    assert out.read_bytes() == b"the previous file, whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary left


def test_1_report_is_a_complete_pdf(tmp_path, capsys):
    out = tmp_path / "r.pdf"
    code, stdout, _ = _cli(capsys, "report", CORE, "-o", out, "--paths", "0")
    assert code == 0 and stdout.startswith(f"Wrote {out}")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_1_full_disk_on_a_real_small_filesystem(tmp_path, capsys):
    """With root, a 64 kB tmpfs: the report does not fit, the old file stays."""
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True)  # fmt: skip
    if done.returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        out = mount / "r.pdf"
        out.write_bytes(b"old")
        code, _, err = _cli(capsys, "report", CORE, "-o", out, "--paths", "0")
        assert code == 2 and "No space left" in err
        assert out.read_bytes() == b"old" and os.listdir(mount) == ["r.pdf"]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# ------------------------------------------------------------------ 2. output over input
def test_2_output_over_input_is_refused(tmp_path, capsys):
    deal_xlsx = tmp_path / "d.xlsx"
    shutil.copy(CORE, deal_xlsx)  # a deal file with an .xlsx suffix
    deal_pdf = tmp_path / "d.pdf"
    shutil.copy(CORE, deal_pdf)
    link = tmp_path / "link.pdf"
    link.symlink_to(deal_pdf)
    workbook = tmp_path / "w.xlsx"
    assert _cli(capsys, "export", CORE, "-o", workbook, "--paths", "0")[0] == 0
    before = {p: p.read_bytes() for p in (deal_xlsx, deal_pdf, workbook)}
    cases = [
        ("export", deal_xlsx, "-o", deal_xlsx),
        ("report", deal_pdf, "-o", deal_pdf),
        ("report", deal_pdf, "-o", link),
        ("import", workbook, "-o", workbook),
        ("import", workbook, "-o", tmp_path / "x.json", "--save-mapping", tmp_path / "x.json"),
        ("import", workbook, "-o", tmp_path / "y.json", "--save-mapping", workbook),
    ]
    for argv in cases:
        code, _, err = _cli(capsys, *argv)
        assert code == 2 and "same file" in err, argv
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "y.json").exists()


def test_2_same_file_through_a_hard_link(tmp_path):
    a = tmp_path / "a.json"
    a.write_text("{}")
    os.link(a, tmp_path / "b.json")
    with pytest.raises(DealError, match="same file"):
        refuse_same_file(tmp_path / "b.json", a)
    refuse_same_file(tmp_path / "c.json", a, None)  # another file: fine


# ------------------------------------------------------------------ 3. unbounded whole numbers
def test_3_renewal_options_beyond_bound_refused_at_once(tmp_path, capsys):
    path = _mutated(tmp_path, HYPERION, lease__renewal_options=2147483648)
    start = time.perf_counter()
    code, _, err = _cli(capsys, "run", path)
    assert code == 2 and "renewal_options" in err and "2147483648" in err
    assert "must be at most 20" in err
    assert time.perf_counter() - start < 10  # refused up front, not after gigabytes


def test_every_numeric_field_is_bounded_both_ways():
    """The strategy's bounds come from the declarations: every number declares (or takes its
    unit's) finite minimum and maximum, every list a bound per item."""
    for kind in REGISTRY.values():
        for f in kind.fields:
            if f.type in ("float", "int"):
                assert np.isfinite([f.minimum, f.maximum]).all(), (kind.id, f.name)
                assert f.minimum <= f.default <= f.maximum, (kind.id, f.name)
            if f.type == "list":
                assert np.isfinite([f.item_minimum, f.item_maximum]).all(), (kind.id, f.name)


# ------------------------------------------------------------------ 4. workbook cell count
def test_4_workbook_with_too_many_cells_refused_up_front(tmp_path):
    wb = openpyxl.Workbook(write_only=True)
    per_sheet = 16_384
    for s in range(limits.MAX_WORKBOOK_CELLS // per_sheet + 1):
        wb.create_sheet(f"S{s}").append([1.0] * per_sheet)
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    assert path.stat().st_size < 5_000_000  # a small file
    start = time.perf_counter()
    cells = f"{limits.MAX_WORKBOOK_CELLS:,}"
    with pytest.raises(WorkbookError, match=rf"more than {cells} cells in the first 2,000 rows"):
        import_workbook(path)
    assert time.perf_counter() - start < 20


def test_4_too_many_shared_strings_refused(tmp_path):
    path = tmp_path / "strings.xlsx"
    _tiny_workbook(path)
    n = limits.MAX_SHARED_STRINGS + 1
    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + b"".join(b"<si><t>%d</t></si>" % i for i in range(n)) + b"</sst>")  # fmt: skip
    _replace_member(path, "xl/sharedStrings.xml", sst)
    with pytest.raises(WorkbookError, match="distinct texts"):
        import_workbook(path)


def _tiny_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Debt tenor"
    wb.active["B1"] = "five"
    wb.save(path)


def _replace_member(path: Path, member: str, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
        dst.writestr(member, data)
    tmp.replace(path)


# ------------------------------------------------------------------ 5. Monte Carlo paths
@pytest.mark.parametrize("command", ["montecarlo", "report", "export"])
def test_5_paths_beyond_the_limit_refused(tmp_path, capsys, command):
    argv = [command, CORE, "--paths", str(limits.MAX_PATHS + 1)]
    if command != "montecarlo":
        argv += ["-o", tmp_path / ("o.pdf" if command == "report" else "o.xlsx")]
    code, _, err = _cli(capsys, *argv)
    assert code == 2 and "--paths" in err and f"{limits.MAX_PATHS:,}" in err
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ 6. a FIFO as input
def test_6_fifo_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "deal.json"
    os.mkfifo(fifo)
    for argv in (("run", fifo), ("stress", fifo), ("import", fifo, "-o", tmp_path / "o.json")):
        code, _, err = _cli(capsys, *argv)
        assert code == 2 and "deal.json" in err and "pipe" in err, argv
    with pytest.raises(DealError, match="pipe"):
        limits.read_text_file(fifo)


# ------------------------------------------------------------------ 7. large deals
def test_7_tranches_beyond_the_limit_refused(tmp_path):
    doc = json.loads(HYPERION.read_text())
    tranche = next(b for b in doc["blocks"] if b["kind"] == "tranche")
    for i in range(limits.MAX_TRANCHES):
        doc["blocks"].append({**tranche, "id": f"extra{i}"})
    at_most = rf"at most {limits.MAX_TRANCHES} tranches \(docs/limits.md\)"
    with pytest.raises(DealFileError, match=at_most):
        loads_deal(json.dumps(doc))
    doc["blocks"] += [{"id": f"b{i}", "kind": "sponsor"} for i in range(limits.MAX_BLOCKS)]
    with pytest.raises(DealFileError, match=r"blocks: the number of blocks is more than"):
        loads_deal(json.dumps(doc))


def test_7_largest_deal_runs(tmp_path):
    """A deal at the limits (20 tranches, 50 years monthly) runs; time in BENCHMARKS.md."""
    from benchmarks.bench_limits import largest_deal

    result = run_deal(largest_deal())
    assert len(result.compiled.tranches) == limits.MAX_TRANCHES
    assert result.compiled.timeline.n_periods == limits.MAX_PERIODS
    assert np.isfinite(result.periods["cfads"]).all()


# ------------------------------------------------------------------ 8. calendar and whole numbers
@pytest.mark.parametrize(
    "terms, field",
    [
        ({"spv__closing_date": "9990-01-01"}, "closing_date"),
        ({"lease__termination_month": 1e308}, "termination_month"),
        ({"lease__start_month": 2**63 - 1}, "start_month"),
        ({"lease__renewal_term_years": 1e308}, "renewal_term_years"),
        ({"tranche__io_months": 10**15}, "io_months"),
    ],
)
def test_8_out_of_range_inputs_exit_2_naming_field(tmp_path, capsys, terms, field):
    path = _mutated(tmp_path, HYPERION, **terms)
    code, _, err = _cli(capsys, "run", path)
    assert code == 2 and field in err and str(path) in err and "Traceback" not in err


def test_8_fleet_whole_numbers_bounded(tmp_path, capsys):
    xai = SAMPLES / "xai_gpu_spv.json"
    for terms in ({"gpu_fleet__liquidation_lag_months": 1e15},
                  {"gpu_fleet__commercial_life_years": 1e308}):  # fmt: skip
        code, _, err = _cli(capsys, "run", _mutated(tmp_path, xai, **terms))
        assert code == 2 and next(iter(terms)).split("__")[1] in err


# ------------------------------------------------------------------ 9. control characters etc.
@pytest.mark.parametrize("text", ["a\x00b", "a\x1bb"])
def test_9_control_characters_refused_by_every_command(tmp_path, capsys, text):
    doc = json.loads(CORE.read_text())
    doc["blocks"][0]["terms"]["name"] = text
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    for argv in (("run", path), ("export", path, "-o", tmp_path / "o.xlsx", "--paths", "0")):
        code, _, err = _cli(capsys, *argv)
        assert code == 2 and "control character" in err, argv
    doc = json.loads(CORE.read_text())
    doc["blocks"][0]["id"] = "id\x1b"
    with pytest.raises(DealFileError, match="control character U\\+001B"):
        loads_deal(json.dumps(doc))


def test_9_flipped_deflate_byte_is_a_clear_refusal(tmp_path):
    path = tmp_path / "w.xlsx"
    shutil.copy(ROOT / "resources" / "examples" / "gpu_lease_model.xlsx", path)
    with zipfile.ZipFile(path) as zf:
        info = max(zf.infolist(), key=lambda i: i.compress_size)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    for k in range(start + 10, start + 40):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookError, match="w.xlsx"):
        import_workbook(path)


def test_9_huge_block_position_refused():
    doc = json.loads(CORE.read_text())
    doc["blocks"][0]["position"] = [3e8, 0]
    with pytest.raises(DealFileError, match=r"position: must lie within"):
        loads_deal(json.dumps(doc))


# ------------------------------------------------------------------ 10. non-finite results
def test_10_price_beyond_bound_refused(tmp_path, capsys):
    path = _mutated(tmp_path, CORE, lease__price_per_gpu_hour=1e308)
    code, _, err = _cli(capsys, "run", path)
    assert code == 2 and "price_per_gpu_hour" in err and "at most 10000" in err


def test_10_non_finite_engine_input_names_the_input():
    """A deal built in code, past the field checks: the engine refuses it, naming the term."""
    deal = load_deal(CORE)
    lease = deal.of_kind("lease")[0]
    lease.terms["price_per_gpu_hour"] = 1e308  # bypassing field validation
    with pytest.raises(DealError) as info:
        run_deal(deal)
    message = str(info.value)
    assert f"blocks[{lease.id}].terms.price_per_gpu_hour=1e+308" in message
    assert "revenue is not a finite number" in message


# ------------------------------------------------------------------ 11. Excel cells
@pytest.mark.parametrize("value", ["#REF!", "five", 1_000_000, "1,2OO"])
def test_11_unusable_input_cell_reported_by_cell(tmp_path, capsys, value):
    path = tmp_path / "m.xlsx"
    wb = openpyxl.load_workbook(ROOT / "resources" / "examples" / "gpu_lease_model.xlsx")
    wb["Assumptions"]["D9"].value = value
    wb.save(path)
    code, _, err = _cli(capsys, "import", path, "-o", tmp_path / "m.json")
    assert code == 2 and "Assumptions!D9" in err and "Debt tenor" in err
    assert not (tmp_path / "m.json").exists()


def test_11_number_text():
    from core.files.excel_import.reader import parse_number_text

    assert parse_number_text("1,2OO") is None and parse_number_text("12OO") is None
    assert parse_number_text("1,200") == 1200.0 and parse_number_text("5x") == 5.0
    assert parse_number_text("12 years") == 12.0 and parse_number_text("6.5%") == 0.065


# ------------------------------------------------------------------ 12. text written as text
def test_12_deal_text_is_never_a_live_formula(tmp_path, capsys):
    doc = json.loads(CORE.read_text())
    for b in doc["blocks"]:
        if b["kind"] == "tranche":
            b["terms"]["name"] = '=HYPERLINK("http://x.example","click")'
        if b["kind"] == "lease":
            b["terms"]["name"] = "=1+1"
    doc["name"] = "=SUM(A1:A3)"
    path = tmp_path / "f.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "f.xlsx"
    assert _cli(capsys, "export", path, "-o", out, "--paths", "0")[0] == 0
    texts = {'=HYPERLINK("http://x.example","click")', "=1+1", "=SUM(A1:A3)"}
    wb = openpyxl.load_workbook(out)
    found = 0
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, str) and any(v == t or v.startswith(t + ":") for t in texts):
                    assert c.data_type == "s", (ws.title, c.coordinate, v)
                    found += 1
    assert found >= 3


# ------------------------------------------------------------------ 13. LibreOffice
def test_13_libreoffice_never_started_unless_asked(tmp_path, monkeypatch):
    from core.files import recalc

    def refuse(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("LibreOffice started without --recalc")

    monkeypatch.setattr(recalc, "recalculate", refuse)
    monkeypatch.setattr(recalc, "recalculate_many", refuse)
    path = tmp_path / "uncalculated.xlsm"
    wb = openpyxl.load_workbook(ROOT / "resources" / "examples" / "gpu_lease_model.xlsx")
    wb.save(path)  # openpyxl keeps formulas and drops every cached value
    try:
        res = import_workbook(path)
    except WorkbookError:
        return  # refused for its missing values: also without LibreOffice
    assert not any("recalculated with LibreOffice" in n for n in res.notes)


def test_13_recalculation_profile_disables_macros():
    from core.files import recalc

    assert '"DisableMacrosExecution" oor:op="fuse"><value>true</value>' in recalc._XCU
    assert '"MacroSecurityLevel" oor:op="fuse"><value>3</value>' in recalc._XCU


# ------------------------------------------------------------------ 14. stale temporaries
def test_14_stale_temporaries_cleaned_by_the_next_save(tmp_path):
    target = tmp_path / "x.xlsx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f".x.xlsx.{dead}-0123abcd.tmp"  # its writer was killed
    stale.write_bytes(b"half")
    live = tmp_path / f".x.xlsx.{os.getpid()}-89abcdef.tmp"  # a save in progress here
    live.write_bytes(b"busy")
    old = tmp_path / ".x.xlsx.deadbeef.tmp"  # the former naming, a day old
    old.write_bytes(b"old")
    os.utime(old, (time.time() - 2 * atomic.STALE_AFTER_SECONDS,) * 2)
    other = tmp_path / ".y.xlsx.1-0123abcd.tmp"  # another file's: not ours to touch
    other.write_bytes(b"y")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert not stale.exists() and not old.exists() and live.exists() and other.exists()
    assert remove_stale_temporaries(target) == []


# ------------------------------------------------------------------ tracebacks never escape
def test_unexpected_error_is_one_line_exit_1(capsys, monkeypatch):
    import cli.cmd_run

    def boom(args):  # noqa: ANN001, ANN202
        raise KeyError("bug")

    monkeypatch.setattr(cli.cmd_run, "run", boom)
    code, _, err = _cli(capsys, "run", CORE)
    assert code == 1 and "internal error in run" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_out_of_memory_is_exit_2(capsys, monkeypatch):
    import cli.cmd_run

    def oom(args):  # noqa: ANN001, ANN202
        raise MemoryError

    monkeypatch.setattr(cli.cmd_run, "run", oom)
    code, _, err = _cli(capsys, "run", CORE)
    assert code == 2 and "out of memory" in err


# ------------------------------------------------------------------ mutations of every field
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deal_mutations())
def test_mutated_deals_run_or_are_refused_with_the_field_named(mutation):
    """Any mutation of any declared field of any sample: refused with a DealError naming a
    path, or run with finite cash flows and balances."""
    name, doc = mutation
    try:
        deal = loads_deal(json.dumps(doc), name)
        result = run_deal(deal)
    except DealError as exc:
        assert str(exc) and "Traceback" not in str(exc)
        return
    cash = result.periods[["revenue", "opex", "cfads", "debt_service", "distribution"]]
    assert np.isfinite(cash.to_numpy()).all()
    for tranche in result.tranches.values():
        assert np.isfinite(tranche.balance.to_numpy()).all()


def test_limit_table_is_documented():
    doc = (ROOT / "docs" / "limits.md").read_text()
    for what, limit, where in limits.TABLE:
        assert f"| {what} | {limit} | {where} |" in doc, what


def test_grid_axis_beyond_the_limit_refused_before_allocating(capsys):
    n = 100_000_000  # 800 MB of values if it were allocated
    code, _, err = _cli(capsys, "stress", HYPERION, "--grid", f"rent_deflation=0:0.4:{n}",
                        "residual_haircut=0,0.5")  # fmt: skip
    assert code == 2 and "grid axis rent_deflation" in err and f"{limits.MAX_GRID_AXIS}" in err


def test_monte_carlo_config_checks_the_path_limit():
    from core.risk.montecarlo import MonteCarloConfig

    with pytest.raises(DealError, match="--paths"):
        MonteCarloConfig(n_paths=limits.MAX_PATHS + 1).validate()


def test_equity_irr_fallback_batch_equals_one_path_at_a_time():
    """Found by the fuzzer: equity of USD 931bn on the TeraWulf sample made Newton fail on
    most paths and the report's tornado re-ran them one by one for minutes. The fallback now
    reruns them in one batch; each path's IRR is the same as alone."""
    from core.engine.compile import compile_deal
    from core.engine.kernel import run_waterfall
    from core.engine.metrics import irr
    from core.risk import montecarlo as mc
    from core.risk.paths import make_drivers

    deal = load_deal(SAMPLES / "terawulf_backstop.json")
    deal.set_term(deal.of_kind("equity")[0].id, "amount", 931195.98)
    cfg = mc.MonteCarloConfig(n_paths=200, seed=3)
    sized = compile_deal(deal)
    paths = np.array([3, 7, 50, 199])
    alone = []
    for p in paths:
        drivers, _ = make_drivers(sized, cfg.model, cfg.seed, 1, first_path=int(p))
        res = run_waterfall(compile_deal(deal, drivers, sized=sized).inputs, n_threads=1)
        flows = np.concatenate([[-mc._equity(sized)], res.distribution[0] - res.injection[0]])
        alone.append(irr(flows[None, :])[0])
    batch = mc._bisect_irr(deal, sized, cfg, paths)
    assert np.array_equal(batch, np.array(alone), equal_nan=True)

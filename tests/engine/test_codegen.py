"""The kernel's plumbing is rendered from the field declarations (core/engine/codegen.py)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from core.engine import arrays, codegen
from core.engine.arrays import EngineInputs, EngineOutputs
from core.engine.kernel import check_build, run_waterfall


def test_rendered_files_are_up_to_date():
    stale = codegen.stale()
    assert not stale, (
        f"{[p.name for p in stale]} differ from their templates rendered from "
        "core/engine/arrays.py: run `python -m core.engine.codegen` (setup.py does it) and rebuild"
    )


def test_compiled_kernel_was_built_from_these_declarations():
    assert codegen.abi_version() == check_build().ABI_VERSION


def test_every_declared_field_is_in_the_context_struct():
    pxd = codegen.target("_waterfall.pxd.tp").read_text()
    for f in fields(EngineInputs):
        assert f" {f.name}  #" in pxd, f.name
    for f in fields(EngineOutputs):
        assert f" o_{f.name}  #" in pxd, f.name


def test_abi_changes_with_a_declaration(monkeypatch):
    before = codegen.abi_version()
    meta = dict(fields(EngineOutputs)[0].metadata, ctype=arrays.I32)
    renamed = [(f.name, dict(f.metadata)) for f in fields(EngineOutputs)]
    renamed[0] = (renamed[0][0], meta)
    monkeypatch.setattr(
        codegen, "_decl", lambda cls: [dict(m, name=n, default=None) for n, m in renamed]
    )
    assert codegen.abi_version() != before


def test_a_mis_shaped_output_is_refused_by_name():
    inp = _tiny_inputs()
    out = EngineOutputs.empty(1, 1, 3)
    out.balance = np.zeros((1, 2, 3))
    with pytest.raises(ValueError, match="out.balance"):
        run_waterfall(inp, out=out)
    with pytest.raises(ValueError, match="output balance has shape"):
        check_build().waterfall(inp, out, 1)


def test_output_dtypes_follow_the_declaration():
    out = EngineOutputs.empty(2, 3, 4)
    for f in fields(EngineOutputs):
        want = np.int32 if f.metadata["ctype"] == arrays.I32 else np.float64
        assert getattr(out, f.name).dtype == want
        assert getattr(out, f.name).ndim == (3 if f.metadata["shape"] == arrays.PKT else 2)


def _tiny_inputs() -> EngineInputs:
    """One tranche of 100 at 12% a year over three monthly periods, 60 a period of revenue."""
    T = 3
    z = np.zeros((1, T))
    return EngineInputs(
        revenue=np.full((1, T), 60.0),
        opex=z,
        fees=z,
        proceeds=z,
        asset_value=z,
        liquidation_value=z,
        crypto_value=z,
        base_rate=z,
        depreciation=np.zeros(T),
        dsra_target=np.zeros(T),
        fixed_rate=np.array([0.12]),
        spread=np.zeros(1),
        floating=np.zeros(1, dtype=np.int32),
        year_fraction=np.full((1, T), 1 / 12),
        notional=np.array([100.0]),
        scheduled_principal=np.array([[50.0, 50.0, 0.0]]),
        maturity=np.array([2], dtype=np.int32),
        sweep_pct=np.zeros(1),
        pik=np.zeros(1, dtype=np.int32),
        group_start=np.array([0, 1], dtype=np.int32),
    )


def test_tiny_deal_by_hand():
    """Interest 1.0 then 0.5 (1% a month on 100, then 50); principal 50 + 50; rest paid out."""
    out = run_waterfall(_tiny_inputs())
    np.testing.assert_allclose(out.interest_paid[0, 0], [1.0, 0.5, 0.0])
    np.testing.assert_allclose(out.principal_paid[0, 0], [50.0, 50.0, 0.0])
    np.testing.assert_allclose(out.distribution[0], [9.0, 9.5, 60.0])
    np.testing.assert_allclose(out.balance[0, 0], [50.0, 0.0, 0.0])

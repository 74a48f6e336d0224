"""The JSON Schema and format docs are generated from the model and cannot drift; every
sample deal validates against the schema and loads."""

import json
from pathlib import Path

import jsonschema
import pytest

from core.files import schema
from core.files.deal_json import dump_deal, load_deal
from core.model.blocks import REGISTRY
from core.model.deal import Deal
from core.model.rules import ALLOWED

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "resources" / "deals").glob("*.json"))


def every_kind_doc() -> dict:
    """A written deal with one block of every kind (defaults) and a few connections."""
    d = Deal("All kinds", "one of each")
    for i, kind in enumerate(REGISTRY):
        d.add_block(kind, position=(i * 10.0, -i * 2.5), block_id=kind)
    d.connect("issues", "spv", "tranche")
    d.connect("leases_to", "spv", "lease")
    d.connect("guarantees", "guarantee", "lease")
    return json.loads(dump_deal(d))


def block(doc: dict, kind: str) -> dict:
    return next(b for b in doc["blocks"] if b["kind"] == kind)


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(schema.build_schema())


def test_committed_schema_is_current():
    committed = (ROOT / "resources" / "deal.schema.json").read_text(encoding="utf-8")
    assert committed == schema.render_schema(), "run: python -m core.files.schema"


def test_committed_docs_are_current():
    committed = (ROOT / "docs" / "deal-format.md").read_text(encoding="utf-8")
    prose = schema.prose_of(committed)
    assert prose is not None, "docs/deal-format.md lost its generated-section marker"
    assert committed == schema.render_docs(prose), (
        "run: python -m core.files.schema --docs docs/deal-format.md"
    )


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(schema.build_schema())


def test_docs_cover_every_kind_field_and_connection():
    text = schema.render_docs()
    for kind in REGISTRY.values():
        assert f"### `{kind.id}`" in text
        for f in kind.fields:
            assert f"| `{f.name}` |" in text
    for kind in ALLOWED:
        assert f"| `{kind}` |" in text


def test_written_deal_validates(validator):
    validator.validate(every_kind_doc())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: block(d, "tranche")["terms"].update(notional=-5.0), "minimum"),
        (lambda d: block(d, "tranche")["terms"].update(notionl=1.0), "Additional properties"),
        (lambda d: block(d, "tranche")["terms"].update(amortisation="balloon"), "is not one of"),
        (lambda d: block(d, "spv")["terms"].update(closing_date="2025/10/01"), "does not match"),
        (lambda d: d["connections"][0].update(kind="funds"), "is not one of"),
        (lambda d: d.update(format_version=2), "was expected"),
        (lambda d: d["blocks"][0].update(position=[1]), "is too short"),
    ],
)
def test_schema_rejects_bad_documents(validator, mutate, message):
    doc = every_kind_doc()
    mutate(doc)
    errors = [e.message for e in validator.iter_errors(doc)]
    assert any(message in e for e in errors), errors


def test_check_mode_reports_stale(tmp_path, capsys):
    stale = tmp_path / "deal.schema.json"
    stale.write_text("{}\n")
    assert schema.main(["--schema", str(stale), "--check"]) == 1
    assert stale.read_text() == "{}\n"
    assert schema.main(["--schema", str(stale)]) == 0
    assert schema.main(["--schema", str(stale), "--check"]) == 0
    docs = tmp_path / "docs.md"
    assert schema.main(["--schema", str(stale), "--docs", str(docs)]) == 0
    assert docs.read_text(encoding="utf-8") == schema.render_docs()
    capsys.readouterr()


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_deal_matches_schema(validator, path):
    validator.validate(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_deal_loads(path):
    assert load_deal(path).blocks

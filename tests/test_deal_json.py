"""The JSON deal file: round trip, every kind of bad input, atomic save, property test."""

import copy
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.files import deal_json
from core.files.deal_json import (
    MAX_FILE_BYTES,
    DealFileError,
    dump_deal,
    load_deal,
    loads_deal,
    save_deal,
)
from core.model.blocks import REGISTRY
from core.model.deal import Deal
from core.model.errors import DealError
from tests.strategies import coordinate, field_value, safe_text


def sample() -> Deal:
    """A valid deal using most block kinds, positions on the 0.1 grid."""
    d = Deal("GPU SPV", "xAI-style GPU lease, \u00e9quity \u2014 test")
    d.add_block("sponsor", {"name": "xAI", "rating": "NR"}, (0.0, 0.0), "xai")
    d.add_block("equity", {"investor": "Valor", "amount": 7500.0}, (-120.5, 40.0), "valor")
    d.add_block("spv", {"closing_date": "2025-10-01", "base_rate_curve": [0.037, 0.035]},
                (100.0, 0.0), "spv")  # fmt: skip
    d.add_block(
        "tranche",
        {
            "notional": 12500.0,
            "coupon": 0.1 + 0.2,
            "rate_type": "floating",
            "spread": 0.06,
            "amortisation": "custom",
            "custom_schedule": [0.1, 0.2, 0.3],
        },
        (200.3, -10.7),
        "senior",
    )
    d.add_block("lease", {"term_years": 5.0, "rent_basis": "gpu_hour", "gpus": 0},
                (300.0, 0.0), "lease")  # fmt: skip
    d.add_block("gpu_fleet", {"count": 600000, "unit_cost": 33.0}, (300.0, 100.0), "gpus")
    d.add_block("guarantee", {"guarantee_type": "rvg", "floor_pct": 0.2}, (400.0, 0.0), "rvg")
    d.add_block("covenant", {}, (0.0, 200.0), "cov")
    d.add_block("crypto", {"units": 1000.0}, (0.0, 300.0), "btc")
    for kind, s, t in [
        ("owns", "valor", "spv"),
        ("issues", "spv", "senior"),
        ("leases_to", "spv", "lease"),
        ("leases_to", "lease", "xai"),
        ("owns", "spv", "gpus"),
        ("guarantees", "xai", "rvg"),
        ("guarantees", "rvg", "gpus"),
        ("applies_to", "cov", "spv"),
        ("secures", "btc", "senior"),
        ("secures", "gpus", "senior"),
    ]:
        d.connect(kind, s, t)  # fmt: skip
    return d


def sample_doc() -> dict:
    return json.loads(dump_deal(sample()))


# --------------------------------------------------------------------------- round trip
def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "deal.json"
    save_deal(sample(), path)
    assert load_deal(path) == sample()
    assert load_deal(str(path)) == sample()


def test_round_trip_keeps_everything():
    d, back = sample(), loads_deal(dump_deal(sample()))
    assert (back.name, back.description) == (d.name, d.description)
    assert list(back.blocks) == list(d.blocks) and list(back.connections) == list(d.connections)
    for b in d.blocks.values():
        assert back.blocks[b.id].terms == b.terms
        assert back.blocks[b.id].position == b.position
        assert back.blocks[b.id].kind == b.kind
    assert back.connections == d.connections
    assert back.blocks["senior"].terms["coupon"] == 0.30000000000000004  # exact, via repr


def test_dump_is_stable_and_ordered():
    text = dump_deal(sample())
    assert text == dump_deal(loads_deal(text))
    doc = json.loads(text)
    assert list(doc) == ["format", "format_version", "name", "description", "blocks",
                         "connections"]  # fmt: skip
    assert list(doc["blocks"][0]) == ["id", "kind", "position", "terms"]
    assert list(doc["blocks"][3]["terms"]) == list(REGISTRY["tranche"].field_names)
    assert text.startswith('{\n  "format": "capstack-deal",\n') and text.endswith("}\n")
    assert "\u00e9quity" in text  # readable UTF-8, not \\u escapes


def test_positions_rounded_to_a_tenth():
    d = sample()
    d.move_block("spv", (100.04999, -3.16))
    assert loads_deal(dump_deal(d)).blocks["spv"].position == (100.0, -3.2)


def test_missing_terms_take_defaults_and_optional_keys():
    doc = {
        "format": "capstack-deal",
        "format_version": 1,
        "blocks": [{"id": "s", "kind": "spv"}, {"id": "l", "kind": "lease"}],
        "connections": [{"id": "c", "kind": "leases_to", "source": "s", "target": "l"}],
    }
    d = loads_deal(json.dumps(doc))
    assert d.blocks["s"].terms == REGISTRY["spv"].defaults()
    assert d.blocks["s"].position == (0.0, 0.0) and d.name == "Untitled deal"


def test_check_false_opens_a_draft():
    text = json.dumps({"format": "capstack-deal", "format_version": 1, "blocks": []})
    with pytest.raises(DealFileError, match="no SPV"):
        loads_deal(text)
    assert loads_deal(text, check=False).blocks == {}


def test_lone_surrogate_still_saves_as_valid_json():
    d = sample()
    d.set_name("bad \ud800 name")
    text = dump_deal(d)
    text.encode("utf-8")
    assert loads_deal(text).name == "bad \ud800 name"


# --------------------------------------------------------------------------- bad input
def edit(fn):
    doc = sample_doc()
    fn(doc)
    return json.dumps(doc)


def block(doc, block_id):
    return next(b for b in doc["blocks"] if b["id"] == block_id)


def _set(obj, key, value):
    obj[key] = value


BAD_DOCS = {
    "negative notional": (lambda d: _set(block(d, "senior")["terms"], "notional", -5.0),
                          "blocks[senior].terms.notional", "-5.0"),
    "unknown field": (lambda d: _set(block(d, "senior")["terms"], "notionl", 1.0),
                      "blocks[senior].terms.notionl", "(got 1.0)"),
    "wrong type": (lambda d: _set(block(d, "senior")["terms"], "notional", "100"),
                   "blocks[senior].terms.notional", "'100'"),
    "bool for number": (lambda d: _set(block(d, "gpus")["terms"], "count", True),
                        "blocks[gpus].terms.count", "True"),
    "fractional int": (lambda d: _set(block(d, "gpus")["terms"], "count", 1.5),
                       "blocks[gpus].terms.count", "1.5"),
    "bad choice": (lambda d: _set(block(d, "senior")["terms"], "amortisation", "balloon"),
                   "blocks[senior].terms.amortisation", "'balloon'"),
    "bad date": (lambda d: _set(block(d, "spv")["terms"], "closing_date", "20251001"),
                 "blocks[spv].terms.closing_date", "'20251001'"),
    "list item out of range": (lambda d: _set(block(d, "senior")["terms"], "custom_schedule",
                                              [0.1, 1.5]),
                               "blocks[senior].terms.custom_schedule[1]", "1.5"),
    "huge integer": (lambda d: _set(block(d, "senior")["terms"], "notional", 10**400),
                     "blocks[senior].terms.notional", "1000000"),
    "terms not an object": (lambda d: _set(block(d, "senior"), "terms", [1]),
                            "blocks[senior].terms", "[1]"),
    "unknown top-level key": (lambda d: _set(d, "author", "me"), "author", "'me'"),
    "unknown block key": (lambda d: _set(block(d, "spv"), "colour", "red"),
                          "blocks[spv].colour", "'red'"),
    "unknown connection key": (lambda d: _set(d["connections"][0], "weight", 2),
                               "connections[owns_1].weight", "2"),
    "unknown block kind": (lambda d: _set(block(d, "spv"), "kind", "trust"),
                           "blocks[spv].kind", "'trust'"),
    "missing kind": (lambda d: block(d, "spv").pop("kind"), "blocks[spv].kind", "is missing"),
    "empty id": (lambda d: _set(d["blocks"][0], "id", " "), "blocks[0].id", "' '"),
    "duplicate block id": (lambda d: _set(d["blocks"][1], "id", "xai"),
                           "blocks[xai].id", "'xai'"),
    "connection id reuses block id": (lambda d: _set(d["connections"][0], "id", "spv"),
                                      "connections[spv].id", "'spv'"),
    "duplicate connection id": (lambda d: _set(d["connections"][1], "id", "owns_1"),
                                "connections[owns_1].id", "'owns_1'"),
    "connection to missing block": (lambda d: _set(d["connections"][1], "target", "ghost"),
                                    "connections[issues_1].target", "'ghost'"),
    "disallowed connection": (lambda d: _set(d["connections"][1], "kind", "owns"),
                              "connections[issues_1].kind", "'owns'"),
    "self connection": (lambda d: _set(d["connections"][1], "target", "spv"),
                        "connections[issues_1].target", "'spv'"),
    "unknown connection kind": (lambda d: _set(d["connections"][1], "kind", "funds"),
                                "connections[issues_1].kind", "'funds'"),
    "repeated connection": (lambda d: d["connections"].append(
        {"id": "again", "kind": "issues", "source": "spv", "target": "senior"}),
        "connections[again]", "'spv -> senior'"),
    "bad position": (lambda d: _set(block(d, "spv"), "position", [1, "2"]),
                     "blocks[spv].position", "[1, '2']"),
    "blocks not a list": (lambda d: _set(d, "blocks", {}), "blocks", "{}"),
    "name not text": (lambda d: _set(d, "name", 5), "name", "5"),
    "huge position": (
        lambda d: _set(block(d, "spv"), "position", [10**400, 0]),
        "blocks[spv].position",
        "[1000000",
    ),
    "missing format_version": (lambda d: d.pop("format_version"), "format_version", "is missing"),
    "wrong format": (lambda d: _set(d, "format", "excel"), "format", "'excel'"),
    "newer version": (lambda d: _set(d, "format_version", 2), "format_version", "2"),
    "structural: tranche without issuer": (
        lambda d: d["connections"].pop(1), "blocks[senior]", "tranche has no issuer"),
    "structural: renewals": (lambda d: _set(block(d, "lease")["terms"], "renewals_exercised", 1),
                             "blocks[lease].terms.renewals_exercised", "(got 1)"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_DOCS))
def test_bad_document(case):
    fn, path, value = BAD_DOCS[case]
    with pytest.raises(DealFileError) as exc:
        loads_deal(edit(fn), source="bad.json")
    message = str(exc.value)
    assert message.startswith(f"bad.json: {path}: "), message
    assert value in message, message
    assert exc.value.path == path and exc.value.source == "bad.json"
    assert isinstance(exc.value, DealError)


def test_newer_version_says_update():
    with pytest.raises(DealFileError, match="newer CapStack.*update"):
        loads_deal(edit(lambda d: _set(d, "format_version", 7)))


@pytest.mark.parametrize(
    "text, expected",
    [
        ('{\n  "format": "capstack-deal",\n  "blocks": [}\n', "line 3, column 14"),
        ('{"format": "capstack-deal" "x": 1}', "line 1, column 28"),
        ('{"format": "capstack-deal", "format_version": NaN}', "NaN is not allowed"),
        ('{"format": "capstack-deal", "format_version": 1, "format": "x"}', "format"),
        ("[1, 2]", "holds an array, not a JSON object"),
        ('"deal"', "holds a JSON str"),
        ('{"format_version": 1}', "format: is missing"),
        ("", "is empty"),
        ("  \n\t", "is empty"),
        ("[" * 100000, "nested too deeply"),
    ],
)
def test_malformed_text(text, expected):
    with pytest.raises(DealFileError) as exc:
        loads_deal(text, source="x.json")
    assert str(exc.value).startswith("x.json: ") and expected in str(exc.value), str(exc.value)


def test_malformed_json_has_line_and_column():
    with pytest.raises(DealFileError) as exc:
        loads_deal('{\n  "format": "capstack-deal",\n  "blocks": [}\n')
    assert (exc.value.line, exc.value.column) == (3, 14)


def test_duplicate_key_names_its_path():
    text = dump_deal(sample()).replace('"notional": 12500.0,', '"notional": 1.0, "notional": 2.0,')
    with pytest.raises(DealFileError) as exc:
        loads_deal(text, source="dup.json")
    assert "blocks[senior].terms.notional" in str(exc.value) and "twice" in str(exc.value)


def test_file_errors(tmp_path):
    cases = {
        "empty.json": (b"", "is empty"),
        "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        "latin1.json": ('{"name": "Soci\u00e9t\u00e9"}'.encode("latin-1"), "not UTF-8"),
        "array.json": (b"[]", "not a JSON object"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(DealFileError) as exc:
            load_deal(path)
        assert str(exc.value).startswith(f"{path}: ") and expected in str(exc.value), name
    with pytest.raises(DealFileError, match="cannot be read"):
        load_deal(tmp_path / "missing.json")
    with pytest.raises(DealFileError, match="cannot be read"):
        load_deal(tmp_path)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + dump_deal(sample()).encode())
    assert load_deal(path) == sample()


def test_file_over_20_mb_refused(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(DealFileError, match="larger than 20 MB") as exc:
        load_deal(path)
    assert str(MAX_FILE_BYTES + 1) in str(exc.value)
    with pytest.raises(DealFileError, match="larger than 20 MB"):
        loads_deal(" " * (MAX_FILE_BYTES + 1))


# --------------------------------------------------------------------------- atomic save
def test_save_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "deal.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    save_deal(sample(), path)
    assert load_deal(path) == sample()
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["deal.json"]


@pytest.mark.parametrize("target", ["replace", "fsync", "dumps"])
def test_failed_save_leaves_old_file_and_no_temp(tmp_path, monkeypatch, target):
    path = tmp_path / "deal.json"
    path.write_text("old contents")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if target == "dumps":
        monkeypatch.setattr(deal_json.json, "dumps", boom)
    else:
        monkeypatch.setattr(deal_json.os, target, boom)
    with pytest.raises(OSError, match="No space"):
        save_deal(sample(), path)
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["deal.json"]


def test_failed_first_save_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(deal_json.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("x")))
    with pytest.raises(OSError):
        save_deal(sample(), tmp_path / "new.json")
    assert os.listdir(tmp_path) == []


def test_save_through_symlink_keeps_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_deal(sample(), link)
    assert link.is_symlink() and load_deal(real) == sample()


def test_nan_term_is_not_written():
    d = sample()
    d.blocks["senior"].terms["notional"] = float("nan")  # bypassing field validation
    with pytest.raises(ValueError):
        dump_deal(d)


# --------------------------------------------------------------------------- property test
def _terms(kind_id: str) -> st.SearchStrategy:
    fields = REGISTRY[kind_id].fields
    return st.fixed_dictionaries({}, optional={f.name: field_value(f) for f in fields})


@settings(max_examples=150, deadline=None)
@given(
    terms=st.fixed_dictionaries({b: _terms(kind_id) for b, kind_id in
                                 (("xai", "sponsor"), ("valor", "equity"), ("spv", "spv"),
                                  ("senior", "tranche"), ("lease", "lease"),
                                  ("gpus", "gpu_fleet"), ("rvg", "guarantee"), ("cov", "covenant"),
                                  ("btc", "crypto"))}),
    positions=st.lists(st.tuples(coordinate, coordinate), min_size=9, max_size=9),
    name=safe_text,
)  # fmt: skip
def test_random_valid_terms_round_trip_exactly(terms, positions, name):
    d = sample()
    d.set_name(name, "described")
    for (block_id, values), pos in zip(terms.items(), positions, strict=True):
        for field_name, value in values.items():
            d.set_term(block_id, field_name, value)
        d.move_block(block_id, pos)
    back = loads_deal(dump_deal(d), check=False)  # random terms may break deal-level rules
    assert back == d
    for block_id in terms:
        assert back.blocks[block_id].terms == d.blocks[block_id].terms
        for field_name, value in d.blocks[block_id].terms.items():
            assert type(back.blocks[block_id].terms[field_name]) is type(value)
    assert dump_deal(back) == dump_deal(d)


def test_sample_is_not_mutated_by_loading():
    doc = sample_doc()
    before = copy.deepcopy(doc)
    loads_deal(json.dumps(doc))
    assert doc == before


def test_unknown_field_suggests_the_close_one():
    with pytest.raises(
        DealFileError, match=r"not a field of a tranche block \(did you mean 'notional'"
    ):
        loads_deal(edit(lambda d: _set(block(d, "senior")["terms"], "notionl", 1.0)))

"""Scenario-set files (JSON): read, write (atomically), and a scenario named on the command
line. The format and its checks are :mod:`core.risk.scenarios`'s; this module only moves the
document to and from disk."""

from __future__ import annotations

import json
import os

from core.files.atomic import write_atomically
from core.limits import read_text_file
from core.risk.errors import RiskInputError
from core.risk.scenarios import BUILTIN, scenarios_from_doc, scenarios_to_doc
from core.risk.stress import Stress


def load_scenarios(path: str | os.PathLike[str]) -> dict[str, Stress]:
    """Read a scenario set; a clear error naming the file, scenario and field when invalid."""
    text = read_text_file(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RiskInputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # nesting, huge integers
        raise RiskInputError(f"{path}: not a scenario file ({type(exc).__name__})") from None
    return scenarios_from_doc(doc, str(path))


def save_scenarios(scenarios: dict[str, Stress], path: str | os.PathLike[str]) -> None:
    text = json.dumps(scenarios_to_doc(scenarios), indent=2, sort_keys=True) + "\n"
    write_atomically(path, text.encode("utf-8"))


def scenario(name_or_path: str) -> dict[str, Stress]:
    """A built-in scenario by name, or every scenario of a JSON file."""
    if name_or_path in BUILTIN:
        return {name_or_path: BUILTIN[name_or_path]}
    if name_or_path.endswith(".json"):
        return load_scenarios(name_or_path)
    raise RiskInputError(
        f"unknown scenario {name_or_path!r}; expected {', '.join(BUILTIN)} or a .json file"
    )

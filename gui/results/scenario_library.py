"""The scenarios a window offers: the core's built-ins (read-only) and the analyst's own.

No financial logic: values are :class:`core.risk.stress.Stress` objects checked by the core,
and scenario sets are read and written by :mod:`core.files.scenario_json`.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from core.files.scenario_json import load_scenarios, save_scenarios
from core.risk.scenarios import BUILTIN
from core.risk.stress import Stress

#: the combo entry shown when the sliders no longer match a named scenario
CUSTOM = "custom"


class ScenarioLibrary(QObject):
    """Built-in and user scenarios by name; user ones last for the window's session.

    ``listChanged`` fires when names are added, renamed or removed; ``edited(name)`` when the
    values of a user scenario change; ``renamed(old, new)`` after a rename.
    """

    listChanged = Signal()
    edited = Signal(str)
    renamed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.builtin: dict[str, Stress] = dict(BUILTIN)
        self.user: dict[str, Stress] = {}

    def names(self) -> list[str]:
        return [*self.builtin, *self.user]

    def get(self, name: str) -> Stress:
        return self.builtin[name] if name in self.builtin else self.user[name]

    def is_builtin(self, name: str) -> bool:
        return name in self.builtin

    def __contains__(self, name: object) -> bool:
        return name in self.builtin or name in self.user

    def name_problem(self, name: str) -> str | None:
        """Why ``name`` cannot name a new scenario, or None when it can."""
        if not name.strip():
            return "a scenario needs a name"
        if name != name.strip():
            return "the name must not start or end with a space"
        if name == CUSTOM or name in self:
            return f"there is already a scenario called {name!r}"
        return None

    def unique_name(self, stem: str) -> str:
        stem = stem.strip() or "scenario"
        if self.name_problem(stem) is None:
            return stem
        n = 2
        while self.name_problem(f"{stem} {n}") is not None:
            n += 1
        return f"{stem} {n}"

    def add(self, stem: str, stress: Stress | None = None) -> str:
        """A new user scenario (blank unless ``stress``); returns the name it got."""
        name = self.unique_name(stem)
        self.user[name] = stress if stress is not None else Stress()
        self.listChanged.emit()
        return name

    def set(self, name: str, stress: Stress) -> None:
        """Change a user scenario (built-ins are read-only)."""
        if name not in self.user:
            raise KeyError(f"{name!r} is not a user scenario")
        if self.user[name] != stress:
            self.user[name] = stress
            self.edited.emit(name)

    def rename(self, old: str, new: str) -> None:
        """Rename a user scenario, keeping its place; ValueError says why not."""
        if old not in self.user:
            raise ValueError(f"{old!r} is built in and cannot be renamed; duplicate it")
        if new == old:
            return
        problem = self.name_problem(new)
        if problem:
            raise ValueError(problem)
        self.user = {new if k == old else k: v for k, v in self.user.items()}
        self.listChanged.emit()
        self.renamed.emit(old, new)

    def delete(self, name: str) -> None:
        if name not in self.user:
            raise ValueError(f"{name!r} is built in and cannot be deleted")
        del self.user[name]
        self.listChanged.emit()

    def load(self, path: str | os.PathLike[str]) -> list[str]:
        """Add every scenario of a set file (core-validated; RiskInputError when invalid).

        A scenario named like a built-in is skipped when equal to it and renamed otherwise;
        one named like a user scenario replaces it. Returns the names added or replaced.
        """
        loaded = load_scenarios(path)
        names = []
        for name, stress in loaded.items():
            if name in self.builtin:
                if self.builtin[name] == stress:
                    continue
                name = self.unique_name(f"{name} (loaded)")
            elif name == CUSTOM:
                name = self.unique_name(f"{name} (loaded)")
            if name in self.user and self.user[name] != stress:
                self.user[name] = stress
                self.edited.emit(name)
            else:
                self.user[name] = stress
            names.append(name)
        self.listChanged.emit()
        return names

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the user scenarios as a scenario set (the core writes a temp file, then
        renames it over ``path``)."""
        save_scenarios(self.user, path)

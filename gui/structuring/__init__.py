"""Structuring dialogs: Size debt, Optimise structure, Sensitivity tornado (Structure menu).
They hold no financial logic: every number comes from core.structuring."""

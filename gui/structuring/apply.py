"""Apply a structuring result to the document as ONE undoable edit."""

from __future__ import annotations

from typing import Any

from gui.commands import SetTerm, macro
from gui.document import DealDocument


def push_changes(doc: DealDocument, changes: list[tuple[str, str, Any, Any]], text: str) -> int:
    """Set every (block id, field, old, new) in one undo step named ``text``; returns how many
    terms changed (0: nothing pushed)."""
    parent = macro(text)
    for block_id, name, _old, new in changes:
        if block_id in doc.deal.blocks and doc.deal.blocks[block_id].terms.get(name) != new:
            parent.add(SetTerm(doc, block_id, name, new))
    if parent.parts:
        doc.undo_stack.push(parent)
    return len(parent.parts)

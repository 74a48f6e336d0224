"""Copy, paste and duplicate blocks: the selected blocks with their terms, positions and the
connections among them, as one undoable step. The clipboard holds them as JSON under
:data:`MIME_TYPE` (and as text, so a selection can be pasted into a message)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from core.model.deal import Deal
from gui.commands import AddBlock, Connect, macro
from gui.document import DealDocument

MIME_TYPE = "application/x-capstack-blocks"
#: a paste lands this far right and down of the copied blocks (scene units)
OFFSET = 40.0


def selection_payload(deal: Deal, block_ids: list[str]) -> dict[str, Any]:
    """The blocks ``block_ids`` and the connections among them, as plain data."""
    chosen = [b for b in block_ids if b in deal.blocks]
    blocks = [
        {"ref": b, "kind": deal.blocks[b].kind, "terms": dict(deal.blocks[b].terms),
         "position": list(deal.blocks[b].position)}
        for b in chosen
    ]  # fmt: skip
    links = [
        {"kind": c.kind, "source": c.source, "target": c.target}
        for c in deal.connections.values()
        if c.source in chosen and c.target in chosen
    ]
    return {"blocks": blocks, "connections": links}


def to_mime(payload: dict[str, Any]) -> QMimeData:
    mime = QMimeData()
    text = json.dumps(payload, indent=1)
    mime.setData(MIME_TYPE, text.encode("utf-8"))
    mime.setText(text)
    return mime


def from_mime(mime: QMimeData | None) -> dict[str, Any] | None:
    """The payload on the clipboard, or None when it holds no CapStack blocks."""
    if mime is None or not mime.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(mime.data(MIME_TYPE).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) and payload.get("blocks") else None


def push_paste(doc: DealDocument, payload: dict[str, Any], offset: float = OFFSET) -> list[str]:
    """Add copies of the payload's blocks and connections (one undo step); returns the new
    block ids. Raises ``DealError`` / ``KeyError`` / ``ValueError`` (nothing added) when the
    payload does not fit the deal."""
    trial = doc.deal.copy()
    adds, connects, new_ids = [], [], {}
    for b in payload["blocks"]:
        x, y = b["position"]
        position = (float(x) + offset, float(y) + offset)
        block = trial.add_block(b["kind"], b["terms"], position)
        new_ids[b["ref"]] = block.id
        adds.append(AddBlock(doc, b["kind"], b["terms"], position, block_id=block.id))
    for c in payload.get("connections", []):
        conn = trial.connect(c["kind"], new_ids[c["source"]], new_ids[c["target"]])
        connects.append(Connect(doc, conn))
    n = len(adds)
    parent = macro(f"Paste {n} block" + ("s" if n != 1 else ""))
    for command in adds + connects:
        parent.add(command)
    doc.undo_stack.push(parent)
    return list(new_ids.values())


def copy_to_clipboard(deal: Deal, block_ids: list[str]) -> int:
    """Put the blocks on the system clipboard; returns how many."""
    payload = selection_payload(deal, block_ids)
    if payload["blocks"]:
        QGuiApplication.clipboard().setMimeData(to_mime(payload))
    return len(payload["blocks"])


def clipboard_payload() -> dict[str, Any] | None:
    return from_mime(QGuiApplication.clipboard().mimeData())

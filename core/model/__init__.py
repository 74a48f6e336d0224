"""The deal model: block kinds and their fields, connection rules, and the deal graph."""

from core.model.blocks import REGISTRY, BlockKind, kind
from core.model.deal import Block, Connection, Deal
from core.model.errors import ConnectionRefused, DealError
from core.model.fields import Field

__all__ = ["REGISTRY", "Block", "BlockKind", "Connection", "ConnectionRefused", "Deal",
           "DealError", "Field", "kind"]  # fmt: skip

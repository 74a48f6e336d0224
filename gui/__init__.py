"""The CapStack desktop application (PySide6): canvas, palette, property panel, files.

Holds no financial logic: every number shown comes from the engine (``DealResult``) or
``core.risk``; the model lives in ``core.model`` and is edited only through undo commands.
"""

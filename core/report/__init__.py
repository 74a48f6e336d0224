"""Report content gathered from the engine (no Qt); laid out by ``gui/report``."""

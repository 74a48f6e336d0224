"""Shared pytest setup.

Qt must pick its platform plugin before anything imports it, so the offscreen
default is set here, at the top of the first file pytest loads.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

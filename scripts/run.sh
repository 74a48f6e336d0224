#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: install what is missing, then
# open CapStack (on its built-in sample deal unless arguments say otherwise).
# Arguments are passed to main.py, e.g.: bash scripts/run.sh --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
  echo "[run] WARNING: no DISPLAY or WAYLAND_DISPLAY: the window needs a desktop session" >&2
  echo "[run]          (or try: xvfb-run -a bash scripts/run.sh)." >&2
fi

exec .venv/bin/python main.py "$@"

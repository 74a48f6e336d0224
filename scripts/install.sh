#!/usr/bin/env bash
# Install everything CapStack needs on a Debian/Ubuntu machine, idempotently:
#   1. the Debian packages that are not installed yet (Qt runtime libs, X11/xcb
#      libs for a real window, and the tools the tests use: Xvfb, poppler,
#      LibreOffice Calc),
#   2. a virtual environment in .venv with requirements.txt + requirements-dev.txt,
#   3. CapStack itself in editable mode, which compiles the Cython kernels
#      (core/**/_*.pyx) in place.
# Safe to run again: it installs only what is missing. No prompts (CI-safe).
# Environment: PYTHON=python3.x to pick the interpreter for a new .venv;
#              CAPSTACK_SKIP_APT=1 to skip the Debian step entirely.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"

export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1

log() { printf '[install] %s\n' "$*" >&2; }

APT_PACKAGES=(
  # Qt runtime libraries (offscreen and on screen)
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxkbcommon0 libx11-6 fonts-dejavu-core
  # extras for a real window through the xcb platform plugin
  libx11-xcb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-xfixes0 libxcb-xkb1
  # tools the tests drive
  xvfb xauth poppler-utils libreoffice-calc-nogui
)

# ---------------------------------------------------------------- 1. Debian
install_apt() {
  if [[ "${CAPSTACK_SKIP_APT:-0}" == 1 ]]; then
    log "CAPSTACK_SKIP_APT=1: skipping Debian packages."
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    log "WARNING: no dpkg/apt-get here (not Debian/Ubuntu?): skipping system packages."
    log "         Install the equivalents of: ${APT_PACKAGES[*]}"
    return 0
  fi

  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" != installed ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#APT_PACKAGES[@]} already installed."
    return 0
  fi

  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo -n)   # never prompt: fails fast if a password would be needed
    else
      log "WARNING: not root and sudo is unavailable: cannot install Debian packages."
      log "         Ask an administrator to run:"
      log "         apt-get install -y --no-install-recommends ${missing[*]}"
      return 0
    fi
  fi

  # Wait (up to 5 min) for another apt/dpkg instead of failing on its lock.
  local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
  log "Debian packages to install: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
    --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------- 2. venv
make_venv() {
  local py="${PYTHON:-python3}"
  if [[ -x .venv/bin/python ]] && .venv/bin/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
    log "Using existing .venv ($(.venv/bin/python --version))."
    return 0
  fi
  if [[ -e .venv ]]; then
    log ".venv is broken or too old: recreating it."
    rm -rf .venv
  fi
  "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CapStack needs Python >= 3.11, got " + sys.version)'
  log "Creating .venv with $("$py" --version)."
  "$py" -m venv .venv
}

# ---------------------------------------------------------------- 3. pip
install_python() {
  local pip=(.venv/bin/python -m pip)
  "${pip[@]}" install -q -r requirements.txt -r requirements-dev.txt
  # --no-build-isolation: compile against the numpy/Cython just installed in .venv
  # (the same numpy the extension will run with) and without downloading them again.
  log "Building CapStack (Cython kernels in place) with pip install -e ."
  "${pip[@]}" install -q --no-deps --no-build-isolation -e .
}

start=$SECONDS
install_apt
make_venv
install_python
log "Done in $((SECONDS - start)) s. Python: $ROOT/.venv/bin/python"

#!/usr/bin/env bash
# One command that runs all the checks (the same as CI's .ci/run):
# install what is missing, lint, check formatting, run the whole pytest suite.
# Extra arguments go to pytest, e.g.: bash scripts/test.sh -k packaging -x
# Exits non-zero if any step fails, and also if pytest collects no test.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh || { echo "[test] FAILED: scripts/install.sh" >&2; exit 1; }

export QT_QPA_PLATFORM=offscreen
failed=()

echo "[test] ruff check ." >&2
.venv/bin/ruff check . || failed+=("ruff check")

echo "[test] ruff format --check ." >&2
.venv/bin/ruff format --check . || failed+=("ruff format")

echo "[test] pytest" >&2
.venv/bin/python -m pytest "$@"
rc=$?
if ((rc == 5)); then
  failed+=("pytest (no tests collected)")
elif ((rc != 0)); then
  failed+=("pytest (exit $rc)")
fi

if ((${#failed[@]})); then
  printf '[test] FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "[test] all checks passed" >&2

#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then pytest.
#   ./scripts/test.sh [pytest args...]
# Creates .venv (Python deps + the compiled C core) on first use; later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# The real peers of the interop tests (snarkjs, circom2, circomlibjs), pinned by the lock file.
if [ ! -d tests/interop/node_modules ] || [ tests/interop/package-lock.json -nt tests/interop/node_modules ]; then
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

exec .venv/bin/python -m pytest "$@"

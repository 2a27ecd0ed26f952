#!/usr/bin/env bash
# Starts TicketKing's main job on a fresh machine. Until the service lands, that is the
# engine's benchmark table. Creates .venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/zkcore bench "$@"

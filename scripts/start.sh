#!/usr/bin/env bash
# Starts TicketKing's main job on a fresh machine: the HTTP API on SQLite (./data), at
# http://127.0.0.1:8000 (docs at /docs). Creates .venv on first use.
# The first start creates the schema and prints an admin API key once; keep it. Later starts
# reuse ./data. Options go to `ticketking serve` (--host, --port, --workers N); set
# DATABASE_URL=postgresql://... to use PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/ticketking serve "$@"

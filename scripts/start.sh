#!/usr/bin/env bash
# Starts TicketKing's main job on a fresh machine: the HTTP API on SQLite (./data), at
# http://127.0.0.1:8000 (docs at /docs). Creates .venv on first use.
# The first start creates the schema and prints an admin API key once; keep it. Later starts
# reuse ./data. Options go to `ticketking serve` (--host, --port, --workers N); set
# DATABASE_URL=postgresql://... to use PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
ensure_venv ""
exec .venv/bin/ticketking serve "$@"

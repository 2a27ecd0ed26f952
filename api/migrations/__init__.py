"""Alembic migrations; applied by api.db.migrate (ticketking init / serve)."""

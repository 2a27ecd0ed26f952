"""Liveness: the process answers and its database is reachable."""

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import SessionDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(session: SessionDep) -> Health:
    """200 when the database answers a trivial query."""
    session.execute(text("SELECT 1"))
    session.rollback()
    return Health(status="ok", database=session.get_bind().dialect.name)

"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.config import Settings
from api.db import make_engine, make_sessionmaker
from api.errors import BodyLimitMiddleware, install_error_handlers
from api.routes import PREFIX, api_router


def create_app(settings: Settings | None = None) -> FastAPI:
    """A TicketKing app on `settings` (from the environment by default); migrate separately."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Resolve the secret key now: a bad TICKETKING_SECRET_KEY fails at start, not mid-request.
    _ = settings.master_key
    engine = make_engine(
        settings.resolved_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="TicketKing",
        version="0.1.0",
        summary="Zero-knowledge ticket verification: issue tickets, accept each entry once.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(api_router())

    return app

"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.config import Settings
from api.db import make_engine, make_sessionmaker
from api.engine import CircuitUnavailable, ProofEngine, engine_if_loaded, ensure_engine
from api.errors import BodyLimitMiddleware, install_error_handlers, log
from api.routes import PREFIX, api_router
from api.services.circuit import circuit_keys_exist
from api.services.limits import GateLimiter
from api.services.verification import EventCache
from api.verify_lane import VerifyLane
from api.wal_checkpoint import WalCheckpointer, is_sqlite_file
from api.webhook_worker import WebhookWorker


def create_app(settings: Settings | None = None, proof: ProofEngine | None = None) -> FastAPI:
    """A TicketKing app on `settings` (from the environment by default); migrate separately.

    `proof` shares an already loaded proof engine (tests; the caller closes it).
    """
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Resolve the secret key now: a bad TICKETKING_SECRET_KEY fails at start, not mid-request.
    _ = settings.master_key
    engine = make_engine(
        settings.resolved_database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # With the circuit keys made (serve/init make them), load them now and start the
        # provers in the background; otherwise the first request that needs them does it.
        if proof is None and circuit_keys_exist(settings):
            try:
                await run_in_threadpool(ensure_engine, app)
            except CircuitUnavailable as exc:
                log.error("circuit keys unusable, proofs disabled until fixed: %s", exc.message)
        # What start-up made lives as long as the process: keep it out of the collector's full
        # passes, which otherwise stall all requests for ~40 ms now and then (docs/api.md).
        gc.freeze()
        worker = None
        if settings.webhooks_enabled:
            worker = WebhookWorker(settings, app.state.sessionmaker)
            worker.start()
        checkpointer = WalCheckpointer(engine) if is_sqlite_file(engine) else None
        if checkpointer is not None:
            checkpointer.start()
        app.state.wal_checkpointer = checkpointer
        yield
        if checkpointer is not None:
            await run_in_threadpool(checkpointer.stop)
        if worker is not None:
            await worker.stop()
        loaded = engine_if_loaded(app)
        if loaded is not None and loaded is not proof:
            loaded.close()
        app.state.gate_threads.shutdown(wait=False)
        engine.dispose()
        gc.unfreeze()

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
    app.state.proof_engine = proof
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.gate_limiter = GateLimiter()
    # What verify reads of each event on every scan, read once per app (api.services.verification).
    app.state.event_cache = EventCache()
    app.state.gate_threads = ThreadPoolExecutor(settings.gate_threads, thread_name_prefix="gate")
    install_error_handlers(app)
    # The last added runs first: the body limit holds for the verify lane's reads too.
    app.add_middleware(VerifyLane, api=app, path=f"{PREFIX}/verify")
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.include_router(api_router())

    return app

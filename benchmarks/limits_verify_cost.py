"""What a per-gate-key rate limit costs POST /verify's pipeline (api.services.verification).

    PYTHONPATH=. python3 benchmarks/limits_verify_cost.py [--count 200] [--url URL] [--circuits DIR]

Mints 3 x COUNT tokens (depth 10: small circuit keys, the same pairing check), then verifies
each once, one session per scan as the route does, in three modes interleaved in rounds:
  none     no gate limiter
  service  what the service does (api.services.limits.GateLimiter): a per-process token
           bucket, then the key's quota leased from the database in chunks (here 60 scans, the
           lease of the default 1,200 a minute)
  database the naive alternative: the key's fixed-window counter incremented on every scan in
           verify's first transaction (one INSERT ... ON CONFLICT DO UPDATE ... RETURNING)
Then, as the end-to-end figures drown in the pairing and in CPU contention, the limiter step
alone: verify's first transaction (load the gate key's event, commit) with each mode, 3,000
times each, interleaved.
Without --url it uses a fresh SQLite file in a temporary directory. Each scan runs on the
clock of its token's minting (plus 1 s): slow minting cannot expire the tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.auth import authenticate
from api.config import Settings
from api.db import make_engine, make_sessionmaker, migrate
from api.engine import load_engine
from api.models import Role
from api.schemas import (
    DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE,
    EventCreate,
    GateIn,
    ProofTokenRequest,
    TicketCreate,
    VerifyRequest,
)
from api.services.events import create_event
from api.services.issuance import plan_token
from api.services.keys import create_key
from api.services.limits import GateLimiter, Limit, count_requests
from api.services.merchants import create_merchant
from api.services.tickets import issue_ticket
from api.services.verification import verify_scan
from api.timeutil import utcnow

DEPTH = 10
PER_MINUTE = 1_000_000  # never refuses: the cost of counting is what is measured


class BenchLimiter(GateLimiter):
    """The service's limiter, leasing what it would for the default limit (60 scans)."""

    @classmethod
    def lease_size(cls, per_minute: int) -> int:
        return GateLimiter.lease_size(DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE)


class DatabaseGateLimiter:
    """The alternative: the gate key's counter in the database, in verify's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(
        self, key_id: str, per_minute: int, now: datetime, session: Session | None = None
    ) -> None:
        count_requests(self.session, [Limit(f"key:{key_id}:verify", per_minute, "v")], now)


def main() -> None:
    """Mint, verify in three modes, print one line per mode."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--url", default=None)
    parser.add_argument("--circuits", type=Path, default=None, help="keep circuit keys here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        url = args.url or f"sqlite:///{d / 'bench.db'}"
        settings = Settings(
            data_dir=d,
            circuits_dir=args.circuits or d,
            merkle_depth=DEPTH,
            database_url=url,
            prover_workers=1,
        )
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        maker = make_sessionmaker(engine)
        proof = load_engine(settings)
        try:
            tokens, gate = _mint(maker, settings, proof, 3 * args.count)
            modes = ["none", "service", "database"]
            times: dict[str, list[float]] = {m: [] for m in modes}
            memory = BenchLimiter()
            rounds = 10
            per_round = args.count // rounds
            for r in range(rounds):
                for i, mode in enumerate(modes):
                    start = (r * len(modes) + i) * per_round
                    for token, minted in tokens[start : start + per_round]:
                        body = VerifyRequest(token=token, gate_id="north")
                        now = datetime.fromtimestamp(minted + 1, UTC)
                        with maker() as s:
                            limiter = {"none": None, "service": memory}.get(mode)
                            if mode == "database":
                                limiter = DatabaseGateLimiter(s)  # type: ignore[assignment]
                            t0 = time.perf_counter()
                            out = verify_scan(
                                s, settings, proof.pvk, gate, body, now, limiter=limiter
                            )
                            times[mode].append(time.perf_counter() - t0)
                        assert out.accepted, out
            step = _step_times(maker, gate, memory)
        finally:
            proof.close()
            engine.dispose()
    backend = url.split(":", 1)[0]
    base = statistics.median(times["none"])
    for mode in modes:
        med = statistics.median(times[mode])
        print(
            f"{backend} verify, gate limiter {mode:8s}: median {1000 * med:.3f} ms "
            f"({1 / med:.0f}/s on one thread), {1e6 * (med - base):+.0f} us vs none"
        )
    base = statistics.median(step["none"])
    for mode in modes:
        med = statistics.median(step[mode])
        print(
            f"{backend} verify's first transaction, gate limiter {mode:8s}: "
            f"median {1e6 * med:.0f} us, {1e6 * (med - base):+.0f} us vs none"
        )


def _step_times(maker, gate, memory, n=3000):  # type: ignore[no-untyped-def]
    """The limiter step in verify's first transaction, per mode."""
    from api.services.verification import _gate_event

    times: dict[str, list[float]] = {"none": [], "service": [], "database": []}
    for i in range(n):
        for mode in times:
            now = datetime.fromtimestamp(1_800_000_000 + i / 100, UTC)
            with maker() as s:
                t0 = time.perf_counter()
                event = _gate_event(s, gate)
                if mode == "service":
                    memory.take(gate.key_id, PER_MINUTE, now, s)
                elif mode == "database":
                    DatabaseGateLimiter(s).take(gate.key_id, PER_MINUTE, now)
                s.commit()
                times[mode].append(time.perf_counter() - t0)
            assert event is not None
    return times


def _mint(maker, settings, proof, n):  # type: ignore[no-untyped-def]
    """An event, a merchant key, a gate key, and n tokens (one per ticket)."""
    with maker() as s:
        merchant, new = create_merchant(s, "bench")
        principal = authenticate(s, new.plaintext)
        s.rollback()
        now = utcnow()
        body = EventCreate(
            event_id="bench",
            name="bench",
            starts_at=now,
            ends_at=now,
            gates=[GateIn(gate_id="north")],
            min_token_interval_seconds=0,
            rate_limits={"proof_tokens_per_minute": PER_MINUTE,
                         "merchant_key_requests_per_minute": PER_MINUTE,
                         "gate_key_requests_per_minute": PER_MINUTE},
        )  # fmt: skip
        event, _ = create_event(s, principal, body)
        _, gate_key = create_key(s, Role.GATE, merchant_id=merchant.id, event=event)
        gate = authenticate(s, gate_key.plaintext)
        s.rollback()
        for i in range(n):
            ticket = TicketCreate(ticket_id=f"t{i}", event_id="bench", tier="ga")
            issue_ticket(s, settings, principal, ticket)
    plans = []
    with maker() as s:
        for i in range(n):
            plans.append(plan_token(s, settings, principal, ProofTokenRequest(ticket_id=f"t{i}")))

    async def prove_all() -> list[tuple[str, int]]:
        proofs = await asyncio.gather(*(proof.prover.prove(p.inputs) for p in plans))
        return [(p.token(pr), p.now) for p, pr in zip(plans, proofs, strict=True)]

    return asyncio.run(prove_all()), gate


if __name__ == "__main__":
    main()

"""What a per-gate-key rate limit costs POST /verify's pipeline (api.services.verification).

    python3 benchmarks/limits_verify_cost.py [--count 200] [--url URL]

Mints 3 x COUNT tokens (depth 4: small circuit keys, the same pairing check), then verifies
each once, one session per scan as the route does, in three modes interleaved in rounds:
  none     no gate limiter
  memory   the per-process token bucket the service uses (api.services.limits.GateLimiter)
  database a fixed-window counter row per gate key, incremented in verify's first transaction
           (one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, as proof tokens are counted)
Without --url it uses a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from api.auth import authenticate
from api.config import Settings
from api.db import make_engine, make_sessionmaker, migrate
from api.engine import load_engine
from api.models import Role
from api.schemas import EventCreate, GateIn, ProofTokenRequest, TicketCreate, VerifyRequest
from api.services.events import create_event
from api.services.issuance import plan_token
from api.services.keys import create_key
from api.services.limits import GateLimiter, Limit, count_requests
from api.services.merchants import create_merchant
from api.services.tickets import issue_ticket
from api.services.verification import verify_scan
from api.timeutil import utcnow

DEPTH = 4
PER_MINUTE = 1_000_000  # never refuses: the cost of counting is what is measured


class DatabaseGateLimiter:
    """The alternative: the gate key's counter in the database, in verify's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, key_id: str, per_minute: int, now: datetime) -> None:
        count_requests(self.session, [Limit(f"key:{key_id}:verify", per_minute, "v")], now)


def main() -> None:
    """Mint, verify in three modes, print one line per mode."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        url = args.url or f"sqlite:///{d / 'bench.db'}"
        settings = Settings(
            data_dir=d, circuits_dir=d, merkle_depth=DEPTH, database_url=url, prover_workers=1
        )
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        maker = make_sessionmaker(engine)
        proof = load_engine(settings)
        try:
            tokens, gate = _mint(maker, settings, proof, 3 * args.count)
            modes = ["none", "memory", "database"]
            times: dict[str, list[float]] = {m: [] for m in modes}
            memory = GateLimiter()
            rounds = 10
            per_round = args.count // rounds
            for r in range(rounds):
                for i, mode in enumerate(modes):
                    start = (r * len(modes) + i) * per_round
                    for token in tokens[start : start + per_round]:
                        body = VerifyRequest(token=token, gate_id="north")
                        with maker() as s:
                            limiter = {"none": None, "memory": memory}.get(mode)
                            if mode == "database":
                                limiter = DatabaseGateLimiter(s)  # type: ignore[assignment]
                            t0 = time.perf_counter()
                            out = verify_scan(s, settings, proof.pvk, gate, body, limiter=limiter)
                            times[mode].append(time.perf_counter() - t0)
                        assert out.accepted, out
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

    async def prove_all() -> list[str]:
        proofs = await asyncio.gather(*(proof.prover.prove(p.inputs) for p in plans))
        return [p.token(pr) for p, pr in zip(plans, proofs, strict=True)]

    return asyncio.run(prove_all()), gate


if __name__ == "__main__":
    main()

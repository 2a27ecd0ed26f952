"""Where one verify's CPU goes: the gate's pipeline in-process, without HTTP, then with it.

    python benchmarks/profile_verify.py [--tickets 200] [--depth 10] [--top 25]

Makes an app on a fresh SQLite data dir (circuit keys cached per depth in
~/.cache/ticketking-load/circuits, as benchmarks/load_api.py does), issues --tickets tickets
and mints one token each, then reports the CPU time per accepted scan of
`api.services.verification.handle_scan` (half the tokens), of the same through FastAPI's
TestClient (40 tokens), and a cProfile of the rest sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import pstats
import secrets
import tempfile
import time
import warnings
from pathlib import Path

CIRCUITS = Path.home() / ".cache" / "ticketking-load" / "circuits"
API = "/v1/api/ticketking"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.config import Settings
    from api.db import make_engine, make_sessionmaker, migrate
    from api.models import Role
    from api.schemas import VerifyRequest
    from api.services.keys import create_key
    from api.services.verification import handle_scan

    data = Path(tempfile.mkdtemp(prefix="ticketking-profile-"))
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(
        data_dir=data, merkle_depth=args.depth, circuits_dir=CIRCUITS, secret_key=key
    )
    engine = make_engine(settings.resolved_database_url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        _, admin = create_key(session, Role.ADMIN)
    app = create_app(settings)
    with TestClient(app) as client:
        made = client.post(
            f"{API}/merchants", json={"name": "m"}, headers={"X-AffixIO-Key": admin.plaintext}
        ).json()
        merchant = {"X-AffixIO-Key": made["api_key"]}
        event = {
            "event_id": "e",
            "name": "profile",
            "starts_at": "2025-01-01T00:00:00Z",
            "ends_at": "2025-01-02T00:00:00Z",
            "gates": [{"gate_id": "north"}],
            "min_token_interval_seconds": 0,
            "rate_limits": {"gate_key_requests_per_minute": 1_000_000},
        }
        client.post(f"{API}/events", json=event, headers=merchant)
        gate = client.post(
            f"{API}/keys", json={"role": "gate", "event_id": "e"}, headers=merchant
        ).json()["api_key"]
        tokens = []
        for i in range(args.tickets):
            body = {"ticket_id": f"t{i}", "event_id": "e", "tier": "ga"}
            client.post(f"{API}/tickets", json=body, headers=merchant)
            mint = {"ticket_id": f"t{i}", "ttl_seconds": 300}  # outlives the minting
            minted = client.post(f"{API}/proof-token", json=mint, headers=merchant)
            tokens.append(minted.json()["token"])
        state = app.state
        proofs = state.proof_engine.batcher
        fixed = (state.sessionmaker, settings, proofs, state.gate_limiter, state.event_cache, gate)
        bodies = [VerifyRequest(token=t, gate_id="north") for t in tokens]
        half = len(bodies) // 2
        start = time.process_time()
        for body in bodies[:half]:
            out = handle_scan(*fixed, body)
            assert out.accepted, out
        pipeline = (time.process_time() - start) / half * 1e3
        start = time.process_time()
        for token in tokens[half : half + 40]:
            answer = client.post(
                f"{API}/verify",
                json={"token": token, "gate_id": "north"},
                headers={"X-AffixIO-Key": gate},
            )
            assert answer.json()["accepted"]
        http = (time.process_time() - start) / 40 * 1e3
        print(f"handle_scan: {pipeline:.2f} ms CPU per accepted scan")
        print(f"through FastAPI (TestClient): {http:.2f} ms CPU per accepted scan")
        profile = cProfile.Profile()
        profile.enable()
        for body in bodies[half + 40 :]:
            handle_scan(*fixed, body)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()

"""A real server: `ticketking serve` on loopback, driven over HTTP, killed and restarted."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx

from tests.api.conftest import API, auth
from tests.api.live_server import running_server, server_env, wait_until
from tests.api.procfs import alive, api_workers, children, listening_sockets


def test_serve_flow_survives_kill_and_restart(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> None:
    env = server_env(tmp_path / "data", database_url, circuits_dir)
    with running_server(env) as (base, out, _):
        admin = [ln for ln in out.splitlines() if ln.startswith("tk_")]
        assert len(admin) == 1, out  # first start prints the admin key once
        with httpx.Client(base_url=base + API, timeout=10) as c:
            m = c.post("/merchants", json={"name": "Acme"}, headers=auth(admin[0])).json()
            mk = auth(m["api_key"])
            r = c.post(
                "/events",
                headers=mk,
                json={
                    "event_id": "live-1",
                    "name": "Live",
                    "starts_at": "2025-03-10T18:00:00Z",
                    "ends_at": "2025-03-10T23:00:00Z",
                    "gates": [{"gate_id": "north"}],
                },
            )
            assert r.status_code == 201
            for i in range(3):
                r = c.post(
                    "/tickets",
                    headers=mk,
                    json={
                        "ticket_id": f"t{i}",
                        "event_id": "live-1",
                        "tier": "ga",
                        "holder_id": f"holder-{i}",
                    },
                )
                assert r.status_code == 201
            assert c.post("/tickets/t1/revoke", headers=mk).json()["state"] == "revoked"
            assert (
                c.post(
                    "/tickets",
                    headers=mk,
                    json={"ticket_id": "t0", "event_id": "live-1", "tier": "vip"},
                ).status_code
                == 409
            )
    # Restarted: same keys, same tickets, no second admin key printed. On PostgreSQL with two
    # workers, the way it scales out.
    workers = 2 if database_url.startswith("postgresql") else 1
    with running_server(env, workers=workers) as (base, out, _):
        assert "tk_" not in out
        with httpx.Client(base_url=base + API, timeout=10) as c:
            assert c.get("/tickets/t1", headers=mk).json()["state"] == "revoked"
            assert c.get("/tickets/t0", headers=mk).json()["state"] == "active"
            r = c.post(
                "/tickets",
                headers=mk,
                json={
                    "ticket_id": "t2",
                    "event_id": "live-1",
                    "tier": "ga",
                    "holder_id": "holder-2",
                },
            )
            assert r.status_code == 200  # idempotent across restarts: the holder hash held
            assert c.get("/tickets/t0").status_code == 401


def test_a_killed_worker_is_replaced_and_its_provers_exit(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> None:
    """SIGKILL one of two workers: another takes its place and its provers do not linger."""
    env = server_env(tmp_path / "data", database_url, circuits_dir)
    with running_server(env, workers=2) as (base, _, pid):
        wait_until(lambda: len(api_workers(pid, 2)) == 2, "two workers")
        victim = api_workers(pid, 2)[0]
        wait_until(lambda: bool(children(victim)), "the victim's prover")  # started at its startup
        provers = children(victim)
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: not any(alive(p) for p in provers), f"provers {provers} outlived it")
        port = httpx.URL(base).port or 80
        replaced = lambda: victim not in api_workers(pid, 2) and len(listening_sockets(port)) == 2  # noqa: E731
        wait_until(replaced, "no replacement listening")
        assert httpx.get(f"{base}{API}/health", timeout=10).status_code == 200

"""A real server: `ticketking serve` on loopback, driven over HTTP, killed and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.conftest import API, auth

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _server(env: dict[str, str], workers: int = 1) -> Iterator[tuple[str, str]]:
    """Run `ticketking serve`; yield (base URL, its stdout so far); SIGKILL it afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if httpx.get(f"{base}{API}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.1)
        # The banner is printed before uvicorn starts: read what is buffered so far.
        out = os.read(proc.stdout.fileno(), 65536).decode() if proc.stdout else ""
        yield base, out
    finally:
        # A crash, not a clean shutdown: state must survive without one.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_serve_flow_survives_kill_and_restart(tmp_path: Path, database_url: str) -> None:
    env = {
        **os.environ,
        "TICKETKING_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TICKETKING_SECRET_KEY", None)
    with _server(env) as (base, out):
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
    with _server(env, workers=workers) as (base, out):
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

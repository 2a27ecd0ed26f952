"""One-time use against a real server: `ticketking serve --workers N` raced, killed, restarted.

The in-process tests (tests/api/routes/test_verify.py) check the verify pipeline; these check
the claim that rests on the database alone: across worker processes, concurrent clients and a
SIGKILL, a ticket's statement is accepted exactly once, and a gate retrying a scan_id gets the
answer it may have lost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import API, auth
from tests.api.live_server import running_server, server_env
from tests.api.procfs import api_workers, holds_database, listening_sockets, open_files

ALREADY_CONSUMED = {"accepted": False, "reason": "already_consumed"}
EVENT = {
    "name": "Live",
    "starts_at": "2025-03-10T18:00:00Z",
    "ends_at": "2025-03-10T23:00:00Z",
    "gates": [{"gate_id": "north"}, {"gate_id": "south"}],
    # Some tickets get two tokens back to back here: no minimum interval between them.
    "min_token_interval_seconds": 0,
}
# Two API processes race on two cores. Each round: a fresh ticket and token, scanned at once
# by CLIENTS clients (each race has its own event: a depth-4 tree holds 16 tickets).
WORKERS = 2
CLIENTS = 16
ROUNDS = 15
TWO_GATE_ROUNDS = 6
RETRY_ROUNDS = 4
# The token lifetime: long enough to outlive a server restart on a busy machine.
TTL = 300


class Live:
    """The HTTP API of one running server, as merchants and gates call it."""

    def __init__(self, base: str) -> None:
        self.base = base + API
        self.http = httpx.Client(base_url=self.base, timeout=30)

    def close(self) -> None:
        """Close the client's connections."""
        self.http.close()

    def post(self, path: str, headers: dict[str, str], body: dict[str, Any], want: int) -> Any:
        """POST, assert the status, return the JSON."""
        r = self.http.post(path, json=body, headers=headers)
        assert r.status_code == want, r.text
        return r.json()

    def merchant(self, admin_key: str) -> dict[str, str]:
        """A new merchant's key headers."""
        made = self.post("/merchants", auth(admin_key), {"name": "Acme"}, 201)
        return auth(made["api_key"])

    def event(self, merchant: dict[str, str], event_id: str) -> None:
        """An event with gates north and south."""
        self.post("/events", merchant, {"event_id": event_id, **EVENT}, 201)

    def gate_key(
        self, merchant: dict[str, str], event_id: str, gates: list[str] | None = None
    ) -> dict[str, str]:
        """A gate key's headers (all gates of the event unless named)."""
        body: dict[str, Any] = {"role": "gate", "event_id": event_id}
        if gates is not None:
            body["gate_ids"] = gates
        return auth(self.post("/keys", merchant, body, 201)["api_key"])

    def token(self, merchant: dict[str, str], event_id: str, ticket_id: str) -> str:
        """A new ticket's proof token."""
        body = {"ticket_id": ticket_id, "event_id": event_id, "tier": "ga"}
        self.post("/tickets", merchant, body, 201)
        return self.mint(merchant, ticket_id)

    def mint(self, merchant: dict[str, str], ticket_id: str) -> str:
        """Another proof token for an existing ticket."""
        body = {"ticket_id": ticket_id, "ttl_seconds": TTL}
        return str(self.post("/proof-token", merchant, body, 200)["token"])

    def scan(
        self, gate: dict[str, str], token: str, gate_id: str = "north", scan_id: str | None = None
    ) -> dict[str, Any]:
        """The gate's answer to one scan (asserts 200)."""
        return dict(self.post("/verify", gate, _scan_body(token, gate_id, scan_id), 200))


def _scan_body(token: str, gate_id: str, scan_id: str | None) -> dict[str, Any]:
    body = {"token": token, "gate_id": gate_id}
    if scan_id is not None:
        body["scan_id"] = scan_id
    return body


Request = tuple[dict[str, str], dict[str, Any]]


async def _send_all(base: str, requests: Sequence[Request]) -> list[httpx.Response]:
    # A fresh client per burst: new connections, so the kernel spreads them over the workers.
    limits = httpx.Limits(max_connections=len(requests), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        sends = (client.post("/verify", json=body, headers=headers) for headers, body in requests)
        return list(await asyncio.gather(*sends))


def race(base: str, requests: Sequence[Request]) -> list[dict[str, Any]]:
    """Send every scan at once; every answer must be a 200 (no 5xx, no 409 `retry`)."""
    responses = asyncio.run(_send_all(base, requests))
    bad = [(r.status_code, r.text) for r in responses if r.status_code != 200]
    assert not bad, bad
    return [dict(r.json()) for r in responses]


def _one_accept(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The one accepted answer; every other answer must be already_consumed."""
    accepted = [a for a in answers if a["accepted"]]
    assert len(accepted) == 1, answers
    assert sum(a == ALREADY_CONSUMED for a in answers) == len(answers) - 1, answers
    return accepted[0]


def every_worker_serves(
    live: Live, server_pid: int, workers: int, database_url: str, merchant: dict[str, str]
) -> None:
    """Wait until each of the workers has answered from the test's own database.

    A worker that missed the search_path of DATABASE_URL would look for keys in another
    schema: the probe (a merchant key reading its event) would get 401 or 500, not 200.
    Each worker also listens on a socket of its own (api/serve_workers.py).
    """
    port = httpx.URL(live.base).port or 80
    deadline = time.monotonic() + 60
    while True:
        pids = api_workers(server_pid, workers)
        # A worker opens the database during its startup and listens once that is done.
        listening = listening_sockets(port)
        serving = len(pids) == workers and len(listening) == workers
        if serving and all(holds_database(p, database_url) for p in pids):
            break
        assert time.monotonic() < deadline, f"workers {pids} did not all reach the database"
        probes = [httpx.get(f"{live.base}/events/gig", headers=merchant) for _ in range(workers)]
        assert all(p.status_code == 200 for p in probes), [p.text for p in probes]
        time.sleep(0.2)
    assert all(len(open_files(p) & listening) == 1 for p in pids)


# --- the tests --------------------------------------------------------------------------------


def _admin_key(out: str) -> str:
    admin = [ln for ln in out.splitlines() if ln.startswith("tk_")]
    assert len(admin) == 1, out  # the first start prints the admin key once
    return admin[0]


def test_one_time_use_on_a_real_server(
    tmp_path: Path, database_url: str, circuits_dir: Path
) -> None:
    """The flow, racing clients, a SIGKILL mid-race, a restart: each statement enters once.

    One test, not four: each server start costs seconds of a shared two-core machine.
    """
    env = server_env(tmp_path / "data", database_url, circuits_dir)
    with running_server(env, workers=WORKERS) as (base, out, pid):
        live = Live(base)
        merchant = live.merchant(_admin_key(out))
        for event_id in ("flow", "gig", "gates", "retry"):
            live.event(merchant, event_id)
        every_worker_serves(live, pid, WORKERS, database_url, merchant)
        gate = live.gate_key(merchant, "flow")
        # The whole flow: accepted once, refused on replay, a retry gets its first answer.
        used = live.token(merchant, "flow", "used")
        first = live.scan(gate, used, scan_id="scan-1")
        assert first["accepted"] is True and first["gate_id"] == "north"
        assert first["tier"] == "ga" and first["scope"] == "flow"
        assert live.scan(gate, used) == ALREADY_CONSUMED
        assert live.scan(gate, used, "south", scan_id="scan-2") == ALREADY_CONSUMED
        assert live.scan(gate, used, scan_id="scan-1") == first

        _race_at_one_gate(live, merchant, "gig")
        _race_at_two_gates(live, merchant, "gates")
        _race_with_scan_id_retries(live, merchant, "retry")

        # Minted before the crash, scanned after it.
        pending = live.token(merchant, "flow", "pending")
        twice = [live.token(merchant, "flow", "twice"), live.mint(merchant, "twice")]
        # The crash comes in the middle of a race: SIGKILL while these scans are in flight.
        inflight = live.token(merchant, "flow", "inflight")
        burst = [(gate, _scan_body(inflight, "north", f"fly-{i}")) for i in range(CLIENTS)]
        arrived: list[list[dict[str, Any] | None]] = []
        answered = threading.Event()
        racer = threading.Thread(
            target=lambda: arrived.append(_until_crash(live.base, burst, answered))
        )
        racer.start()
        answered.wait(30)  # the first answer is back, the others are in flight
        os.killpg(pid, signal.SIGKILL)
        racer.join(60)
        assert arrived, "the scans in flight neither finished nor failed"
        live.close()

    with running_server(env, workers=WORKERS) as (base, out, pid):
        assert "tk_" not in out
        live = Live(base)
        every_worker_serves(live, pid, WORKERS, database_url, merchant)
        assert live.scan(gate, used) == ALREADY_CONSUMED
        assert live.scan(gate, used, scan_id="scan-1") == first  # the original answer
        assert live.scan(gate, used, "south", scan_id="scan-2") == ALREADY_CONSUMED
        r = live.http.post("/verify", headers=gate, json=_scan_body(pending, "north", "scan-1"))
        assert r.status_code == 409 and r.json()["error"]["code"] == "scan_id_reused"
        assert live.scan(gate, pending)["accepted"] is True
        assert live.scan(gate, pending, "south") == ALREADY_CONSUMED
        # Two tokens of one ticket prove one statement: one entry.
        assert live.scan(gate, twice[1], "south")["accepted"] is True
        assert live.scan(gate, twice[0]) == ALREADY_CONSUMED
        # Each gate retries its scan after the crash: exactly one was (or now is) accepted, and
        # a gate that got an answer before the crash gets the same one again.
        retried = [live.scan(gate, inflight, scan_id=body["scan_id"]) for _, body in burst]
        _one_accept(retried)
        for before, after in zip(arrived[0], retried, strict=True):
            assert before is None or before == after, (before, after)
        live.close()


def _race_at_one_gate(live: Live, merchant: dict[str, str], event_id: str) -> None:
    """One gate key, the same token from every client, round after round."""
    gate = live.gate_key(merchant, event_id)
    for i in range(ROUNDS):
        token = live.token(merchant, event_id, f"same-{i}")
        scans = [(gate, _scan_body(token, "north", None))] * CLIENTS
        assert _one_accept(race(live.base, scans))["gate_id"] == "north"
        assert live.scan(gate, token) == ALREADY_CONSUMED
    # A depth-4 tree holds sixteen tickets: the next is refused with a 409, not a 500.
    body = {"ticket_id": "16th", "event_id": event_id, "tier": "ga"}
    live.post("/tickets", merchant, body, 201)
    body = {"ticket_id": "17th", "event_id": event_id, "tier": "ga"}
    assert live.post("/tickets", merchant, body, 409)["error"]["code"] == "event_full"


def _race_at_two_gates(live: Live, merchant: dict[str, str], event_id: str) -> None:
    """Two gates racing on one token, each device with a key for its own gate only."""
    north = live.gate_key(merchant, event_id, ["north"])
    south = live.gate_key(merchant, event_id, ["south"])
    for i in range(TWO_GATE_ROUNDS):
        token = live.token(merchant, event_id, f"gates-{i}")
        scans = [(north, _scan_body(token, "north", None))] * (CLIENTS // 2)
        scans += [(south, _scan_body(token, "south", None))] * (CLIENTS // 2)
        assert _one_accept(race(live.base, scans))["gate_id"] in {"north", "south"}


def _race_with_scan_id_retries(live: Live, merchant: dict[str, str], event_id: str) -> None:
    """A gate retrying one scan_id while another scans the token: the retries share an answer."""
    north = live.gate_key(merchant, event_id, ["north"])
    south = live.gate_key(merchant, event_id, ["south"])
    for i in range(RETRY_ROUNDS):
        token = live.token(merchant, event_id, f"retry-{i}")
        retry = (north, _scan_body(token, "north", f"r-{i}"))
        other = (south, _scan_body(token, "south", None))
        answers = race(live.base, [retry, other] * (CLIENTS // 2))
        mine, theirs = answers[0::2], answers[1::2]
        assert all(a == mine[0] for a in mine), mine
        if mine[0]["accepted"]:
            assert all(a == ALREADY_CONSUMED for a in theirs), theirs
        else:
            assert mine[0] == ALREADY_CONSUMED
            _one_accept(theirs)


def _until_crash(
    base: str, requests: Sequence[Request], answered: threading.Event
) -> list[dict[str, Any] | None]:
    """Each request's answer, or None where the crash cut it off; no answer may be a non-200.

    `answered` is set when the first answer arrives: the signal to crash the server.
    """

    async def send() -> list[httpx.Response | BaseException]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:

            async def one(headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
                try:
                    return await client.post("/verify", json=body, headers=headers)
                finally:
                    answered.set()

            sends = (one(h, b) for h, b in requests)
            return list(await asyncio.gather(*sends, return_exceptions=True))

    answers: list[dict[str, Any] | None] = []
    for result in asyncio.run(send()):
        if isinstance(result, BaseException):
            assert isinstance(result, httpx.TransportError), result
            answers.append(None)
        else:
            assert result.status_code == 200, result.text
            answers.append(dict(result.json()))
    return answers

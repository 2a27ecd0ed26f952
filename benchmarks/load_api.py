"""Load benchmark of the TicketKing service over HTTP: verify, proof-token and start time.

    python benchmarks/load_api.py [--depth 20] [--repeat 3] [--duration 30] [--concurrency 16]
                                  [--workers 1] [--prover-workers N] [--gate-threads N]
                                  [--verify-tokens 1000]
                                  [--rate R] [--gate-connections G]
                                  [--json out.json] [--plot out.png]
    python benchmarks/load_api.py --url http://host:8000 --admin-key tk_... [--server-pid PID]

Without --url it makes a fresh data dir, runs `python -m api.cli init` there (the circuit keys
are made once per depth in --circuits-dir and reused), starts `python -m api.cli serve` on
loopback and stops it at the end. Through the HTTP API it then makes a merchant, an event with
one entry scope per round (a ticket gets one fresh nullifier per scope), gates, a gate key and
--tickets tickets, and runs --repeat rounds of:

  proof-token  --duration seconds of POST /proof-token at --pt-concurrency (default: twice the
               provers): every token it mints is kept for the verify phase;
  (pre-mint)   more tokens, untimed, until --verify-tokens fresh ones are in hand;
  verify       POST /verify at --concurrency (closed loop) or at --rate per second (open loop,
               latency counted from each request's scheduled time): fresh tokens (accepted),
               replays of tokens accepted earlier (already_consumed), malformed strings and
               forged tokens (a valid token with its nonce changed: the pairing says no);
               through one shared pool of connections, or with --gate-connections G from G
               gate devices with a connection each, scans dealt to them in turn;

then `start`: the server is stopped and started again --repeat times with its keys made and
its data in place, timing process start -> /health answers -> first proof-token succeeds.

Each phase reports count, throughput, p50/p90/p99/max latency (ms), errors (non-200 answers
and transport failures), the answers seen, the server tree's peak RSS (VmHWM of the server and
its children, reset at each phase start through /proc/PID/clear_refs) and the load average.
Rounds are summarised by their median. Latencies include this client's own overhead: it runs
on the same machine (its CPU time is reported, and in the open loop the p99 of how late it
started requests, "lag99"). That is why the timed phases use aiohttp, not httpx: against a
trivial FastAPI POST endpoint under uvicorn (concurrency 16, keep-alive) httpx.AsyncClient
managed 533 req/s at p99 155 ms for 1.87 ms of client CPU per request, aiohttp.ClientSession
8,141 req/s at p99 3 ms for 0.12 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import httpx  # only for the synchronous /health polling and the start phase's first mint
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
API = "/v1/api/ticketking"
TTL_SECONDS = 300  # the longest a token may live: the verify phase follows the minting
# A token's nonce sits at bytes 105..121 (api/token.py): changing it keeps the token readable
# but breaks the proof's binding, so the server does the full pairing and answers invalid_proof.
NONCE_SLICE = slice(105, 121)
# Stop pre-minting once the oldest token is this old, so that none expires before its scan.
MAX_TOKEN_AGE_S = 200
LOCAL_HOST = "127.0.0.1"  # where the local server listens
DEVICES_ADDRESS = "127.0.0.2"  # --gate-connections' source address against a local server


# ---------------------------------------------------------------------------- measurements


@dataclass
class PhaseResult:
    """One timed phase of one round."""

    phase: str
    round: int
    count: int
    seconds: float
    throughput: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    outcomes: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    peak_rss_max_process_mb: float | None = None
    processes: int | None = None
    loadavg: list[float] = field(default_factory=list)
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0  # of the whole server tree during the phase
    extra: dict[str, float] = field(default_factory=dict)
    # Verify: the client's open connections held by each server process (busiest first).
    connections_per_process: list[int] = field(default_factory=list)
    # Open loop: p99 of how late the client itself started requests (its own scheduling delay,
    # inside the latencies above; a busy client shows here, not as a slow server).
    client_lag_p99_ms: float | None = None
    latencies_ms: list[float] = field(default_factory=list, repr=False)  # for --plot, not JSON


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of sorted values, nearest rank."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(round(q / 100 * len(sorted_values) + 0.4999)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def client_cpu() -> float:
    """CPU seconds this client process used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_tree(root: int) -> list[int]:
    """root and all its descendants, from /proc (no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss(root: int | None) -> None:
    """Reset VmHWM of the tree to its current RSS, where the kernel allows it."""
    if root is None:
        return
    for pid in process_tree(root):
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/clear_refs").write_text("5")


def tree_cpu(root: int | None) -> float:
    """CPU seconds (user + system) used so far by root and its live descendants."""
    if root is None:
        return 0.0
    ticks = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss(root: int | None) -> tuple[float | None, float | None, int | None]:
    """(sum of VmHWM over the tree, largest single VmHWM, process count), MB."""
    if root is None:
        return None, None, None
    peaks = [kb for pid in process_tree(root) if (kb := _status_kb(pid, "VmHWM")) is not None]
    if not peaks:
        return None, None, None
    return sum(peaks) / 1024, max(peaks) / 1024, len(peaks)


def connections_per_process(root: int | None, port: int, peer: str | None) -> list[int]:
    """Connections from `peer` (IPv4) to `port` held by each process of the tree, busiest first.

    With `serve --workers N` a connection stays with the worker that accepted it, so this is
    how the scans were shared out.
    """
    if root is None or peer is None:
        return []
    peer_hex = socket.inet_aton(peer)[::-1].hex().upper()  # /proc/net/tcp: little-endian
    established = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_host = fields[2].split(":")[0]
            if local_port == port and remote_host == peer_hex and fields[3] == "01":
                established.add(f"socket:[{fields[9]}]")
    counts = []
    for pid in process_tree(root):
        with contextlib.suppress(OSError):
            fds = Path(f"/proc/{pid}/fd").iterdir()
            held = sum(1 for fd in fds if _readlink(fd) in established)
            if held:
                counts.append(held)
    return sorted(counts, reverse=True)


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return ""


@dataclass
class Samples:
    """Latencies and answers collected during one phase."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    lags: list[float] = field(default_factory=list)  # open loop: start minus due time, s

    def add(self, seconds: float, outcome: str, error: bool) -> None:
        self.latencies.append(seconds)
        self.outcomes[outcome] += 1
        self.errors += int(error)


def summarise(
    phase: str,
    rnd: int,
    samples: Samples,
    seconds: float,
    server_pid: int | None,
    cpu0: tuple[float, float],
) -> PhaseResult:
    """A PhaseResult from the samples and the server's state right after the phase."""
    ms = sorted(x * 1e3 for x in samples.latencies)
    lags = sorted(x * 1e3 for x in samples.lags)
    rss, rss_one, nproc = peak_rss(server_pid)
    return PhaseResult(
        phase=phase,
        round=rnd,
        count=len(ms),
        seconds=round(seconds, 3),
        throughput=round(len(ms) / seconds, 2) if seconds > 0 else 0.0,
        p50_ms=round(percentile(ms, 50), 2),
        p90_ms=round(percentile(ms, 90), 2),
        p99_ms=round(percentile(ms, 99), 2),
        max_ms=round(ms[-1], 2) if ms else float("nan"),
        errors=samples.errors,
        outcomes=dict(samples.outcomes),
        peak_rss_mb=None if rss is None else round(rss, 1),
        peak_rss_max_process_mb=None if rss_one is None else round(rss_one, 1),
        processes=nproc,
        loadavg=loadavg(),
        client_cpu_s=round(client_cpu() - cpu0[0], 2),
        server_cpu_s=round(tree_cpu(server_pid) - cpu0[1], 2),
        client_lag_p99_ms=round(percentile(lags, 99), 2) if lags else None,
        latencies_ms=ms,
    )


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind((LOCAL_HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class LocalServer:
    """`python -m api.cli serve` in a data dir of its own, in its own process group."""

    env: dict[str, str]
    workers: int
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{LOCAL_HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        """Start the process (not waiting for it); started_at is when Popen was called."""
        cmd = [sys.executable, "-m", "api.cli", "serve", "--host", LOCAL_HOST]
        cmd += ["--port", str(self.port), "--workers", str(self.workers)]
        cmd += ["--log-level", "warning"]
        log = self.log_path.open("ab")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()

    def wait_healthy(self, timeout: float = 120.0) -> float:
        """Seconds from start() until GET /health answers 200."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited; its log: {self.log_path}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.url}{API}/health").status_code == 200:
                        return time.perf_counter() - self.started_at
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer /health; log: {self.log_path}")
                time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM the process group; SIGKILL it if it lingers."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        # Workers of the group may outlive the supervisor for a moment.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None


def server_env(args: argparse.Namespace, data_dir: Path) -> dict[str, str]:
    """The environment of the local server: its own data dir, the shared circuit keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETKING_")}
    env.pop("DATABASE_URL", None)
    env.update(
        TICKETKING_DATA_DIR=str(data_dir),
        TICKETKING_CIRCUITS_DIR=str(args.circuits_dir),
        TICKETKING_MERKLE_DEPTH=str(args.depth),
        PYTHONUNBUFFERED="1",
    )
    if args.prover_workers:
        env["TICKETKING_PROVER_WORKERS"] = str(args.prover_workers)
    if args.gate_threads:
        env["TICKETKING_GATE_THREADS"] = str(args.gate_threads)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    return env


def init_data_dir(env: dict[str, str]) -> str:
    """Run `ticketking init` (schema, circuit keys if missing) and return the admin key."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "init"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    keys = [ln for ln in done.stdout.splitlines() if ln.startswith("tk_")]
    if done.returncode != 0 or len(keys) != 1:
        raise RuntimeError(f"ticketking init failed:\n{done.stdout}\n{done.stderr}")
    return keys[0]


# ---------------------------------------------------------------------------- the API


@dataclass
class Fixture:
    """What the setup made: keys, the event and its tickets."""

    merchant_key: str
    gate_key: str
    event_id: str
    scopes: list[str]
    tickets: list[str]


class FramingError(Exception):
    """A response a gate device cannot read (no Content-Length, or a bad status line)."""


# Transport failures of a request: counted as errors, named by their exception type. aiohttp
# raises TimeoutError (not a ClientError) when the total timeout runs out.
CLIENT_ERRORS = (
    aiohttp.ClientError,
    TimeoutError,
    OSError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
    FramingError,
)


def _headers(key: str) -> dict[str, str]:
    return {"X-AffixIO-Key": key}


async def _post(
    client: aiohttp.ClientSession, path: str, body: dict[str, Any], key: str, *ok: int
) -> dict[str, Any]:
    """POST body to path (relative to the API prefix); its JSON answer, which must be in ok."""
    async with client.post(path, json=body, headers=_headers(key)) as r:
        if r.status not in ok:
            raise RuntimeError(f"POST {r.url.path}: {r.status} {await r.text()}")
        return dict(await r.json())


async def run_bounded(
    n: int, concurrency: int, job: Callable[[int], Awaitable[None]], bar: tqdm | None = None
) -> None:
    """Run job(0..n-1) with at most `concurrency` in flight."""
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await job(i)
            if bar is not None:
                bar.update()

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, n)))))


async def setup_fixture(
    client: aiohttp.ClientSession, admin_key: str, n_tickets: int, rounds: int, progress: bool
) -> Fixture:
    """A merchant, an event with a scope per round, gates, a gate key and n tickets."""
    run = secrets.token_hex(3)
    merchant = await _post(client, "merchants", {"name": f"Load {run}"}, admin_key, 201)
    mk = merchant["api_key"]
    now = datetime.now(UTC)
    event_id = f"load-{run}"
    scopes = [f"day-{i + 1}" for i in range(rounds + 1)]  # one spare for the start phase
    body = {
        "event_id": event_id,
        "name": "Load test",
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
        "gates": [{"gate_id": "north"}, {"gate_id": "vip-door", "tiers": ["vip"]}],
        "scopes": scopes,
        # A load test measures the service, not its limits: lift them for this event.
        "min_token_interval_seconds": 0,
        "rate_limits": {
            "proof_tokens_per_minute": 1_000_000,
            "merchant_key_requests_per_minute": 1_000_000,
            "gate_key_requests_per_minute": 1_000_000,
        },
    }
    await _post(client, "events", body, mk, 201)
    gate_body = {"role": "gate", "event_id": event_id, "gate_ids": ["north"]}
    gate = await _post(client, "keys", gate_body, mk, 201)
    tickets = [f"{event_id}-t{i:06d}" for i in range(n_tickets)]

    async def make(i: int) -> None:
        tier = "vip" if i % 10 == 0 else "ga"
        body = {"ticket_id": tickets[i], "event_id": event_id, "tier": tier}
        await _post(client, "tickets", body, mk, 201, 200)

    with tqdm(total=n_tickets, desc="tickets", unit="t", disable=not progress) as bar:
        await run_bounded(n_tickets, 4, make, bar)
    return Fixture(mk, gate["api_key"], event_id, scopes, tickets)


@dataclass
class Minter:
    """Mints tokens for one scope, each ticket once, and keeps them for the verify phase."""

    client: aiohttp.ClientSession
    fixture: Fixture
    scope: str
    next_ticket: int = 0
    tokens: list[str] = field(default_factory=list)
    first_mint: float | None = None

    async def mint_one(self, samples: Samples | None) -> None:
        """One POST /proof-token for the next unused ticket (wrapping round if none is left)."""
        tickets = self.fixture.tickets
        ticket = tickets[self.next_ticket % len(tickets)]
        fresh = self.next_ticket < len(tickets)  # a second token of a ticket is a replay
        self.next_ticket += 1
        body = {"ticket_id": ticket, "ttl_seconds": TTL_SECONDS, "scope": self.scope}
        start = time.perf_counter()
        outcome, error = "ok", False
        try:
            headers = _headers(self.fixture.merchant_key)
            async with self.client.post("proof-token", json=body, headers=headers) as r:
                if r.status == 200:
                    token = (await r.json())["token"]
                    if fresh:
                        self.tokens.append(token)
                        if self.first_mint is None:
                            self.first_mint = start
                else:
                    await r.read()
                    outcome, error = f"http_{r.status}", True
        except CLIENT_ERRORS as exc:
            outcome, error = type(exc).__name__, True
        if samples is not None:
            samples.add(time.perf_counter() - start, outcome, error)


async def proof_token_phase(
    minter: Minter, seconds: float, concurrency: int, progress: bool
) -> tuple[Samples, float]:
    """POST /proof-token in a closed loop for `seconds`; (samples, elapsed incl. the drain)."""
    samples = Samples()
    start = time.perf_counter()
    stop_at = start + seconds

    async def worker() -> None:
        while time.perf_counter() < stop_at:
            await minter.mint_one(samples)

    with tqdm(total=round(seconds), desc="proof-token", unit="s", disable=not progress) as bar:

        async def ticker() -> None:
            while time.perf_counter() < stop_at:
                await asyncio.sleep(1)
                bar.update(min(1, bar.total - bar.n))

        tick = asyncio.create_task(ticker())
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        tick.cancel()
    return samples, time.perf_counter() - start


async def premint(minter: Minter, wanted: int, concurrency: int, progress: bool) -> None:
    """Mint (untimed) until `wanted` fresh tokens are in hand or the oldest gets too old."""
    total = min(wanted, len(minter.fixture.tickets))
    with tqdm(total=total, desc="pre-mint", unit="tok", disable=not progress) as bar:
        bar.update(len(minter.tokens))

        async def worker() -> None:
            while len(minter.tokens) < wanted and minter.next_ticket < len(minter.fixture.tickets):
                if minter.first_mint and time.perf_counter() - minter.first_mint > MAX_TOKEN_AGE_S:
                    return
                await minter.mint_one(None)
                bar.update(min(len(minter.tokens), total) - bar.n)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    if len(minter.tokens) < wanted:
        tqdm.write(f"note: {len(minter.tokens)} fresh tokens (wanted {wanted})")


def forge(token: str) -> str:
    """The token with its nonce changed: well formed, but its proof no longer holds."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[NONCE_SLICE] = secrets.token_bytes(NONCE_SLICE.stop - NONCE_SLICE.start)
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def malformed(rng: random.Random) -> str:
    """Something a broken or hostile scanner sends: random base64url, or truncated junk."""
    if rng.random() < 0.5:
        return base64.urlsafe_b64encode(rng.randbytes(251)).rstrip(b"=").decode()
    return "".join(rng.choice("ABCDEFabcdef0123456789-_") for _ in range(rng.randint(8, 400)))


def verify_mix(tokens: list[str], args: argparse.Namespace, rng: random.Random) -> list[str]:
    """The scans to send: every fresh token once, plus replays, malformed and forged ones.

    A replay repeats a token scheduled well before it (at least --concurrency scans earlier),
    so it is normally consumed by the time the replay arrives.
    """
    fresh_share = 1.0 - args.replay - args.malformed - args.forged
    total = round(len(tokens) / fresh_share)
    kinds = ["fresh"] * len(tokens)
    kinds += ["replay"] * round(total * args.replay)
    kinds += ["malformed"] * round(total * args.malformed)
    kinds += ["forged"] * round(total * args.forged)
    rng.shuffle(kinds)
    scans: list[str] = []
    sent: list[str] = []  # fresh tokens scheduled so far
    fresh = iter(tokens)
    for kind in kinds:
        settled = len(sent) - args.concurrency
        if kind == "fresh" or (kind == "replay" and settled <= 0):
            token = next(fresh, None)
            if token is not None:
                sent.append(token)
            scans.append(token or malformed(rng))
        elif kind == "replay":
            scans.append(sent[rng.randrange(settled)])
        elif kind == "malformed":
            scans.append(malformed(rng))
        else:
            scans.append(forge(rng.choice(tokens)))
    return scans


async def verify_phase(
    clients: Sequence[Poster],
    gate_key: str,
    scans: list[str],
    concurrency: int,
    rate: float | None,
    progress: bool,
) -> tuple[Samples, float]:
    """POST /verify for each scan, closed loop at `concurrency` or open loop at `rate`/s.

    Scan i goes through clients[i % len(clients)] (one shared pool, or one per gate device).
    """
    samples = Samples()
    headers = _headers(gate_key) | {"Content-Type": "application/json"}
    # Encoded before the clock starts: no request's latency includes encoding its body.
    bodies = [json.dumps({"token": s, "gate_id": "north"}).encode() for s in scans]
    bar = tqdm(total=len(scans), desc="verify", unit="req", disable=not progress)

    async def scan(i: int, since: float | None = None) -> None:
        start = since if since is not None else time.perf_counter()
        if since is not None:
            samples.lags.append(time.perf_counter() - since)
        try:
            status, raw = await clients[i % len(clients)].post("verify", bodies[i], headers)
            if status == 200:
                answer = json.loads(raw)
                outcome, error = ("accepted" if answer["accepted"] else answer["reason"]), False
            else:
                outcome, error = f"http_{status}", True
        except CLIENT_ERRORS as exc:
            outcome, error = type(exc).__name__, True
        samples.add(time.perf_counter() - start, outcome, error)
        bar.update()

    start = time.perf_counter()
    if rate is None:
        await run_bounded(len(scans), concurrency, scan)
    else:
        # Open loop: request i is due at start + i/rate, and its latency counts from then, so
        # a server that falls behind shows it (no coordinated omission).
        tasks = []
        for i in range(len(scans)):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(scan(i, due)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    bar.close()
    return samples, elapsed


# ---------------------------------------------------------------------------- phases


def _client(base: str, concurrency: int) -> aiohttp.ClientSession:
    """A keep-alive session of at most `concurrency` connections; paths are relative to API."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    # A base URL with a path must end in '/'; the paths then go without a leading '/'.
    return aiohttp.ClientSession(base + API + "/", connector=connector, timeout=timeout)


async def rounds(
    args: argparse.Namespace, base: str, admin_key: str, server_pid: int | None
) -> tuple[list[PhaseResult], Fixture]:
    """Set up the fixture, then --repeat rounds of proof-token, pre-mint and verify."""
    results: list[PhaseResult] = []
    pool = max(args.concurrency, args.pt_concurrency, 8)
    async with _client(base, pool) as client:
        fixture = await setup_fixture(
            client, admin_key, args.tickets, args.repeat, not args.no_progress
        )
        rng = random.Random(args.seed)
        for rnd in range(1, args.repeat + 1):
            minter = Minter(client, fixture, fixture.scopes[rnd - 1])
            if "proof-token" in args.phases:
                reset_peak_rss(server_pid)
                cpu0 = (client_cpu(), tree_cpu(server_pid))
                samples, elapsed = await proof_token_phase(
                    minter, args.duration, args.pt_concurrency, not args.no_progress
                )
                results.append(summarise("proof-token", rnd, samples, elapsed, server_pid, cpu0))
                tqdm.write(row(results[-1]))
            if "verify" not in args.phases:
                continue
            await premint(minter, args.verify_tokens, args.pt_concurrency, not args.no_progress)
            scans = verify_mix(minter.tokens, args, rng)
            async with gate_devices(base, args.gate_connections) as devices:
                clients: list[Poster] = list(devices) or [PooledPoster(client)]
                # Warm the connections (and the server's caches) with a few malformed scans;
                # gate devices connect one after another, as real ones would.
                warm = [malformed(rng) for _ in range(max(32, len(clients)))]
                in_turn = 1 if devices else 8
                await verify_phase(clients, fixture.gate_key, warm, in_turn, None, False)
                reset_peak_rss(server_pid)
                cpu0 = (client_cpu(), tree_cpu(server_pid))
                samples, elapsed = await verify_phase(
                    clients, fixture.gate_key, scans, args.concurrency, args.rate,
                    not args.no_progress,
                )  # fmt: skip
                results.append(summarise("verify", rnd, samples, elapsed, server_pid, cpu0))
                # After the CPU figures, while the connections are open. Told apart by source
                # address on loopback only; elsewhere not counted.
                peer = devices_address(base) if devices else LOCAL_HOST
                results[-1].connections_per_process = connections_per_process(
                    server_pid, urlsplit(base).port or 80, peer
                )
            tqdm.write(row(results[-1]))
    return results, fixture


def devices_address(base: str) -> str | None:
    """The gate devices' source address against a server on 127.0.0.1 (else None: any)."""
    return DEVICES_ADDRESS if urlsplit(base).hostname == LOCAL_HOST else None


@contextlib.asynccontextmanager
async def gate_devices(base: str, n: int) -> AsyncIterator[list[GateDevice]]:
    """n simulated gate devices, each with one keep-alive connection of its own (none if 0).

    With `serve --workers N` each connection stays with the worker that accepted it, so the
    split of the connections is the split of the scans: each verify row shows it ("conns").
    """
    # From a loopback address of their own, so that their connections can be told apart.
    address = devices_address(base)
    devices = [GateDevice(base, address) for _ in range(n)]
    try:
        yield devices
    finally:
        for device in devices:
            device.close()


class Poster(Protocol):
    """What the verify phase posts through: (status, body) for a POST of JSON bytes."""

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """POST body to path (relative to the API prefix)."""
        ...


@dataclass
class PooledPoster:
    """The shared aiohttp pool as a Poster."""

    client: aiohttp.ClientSession

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        async with self.client.post(path, data=body, headers=headers) as r:
            return r.status, await r.read()


class GateDevice:
    """One gate device: a keep-alive HTTP/1.1 connection, its requests written as bytes.

    Not a general client: it reads what our server sends (a status line, headers with a
    Content-Length, the body) and anything else is a FramingError. Client CPU per scan at
    400/s: 0.28-0.30 ms against aiohttp's 0.46-0.48 ms, which matters because the client shares
    the server's two cores here while real gates bring their own (docs/api.md, "Load"). One
    request at a time, as a device with one connection sends them; a scan due meanwhile waits.
    """

    def __init__(self, base: str, local_host: str | None) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or LOCAL_HOST, url.port or 80
        self.prefix = (url.path.rstrip("/") + API + "/").encode()
        self.local = None if local_host is None else (local_host, 0)
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self.turn = asyncio.Lock()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = b"POST %s%s HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %d\r\n" % (
            self.prefix, path.encode(), self.host.encode(), self.port, len(body),
        )  # fmt: skip
        head += b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in headers.items())
        async with self.turn, asyncio.timeout(60):
            try:
                return await self._exchange(head + b"\r\n" + body)
            except BaseException:
                self.close()  # a half-read response must not meet the next request
                raise

    async def _exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(
                self.host, self.port, local_addr=self.local
            )
        reader, writer = self.streams
        writer.write(request)
        lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise FramingError(f"bad status line {lines[0]!r}")
        fields = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(b":") for line in lines[1:] if line)
        )
        if b"content-length" not in fields:
            raise FramingError("a response without Content-Length")
        answer = await reader.readexactly(int(fields[b"content-length"]))
        if fields.get(b"connection", b"").lower() == b"close":
            self.close()
        return int(parts[1]), answer

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def start_phase(
    args: argparse.Namespace, server: LocalServer, fixture: Fixture
) -> list[PhaseResult]:
    """Restart the server --repeat times: seconds to /health, and to a first proof-token."""
    results = []
    body = {"ticket_id": fixture.tickets[0], "scope": fixture.scopes[-1]}
    for rnd in range(1, args.repeat + 1):
        server.stop()
        time.sleep(1)  # let the port and the CPU settle
        cpu0 = (client_cpu(), 0.0)  # a new process: its CPU counts from 0
        server.start()
        health_s = server.wait_healthy()
        with httpx.Client(base_url=server.url + API, timeout=120) as client:
            r = client.post("/proof-token", json=body, headers=_headers(fixture.merchant_key))
        token_s = time.perf_counter() - server.started_at
        samples = Samples()
        samples.add(health_s, "health", False)
        result = summarise("start", rnd, samples, health_s, server.pid, cpu0)
        result.throughput = 0.0
        result.errors = int(r.status_code != 200)
        result.outcomes = {"proof_token": r.status_code}
        result.extra = {"health_s": round(health_s, 3), "first_proof_token_s": round(token_s, 3)}
        results.append(result)
        tqdm.write(row(result))
    return results


# ---------------------------------------------------------------------------- output


def row(r: PhaseResult) -> str:
    """One line of the results table."""
    rss = "-" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f}"
    if r.phase == "start":
        head = f"{r.phase:<12}{r.round:>3}  health {r.extra['health_s']:.2f} s, "
        return head + (
            f"first proof-token {r.extra['first_proof_token_s']:.2f} s, errors {r.errors}, "
            f"peak RSS {rss} MB ({r.processes} processes), load {r.loadavg[0]:.2f}"
        )
    outcomes = " ".join(f"{k}={v}" for k, v in sorted(r.outcomes.items()))
    if r.connections_per_process:
        outcomes += "  conns " + "/".join(map(str, r.connections_per_process))
    if r.client_lag_p99_ms is not None:
        outcomes += f"  lag99 {r.client_lag_p99_ms:.1f}"
    return (
        f"{r.phase:<12}{r.round:>3}{r.count:>7}{r.throughput:>9.1f}{r.p50_ms:>9.1f}"
        f"{r.p90_ms:>9.1f}{r.p99_ms:>9.1f}{r.max_ms:>9.1f}{r.errors:>6}{rss:>8}"
        f"{r.loadavg[0]:>6.2f}{r.server_cpu_s:>7.1f}{r.client_cpu_s:>7.1f}  {outcomes}"
    )


HEADER = (
    f"{'phase':<12}{'rnd':>3}{'count':>7}{'per s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
    f"{'max ms':>9}{'errs':>6}{'RSS MB':>8}{'load':>6}{'srv s':>7}{'cli s':>7}  answers"
)


def summary(results: list[PhaseResult]) -> dict[str, dict[str, float]]:
    """Per phase, the median over rounds of each figure."""
    keys = ["throughput", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors", "peak_rss_mb"]
    keys += ["server_cpu_s", "client_cpu_s", "client_lag_p99_ms"]
    out: dict[str, dict[str, float]] = {}
    for phase in dict.fromkeys(r.phase for r in results):
        mine = [r for r in results if r.phase == phase]
        med: dict[str, float] = {"rounds": len(mine)}
        for key in keys:
            values = [getattr(r, key) for r in mine if getattr(r, key) is not None]
            if values:
                med[key] = round(statistics.median(values), 2)
        for key in dict.fromkeys(k for r in mine for k in r.extra):
            med[key] = round(statistics.median(r.extra[key] for r in mine if key in r.extra), 3)
        med["loadavg_1m"] = round(statistics.median(r.loadavg[0] for r in mine), 2)
        out[phase] = med
    return out


TARGETS = {
    "verify": "throughput >= 400/s, p99 <= 25 ms",
    "proof-token": "throughput >= 6/s, p99 <= 500 ms",
    "start": "health <= 3 s",
}


def print_summary(med: dict[str, dict[str, float]]) -> None:
    """The medians, next to the targets."""
    print("\nmedians over rounds:")
    for phase, m in med.items():
        if phase == "start":
            text = f"health {m['health_s']:.2f} s, "
            text += f"first proof-token {m['first_proof_token_s']:.2f} s"
        else:
            text = (
                f"{m['throughput']:.1f}/s, p50 {m['p50_ms']:.1f} ms, p90 {m['p90_ms']:.1f} ms, "
                f"p99 {m['p99_ms']:.1f} ms, max {m['max_ms']:.1f} ms, errors {m['errors']:.0f}"
            )
        rss = f", peak RSS {m['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in m else ""
        print(f"  {phase:<12} {text}{rss}, load {m['loadavg_1m']:.2f}  (target: {TARGETS[phase]})")


def plot(path: Path, results: list[PhaseResult]) -> None:
    """Latency histograms of verify and proof-token, and throughput per round."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latencies = {
        phase: sorted(x for r in results if r.phase == phase for x in r.latencies_ms)
        for phase in ("verify", "proof-token")
    }
    phases = [p for p, ms in latencies.items() if ms]
    fig, grid = plt.subplots(1, len(phases) + 1, figsize=(5 * (len(phases) + 1), 4), squeeze=False)
    axes = list(grid[0])
    for ax, phase in zip(axes, phases, strict=False):
        ms = latencies[phase]
        ax.hist(ms, bins=60, color="tab:blue" if phase == "verify" else "tab:orange")
        p99 = percentile(ms, 99)
        ax.axvline(p99, color="black", linestyle="--", label=f"p99 {p99:.1f} ms")
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("requests")
        ax.set_title(f"{phase}: {len(ms)} requests, all rounds")
        ax.legend()
    ax = axes[-1]
    timed = [r for r in results if r.phase != "start"]
    labels = [f"{r.phase}\n#{r.round}" for r in timed]
    ax.bar(labels, [r.throughput for r in timed], color="tab:green")
    ax.set_ylabel("per second")
    ax.set_title("throughput per round")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url", help="a running server instead of starting one (needs --admin-key)")
    p.add_argument("--admin-key", help="an admin key of the --url server")
    p.add_argument("--server-pid", type=int, help="the --url server's pid (for peak RSS)")
    p.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    p.add_argument("--prover-workers", type=int, help="prover processes per API process")
    p.add_argument("--gate-threads", type=int, help="verify threads per API process")
    p.add_argument("--depth", type=int, default=20, help="Merkle depth (4 for a quick smoke)")
    p.add_argument("--database-url", help="DATABASE_URL of the local server (default SQLite)")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    p.add_argument(
        "--circuits-dir",
        type=Path,
        default=cache / "ticketking-load" / "circuits",
        help="where the circuit keys are made once per depth and reused",
    )
    p.add_argument("--repeat", type=int, default=3, help="rounds of each phase")
    p.add_argument("--duration", type=float, default=30, help="seconds of proof-token per round")
    p.add_argument("--pt-concurrency", type=int, help="proof-token requests in flight")
    p.add_argument("--concurrency", type=int, default=16, help="verify requests in flight")
    p.add_argument("--rate", type=float, help="open-loop verify rate per second instead")
    p.add_argument(
        "--gate-connections",
        type=int,
        default=0,
        help="verify from this many gate devices, one connection each, scans in turn\n"
        "(default 0: the shared keep-alive pool)",
    )
    p.add_argument("--verify-tokens", type=int, default=1000, help="fresh tokens per verify round")
    p.add_argument("--tickets", type=int, help="tickets to issue (default: --verify-tokens)")
    p.add_argument("--replay", type=float, default=0.10, help="share of replayed scans")
    p.add_argument("--malformed", type=float, default=0.05, help="share of malformed scans")
    p.add_argument("--forged", type=float, default=0.05, help="share of forged scans")
    p.add_argument(
        "--phases",
        default="proof-token,verify,start",
        help="comma-separated subset of proof-token, verify, start",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="write the results as JSON here")
    p.add_argument("--plot", type=Path, help="write a PNG (latency histograms, throughput)")
    p.add_argument("--keep-data", action="store_true", help="keep the local server's data dir")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    args.phases = {x.strip() for x in args.phases.split(",") if x.strip()}
    unknown = args.phases - {"proof-token", "verify", "start"}
    if unknown:
        p.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if args.url and not args.admin_key:
        p.error("--url needs --admin-key")
    if args.url and "start" in args.phases:
        args.phases.discard("start")  # a server we did not start is not ours to restart
    if not 0 < args.replay + args.malformed + args.forged < 1:
        p.error("--replay + --malformed + --forged must leave a share of fresh tokens")
    # As `serve --workers N` does: without a count, the API workers share the cores' provers.
    provers = args.prover_workers or max(1, (os.cpu_count() or 1) // args.workers)
    args.pt_concurrency = args.pt_concurrency or 2 * provers * args.workers
    # A depth-d tree holds 2^d tickets (each gets one fresh token per round's scope).
    args.tickets = min(args.tickets or args.verify_tokens, 2**args.depth)
    return args


@contextlib.contextmanager
def local_server(args: argparse.Namespace) -> Iterator[tuple[LocalServer, str, float]]:
    """A fresh data dir, `init` run in it, and the server started: (server, admin key, start s)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ticketking-load-"))
    env = server_env(args, data_dir)
    server = LocalServer(env, args.workers, data_dir / "server.log")
    try:
        print(f"data dir {data_dir}; circuit keys in {args.circuits_dir} (made once per depth)")
        admin_key = init_data_dir(env)
        server.start()
        health_s = server.wait_healthy()
        yield server, admin_key, health_s
    finally:
        server.stop()
        if args.keep_data:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table; write JSON and PNG if asked."""
    args = parse_args(argv)
    config = {
        k: (sorted(v) if isinstance(v, set) else str(v) if isinstance(v, Path) else v)
        for k, v in vars(args).items()
        if k not in ("admin_key",)
    }
    load_before = loadavg()
    with contextlib.ExitStack() as stack:
        if args.url:
            base, admin_key, server, pid = (
                args.url.rstrip("/"),
                args.admin_key,
                None,
                args.server_pid,
            )
            first_health = None
        else:
            server, admin_key, first_health = stack.enter_context(local_server(args))
            base, pid = server.url, server.pid
            print(f"server {base} (pid {pid}) answered /health {first_health:.2f} s after start")
        print(HEADER)
        results, fixture = asyncio.run(rounds(args, base, admin_key, pid))
        if "start" in args.phases and server is not None:
            results += start_phase(args, server, fixture)
    med = summary(results)
    print_summary(med)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = {
            "config": config,
            "machine": {
                "cpus": os.cpu_count(),
                "loadavg_before": load_before,
                "loadavg_after": loadavg(),
            },
            "first_start_health_s": first_health,
            "results": [
                {k: v for k, v in asdict(r).items() if k != "latencies_ms"} for r in results
            ],
            "summary": med,
        }
        args.json.write_text(json.dumps(out, indent=1))
        print(f"wrote {args.json}")
    if args.plot:
        plot(args.plot, results)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

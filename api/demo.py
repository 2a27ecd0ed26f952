"""`ticketking demo`: drive the whole flow over HTTP and narrate each step.

Merchant, event with gates, ticket, gate key, proof token, its QR code (terminal and PNG),
then the gate: a tampered token is refused, the real one is accepted, its replay is refused.
With a URL the demo talks to that server. Without one it starts its own in this process:
uvicorn on a free loopback port, SQLite in a temporary directory. The requests are real
HTTP either way, through the same routes a merchant and a gate use.
"""

from __future__ import annotations

import io
import json
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import httpx
from pydantic import SecretStr

from api.config import Settings

PREFIX = "/v1/api/ticketking"  # api.routes.PREFIX, without importing the app in --url mode
TOTAL_STEPS = 9
QR_ERROR = "M"  # level M: about 15% of the code can be damaged and it still scans


class DemoError(Exception):
    """A step answered unexpectedly; str() is one line for the user."""


@dataclass(frozen=True)
class DemoResult:
    """What the demo made and what the gate answered."""

    token: str
    qr_version: int
    png: Path
    forged: dict[str, Any]
    accepted: dict[str, Any]
    replay: dict[str, Any]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _describe(response: httpx.Response) -> str:
    """The API's error as `code: message`, or the start of the body."""
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return response.text[:200].replace("\n", " ") or "(empty body)"


class _Demo:
    """One run of the flow: numbered steps printed to `out`, requests through `client`."""

    def __init__(self, client: httpx.Client, out: TextIO) -> None:
        self.client = client
        self.out = out
        self.step = 0
        self.what = ""

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def begin(self, what: str) -> None:
        self.step += 1
        self.what = what
        self.say(f"\n[{self.step}/{TOTAL_STEPS}] {what}")

    def fail(self, problem: str) -> DemoError:
        return DemoError(f"step {self.step} ({self.what}): {problem}")

    def post(self, path: str, key: str, body: dict[str, Any], expect: int) -> dict[str, Any]:
        """POST a JSON body with a key; the JSON answer, or DemoError on any other status."""
        started = time.perf_counter()
        try:
            r = self.client.post(path, json=body, headers={"X-AffixIO-Key": key})
        except httpx.HTTPError as exc:
            raise self.fail(f"POST {path} failed: {exc}") from None
        ms = (time.perf_counter() - started) * 1000
        if r.status_code != expect:
            raise self.fail(
                f"POST {path} answered {r.status_code} (expected {expect}): {_describe(r)}"
            )
        try:
            answer = r.json()
        except ValueError:
            raise self.fail(f"POST {path} answered {r.status_code} without JSON") from None
        if not isinstance(answer, dict):
            raise self.fail(f"POST {path} answered {r.status_code} with a non-object")
        self.say(f"  POST {PREFIX}{path} -> {r.status_code} ({ms:.0f} ms)")
        return answer

    def scan(self, gate_key: str, token: str, accepted: bool, reason: str | None) -> dict:
        """Verify at gate north and check the answer is the expected one."""
        answer = self.post("/verify", gate_key, {"token": token, "gate_id": "north"}, 200)
        if answer.get("accepted") is not accepted or answer.get("reason") != reason:
            want = "accepted" if accepted else f"rejected with {reason}"
            raise self.fail(f"expected {want}, the gate answered {answer}")
        self.say(f"  {json.dumps(answer)}")
        return answer


def _qr(token: str) -> Any:
    """The token's QR code at level M exactly (segno would otherwise boost the level)."""
    import segno

    qr = segno.make(token, error=QR_ERROR, boost_error=False)
    if qr.is_micro or qr.error != QR_ERROR:
        raise DemoError(f"the token's QR code is {qr.designator}, not a level-M QR code")
    return qr


def _terminal(qr: Any) -> str:
    buffer = io.StringIO()
    qr.terminal(out=buffer, compact=True)
    return buffer.getvalue()


def _tampered(token: str) -> str:
    """The same token with another nonce: the proof no longer matches its token_binding."""
    from api.token import decode_token, encode_token

    decoded = decode_token(token)
    return encode_token(replace(decoded, nonce=secrets.token_bytes(len(decoded.nonce))))


def run_demo(client: httpx.Client, admin_key: str, png: Path, out: TextIO) -> DemoResult:
    """Run the flow through `client` (based at the API prefix); DemoError at the first surprise."""
    from api.token import TokenError

    demo = _Demo(client, out)
    try:
        return _steps(demo, admin_key, png)
    except KeyError as exc:
        raise demo.fail(f"the answer has no {exc} field") from None
    except TokenError as exc:
        raise demo.fail(f"the server's token is malformed: {exc.message}") from None


def _steps(demo: _Demo, admin_key: str, png: Path) -> DemoResult:
    from api.token import decode_token

    run = secrets.token_hex(3)  # ids are unique across a server: a fresh set per run
    event_id, ticket_id, holder = f"demo-{run}", f"demo-{run}-0001", f"demo-holder-{run}"
    now = datetime.now(UTC).replace(microsecond=0)

    demo.begin("A merchant (admin key)")
    merchant = demo.post("/merchants", admin_key, {"name": f"Demo Live {run}"}, 201)
    merchant_key = str(merchant["api_key"])
    demo.say(
        f"  merchant {merchant['merchant_id']}; its first API key (key id "
        f"{merchant['key_id']}) is shown once, and the demo keeps it in memory"
    )

    demo.begin("An event with two gates (merchant key)")
    event_body = {
        "event_id": event_id,
        "name": "TicketKing demo night",
        "starts_at": _iso(now),
        "ends_at": _iso(now + timedelta(hours=6)),
        "gates": [{"gate_id": "north"}, {"gate_id": "vip-door", "tiers": ["vip"]}],
    }
    event = demo.post("/events", merchant_key, event_body, 201)
    demo.say(
        f"  event {event['event_id']}: gate north admits every tier, vip-door the vip tier "
        f"only; entry scope {event['scopes'][0]} (one entry per ticket)"
    )

    demo.begin("A ticket bound to a holder (merchant key)")
    ticket_body = {
        "ticket_id": ticket_id,
        "event_id": event_id,
        "tier": "ga",
        "not_before": _iso(now - timedelta(minutes=1)),
        "not_after": _iso(now + timedelta(hours=6)),
        "holder_id": holder,
    }
    ticket = demo.post("/tickets", merchant_key, ticket_body, 201)
    demo.say(
        f"  ticket {ticket['ticket_id']}, tier {ticket['tier']}, state {ticket['state']}, "
        f"holder bound: {json.dumps(ticket['holder_bound'])} (kept only as a keyed hash)"
    )

    demo.begin("A key for the scanner at gate north (merchant key)")
    gate = demo.post(
        "/keys", merchant_key, {"role": "gate", "event_id": event_id, "gate_ids": ["north"]}, 201
    )
    gate_key = str(gate["api_key"])
    demo.say(f"  gate key {gate['key_id']}: may verify at {event_id}'s gate north, nothing else")

    demo.begin("A proof token for the holder's QR (merchant key; proved by the server)")
    minted = demo.post(
        "/proof-token",
        merchant_key,
        {"ticket_id": ticket_id, "holder_id": holder, "ttl_seconds": 120},
        200,
    )
    token = str(minted["token"])
    decode_token(token)  # a token the gate could not parse fails here, not at the gate
    demo.say(f"  {len(token)} characters, scope {minted['scope']}, expires {minted['expires_at']}:")
    demo.say(f"  {token}")

    demo.begin("The QR code the holder shows")
    qr = _qr(token)
    png.parent.mkdir(parents=True, exist_ok=True)
    qr.save(str(png), kind="png", scale=6)
    width, _ = qr.symbol_size(border=0)
    demo.say(
        f"  QR version {qr.version} ({width}x{width} modules), error correction level "
        f"{qr.error}, {qr.mode} mode; PNG: {png}"
    )
    try:
        demo.say(_terminal(qr))
    except UnicodeEncodeError:
        demo.say("  (this terminal cannot draw the code; open the PNG)")

    demo.begin("A tampered token at gate north: same proof, another nonce")
    forged = demo.scan(gate_key, _tampered(token), False, "invalid_proof")

    demo.begin("The real token at gate north (gate key)")
    accepted = demo.scan(gate_key, token, True, None)

    demo.begin("The same token again: a replay")
    replay = demo.scan(gate_key, token, False, "already_consumed")

    demo.say("\nDemo complete: the real token was accepted once; the replay and the forgery not.")
    return DemoResult(token, int(qr.version), png, forged, accepted, replay)


def api_base(url: str) -> str:
    """The API's base URL from a server URL, with or without the /v1/api/ticketking prefix."""
    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise DemoError(f"--url must start with http:// or https://, not {url!r}")
    return url if url.endswith(PREFIX) else url + PREFIX


def demo_against(url: str, admin_key: str, png: Path, out: TextIO) -> DemoResult:
    """Run the demo against a running server."""
    base = api_base(url)
    print(f"TicketKing demo against {base}", file=out, flush=True)
    with httpx.Client(base_url=base, timeout=120) as client:
        try:
            health = client.get("/health")
        except httpx.HTTPError as exc:
            raise DemoError(f"cannot reach {base}: {exc}") from None
        if health.status_code != 200:
            raise DemoError(f"{base}/health answered {health.status_code}: {_describe(health)}")
        return run_demo(client, admin_key, png, out)


def _local_settings(configured: Settings, data_dir: Path, depth: int) -> Settings:
    """Settings for the throwaway server: its own SQLite and secret, the circuit keys reused
    from the configured circuits directory when it already holds them for `depth`."""
    circuits = configured.circuits_dir or configured.data_dir / "circuits"
    local = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'ticketking.db'}",
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        merkle_depth=depth,
        circuits_dir=circuits.resolve(),
        prover_workers=configured.prover_workers or 1,
    )
    from api.services.circuit import circuit_keys_exist

    if not circuit_keys_exist(local):
        local = local.model_copy(update={"circuits_dir": data_dir / "circuits"})
    return local


def _admin_key(settings: Settings) -> str:
    from api.db import make_engine, make_sessionmaker, migrate
    from api.models import Role
    from api.services.keys import create_key

    engine = make_engine(settings.resolved_database_url)
    try:
        migrate(engine)
        with make_sessionmaker(engine)() as session:
            _, new = create_key(session, Role.ADMIN)
            return new.plaintext
    finally:
        engine.dispose()


@contextmanager
def local_server(configured: Settings, depth: int, out: TextIO) -> Iterator[tuple[str, str]]:
    """A server in this process on a free loopback port; yields (base URL, admin key)."""
    import uvicorn

    from api.app import create_app
    from api.engine import load_engine
    from api.services.circuit import circuit_keys_exist, ensure_circuit_keys

    with tempfile.TemporaryDirectory(prefix="ticketking-demo-") as tmp:
        settings = _local_settings(configured, Path(tmp), depth)
        say = lambda text: print(text, file=out, flush=True)  # noqa: E731
        say(f"Starting an in-process server: SQLite in {tmp}, Merkle depth {depth}")
        started = time.perf_counter()
        if circuit_keys_exist(settings):
            say(f"  circuit keys: reusing {settings.circuits_dir}")
        keys = ensure_circuit_keys(settings, progress=True)
        say(f"  circuit: {keys.constraints} constraints ({time.perf_counter() - started:.1f} s)")
        admin = _admin_key(settings)
        started = time.perf_counter()
        proof = load_engine(settings)
        try:
            workers = proof.prover.workers
            say(f"  starting {workers} prover process(es): each loads the proving key...")
            proof.prover.warm_up()
            say(f"  provers ready ({time.perf_counter() - started:.1f} s)")
            app = create_app(settings, proof)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
            thread = threading.Thread(
                target=server.run, kwargs={"sockets": [sock]}, name="demo-server", daemon=True
            )
            thread.start()
            try:
                deadline = time.monotonic() + 30
                while not server.started:
                    if not thread.is_alive() or time.monotonic() > deadline:
                        raise DemoError("the in-process server did not start")
                    time.sleep(0.02)
                url = f"http://127.0.0.1:{port}"
                say(f"  listening on {url}")
                yield url, admin
            finally:
                server.should_exit = True
                thread.join(30)
                sock.close()
        finally:
            proof.close()


def demo_local(configured: Settings, depth: int, png: Path, out: TextIO) -> DemoResult:
    """Run the demo against a throwaway server in this process."""
    with (
        local_server(configured, depth, out) as (url, admin),
        httpx.Client(base_url=url + PREFIX, timeout=120) as client,
    ):
        return run_demo(client, admin, png, out)

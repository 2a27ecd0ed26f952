"""Wallet binding, holder side: make proof tokens on the holder's own machine.

A wallet-bound ticket's leaf holds Poseidon(holder_secret), the holder's commitment; the
service never sees the secret, so it cannot mint the ticket's tokens. The holder's app gets a
bundle (GET /tickets/{ticket_id}/wallet, relayed by the merchant: salt, window, Merkle path and
root), proves the ticketing statement locally with the circuit's public proving key
(GET /circuit/zkey) and shows the token; the gate verifies it like any other.

    secret = new_holder_secret()                    # keep it on the device
    commitment = holder_commitment(secret)          # give this to the merchant at issuance
    token = make_token(bundle, secret, proving_key="ticketing-d20.zkey", ttl_seconds=30)

Fetch a fresh bundle for every token: its path proves the root the event had when the bundle
was made, and verify accepts a root only if it was current at the token's `now` (docs/api.md,
"Wallet binding").
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.fields import element_hex, parse_element, time_field
from api.schemas import TTL_DEFAULT_SECONDS, TTL_MAX_SECONDS, TTL_MIN_SECONDS, WalletBundle
from api.timeutil import utcnow
from api.token import TokenBinding, encode_token, token_for_proof
from circuits.dsl import CompiledCircuit
from circuits.ticket import TicketCircuit, TicketWitnessInputs, holder_commitment
from zkcore import errors as zk_errors
from zkcore.field import Fr
from zkcore.groth16 import ProvingKey, prove

# Holder secrets are drawn like the service's custodial ones: 248 random bits, always < r.
SECRET_BITS = 248
ZKEY_PATH = "/v1/api/ticketking/circuit/zkey"
_LOAD_LOCK = threading.Lock()


class WalletError(ValueError):
    """A bundle, secret, key or request that cannot make a valid token (with the reason why)."""


def new_holder_secret() -> int:
    """A fresh random holder secret (keep it on the holder's device only)."""
    return secrets.randbits(SECRET_BITS) or 1


def parse_secret(text: str) -> int:
    """A holder secret written as 0x-hex or decimal (surrounding whitespace ignored)."""
    try:
        value = parse_element(text.strip())
    except zk_errors.ZKCoreError as exc:
        raise WalletError(f"holder secret: {exc}") from None
    if value == 0:
        raise WalletError("holder secret: 0 is not a secret")
    return value


def read_secret_file(path: str | os.PathLike[str]) -> int:
    """The holder secret stored in a file (as `wallet new-secret --out` writes it)."""
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise WalletError(f"cannot read the secret file {path}: {exc}") from None
    return parse_secret(text)


def write_secret_file(path: str | os.PathLike[str], secret: int) -> None:
    """Write a secret to a new file readable by its owner only (never overwrites)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(element_hex(secret) + "\n")


def load_bundle(source: WalletBundle | Mapping[str, Any] | str | bytes) -> WalletBundle:
    """A bundle from the service's JSON (text, bytes or parsed), checked field by field."""
    if isinstance(source, WalletBundle):
        return source
    try:
        if isinstance(source, str | bytes):
            return WalletBundle.model_validate_json(source)
        return WalletBundle.model_validate(source)
    except ValidationError as exc:
        raise WalletError(f"not a wallet bundle: {exc.error_count()} invalid field(s)") from None


def _element(text: str, what: str) -> int:
    try:
        return parse_element(text)
    except zk_errors.ZKCoreError as exc:
        raise WalletError(f"bundle {what}: {exc}") from None


@lru_cache(maxsize=2)
def _compiled(depth: int) -> CompiledCircuit:
    return TicketCircuit(depth).compile()


@lru_cache(maxsize=2)
def _read_key(path: str, size: int, mtime_ns: int) -> ProvingKey:
    from zkcore.formats.zkey import read_zkey

    return read_zkey(path)


def load_proving_key(source: ProvingKey | str | os.PathLike[str]) -> ProvingKey:
    """A proving key object, or the .zkey at a path (cached while the file is unchanged)."""
    if isinstance(source, ProvingKey):
        return source
    path = Path(source)
    try:
        stat = path.stat()
        with _LOAD_LOCK:
            return _read_key(str(path), stat.st_size, stat.st_mtime_ns)
    except OSError as exc:
        raise WalletError(f"cannot read the proving key {path}: {exc}") from None
    except zk_errors.ZKCoreError as exc:
        raise WalletError(f"{path} is not a Groth16 .zkey: {exc}") from None


def verification_key_sha256(pk: ProvingKey) -> str:
    """SHA-256 of the key's vk as the service stores it (GET /circuit's verification_key_sha256)."""
    from zkcore.formats import snarkjs_json

    raw = json.dumps(snarkjs_json.vk_to_json(pk.vk), indent=1).encode()
    return hashlib.sha256(raw).hexdigest()


def _choose_scope(bundle: WalletBundle, scope: str | None) -> int:
    if scope is None:
        if len(bundle.scopes) != 1:
            names = ", ".join(s.scope for s in bundle.scopes)
            raise WalletError(f"the event has several entry scopes ({names}): choose one")
        return _element(bundle.scopes[0].scope_field, "scope_field")
    for known in bundle.scopes:
        if known.scope == scope:
            return _element(known.scope_field, "scope_field")
    raise WalletError(f"scope {scope!r} is not one of the event's scopes")


def _now_seconds(now: datetime | int | None) -> int:
    if now is None:
        return time_field(utcnow())
    if isinstance(now, datetime):
        return time_field(now)
    if type(now) is not int or now < 0:
        raise WalletError("now must be an aware datetime or Unix seconds")
    return now


def make_token(
    bundle: WalletBundle | Mapping[str, Any] | str | bytes,
    holder_secret: int,
    *,
    proving_key: ProvingKey | str | os.PathLike[str],
    ttl_seconds: int = TTL_DEFAULT_SECONDS,
    scope: str | None = None,
    now: datetime | int | None = None,
    threads: int = 0,
) -> str:
    """A v1 proof token for the bundle's ticket, proved here with the holder's secret.

    Everything that would make the gate refuse the proof is checked first and raised as a
    WalletError with its reason (wrong secret, window, scope, TTL, another circuit's key).
    """
    wallet = load_bundle(bundle)
    if type(holder_secret) is not int or not 0 < holder_secret < Fr.modulus:
        raise WalletError("holder secret must be an int in [1, r)")
    if holder_commitment(holder_secret) != _element(wallet.holder_commitment, "holder_commitment"):
        raise WalletError("this holder secret does not belong to the ticket (commitment differs)")
    if type(ttl_seconds) is not int or not TTL_MIN_SECONDS <= ttl_seconds <= TTL_MAX_SECONDS:
        raise WalletError(f"ttl_seconds must be in [{TTL_MIN_SECONDS}, {TTL_MAX_SECONDS}]")
    now_s = _now_seconds(now)
    if not wallet.not_before_seconds <= now_s <= wallet.not_after_seconds:
        raise WalletError("the ticket's activation window does not contain now")
    pk = load_proving_key(proving_key)
    if verification_key_sha256(pk) != wallet.verification_key_sha256:
        raise WalletError("the proving key is not the service's circuit key: fetch it again")
    circuit = _compiled(wallet.merkle_depth)
    binding = TokenBinding.fresh(now_s, ttl_seconds, wallet.not_after_seconds)
    witness = TicketWitnessInputs(
        holder_secret=holder_secret,
        ticket_salt=_element(wallet.ticket_salt, "ticket_salt"),
        event_id=_element(wallet.event_field, "event_field"),
        tier=_element(wallet.tier_field, "tier_field"),
        not_before=wallet.not_before_seconds,
        not_after=wallet.not_after_seconds,
        scope=_choose_scope(wallet, scope),
        now=now_s,
        token_binding=binding.element,
    )
    path = [_element(node, "merkle_path") for node in wallet.merkle_path]
    try:
        inputs = witness.inputs(path, wallet.merkle_bits)
        if inputs["root"] != _element(wallet.root, "root"):
            raise WalletError("the bundle's Merkle path does not lead to its root")
        full = circuit.solve(inputs)
    except zk_errors.ZKCoreError as exc:
        raise WalletError(f"the ticket's statement does not hold: {exc}") from None
    proof = prove(pk, Fr.array(full), threads)
    return encode_token(token_for_proof(inputs, binding, proof))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, hex, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def zkey_url(url: str) -> str:
    """The proving key's URL from a service base URL (or the key's own URL, unchanged)."""
    url = url.rstrip("/")
    if url.endswith("/circuit/zkey"):
        return url
    if url.endswith("/v1/api/ticketking"):
        return url + "/circuit/zkey"
    return url + ZKEY_PATH


def fetch_proving_key(
    url: str,
    out: str | os.PathLike[str],
    *,
    expected_sha256: str | None = None,
    client: Any = None,
) -> str:
    """Download the service's proving key to `out` (atomically) and return its SHA-256.

    The body must match the server's X-Content-SHA256 header and `expected_sha256` if given
    (a bundle's proving_key_sha256). `client` is an httpx.Client (a new one by default).
    """
    import httpx

    target = Path(out)
    tmp = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    own = client is None
    http = httpx.Client(timeout=60.0, follow_redirects=True) if own else client
    try:
        with http.stream("GET", zkey_url(url)) as response:
            if response.status_code != 200:
                raise WalletError(f"GET {zkey_url(url)} answered {response.status_code}")
            announced = response.headers.get("X-Content-SHA256")
            with open(tmp, "wb") as handle:
                for chunk in response.iter_bytes():
                    digest.update(chunk)
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise WalletError(f"cannot fetch the proving key: {exc}") from None
    finally:
        if own:
            http.close()
    got = digest.hexdigest()
    for what, want in (("the server's header", announced), ("the expected hash", expected_sha256)):
        if want is not None and want.lower() != got:
            tmp.unlink(missing_ok=True)
            raise WalletError(f"the downloaded key does not match {what} ({got})")
    os.replace(tmp, target)
    return got


__all__ = [
    "WalletError",
    "fetch_proving_key",
    "file_sha256",
    "load_bundle",
    "load_proving_key",
    "make_token",
    "new_holder_secret",
    "parse_secret",
    "read_secret_file",
    "verification_key_sha256",
    "write_secret_file",
    "zkey_url",
]

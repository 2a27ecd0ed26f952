"""The proof token: a compact, versioned binary string (base64url, no padding) for a QR code.

Layout of version 1 (251 bytes, 335 base64url characters; docs/token.md explains each field):

    off len field
      0   1 version      = 1
      1   8 event_tag    tag(event_id element): the verifier finds the event by it
      9   8 scope_tag    tag(scope element): matched among the event's scopes
     17   8 tier_tag     tag(tier element): matched among the event's tiers
     25  32 root         Fr, big-endian, canonical (< r)
     57  32 nullifier    Fr, big-endian, canonical (< r)
     89   8 now          uint64 big-endian: the proof's timestamp (seconds)
     97   8 expires_at   uint64 big-endian (seconds)
    105  16 nonce        random bytes
    121   2 gate_policy  uint16 big-endian
    123  32 proof.a      compressed G1 (zkcore.encoding)
    155  64 proof.b      compressed G2
    219  32 proof.c      compressed G1

Not sent, because the verifier recomputes them: the event_id, scope and tier field elements
(from the names it resolved through the tags, by api/fields.string_to_field) and
token_binding = Poseidon(nonce, expires_at, gate_policy), see Token.public_inputs.

A token has exactly one encoding: decode_token rejects every other spelling of the same bytes
(padding, whitespace, the other base64 alphabet, nonzero trailing bits), every field element
>= r, every invalid or infinite point, and any length other than the version's. Every bad input
raises TokenError (reason "malformed_token"), never anything else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zkcore import errors as zk_errors
from zkcore.encoding import FLAG_INFINITY, g1_compress, g1_decompress, g2_compress, g2_decompress
from zkcore.field import Fr
from zkcore.groth16.checked import CheckedProof, decompress_proof
from zkcore.groth16.keys import Proof

VERSION = 1
TAG_BYTES = 8
NONCE_BYTES = 16
PROOF_BYTES = 128
_HEAD = struct.Struct(">B8s8s8s32s32sQQ16sH")  # everything before the proof
TOKEN_BYTES = _HEAD.size + PROOF_BYTES  # 251
TOKEN_CHARS = (TOKEN_BYTES * 4 + 2) // 3  # 335: base64url without padding
_MAX_CHARS = 1024  # longer input is refused before any decoding work
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_TAG_DOMAIN = b"ticketking/token-tag/v1\x00"
_U64 = 1 << 64
_U16 = 1 << 16
R = Fr.modulus

MALFORMED = "malformed_token"
_CHECKED = "_checked_proof"  # the instance attribute behind Token.checked_proof
# gate_policy 0: any gate of the event that admits the ticket's tier (the only policy in v1).
GATE_POLICY_ANY = 0


class TokenError(ValueError):
    """A token that cannot be read: `reason` is a short machine code, `message` is for humans."""

    def __init__(self, message: str, reason: str = MALFORMED) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def tag(element: int) -> bytes:
    """The 8-byte tag of a field element: SHA-256(domain || 32-byte big-endian element)[:8]."""
    # A hash, not the element's top bytes, so small elements (e.g. tier = 2) get distinct tags.
    if type(element) is not int or not 0 <= element < R:
        raise TokenError("tag: expected a canonical field element")
    return hashlib.sha256(_TAG_DOMAIN + element.to_bytes(32, "big")).digest()[:TAG_BYTES]


def _check_bytes(value: Any, length: int, what: str) -> None:
    if not isinstance(value, bytes) or len(value) != length:
        raise TokenError(f"{what}: expected {length} bytes")


def _check_int(value: Any, bound: int, what: str) -> None:
    if type(value) is not int or not 0 <= value < bound:
        raise TokenError(f"{what}: out of range")


@dataclass(frozen=True)
class Token:
    """A decoded proof token (version 1); constructing one checks every field's range."""

    event_tag: bytes
    scope_tag: bytes
    tier_tag: bytes
    root: int
    nullifier: int
    now: int
    expires_at: int
    nonce: bytes
    gate_policy: int
    proof: Proof
    version: int = VERSION

    def __post_init__(self) -> None:
        if self.version != VERSION:
            raise TokenError(f"unsupported token version {self.version!r}")
        for name in ("event_tag", "scope_tag", "tier_tag"):
            _check_bytes(getattr(self, name), TAG_BYTES, name)
        _check_bytes(self.nonce, NONCE_BYTES, "nonce")
        _check_int(self.root, R, "root")
        _check_int(self.nullifier, R, "nullifier")
        _check_int(self.now, _U64, "now")
        _check_int(self.expires_at, _U64, "expires_at")
        _check_int(self.gate_policy, _U16, "gate_policy")
        if not isinstance(self.proof, Proof):
            raise TokenError("proof: expected a zkcore.groth16 Proof")

    @property
    def checked_proof(self) -> CheckedProof | None:
        """The proof's points as validated C words if decode_bytes made this token, else None
        (then the verifier checks `proof` itself)."""
        # Not a dataclass field: no constructor takes it, so it always matches `proof`, and
        # dataclasses.replace() (a new object) drops it.
        return self.__dict__.get(_CHECKED)

    @property
    def nonce_element(self) -> int:
        """The nonce as a field element (128-bit big-endian integer, always < r)."""
        return int.from_bytes(self.nonce, "big")

    def binding_inputs(self) -> tuple[int, int, int]:
        """The Poseidon inputs of token_binding: (nonce, expires_at, gate_policy)."""
        return (self.nonce_element, self.expires_at, self.gate_policy)

    def token_binding(self) -> int:
        """token_binding = Poseidon(nonce, expires_at, gate_policy), as the circuit expects."""
        from zkcore.poseidon import poseidon

        return poseidon(list(self.binding_inputs()))

    def public_inputs(self, event_id: int, scope: int, tier: int) -> list[int]:
        """The circuit's public inputs in order, given the resolved elements (tags must match)."""
        for name, element, expected in (
            ("event_id", event_id, self.event_tag),
            ("scope", scope, self.scope_tag),
            ("tier", tier, self.tier_tag),
        ):
            if tag(element) != expected:
                raise TokenError(f"{name} does not match the token's {name} tag")
        return [self.root, event_id, scope, self.nullifier, self.now, tier, self.token_binding()]


@dataclass(frozen=True)
class TokenBinding:
    """What a token's proof is bound to: its nonce, expiry and gate policy.

    The server (api.services.issuance) and holder wallets (api.wallet) draw it the same way.
    """

    nonce: bytes
    expires_at: int
    gate_policy: int = GATE_POLICY_ANY

    @staticmethod
    def fresh(
        now: int, ttl_seconds: int, not_after: int, gate_policy: int = GATE_POLICY_ANY
    ) -> TokenBinding:
        """A random nonce and the expiry of a token proved at `now` for a ticket's window."""
        # A token never outlives its ticket's window: the proof says now <= not_after, not later.
        expires_at = min(now + ttl_seconds, max(not_after, now + 1))
        return TokenBinding(secrets.token_bytes(NONCE_BYTES), expires_at, gate_policy)

    @property
    def element(self) -> int:
        """The circuit's token_binding = Poseidon(nonce, expires_at, gate_policy)."""
        from zkcore.poseidon import poseidon

        return poseidon([int.from_bytes(self.nonce, "big"), self.expires_at, self.gate_policy])


def token_for_proof(inputs: Mapping[str, Any], binding: TokenBinding, proof: Proof) -> Token:
    """The token carrying `proof` of the circuit inputs `inputs`, minted with `binding`."""
    return Token(
        event_tag=tag(int(inputs["event_id"])),
        scope_tag=tag(int(inputs["scope"])),
        tier_tag=tag(int(inputs["tier"])),
        root=int(inputs["root"]),
        nullifier=int(inputs["nullifier"]),
        now=int(inputs["now"]),
        expires_at=binding.expires_at,
        nonce=binding.nonce,
        gate_policy=binding.gate_policy,
        proof=proof,
    )


def _proof_bytes(proof: Proof) -> bytes:
    if proof.a is None or proof.b is None or proof.c is None:
        raise TokenError("proof: a point at infinity")
    try:
        return g1_compress(proof.a) + g2_compress(proof.b) + g1_compress(proof.c)
    except (zk_errors.ZKCoreError, TypeError, ValueError, IndexError) as exc:
        raise TokenError(f"proof: invalid point ({exc.__class__.__name__})") from None


def token_bytes(token: Token) -> bytes:
    """The binary form of a token (TOKEN_BYTES long)."""
    head = _HEAD.pack(
        token.version,
        token.event_tag,
        token.scope_tag,
        token.tier_tag,
        token.root.to_bytes(32, "big"),
        token.nullifier.to_bytes(32, "big"),
        token.now,
        token.expires_at,
        token.nonce,
        token.gate_policy,
    )
    return head + _proof_bytes(token.proof)


def encode_token(token: Token) -> str:
    """The token as base64url without padding (TOKEN_CHARS characters)."""
    return base64.urlsafe_b64encode(token_bytes(token)).rstrip(b"=").decode("ascii")


def _b64decode(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TokenError("token must be a string")
    if len(text) > _MAX_CHARS:
        raise TokenError("token is too long")
    if not _B64URL.fullmatch(text):
        raise TokenError("token is not base64url (A-Z a-z 0-9 - _, no padding, no spaces)")
    if len(text) % 4 == 1:
        raise TokenError("token length is not a base64 length")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise TokenError("token is not base64url") from None
    # Nonzero trailing bits in the last character would give a second spelling of the bytes.
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise TokenError("token is not canonically encoded (trailing bits set)")
    return data


def _point(decode: Any, data: bytes, what: str) -> Any:
    try:
        point = decode(data)
    except zk_errors.ZKCoreError as exc:
        raise TokenError(f"{what}: {type(exc).__name__}") from None
    if point is None:
        raise TokenError(f"{what}: point at infinity")
    return point


def decode_bytes(data: bytes) -> Token:
    """Parse the binary form strictly (version, exact length, canonical elements, valid points)."""
    if not data:
        raise TokenError("token is empty")
    if data[0] != VERSION:
        raise TokenError(f"unsupported token version {data[0]}")
    if len(data) != TOKEN_BYTES:
        raise TokenError(f"token v{VERSION} is {TOKEN_BYTES} bytes, got {len(data)}")
    (version, event_tag, scope_tag, tier_tag, root_b, null_b, now, expires_at, nonce, policy) = (
        _HEAD.unpack_from(data)
    )
    root = int.from_bytes(root_b, "big")
    nullifier = int.from_bytes(null_b, "big")
    if root >= R:
        raise TokenError("root is not a canonical field element")
    if nullifier >= R:
        raise TokenError("nullifier is not a canonical field element")
    checked = _checked_proof(data[_HEAD.size :])
    token = Token(
        event_tag=event_tag,
        scope_tag=scope_tag,
        tier_tag=tier_tag,
        root=root,
        nullifier=nullifier,
        now=now,
        expires_at=expires_at,
        nonce=nonce,
        gate_policy=policy,
        proof=checked.to_proof(),
        version=version,
    )
    object.__setattr__(token, _CHECKED, checked)  # frozen; see Token.checked_proof
    return token


def _checked_proof(data: bytes) -> CheckedProof:
    """The proof's 128 bytes decoded and validated in C (two calls), kept as C words."""
    try:
        checked = decompress_proof(data)
    except zk_errors.ZKCoreError:
        # name the first bad point as the point-by-point decoders do
        at = 0
        for decode, size, what in (
            (g1_decompress, 32, "proof.a"),
            (g2_decompress, 64, "proof.b"),
            (g1_decompress, 32, "proof.c"),
        ):
            _point(decode, data[at : at + size], what)
            at += size
        raise TokenError("proof: invalid point") from None  # not reached: one of them fails
    for what, at in (("proof.a", 0), ("proof.b", 32), ("proof.c", 96)):
        if data[at] & FLAG_INFINITY:  # decoded as infinity: never an honest proof
            raise TokenError(f"{what}: point at infinity")
    return checked


def decode_token(text: str) -> Token:
    """Parse a token string strictly; any defect raises TokenError("malformed_token")."""
    return decode_bytes(_b64decode(text))


def _iso(seconds: int) -> str | None:
    from datetime import UTC, datetime

    from api.timeutil import format_ts

    try:
        return format_ts(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, OSError, ValueError):  # beyond year 9999: no ISO form
        return None


def describe_token(token: Token) -> dict[str, Any]:
    """The token's fields for people and tools (`ticketking token inspect`)."""
    return {
        "version": token.version,
        "event_tag": token.event_tag.hex(),
        "scope_tag": token.scope_tag.hex(),
        "tier_tag": token.tier_tag.hex(),
        "root": f"0x{token.root:064x}",
        "nullifier": f"0x{token.nullifier:064x}",
        "now": _iso(token.now),
        "now_seconds": token.now,
        "expires_at": _iso(token.expires_at),
        "expires_at_seconds": token.expires_at,
        "nonce": token.nonce.hex(),
        "gate_policy": token.gate_policy,
        "proof_bytes": PROOF_BYTES,
        "token_bytes": TOKEN_BYTES,
        "token_chars": TOKEN_CHARS,
    }

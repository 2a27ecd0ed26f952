"""Secrets at rest: API key hashing, ticket secret encryption, keyed holder hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# An API key reads "tk_<key_id>_<secret>": the key_id is public (it names the row to look up),
# the secret carries 256 bits of entropy, so a plain SHA-256 of the whole key is a safe hash.
KEY_PREFIX = "tk"
_KEY_ID_LEN = 12
_KEY_RE = re.compile(r"^tk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")
_ENCRYPTION_VERSION = 1
_NONCE_LEN = 12
# Ticket secrets are below 2^248, hence below the BN254 scalar field order: canonical as is.
SECRET_BITS = 248


@dataclass(frozen=True)
class NewKey:
    """A freshly made API key: `plaintext` is shown once and never stored."""

    key_id: str
    plaintext: str
    key_hash: str


def new_api_key() -> NewKey:
    """A random API key, its public key_id and the hash stored in its place."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    key_id = "".join(secrets.choice(alphabet) for _ in range(_KEY_ID_LEN))
    plaintext = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id=key_id, plaintext=plaintext, key_hash=hash_api_key(plaintext))


def hash_api_key(plaintext: str) -> str:
    """SHA-256 of the whole key, hex."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def parse_key_id(plaintext: str) -> str | None:
    """The key_id of a well-formed key, or None."""
    match = _KEY_RE.match(plaintext)
    return match.group(1) if match else None


def key_matches(plaintext: str, key_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_api_key(plaintext), key_hash)


def holder_hash(key: bytes, holder_id: str) -> str:
    """Keyed HMAC-SHA256 of a holder id: what the database keeps instead of the id."""
    return hmac.new(key, holder_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class TicketSecrets:
    """The private circuit inputs the service keeps for a custodial ticket."""

    salt: int
    holder_secret: int

    @staticmethod
    def generate() -> TicketSecrets:
        """Fresh random secrets, each a canonical BN254 scalar."""
        return TicketSecrets(secrets.randbits(SECRET_BITS), secrets.randbits(SECRET_BITS))

    def to_bytes(self) -> bytes:
        """64 bytes: salt then holder secret, big-endian."""
        return self.salt.to_bytes(32, "big") + self.holder_secret.to_bytes(32, "big")

    @staticmethod
    def from_bytes(raw: bytes) -> TicketSecrets:
        """The inverse of to_bytes."""
        if len(raw) != 64:
            raise ValueError("ticket secrets must be 64 bytes")
        return TicketSecrets(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def _aad(ticket_id: str) -> bytes:
    # Binding the ciphertext to its ticket stops secrets from being swapped between rows.
    return b"ticketking/ticket-secrets/v1|" + ticket_id.encode()


def encrypt_secrets(key: bytes, ticket_id: str, value: TicketSecrets) -> bytes:
    """AES-256-GCM: version byte, 12-byte nonce, ciphertext with tag."""
    nonce = secrets.token_bytes(_NONCE_LEN)
    sealed = AESGCM(key).encrypt(nonce, value.to_bytes(), _aad(ticket_id))
    return bytes([_ENCRYPTION_VERSION]) + nonce + sealed


def decrypt_secrets(key: bytes, ticket_id: str, blob: bytes) -> TicketSecrets:
    """Open what encrypt_secrets sealed; ValueError if it was tampered with or misplaced."""
    if len(blob) < 1 + _NONCE_LEN + 16 or blob[0] != _ENCRYPTION_VERSION:
        raise ValueError("unknown ticket secret format")
    nonce, sealed = blob[1 : 1 + _NONCE_LEN], blob[1 + _NONCE_LEN :]
    try:
        raw = AESGCM(key).decrypt(nonce, sealed, _aad(ticket_id))
    except InvalidTag:
        raise ValueError("ticket secrets failed authentication") from None
    return TicketSecrets.from_bytes(raw)


def _salt_aad(ticket_id: str) -> bytes:
    # Its own domain: a wallet ticket's sealed salt can never be opened as custodial secrets.
    return b"ticketking/ticket-salt/v1|" + ticket_id.encode()


def encrypt_salt(key: bytes, ticket_id: str, salt: int) -> bytes:
    """A wallet ticket's salt (its only server-side secret), sealed as encrypt_secrets seals."""
    nonce = secrets.token_bytes(_NONCE_LEN)
    sealed = AESGCM(key).encrypt(nonce, salt.to_bytes(32, "big"), _salt_aad(ticket_id))
    return bytes([_ENCRYPTION_VERSION]) + nonce + sealed


def decrypt_salt(key: bytes, ticket_id: str, blob: bytes) -> int:
    """Open what encrypt_salt sealed; ValueError if it was tampered with or misplaced."""
    if len(blob) != 1 + _NONCE_LEN + 32 + 16 or blob[0] != _ENCRYPTION_VERSION:
        raise ValueError("unknown ticket salt format")
    nonce, sealed = blob[1 : 1 + _NONCE_LEN], blob[1 + _NONCE_LEN :]
    try:
        raw = AESGCM(key).decrypt(nonce, sealed, _salt_aad(ticket_id))
    except InvalidTag:
        raise ValueError("ticket salt failed authentication") from None
    return int.from_bytes(raw, "big")

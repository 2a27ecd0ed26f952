"""The proof token format (api/token.py): round trip, one encoding per token, strict parsing."""

from __future__ import annotations

import base64
import dataclasses
import json
import random

import numpy as np
import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import main
from api.token import (
    TOKEN_BYTES,
    TOKEN_CHARS,
    Token,
    TokenError,
    decode_bytes,
    decode_token,
    encode_token,
    tag,
    token_bytes,
)
from zkcore.curve import G1_GENERATOR, G2_GENERATOR, P
from zkcore.encoding import fp2_sqrt, fp_sqrt
from zkcore.field import Fr
from zkcore.groth16.keys import Proof
from zkcore.groth16.points import g1_mul, g2_mul
from zkcore.poseidon import poseidon

R = Fr.modulus
PROOF_AT = TOKEN_BYTES - 128  # proof.a, then proof.b at +32, proof.c at +96
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

EVENT, SCOPE, TIER = 4242, 777, 2
B2 = (  # the twist's b = 3 / (9 + u), for points on E'(Fp2)
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


def _token(seed: int = 1) -> Token:
    rng = random.Random(seed)
    proof = Proof(
        a=g1_mul(G1_GENERATOR, rng.randrange(1, R)),
        b=g2_mul(G2_GENERATOR, rng.randrange(1, R)),
        c=g1_mul(G1_GENERATOR, rng.randrange(1, R)),
    )
    return Token(
        event_tag=tag(EVENT),
        scope_tag=tag(SCOPE),
        tier_tag=tag(TIER),
        root=rng.randrange(R),
        nullifier=rng.randrange(R),
        now=1_751_644_800,
        expires_at=1_751_644_830,
        nonce=rng.randbytes(16),
        gate_policy=3,
        proof=proof,
    )


@pytest.fixture(scope="module")
def token() -> Token:
    return _token()


@pytest.fixture(scope="module")
def text(token: Token) -> str:
    return encode_token(token)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _patched(token: Token, at: int, chunk: bytes) -> str:
    data = bytearray(token_bytes(token))
    data[at : at + len(chunk)] = chunk
    return _b64(bytes(data))


def _rejected(text: object) -> TokenError:
    with pytest.raises(TokenError) as info:
        decode_token(text)  # type: ignore[arg-type]
    assert info.value.reason == "malformed_token" and info.value.message
    return info.value


# ---- round trip and size ----


def test_round_trip(token: Token, text: str) -> None:
    assert len(text) == TOKEN_CHARS == 335 and len(token_bytes(token)) == TOKEN_BYTES == 251
    decoded = decode_token(text)
    assert decoded == token
    assert encode_token(decoded) == text


def test_round_trip_edges() -> None:
    edge = Token(
        event_tag=bytes(8),
        scope_tag=b"\xff" * 8,
        tier_tag=tag(0),
        root=0,
        nullifier=R - 1,
        now=0,
        expires_at=2**64 - 1,
        nonce=b"\xff" * 16,
        gate_policy=2**16 - 1,
        proof=Proof(a=G1_GENERATOR, b=G2_GENERATOR, c=g1_mul(G1_GENERATOR, R - 1)),
    )
    assert decode_token(encode_token(edge)) == edge


def test_fits_a_qr_code_at_level_m(text: str) -> None:
    qr = segno.make(text, error="m")
    assert qr.error == "M" and qr.version <= 14  # 335 bytes in byte mode: version 14, 73x73


def test_tags_and_public_inputs(token: Token) -> None:
    assert tag(TIER) != tag(TIER + 1) and len(tag(0)) == 8
    binding = poseidon([int.from_bytes(token.nonce, "big"), token.expires_at, token.gate_policy])
    assert token.token_binding() == binding
    assert token.public_inputs(EVENT, SCOPE, TIER) == [
        token.root, EVENT, SCOPE, token.nullifier, token.now, TIER, binding,
    ]  # fmt: skip
    with pytest.raises(TokenError):
        token.public_inputs(EVENT, SCOPE, TIER + 1)
    with pytest.raises(TokenError):
        token.public_inputs(SCOPE, EVENT, TIER)
    with pytest.raises(TokenError):
        tag(R)


@pytest.mark.parametrize(
    "field, value",
    [
        ("root", R),
        ("nullifier", -1),
        ("now", 2**64),
        ("expires_at", -1),
        ("gate_policy", 2**16),
        ("nonce", bytes(15)),
        ("event_tag", bytes(9)),
        ("scope_tag", "12345678"),
        ("version", 2),
        ("proof", (1, 2, 3)),
    ],
)
def test_constructor_refuses_out_of_range(token: Token, field: str, value: object) -> None:
    fields = {k: getattr(token, k) for k in token.__dataclass_fields__}
    fields[field] = value
    with pytest.raises(TokenError):
        Token(**fields)


def test_encode_refuses_infinity_and_bad_points(token: Token) -> None:
    fields = {k: getattr(token, k) for k in token.__dataclass_fields__}
    fields["proof"] = Proof(a=None, b=token.proof.b, c=token.proof.c)
    with pytest.raises(TokenError):
        encode_token(Token(**fields))
    fields["proof"] = Proof(a=(1, 1), b=token.proof.b, c=token.proof.c)
    with pytest.raises(TokenError):
        encode_token(Token(**fields))


# ---- one encoding per token ----


def test_trailing_bits_are_rejected(text: str) -> None:
    # 251 bytes = 83 * 3 + 2: the last character carries 2 unused bits that must be zero.
    last = ALPHABET.index(text[-1])
    assert last & 0b11 == 0
    for low in (1, 2, 3):
        _rejected(text[:-1] + ALPHABET[last | low])


@pytest.mark.parametrize(
    "variant",
    [
        lambda t: t + "=",
        lambda t: t + "==",
        lambda t: t + "\n",
        lambda t: " " + t,
        lambda t: t[:100] + "\n" + t[100:],
        lambda t: t.replace("-", "+").replace("_", "/") if ("-" in t or "_" in t) else t + "+",
        lambda t: t[:-1] + "é",
    ],
)
def test_padding_whitespace_and_other_alphabets_are_rejected(text: str, variant) -> None:
    _rejected(variant(text))


# ---- malformed classes ----


def test_truncated(text: str) -> None:
    for cut in (0, 1, 2, 100, TOKEN_CHARS - 3, TOKEN_CHARS - 2, TOKEN_CHARS - 1):
        _rejected(text[:cut])


def test_extra_bytes(token: Token) -> None:
    for extra in (b"\x00", b"\x00\x00", b"\x00" * 3, b"\xff" * 100):
        _rejected(_b64(token_bytes(token) + extra))
    _rejected("A" * 5000)  # far too long: refused before decoding


@pytest.mark.parametrize("version", [0, 2, 255])
def test_unknown_version(token: Token, version: int) -> None:
    assert "version" in _rejected(_patched(token, 0, bytes([version]))).message


@pytest.mark.parametrize("offset, name", [(25, "root"), (57, "nullifier")])
@pytest.mark.parametrize("value", [R, R + 1, 2**256 - 1])
def test_non_canonical_field_element(token: Token, offset: int, name: str, value: int) -> None:
    assert name in _rejected(_patched(token, offset, value.to_bytes(32, "big"))).message


def test_non_canonical_coordinate(token: Token) -> None:
    # x = p + 1 fits in the 254 bits below the flags but is not < p
    _rejected(_patched(token, PROOF_AT, (P + 1).to_bytes(32, "big")))
    _rejected(_patched(token, PROOF_AT + 32, (P + 1).to_bytes(32, "big")))


def _g1_x_off_curve() -> int:
    return next(x for x in range(1, 100) if fp_sqrt((x**3 + 3) % P) is None)


def _g2_x_off_subgroup() -> tuple[int, int]:
    # On the twist E'(Fp2) but (almost surely) outside the order-r subgroup: the cofactor is huge.
    for x0 in range(1, 100):
        if fp2_sqrt(((x0**3 + B2[0]) % P, B2[1])) is not None:
            return (x0, 0)
    raise AssertionError("no x found")


@pytest.mark.parametrize("at", [PROOF_AT, PROOF_AT + 96])
def test_g1_not_on_curve(token: Token, at: int) -> None:
    _rejected(_patched(token, at, _g1_x_off_curve().to_bytes(32, "big")))


def test_g2_not_on_curve(token: Token) -> None:
    x0 = next(x for x in range(1, 100) if fp2_sqrt(((x**3 + B2[0]) % P, B2[1])) is None)
    _rejected(_patched(token, PROOF_AT + 32, bytes(32) + x0.to_bytes(32, "big")))


def test_g2_not_in_subgroup(token: Token) -> None:
    x0, x1 = _g2_x_off_subgroup()
    msg = _rejected(_patched(token, PROOF_AT + 32, x1.to_bytes(32, "big") + x0.to_bytes(32, "big")))
    assert "Subgroup" in msg.message


@pytest.mark.parametrize("at, size", [(PROOF_AT, 32), (PROOF_AT + 32, 64), (PROOF_AT + 96, 32)])
def test_point_at_infinity_and_bad_flags(token: Token, at: int, size: int) -> None:
    _rejected(_patched(token, at, b"\x80" + bytes(size - 1)))  # infinity: never an honest proof
    _rejected(_patched(token, at, b"\xc0" + bytes(size - 1)))  # infinity with the sign flag
    _rejected(_patched(token, at, b"\x80" + bytes(size - 2) + b"\x01"))  # infinity, x != 0


@pytest.mark.parametrize("value", [None, b"AAAA", 42, ["x"], "", "A", "AA", "AAA", "AAAA"])
def test_non_tokens(value: object) -> None:
    _rejected(value)


def test_decode_bytes_checks_version_before_length() -> None:
    with pytest.raises(TokenError, match="version"):
        decode_bytes(b"\x07" + bytes(TOKEN_BYTES - 1))
    with pytest.raises(TokenError, match="251 bytes"):
        decode_bytes(b"\x01" + bytes(10))


# ---- fuzz: only TokenError, and anything accepted has exactly this one spelling ----


def _decodes_or_token_error(text: str) -> None:
    try:
        decoded = decode_token(text)
    except TokenError as exc:
        assert exc.reason == "malformed_token"
        return
    assert encode_token(decoded) == text


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.text(max_size=400))
def test_fuzz_random_text(text: str) -> None:
    _decodes_or_token_error(text)


@_FUZZ
@given(st.text(alphabet=ALPHABET, min_size=TOKEN_CHARS - 2, max_size=TOKEN_CHARS + 2))
def test_fuzz_random_base64url(text: str) -> None:
    _decodes_or_token_error(text)


@_FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]),
            st.integers(0, TOKEN_CHARS),
            st.sampled_from(ALPHABET + "=+/ \n."),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_fuzz_mutated_token_text(text: str, edits: list[tuple[str, int, str]]) -> None:
    chars = list(text)
    for op, at, ch in edits:
        at = min(at, len(chars) - 1) if chars else 0
        if op == "replace" and chars:
            chars[at] = ch
        elif op == "insert":
            chars.insert(at, ch)
        elif chars:
            del chars[at]
    _decodes_or_token_error("".join(chars))


@_FUZZ
@given(st.integers(0, TOKEN_BYTES - 1), st.integers(1, 255))
def test_fuzz_flipped_byte(token: Token, at: int, xor: int) -> None:
    data = bytearray(token_bytes(token))
    data[at] ^= xor
    _decodes_or_token_error(_b64(bytes(data)))


# ---- CLI ----


def test_cli_inspect(text: str, token: Token, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "inspect", text]) == 0
    out = capsys.readouterr().out
    assert "2025-07-04T16:00:00.000Z" in out and "2025-07-04T16:00:30.000Z" in out
    assert token.nonce.hex() in out and f"0x{token.root:064x}" in out and "335" in out
    assert main(["token", "inspect", text, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["event_tag"] == tag(EVENT).hex() and info["tier_tag"] == tag(TIER).hex()
    assert info["nullifier"] == f"0x{token.nullifier:064x}" and info["gate_policy"] == 3
    assert info["expires_at"] == "2025-07-04T16:00:30.000Z" and info["token_bytes"] == 251


def test_cli_inspect_far_future_expiry(token: Token, capsys: pytest.CaptureFixture[str]) -> None:
    fields = {k: getattr(token, k) for k in token.__dataclass_fields__}
    fields["expires_at"] = 2**64 - 1
    assert main(["token", "inspect", encode_token(Token(**fields)), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["expires_at"] is None and info["expires_at_seconds"] == 2**64 - 1


@pytest.mark.parametrize("bad", ["", "not a token", "A" * TOKEN_CHARS])
def test_cli_inspect_malformed(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "inspect", bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: malformed_token: ")


# ---- the decoded proof's checked words (what /verify verifies) ----


def test_decoded_token_keeps_the_checked_words(token: Token, text: str) -> None:
    from zkcore.groth16.checked import check_proof_points

    decoded = decode_token(text)
    checked = decoded.checked_proof
    assert checked is not None and checked.to_proof() == decoded.proof == token.proof
    reference = check_proof_points(token.proof)
    assert np.array_equal(checked.ac, reference.ac) and np.array_equal(checked.b, reference.b)
    assert decoded == token  # not a field: equality, repr and the constructor ignore it
    assert "checked" not in repr(decoded) and "checked_proof" not in Token.__dataclass_fields__
    assert token.checked_proof is None  # built, not decoded: the verifier checks .proof
    swapped = dataclasses.replace(decoded, proof=_token(2).proof)
    assert swapped.checked_proof is None  # never words of another proof


@pytest.mark.parametrize(
    "at, chunk, message",
    [
        (PROOF_AT, (P + 1).to_bytes(32, "big"), "proof.a: NonCanonicalError"),
        (PROOF_AT + 96, (P + 1).to_bytes(32, "big"), "proof.c: NonCanonicalError"),
        (PROOF_AT + 96, b"\x80" + bytes(31), "proof.c: point at infinity"),
        (PROOF_AT + 32, b"\x80" + bytes(63), "proof.b: point at infinity"),
        (PROOF_AT + 32, b"\x80" + bytes(62) + b"\x01", "proof.b: EncodingError"),
    ],
)
def test_bad_points_are_named(token: Token, at: int, chunk: bytes, message: str) -> None:
    assert _rejected(_patched(token, at, chunk)).message == message


def test_first_bad_point_is_named(token: Token) -> None:
    data = bytearray(token_bytes(token))
    data[PROOF_AT + 96 : PROOF_AT + 128] = (P + 1).to_bytes(32, "big")  # C: not < p
    data[PROOF_AT + 32 : PROOF_AT + 96] = b"\x80" + bytes(63)  # B: infinity
    assert _rejected(_b64(bytes(data))).message == "proof.b: point at infinity"
    data[PROOF_AT : PROOF_AT + 32] = _g1_x_off_curve().to_bytes(32, "big")  # A: off the curve
    assert _rejected(_b64(bytes(data))).message == "proof.a: NotOnCurveError"


# ---- end to end: a real ticketing proof travels in a token and verifies after decoding ----


def test_real_proof_round_trips_and_verifies(recwarn: pytest.WarningsRecorder) -> None:
    from circuits.ticket import MerkleTree, TicketCircuit, TicketWitnessInputs, ticket_inputs
    from zkcore.groth16.prove import prove
    from zkcore.groth16.setup import setup_insecure_deterministic
    from zkcore.groth16.verify import verify

    nonce, expires_at, policy = bytes(range(16)), 1_760_050_030, 5
    binding = poseidon([int.from_bytes(nonce, "big"), expires_at, policy])
    ticket = TicketWitnessInputs(
        holder_secret=0x5EC12E7, ticket_salt=0xA11CE, event_id=EVENT, tier=TIER,
        not_before=1_760_000_000, not_after=1_760_086_400, scope=SCOPE, now=1_760_050_000,
        token_binding=binding,
    )  # fmt: skip
    circuit = TicketCircuit(2).compile()
    pk, vk = setup_insecure_deterministic(circuit.r1cs, "token-test")
    values = ticket_inputs(ticket, *MerkleTree(2, [11, ticket.leaf()]).proof(1))
    proof = prove(pk, circuit.solve(values), threads=1)
    text = encode_token(
        Token(
            event_tag=tag(EVENT),
            scope_tag=tag(SCOPE),
            tier_tag=tag(TIER),
            root=int(values["root"]),
            nullifier=int(values["nullifier"]),
            now=ticket.now,
            expires_at=expires_at,
            nonce=nonce,
            gate_policy=policy,
            proof=proof,
        )  # fmt: skip
    )
    decoded = decode_token(text)
    public = decoded.public_inputs(EVENT, SCOPE, TIER)
    assert verify(vk, public, decoded.proof)
    assert decoded.checked_proof is not None  # what /verify hands the batcher
    assert verify(vk, public, decoded.checked_proof)
    assert not verify(vk, [*public[:-1], public[-1] ^ 1], decoded.checked_proof)
    other = decode_token(encode_token(_token(3)))  # valid points, not a proof of this statement
    assert other.checked_proof is not None and not verify(vk, public, other.checked_proof)
    # the same proof with another expiry (a token edited to live longer) does not verify
    fields = {k: getattr(decoded, k) for k in decoded.__dataclass_fields__}
    longer = Token(**{**fields, "expires_at": expires_at + 3600})
    assert not verify(vk, longer.public_inputs(EVENT, SCOPE, TIER), longer.proof)

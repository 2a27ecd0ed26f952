"""Wallet binding: the holder proves on their own machine; the gate verifies it the same way."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import cli
from api.config import Settings
from api.fields import element_hex, time_field
from api.services import verification
from api.services.circuit import key_paths
from api.timeutil import utcnow
from api.token import decode_token
from api.wallet import (
    WalletError,
    fetch_proving_key,
    load_bundle,
    make_token,
    new_holder_secret,
    parse_secret,
)
from circuits.gadgets.merkle import compute_root
from circuits.ticket import holder_commitment, merkle_hash2, ticket_leaf
from tests.api.conftest import (
    API,
    SQLITE_ONLY,
    TEST_DEPTH,
    Factory,
    GateCtx,
    MerchantCtx,
    auth,
    scan,
)
from zkcore.field import Fr

SKEW = Settings().verify_clock_skew_seconds


@pytest.fixture(scope="module")
def zkey(circuits_dir: Path) -> Path:
    """The shared depth-4 proving key, as a wallet would have downloaded it."""
    settings = Settings(data_dir=circuits_dir, circuits_dir=circuits_dir, merkle_depth=TEST_DEPTH)
    return key_paths(settings)[0]


def issue_wallet_ticket(
    factory: Factory, merchant: MerchantCtx, event_id: str, **over: Any
) -> tuple[dict[str, Any], int]:
    """A wallet-bound ticket and the holder secret behind its commitment."""
    secret = new_holder_secret()
    ticket = factory.ticket(
        merchant, event_id, holder_commitment=element_hex(holder_commitment(secret)), **over
    )
    return ticket, secret


def get_bundle(client: TestClient, merchant: MerchantCtx, ticket_id: str) -> dict[str, Any]:
    """GET /tickets/{id}/wallet (asserts 200)."""
    r = client.get(f"{API}/tickets/{ticket_id}/wallet", headers=merchant.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_wallet_token_enters_once(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, zkey: Path
) -> None:
    ticket, secret = issue_wallet_ticket(factory, merchant, gate.event["event_id"])
    assert ticket["binding"] == "wallet" and ticket["holder_bound"] is True
    token = make_token(get_bundle(client, merchant, ticket["ticket_id"]), secret, proving_key=zkey)
    first = scan(client, gate, token)
    assert first["accepted"] is True and first["tier"] == "ga"
    assert scan(client, gate, token) == {"accepted": False, "reason": "already_consumed"}
    # A fresh token from a fresh bundle proves the same statement: already consumed too.
    again = make_token(get_bundle(client, merchant, ticket["ticket_id"]), secret, proving_key=zkey)
    assert again != token
    assert scan(client, gate, again) == {"accepted": False, "reason": "already_consumed"}


def test_the_service_cannot_mint_for_a_wallet_ticket(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx
) -> None:
    ticket, _ = issue_wallet_ticket(factory, merchant, gate.event["event_id"])
    for body in ({}, {"holder_id": "someone"}):
        r = client.post(
            f"{API}/proof-token",
            json={"ticket_id": ticket["ticket_id"], **body},
            headers=merchant.headers,
        )
        assert r.status_code == 409
        assert r.json()["eligible"] is False and r.json()["reason"] == "wallet_bound"


def test_a_wrong_holder_secret_makes_no_valid_token(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, zkey: Path
) -> None:
    ticket, secret = issue_wallet_ticket(factory, merchant, gate.event["event_id"])
    bundle = get_bundle(client, merchant, ticket["ticket_id"])
    wrong = secret + 1
    with pytest.raises(WalletError, match="does not belong to the ticket"):
        make_token(bundle, wrong, proving_key=zkey)
    # Claiming the wrong secret's commitment: its leaf is not in the tree, so no path fits.
    forged = {**bundle, "holder_commitment": element_hex(holder_commitment(wrong))}
    with pytest.raises(WalletError, match="does not lead to its root"):
        make_token(forged, wrong, proving_key=zkey)
    # A whole forged tree around the wrong leaf proves a root the event never had.
    leaf = ticket_leaf(
        holder_commitment(wrong),
        int(bundle["ticket_salt"], 16),
        int(bundle["event_field"], 16),
        int(bundle["tier_field"], 16),
        bundle["not_before_seconds"],
        bundle["not_after_seconds"],
    )
    path = [int(node, 16) for node in bundle["merkle_path"]]
    forged["root"] = element_hex(compute_root(leaf, path, bundle["merkle_bits"], merkle_hash2))
    token = make_token(forged, wrong, proving_key=zkey)
    assert scan(client, gate, token) == {"accepted": False, "reason": "unknown_root"}
    # The genuine holder still enters.
    assert scan(client, gate, make_token(bundle, secret, proving_key=zkey))["accepted"] is True


def test_bundle_contents(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx
) -> None:
    factory.ticket(merchant, gate.event["event_id"])  # a custodial ticket at leaf 0
    ticket, secret = issue_wallet_ticket(
        factory, merchant, gate.event["event_id"], tier="vip", not_after="2030-01-01T00:00:00Z"
    )
    bundle = get_bundle(client, merchant, ticket["ticket_id"])
    circuit = client.get(f"{API}/circuit").json()
    assert bundle["ticket_id"] == ticket["ticket_id"] and bundle["tier"] == "vip"
    assert bundle["leaf_index"] == 1 and bundle["merkle_bits"] == [1, 0, 0, 0]
    assert bundle["merkle_depth"] == TEST_DEPTH == len(bundle["merkle_path"])
    assert bundle["holder_commitment"] == element_hex(holder_commitment(secret))
    assert bundle["not_before"] is None and bundle["not_before_seconds"] == 0
    assert bundle["not_after"] == "2030-01-01T00:00:00.000Z"
    assert bundle["scopes"] == [
        {"scope": gate.event["event_id"], "scope_field": bundle["scopes"][0]["scope_field"]}
    ]
    assert bundle["verification_key_sha256"] == circuit["verification_key_sha256"]
    zkey = client.get(f"{API}/circuit/zkey")
    assert bundle["proving_key_sha256"] == hashlib.sha256(zkey.content).hexdigest()
    salt = int(bundle["ticket_salt"], 16)
    assert 0 < salt < Fr.modulus and bundle["ticket_salt"] == element_hex(salt)
    leaf = ticket_leaf(
        holder_commitment(secret),
        salt,
        int(bundle["event_field"], 16),
        int(bundle["tier_field"], 16),
        0,
        bundle["not_after_seconds"],
    )
    path = [int(node, 16) for node in bundle["merkle_path"]]
    root = compute_root(leaf, path, bundle["merkle_bits"], merkle_hash2)
    assert bundle["root"] == element_hex(root)
    assert load_bundle(bundle).root == bundle["root"]


def test_bundle_only_for_the_owning_merchant(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, admin_key: str
) -> None:
    ticket, _ = issue_wallet_ticket(factory, merchant, gate.event["event_id"])
    url = f"{API}/tickets/{ticket['ticket_id']}/wallet"
    other = factory.merchant("Other Co")
    assert client.get(url).status_code == 401
    assert client.get(url, headers=other.headers).status_code == 403
    assert client.get(url, headers=gate.headers).status_code == 403
    assert client.get(url, headers=auth(admin_key)).status_code == 403
    assert client.get(f"{API}/tickets/nope/wallet", headers=merchant.headers).status_code == 404
    # A custodial ticket's secrets never leave the service.
    custodial = factory.ticket(merchant, gate.event["event_id"])
    r = client.get(f"{API}/tickets/{custodial['ticket_id']}/wallet", headers=merchant.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_wallet_bound"
    assert "ticket_salt" not in r.text
    # A revoked wallet ticket gets no bundle.
    client.post(f"{API}/tickets/{ticket['ticket_id']}/revoke", headers=merchant.headers)
    r = client.get(url, headers=merchant.headers)
    assert r.status_code == 409 and r.json()["reason"] == "revoked"


def test_issuance_is_idempotent_per_commitment(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx
) -> None:
    commitment = holder_commitment(new_holder_secret())
    body = factory.ticket_body(gate.event["event_id"], holder_commitment=element_hex(commitment))
    first = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    assert first.status_code == 201 and first.json()["binding"] == "wallet"
    # The same element spelled in decimal is the same body.
    same = {**body, "holder_commitment": str(commitment)}
    assert client.post(f"{API}/tickets", json=same, headers=merchant.headers).status_code == 200
    other = {**body, "holder_commitment": element_hex(holder_commitment(new_holder_secret()))}
    assert client.post(f"{API}/tickets", json=other, headers=merchant.headers).status_code == 409
    unbound = {k: v for k, v in body.items() if k != "holder_commitment"}
    assert client.post(f"{API}/tickets", json=unbound, headers=merchant.headers).status_code == 409
    got = client.get(f"{API}/tickets/{body['ticket_id']}", headers=merchant.headers).json()
    assert got == first.json() and "holder_commitment" not in got


@SQLITE_ONLY
@pytest.mark.parametrize(
    "commitment",
    [
        str(Fr.modulus),
        hex(Fr.modulus),
        "0x" + "f" * 64,
        "0x" + "1" * 65,
        "0xzz",
        "0x",
        "",
        "12ab",
        "-5",
        " 5",
        12345,
        None,
    ],
)
def test_bad_commitments_are_422(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, commitment: Any
) -> None:
    body = factory.ticket_body(gate.event["event_id"], holder_commitment=commitment)
    if commitment is None:  # null is "no commitment": an unbound ticket
        assert client.post(f"{API}/tickets", json=body, headers=merchant.headers).status_code == 201
        return
    r = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"


@SQLITE_ONLY
def test_account_and_wallet_binding_exclude_each_other(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx
) -> None:
    body = factory.ticket_body(gate.event["event_id"], holder_id="alice", holder_commitment="0x5")
    r = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    assert r.status_code == 422 and "exclusive" in r.json()["error"]["message"]


def test_a_stale_bundle_stops_working_when_the_tree_changes(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    gate: GateCtx,
    zkey: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket, secret = issue_wallet_ticket(factory, merchant, gate.event["event_id"])
    stale = get_bundle(client, merchant, ticket["ticket_id"])
    factory.ticket(merchant, gate.event["event_id"])  # any issuance changes the root
    later = utcnow() + timedelta(seconds=SKEW + 10)
    monkeypatch.setattr(verification, "utcnow", lambda: later)
    token = make_token(stale, secret, proving_key=zkey, now=later)
    assert scan(client, gate, token) == {"accepted": False, "reason": "unknown_root"}
    fresh = get_bundle(client, merchant, ticket["ticket_id"])
    assert fresh["root"] != stale["root"] and fresh["merkle_path"] != stale["merkle_path"]
    token = make_token(fresh, secret, proving_key=zkey, now=later)
    assert scan(client, gate, token)["accepted"] is True


def test_revocation_takes_effect_through_the_root_window(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    zkey: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server cannot name a wallet token's ticket (it does not know the nullifier): a
    revocation clears the leaf, and the old root stops being accepted once it has been out of
    date for longer than the token's claimed age. See docs/api.md, "Wallet binding"."""
    event = factory.event(merchant, scopes=["day1", "day2", "day3"])
    key = factory.gate_key(merchant, event["event_id"])
    gate = GateCtx(event, key["key_id"], key["api_key"])
    ticket, secret = issue_wallet_ticket(factory, merchant, event["event_id"])
    bundle = get_bundle(client, merchant, ticket["ticket_id"])
    honest = make_token(bundle, secret, proving_key=zkey, scope="day1", ttl_seconds=60)
    longest = make_token(bundle, secret, proving_key=zkey, scope="day2", ttl_seconds=300)
    backdated = make_token(bundle, secret, proving_key=zkey, scope="day3", ttl_seconds=300)
    r = client.post(f"{API}/tickets/{ticket['ticket_id']}/revoke", headers=merchant.headers)
    assert r.status_code == 200
    revoked_at = utcnow()
    # A token made after the revocation from the old bundle: its `now` is past the old root.
    late = revoked_at + timedelta(seconds=SKEW + 10)
    stale = make_token(bundle, secret, proving_key=zkey, scope="day2", now=late)
    monkeypatch.setattr(verification, "utcnow", lambda: late)
    assert scan(client, gate, stale, scope="day2") == {"accepted": False, "reason": "unknown_root"}
    # Within the window: a token proved before the revocation still enters (documented).
    assert scan(client, gate, honest, scope="day1")["accepted"] is True
    # The worst case: a token proved just before the revocation with the longest lifetime
    # (or a wallet that back-dates `now` to before it) enters until it expires...
    assert decode_token(backdated).now < time_field(revoked_at) + 1
    within = revoked_at + timedelta(seconds=200)
    monkeypatch.setattr(verification, "utcnow", lambda: within)
    assert scan(client, gate, backdated, scope="day3")["accepted"] is True
    # ...which is at most TTL_MAX_SECONDS (+ the clock skew) after the revocation.
    after_window = revoked_at + timedelta(seconds=300 + SKEW + 1)
    monkeypatch.setattr(verification, "utcnow", lambda: after_window)
    assert scan(client, gate, longest, scope="day2") == {"accepted": False, "reason": "expired"}


def test_zkey_download_and_fetch_key(client: TestClient, zkey: Path, tmp_path: Path) -> None:
    r = client.get(f"{API}/circuit/zkey")
    assert r.status_code == 200 and r.content == zkey.read_bytes()
    assert r.headers["content-type"] == "application/octet-stream"
    digest = hashlib.sha256(r.content).hexdigest()
    assert r.headers["x-content-sha256"] == digest
    out = tmp_path / "key.zkey"
    assert fetch_proving_key("http://testserver", out, client=client) == digest
    assert out.read_bytes() == r.content
    bad = tmp_path / "bad.zkey"
    with pytest.raises(WalletError, match="expected hash"):
        fetch_proving_key("http://testserver", bad, client=client, expected_sha256="0" * 64)
    assert not bad.exists() and not list(tmp_path.glob("*.part"))


def test_cli_round_trip(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    gate: GateCtx,
    zkey: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret_file = tmp_path / "holder.secret"
    assert cli.main(["wallet", "new-secret", "--out", str(secret_file)]) == 0
    made = json.loads(capsys.readouterr().out)
    assert "holder_secret" not in made and secret_file.stat().st_mode & 0o077 == 0
    secret = parse_secret(secret_file.read_text())
    assert made["holder_commitment"] == element_hex(holder_commitment(secret))
    ticket = factory.ticket(
        merchant, gate.event["event_id"], holder_commitment=made["holder_commitment"]
    )
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(get_bundle(client, merchant, ticket["ticket_id"])))
    args = ["wallet", "token", "--bundle", str(bundle_file), "--zkey", str(zkey), "--ttl", "20"]
    assert cli.main([*args, "--secret-file", str(secret_file)]) == 0
    token = capsys.readouterr().out.strip()
    assert decode_token(token).expires_at - decode_token(token).now == 20
    assert scan(client, gate, token)["accepted"] is True
    # Another holder's secret: exit 2 with the reason, no token.
    other = tmp_path / "other.secret"
    assert cli.main(["wallet", "new-secret", "--out", str(other)]) == 0
    capsys.readouterr()
    assert cli.main([*args, "--secret-file", str(other)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "does not belong to the ticket" in captured.err
    # Without --out the secret is printed with its commitment; an existing file is not replaced.
    assert cli.main(["wallet", "new-secret"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["holder_commitment"] == element_hex(
        holder_commitment(parse_secret(shown["holder_secret"]))
    )
    assert cli.main(["wallet", "new-secret", "--out", str(secret_file)]) == 2


@SQLITE_ONLY
def test_client_refuses_what_the_gate_would_refuse(
    client: TestClient, factory: Factory, merchant: MerchantCtx, zkey: Path
) -> None:
    event = factory.event(merchant, scopes=["day1", "day2"])
    ticket, secret = issue_wallet_ticket(
        factory, merchant, event["event_id"], not_after="2030-01-01T00:00:00Z"
    )
    bundle = get_bundle(client, merchant, ticket["ticket_id"])
    with pytest.raises(WalletError, match="several entry scopes"):
        make_token(bundle, secret, proving_key=zkey)
    with pytest.raises(WalletError, match="not one of the event's scopes"):
        make_token(bundle, secret, proving_key=zkey, scope="day9")
    for ttl in (4, 301):
        with pytest.raises(WalletError, match="ttl_seconds"):
            make_token(bundle, secret, proving_key=zkey, scope="day1", ttl_seconds=ttl)
    with pytest.raises(WalletError, match="activation window"):
        make_token(bundle, secret, proving_key=zkey, scope="day1", now=1_900_000_000)
    other_key = {**bundle, "verification_key_sha256": "0" * 64}
    with pytest.raises(WalletError, match="not the service's circuit key"):
        make_token(other_key, secret, proving_key=zkey, scope="day1")
    with pytest.raises(WalletError, match="cannot read the proving key"):
        make_token(bundle, secret, proving_key=zkey.with_name("missing.zkey"), scope="day1")
    with pytest.raises(WalletError, match="not a wallet bundle"):
        make_token({**bundle, "merkle_bits": "x"}, secret, proving_key=zkey, scope="day1")
    for bad in (0, Fr.modulus, -1):
        with pytest.raises(WalletError, match="holder secret"):
            make_token(bundle, bad, proving_key=zkey, scope="day1")
    # A token made near the end of the window expires with it, as the service's would.
    end = bundle["not_after_seconds"]
    token = decode_token(make_token(bundle, secret, proving_key=zkey, scope="day2", now=end - 3))
    assert token.expires_at == end


@SQLITE_ONLY
def test_circuit_points_to_the_proving_key(client: TestClient) -> None:
    url = client.get(f"{API}/circuit").json()["proving_key_url"]
    assert client.get(url).status_code == 200

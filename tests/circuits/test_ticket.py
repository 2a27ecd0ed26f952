"""The ticketing circuit: valid tickets pass, and every forgery in the brief is rejected by the
R1CS itself (attacks on the constraints, not on our solver)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from circuits import ticket as ticket_module
from circuits.dsl import API, Circuit, CompiledCircuit, Private
from circuits.gadgets import poseidon_constraint_count
from circuits.ticket import (
    MerkleTree,
    TicketCircuit,
    TicketWitnessInputs,
    fits_in_bits,
    holder_commitment,
    merkle_hash2,
    nullifier,
    ticket_inputs,
    ticket_leaf,
)
from tests.circuits.helpers import R, assert_rejected_only_by, attack, failing_scopes
from tests.node_tools import NODE_MODULES, run_tool
from zkcore import errors
from zkcore.cli import main
from zkcore.formats import r1cs as r1cs_format
from zkcore.formats import wtns as wtns_format
from zkcore.poseidon import poseidon

DEPTH = 4
DATA = Path(__file__).resolve().parent / "data"
PUBLIC = ["root", "event_id", "scope", "nullifier", "now", "tier", "token_binding"]

TICKET = TicketWitnessInputs(
    holder_secret=0x5EC12E7,
    ticket_salt=0xA11CE,
    event_id=4242,
    tier=2,
    not_before=1_760_000_000,
    not_after=1_760_086_400,
    scope=4242,
    now=1_760_050_000,
    token_binding=poseidon([123456789, 1_760_050_060, 7]),
)
INDEX = 5  # our ticket's leaf index: bits 1, 0, 1, 0


@cache
def compiled(depth: int = DEPTH) -> CompiledCircuit:
    return TicketCircuit(depth).compile()


@cache
def tree(depth: int = DEPTH) -> MerkleTree:
    others = [ticket_leaf(holder_commitment(100 + i), i, 4242, 1, 0, 2**40) for i in range(11)]
    leaves = others[:INDEX] + [TICKET.leaf()] + others[INDEX:]
    return MerkleTree(depth, leaves)


def inputs(ticket: TicketWitnessInputs = TICKET, index: int = INDEX, **changes: Any) -> dict:
    """The honest input dict for `ticket` at `index` in the tree, then `changes` applied."""
    path, bits = tree().proof(index)
    values = ticket_inputs(ticket, path, bits)
    values["root"] = tree().root  # the event's published root, whatever the ticket claims
    values.update(changes)
    return values


def rejected(values: dict, overrides: dict | None = None) -> list[str]:
    """Solve without checks (overrides forced, the rest recomputed): the failing scopes,
    asserting the R1CS rejects the witness in both its fast and its reference check."""
    c = compiled()
    witness = attack(c, values, overrides or {})
    assert not c.r1cs.is_satisfied(witness)
    assert c.r1cs.first_unsatisfied_reference(witness) is not None
    return failing_scopes(c, witness)


def forged_root(leaf: int, path: Sequence[int], bits: Sequence[int]) -> int:
    """The root the circuit's swap computes for ANY field values of the bits (even 2)."""
    node = leaf
    for sibling, bit in zip(path, bits, strict=True):
        swap = bit * (sibling - node) % R
        node = merkle_hash2((node + swap) % R, (sibling - swap) % R)
    return node


# ---------------------------------------------------------------- valid witnesses


def test_layout_and_public_order() -> None:
    c = compiled()
    assert [s.name for s in c.inputs if s.kind == "public"] == PUBLIC
    assert [s.wires for s in c.inputs if s.kind == "public"] == [(i,) for i in range(1, 8)]
    assert (c.r1cs.n_pub_in, c.r1cs.n_prv_in, c.r1cs.n_pub_out) == (7, 4 + 2 * DEPTH, 0)


def test_valid_ticket_passes() -> None:
    values = inputs()
    witness = compiled().solve(values)
    assert compiled().public_signals(witness) == [values[k] for k in PUBLIC]


def test_every_leaf_of_the_tree_passes() -> None:
    """Other tickets in the same tree (different index, direction bits) pass too."""
    for index in (0, 1, 15):
        ticket = dataclasses.replace(TICKET, ticket_salt=900 + index)
        leaves = [ticket_leaf(holder_commitment(100 + i), i, 4242, 1, 0, 2**40) for i in range(16)]
        leaves[index] = ticket.leaf()
        t = MerkleTree(DEPTH, leaves)
        path, bits = t.proof(index)
        values = ticket_inputs(ticket, path, bits)
        assert values["root"] == t.root
        compiled().solve(values)


def test_window_boundaries_are_accepted() -> None:
    compiled().solve(inputs(now=TICKET.not_before))
    compiled().solve(inputs(now=TICKET.not_after))
    edge = dataclasses.replace(TICKET, not_before=0, not_after=2**64 - 1, now=2**64 - 1)
    t = MerkleTree(DEPTH, [edge.leaf()])
    values = ticket_inputs(edge, *t.proof(0))
    compiled().solve(values)
    compiled().solve({**values, "now": 0})


def test_depth_20_solves_and_counts() -> None:
    """One solve at the default depth, and the per-part constraint counts."""
    c = TicketCircuit().compile()
    t = MerkleTree(20, [1, 2, TICKET.leaf()])
    values = ticket_inputs(TICKET, *t.proof(2))
    assert values["root"] == t.root
    c.solve(values)
    per_part: dict[str, int] = {}
    for origin in c.origins:
        part = origin.scope.split("/")[1]
        per_part[part] = per_part.get(part, 0) + 1
    p1, p2, p3, p6 = (poseidon_constraint_count(n) for n in (1, 2, 3, 6))
    assert per_part == {
        "leaf": p1 + p6,  # 213 + 354
        "membership": 20 * (2 + p2) + 1,  # 4841: bool + swap + Poseidon(2) per level, root ==
        "nullifier": p3 + 1,  # 262
        "window": 5 * 64,  # 320: three 64-bit range checks, two 64-bit differences
        "token_binding": 1,
    }
    assert c.n_constraints == 5991


def test_zkcore_info_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "circuits.ticket:TicketCircuit", "--param", "depth=4", "--json"]) == 0
    import json

    info = json.loads(capsys.readouterr().out)
    assert info["constraints"] == compiled().n_constraints
    assert (info["public_inputs"], info["private_inputs"], info["outputs"]) == (7, 12, 0)


def test_native_helpers() -> None:
    assert holder_commitment(5) == poseidon([5])
    assert nullifier(1, 2, 3) == poseidon([1, 2, 3])
    assert ticket_leaf(1, 2, 3, 4, 5, 6) == poseidon([1, 2, 3, 4, 5, 6])
    assert TICKET.leaf() == ticket_leaf(
        poseidon([TICKET.holder_secret]),
        TICKET.ticket_salt,
        TICKET.event_id,
        TICKET.tier,
        TICKET.not_before,
        TICKET.not_after,
    )
    t = MerkleTree(2, [1, 2, 3])
    assert t.root == merkle_hash2(merkle_hash2(1, 2), merkle_hash2(3, 0))
    assert t.proof(2) == ([0, merkle_hash2(1, 2)], [0, 1])
    with pytest.raises(errors.ArgumentError):
        t.proof(3)
    with pytest.raises(errors.ArgumentError):
        MerkleTree(1, [1, 2, 3])
    with pytest.raises(errors.ArgumentError):
        ticket_inputs(dataclasses.replace(TICKET, now=2**64), *t.proof(0))
    with pytest.raises(errors.ArgumentError):
        TicketCircuit(0)


# ---------------------------------------------------------------- forgeries


def test_non_boolean_direction_bit() -> None:
    """bits[0] = 2 (and other non-bits) with the root the circuit then computes made public:
    only the booleanity constraint stands in the way, and it fails."""
    values = inputs()
    for bad in (2, R - 1, 12345):
        bits = list(values["bits"])
        bits[0] = bad
        root = forged_root(TICKET.leaf(), values["path"], bits)
        scopes = rejected({**values, "bits": bits, "root": root})
        assert scopes == ["TicketCircuit/membership/merkle_root"]
        assert_rejected_only_by(
            compiled(),
            attack(compiled(), {**values, "bits": bits, "root": root}, {}),
            "membership/merkle_root",
        )


def test_flipped_direction_bit_is_rejected() -> None:
    """Our node claimed to be the other child (siblings in swapped order) at each level."""
    values = inputs()
    for level in range(DEPTH):
        bits = list(values["bits"])
        bits[level] ^= 1
        assert rejected({**values, "bits": bits}) == ["TicketCircuit/membership"]


def test_swapped_siblings_are_rejected() -> None:
    values = inputs()
    path = list(values["path"])
    path[0], path[1] = path[1], path[0]
    assert rejected({**values, "path": path}) == ["TicketCircuit/membership"]


def test_path_for_another_leaf_is_rejected() -> None:
    """Our ticket with the path and bits of leaf 0 (or only its path) does not reach the root."""
    other_path, other_bits = tree().proof(0)
    assert rejected(inputs(path=other_path, bits=other_bits)) == ["TicketCircuit/membership"]
    assert rejected(inputs(path=other_path)) == ["TicketCircuit/membership"]


@pytest.mark.parametrize("now", [TICKET.not_before - 1, TICKET.not_after + 1])
def test_now_one_second_outside_the_window(now: int) -> None:
    """The honest hint fails one booleanity check; forged hints for the two difference checks
    (every high bit 0, every high bit 1, the low bits of the wrapped difference) fail too: a
    difference of -1 is r - 1, which no 64 boolean bits sum to."""
    assert rejected(inputs(now=now)) == ["TicketCircuit/window/fits_in_bits"]
    c = compiled()
    # The hinted bits of fits_in_bits: single-wire booleanity constraints, 63 per check; the
    # last two checks are the differences now - not_before and not_after - now.
    hinted = [
        a[0][0]
        for (a, _, _), o in zip(c.r1cs.constraints, c.origins, strict=True)
        if o.scope.endswith("window/fits_in_bits") and len(a) == 1
    ]
    assert len(hinted) == 5 * 63
    differences = hinted[3 * 63 :]
    for forged in (0, 2**64 - 1, (R - 1) >> 1, 2**63):
        overrides = {w: (forged >> (i % 63)) & 1 for i, w in enumerate(differences)}
        scopes = rejected(inputs(now=now), overrides)
        assert scopes and all(s == "TicketCircuit/window/fits_in_bits" for s in scopes)


def test_field_wrap_around_is_rejected() -> None:
    """not_after = r - 1 (a 'negative' time in the leaf) with a huge now: the comparisons alone
    would accept (shown below with the range checks removed); the 64-bit checks reject it."""
    wrap = dataclasses.replace(TICKET, not_before=R - 20, not_after=R - 1, now=0)
    leaves = [wrap.leaf()]
    t = MerkleTree(DEPTH, leaves)
    path, bits = t.proof(0)
    values = {
        **ticket_inputs(dataclasses.replace(wrap, not_before=0, not_after=0), path, bits),
        "root": t.root,
        "not_before": R - 20,
        "not_after": R - 1,
        "now": R - 6,
    }
    scopes = rejected(values)
    assert scopes and all(s == "TicketCircuit/window/fits_in_bits" for s in scopes)
    # an honest ticket with an out-of-range `now` (past 2^64, or "negative"): rejected too
    for huge in (2**64, R - 6, 2**200, R - 1):
        scopes = rejected(inputs(now=huge))
        assert scopes and all(s.startswith("TicketCircuit/window") for s in scopes)


def test_wrap_attack_is_real_without_range_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard on the test above: with the range checks removed, the same witness is accepted."""
    strong = compiled()  # compiled (and cached) before the patch
    checked = ticket_module.fits_in_bits

    def differences_only(api: Any, x: Any, n: int) -> None:
        if len(api.lc(x).terms) > 1:  # keep now - not_before, not_after - now; drop the rest
            checked(api, x, n)

    monkeypatch.setattr(ticket_module, "fits_in_bits", differences_only)
    weak = TicketCircuit(DEPTH).compile()
    wrap = dataclasses.replace(TICKET, not_before=R - 20, not_after=R - 1)
    t = MerkleTree(DEPTH, [wrap.leaf()])
    path, bits = t.proof(0)
    values = {
        **ticket_inputs(dataclasses.replace(wrap, not_before=0, not_after=0), path, bits),
        "root": t.root,
        "not_before": R - 20,
        "not_after": R - 1,
        "now": R - 6,
    }
    weak.solve(values)  # accepted: "now" = r - 6 passes both comparisons
    assert not strong.r1cs.is_satisfied(attack(strong, values, {}))


def test_wrong_nullifier_is_rejected() -> None:
    good = inputs()["nullifier"]
    for wrong in (good + 1, 0, nullifier(TICKET.holder_secret, TICKET.ticket_salt + 1, 4242)):
        assert rejected(inputs(nullifier=wrong % R)) == ["TicketCircuit/nullifier"]


def test_wrong_holder_secret_is_rejected() -> None:
    """Another secret (with its own, consistent nullifier) does not open the ticket's leaf."""
    thief = dataclasses.replace(TICKET, holder_secret=TICKET.holder_secret + 1)
    assert rejected(inputs(thief)) == ["TicketCircuit/membership"]
    # the honest leaf's nullifier with the thief's secret: both checks object
    scopes = rejected(inputs(holder_secret=thief.holder_secret))
    assert sorted(scopes) == ["TicketCircuit/membership", "TicketCircuit/nullifier"]


def test_different_scope() -> None:
    """The scope-A nullifier under scope B fails; scope B's own nullifier is a new, valid entry."""
    assert rejected(inputs(scope=9999)) == ["TicketCircuit/nullifier"]
    other = dataclasses.replace(TICKET, scope=9999)
    values = inputs(other)
    assert values["nullifier"] != inputs()["nullifier"]
    compiled().solve(values)


@pytest.mark.parametrize("field", ["tier", "event_id"])
def test_different_tier_or_event_than_the_leaf(field: str) -> None:
    """Claiming a tier or event the leaf does not hold breaks membership."""
    value = getattr(TICKET, field) + 1
    assert rejected(inputs(**{field: value})) == ["TicketCircuit/membership"]
    # ... and so does a whole ticket issued with that tier/event but not in the tree
    assert rejected(inputs(dataclasses.replace(TICKET, **{field: value}))) == [
        "TicketCircuit/membership"
    ]


def test_forged_window_in_the_private_inputs_is_rejected() -> None:
    """A prover who widens its own window (not_after later) no longer opens its leaf."""
    later = TICKET.not_after + 10_000
    assert rejected(inputs(not_after=later, now=later)) == ["TicketCircuit/membership"]


def test_token_binding_is_in_a_constraint() -> None:
    c = compiled()
    wire = c.inputs[[s.name for s in c.inputs].index("token_binding")].wires[0]
    (a, b, out), origin = next(
        (k, o)
        for k, o in zip(c.r1cs.constraints, c.origins, strict=True)
        if o.scope.endswith("token_binding")
    )
    assert a == b == ((wire, 1),)
    square = out[0][0]
    values = inputs()
    honest = c.solve(values)
    assert honest[square] == values["token_binding"] ** 2 % R
    forged = attack(c, values, {square: honest[square] + 1})
    assert_rejected_only_by(c, forged, "token_binding")


# ---------------------------------------------------------------- fits_in_bits


class Fits8(Circuit):
    x = Private()

    def define(self, api: API) -> None:
        fits_in_bits(api, self.x, 8)


def test_fits_in_bits_accepts_exactly_the_n_bit_integers() -> None:
    """n constraints; every x < 2^8 solves; 2^8, r - 1 and r - 2^8 fail for EVERY choice of the
    7 hinted bits (exhaustive: the constraints, not the solver, reject them)."""
    c = Fits8().compile()
    assert c.n_constraints == 8
    for x in range(256):
        c.solve({"x": x})
    hinted = [a[0][0] for a, _, _ in c.r1cs.constraints if len(a) == 1]
    assert len(hinted) == 7
    for x in (256, 257, R - 1, R - 256, 2**200):
        for forged in range(128):
            w = attack(c, {"x": x}, {wire: (forged >> i) & 1 for i, wire in enumerate(hinted)})
            assert not c.r1cs.is_satisfied(w)


def test_fits_in_bits_rejects_a_non_boolean_hint() -> None:
    """A 'bit' of 2 that would make the sum right is caught by its booleanity constraint."""
    c = Fits8().compile()
    hinted = [a[0][0] for a, _, _ in c.r1cs.constraints if len(a) == 1]
    # x = 256 = 2 * 2^7: the top hinted bit set to 2, the rest 0, bit 0 = 0
    w = attack(c, {"x": 256}, {wire: 2 if i == 6 else 0 for i, wire in enumerate(hinted)})
    assert_rejected_only_by(c, w, "fits_in_bits")


# ---------------------------------------------------------------- the same statement in circom


def test_same_statement_in_circom(tmp_path: Path) -> None:
    """tests/circuits/data/ticket.circom (circomlib's Poseidon, Num2Bits, LessEqThan) at depth
    2 under circom2 --O2: 2 constraints fewer than ours (circom substitutes the two linear
    equalities root === node and nullifier === hash away), the same 242 per Merkle level; and
    circom's witness calculator accepts our input dict (same hashes, same tree) and rejects a
    wrong nullifier."""
    shutil.copytree(NODE_MODULES / "circomlib" / "circuits", tmp_path / "circomlib" / "circuits")
    shutil.copy(DATA / "ticket.circom", tmp_path)
    public = ", ".join(PUBLIC)
    (tmp_path / "main.circom").write_text(
        'pragma circom 2.0.0;\ninclude "ticket.circom";\n'
        f"component main {{public [{public}]}} = Ticket(2);\n"
    )
    done = run_tool("circom2", "main.circom", "--r1cs", "--wasm", "--O2", "-l", ".", "-o", ".",
                    cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    theirs = r1cs_format.read(tmp_path / "main.r1cs")
    ours = TicketCircuit(2).compile()
    assert theirs.n_constraints == 1633 == ours.n_constraints - 2
    assert (theirs.n_pub_in, theirs.n_prv_in) == (ours.r1cs.n_pub_in, ours.r1cs.n_prv_in)

    def terms(r: Any) -> int:
        return sum(len(a) + len(b) + len(c) for a, b, c in r.constraints)

    assert terms(ours.r1cs) <= terms(theirs)  # 20,144 against 22,970: no denser than circom

    t = MerkleTree(2, [1, TICKET.leaf(), 3])
    values = ticket_inputs(TICKET, *t.proof(1))
    witness = ours.solve(values)

    def calculate(vals: dict) -> subprocess.CompletedProcess[str]:
        as_json = {
            k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in vals.items()
        }
        (tmp_path / "input.json").write_text(json.dumps(as_json))
        return run_tool("snarkjs", "wtns", "calculate", "main_js/main.wasm", "input.json",
                        "main.wtns", cwd=tmp_path)  # fmt: skip

    done = calculate(values)
    assert done.returncode == 0, done.stdout + done.stderr
    circom_witness = wtns_format.read(tmp_path / "main.wtns")
    assert theirs.is_satisfied(circom_witness)
    assert theirs.public_signals(circom_witness) == ours.public_signals(witness)
    (tmp_path / "main.wtns").unlink()
    good_nullifier = values["nullifier"]
    assert isinstance(good_nullifier, int)
    bad = calculate({**values, "nullifier": (good_nullifier + 1) % R})
    assert bad.returncode != 0 and "Error in template Ticket" in bad.stderr

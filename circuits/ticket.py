"""The ticketing circuit (DESIGN.md, circuits/): a ticket holder proves entry without revealing
which ticket is theirs.

    private: holder_secret, ticket_salt, not_before, not_after, path[depth], bits[depth]
    public:  root, event_id, scope, nullifier, now, tier, token_binding

    holder    = Poseidon(holder_secret)
    leaf      = Poseidon(holder, ticket_salt, event_id, tier, not_before, not_after)
    MerkleRoot(leaf, path, bits) == root
    nullifier == Poseidon(holder_secret, ticket_salt, scope)
    not_before <= now <= not_after          (64-bit range-checked comparisons)
    token_binding * token_binding is constrained, so the proof is bound to its token

The Merkle tree is the event's tree of ticket leaves, hashed with Poseidon(2) (`hash2`); its
conventions (path[i] the sibling at level i, bits[i] = 1 when the node is the right child) are
circuits.gadgets.merkle's. Times are integers (Unix seconds) below 2^64: not_before, not_after
and now are each range-checked to 64 bits, because a comparator only orders integers, and a
prover who picks a "time" of r - 1 would otherwise wrap around the field.

Native helpers build the witness inputs from ticket fields (`holder_commitment`,
`ticket_leaf`, `nullifier`, `ticket_inputs`), and `MerkleTree` is a small in-memory tree for
tests and examples (the service keeps its own persistent tree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from circuits.dsl import API, Circuit, Private, Public
from circuits.gadgets.bits import fits_in_bits
from circuits.gadgets.merkle import compute_root, merkle_root
from circuits.gadgets.poseidon import hash2, poseidon
from zkcore import errors
from zkcore.field import Fr
from zkcore.poseidon import poseidon as native_poseidon

DEFAULT_DEPTH = 20
TIME_BITS = 64  # times are Unix seconds; 64 bits is far beyond any real date
MAX_DEPTH = 64


class TicketCircuit(Circuit):
    """Membership of a live ticket in the event's tree, its nullifier for `scope`, and a
    validity window containing `now`, bound to one token."""

    # public, in this order (wires 1..7 of the witness, snarkjs's public.json order)
    root = Public()
    event_id = Public()
    scope = Public()
    nullifier = Public()
    now = Public()
    tier = Public()
    token_binding = Public()
    # private
    holder_secret = Private()
    ticket_salt = Private()
    not_before = Private()
    not_after = Private()
    path = Private(shape="depth")
    bits = Private(shape="depth")

    def __init__(self, depth: int = DEFAULT_DEPTH) -> None:
        if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_DEPTH:
            raise errors.ArgumentError(f"depth must be an int in [1, {MAX_DEPTH}], got {depth!r}")
        self.depth = depth

    def define(self, api: API) -> None:
        """Build the statement's constraints (see the module docstring)."""
        with api.scope("leaf"):
            holder = poseidon(api, [self.holder_secret])
            leaf = poseidon(
                api,
                [
                    holder,
                    self.ticket_salt,
                    self.event_id,
                    self.tier,
                    self.not_before,
                    self.not_after,
                ],
            )
        with api.scope("membership"):
            api.assert_equal(merkle_root(api, leaf, self.path, self.bits, hash2), self.root)
        with api.scope("nullifier"):
            computed = poseidon(api, [self.holder_secret, self.ticket_salt, self.scope])
            api.assert_equal(computed, self.nullifier)
        with api.scope("window"):
            # Each time below 2^64 first, so the differences below are differences of integers:
            # with a, b < 2^64 < r / 2, b - a mod r lies in [0, 2^64) exactly when a <= b
            # (when a > b it is r - (a - b) > r - 2^64 > 2^64). That is circomlib's
            # LessEqThan(64) with its output asserted 1, as circom --O2 reduces it.
            for t in (self.not_before, self.now, self.not_after):
                fits_in_bits(api, t, TIME_BITS)
            fits_in_bits(api, self.now - self.not_before, TIME_BITS)  # not_before <= now
            fits_in_bits(api, self.not_after - self.now, TIME_BITS)  # now <= not_after
        with api.scope("token_binding"):
            # circomlib's dummy square: a public input in no constraint could be swapped
            # without invalidating the proof; this one puts it in the QAP.
            api.mul(self.token_binding, self.token_binding)


# ---------------------------------------------------------------- native witness helpers


def holder_commitment(holder_secret: int) -> int:
    """Poseidon(holder_secret): the holder's public commitment stored in the ticket leaf."""
    return native_poseidon([holder_secret])


def ticket_leaf(
    holder: int, ticket_salt: int, event_id: int, tier: int, not_before: int, not_after: int
) -> int:
    """The tree leaf of a ticket: Poseidon(holder, ticket_salt, event_id, tier, nb, na)."""
    return native_poseidon([holder, ticket_salt, event_id, tier, not_before, not_after])


def nullifier(holder_secret: int, ticket_salt: int, scope: int) -> int:
    """Poseidon(holder_secret, ticket_salt, scope): one per ticket and entry scope."""
    return native_poseidon([holder_secret, ticket_salt, scope])


def merkle_hash2(left: int, right: int) -> int:
    """Poseidon(left, right): the native twin of the circuit's Merkle hash."""
    return native_poseidon([left, right])


@dataclass(frozen=True)
class TicketWitnessInputs:
    """Everything the prover needs besides the tree: ticket fields, secret and context."""

    holder_secret: int
    ticket_salt: int
    event_id: int
    tier: int
    not_before: int
    not_after: int
    scope: int
    now: int
    token_binding: int

    def leaf(self) -> int:
        """This ticket's tree leaf."""
        return ticket_leaf(
            holder_commitment(self.holder_secret),
            self.ticket_salt,
            self.event_id,
            self.tier,
            self.not_before,
            self.not_after,
        )

    def inputs(self, path: Sequence[int], bits: Sequence[int]) -> dict[str, int | list[int]]:
        """The circuit's full input dict for this ticket at the leaf reached by path/bits."""
        _check_times(self.not_before, self.not_after, self.now)
        root = compute_root(self.leaf(), path, bits, merkle_hash2)
        return {
            "root": root,
            "event_id": self.event_id,
            "scope": self.scope,
            "nullifier": nullifier(self.holder_secret, self.ticket_salt, self.scope),
            "now": self.now,
            "tier": self.tier,
            "token_binding": self.token_binding,
            "holder_secret": self.holder_secret,
            "ticket_salt": self.ticket_salt,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "path": list(path),
            "bits": list(bits),
        }


def _check_times(*times: int) -> None:
    for t in times:
        if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < 1 << TIME_BITS:
            raise errors.ArgumentError(f"times are ints in [0, 2^{TIME_BITS}), got {t!r}")


def ticket_inputs(
    ticket: TicketWitnessInputs, path: Sequence[int], bits: Sequence[int]
) -> dict[str, int | list[int]]:
    """The circuit's input dict (the root computed from the ticket's leaf and its path)."""
    return ticket.inputs(path, bits)


class MerkleTree:
    """A small in-memory Poseidon(2) Merkle tree of fixed depth (tests, examples).

    Empty slots hold 0. Not the service's tree: every level is a Python list.
    """

    def __init__(self, depth: int, leaves: Sequence[int] = ()) -> None:
        if not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
            raise errors.ArgumentError(f"depth must be an int in [1, {MAX_DEPTH}]")
        if len(leaves) > 1 << depth:
            raise errors.ArgumentError(f"{len(leaves)} leaves do not fit a depth-{depth} tree")
        self.depth = depth
        # The zero subtree of each height, so a sparse tree hashes only its filled part.
        self._zero = [0]
        for _ in range(depth):
            self._zero.append(merkle_hash2(self._zero[-1], self._zero[-1]))
        self._levels: list[list[int]] = [[Fr.canonical(v) for v in leaves]]
        for level in range(depth):
            row = self._levels[-1]
            if len(row) % 2:
                row = [*row, self._zero[level]]
            self._levels.append([merkle_hash2(row[i], row[i + 1]) for i in range(0, len(row), 2)])

    @property
    def root(self) -> int:
        """The root (the zero tree's root when empty)."""
        top = self._levels[-1]
        return top[0] if top else self._zero[self.depth]

    def _node(self, level: int, index: int) -> int:
        row = self._levels[level]
        return row[index] if index < len(row) else self._zero[level]

    def proof(self, index: int) -> tuple[list[int], list[int]]:
        """(path, bits) of the leaf at `index`, in merkle_root's conventions."""
        if not 0 <= index < len(self._levels[0]):
            raise errors.ArgumentError(f"no leaf at index {index}")
        path = [self._node(level, (index >> level) ^ 1) for level in range(self.depth)]
        bits = [(index >> level) & 1 for level in range(self.depth)]
        return path, bits


# A valid ticket for examples, demos and benchmarks: a 24-hour window with `now` inside it.
EXAMPLE_TICKET = TicketWitnessInputs(
    holder_secret=0x5EC12E7, ticket_salt=0xA11CE, event_id=4242, tier=2,
    not_before=1_760_000_000, not_after=1_760_086_400, scope=4242, now=1_760_050_000,
    token_binding=77,
)  # fmt: skip


def example_inputs(
    depth: int = DEFAULT_DEPTH, ticket: TicketWitnessInputs = EXAMPLE_TICKET
) -> dict[str, int | list[int]]:
    """Valid circuit inputs: `ticket` as leaf 2 of a small tree of the given depth."""
    tree = MerkleTree(depth, [11, 22, ticket.leaf(), 44])
    return ticket_inputs(ticket, *tree.proof(2))


__all__ = [
    "DEFAULT_DEPTH",
    "EXAMPLE_TICKET",
    "example_inputs",
    "TIME_BITS",
    "MerkleTree",
    "TicketCircuit",
    "TicketWitnessInputs",
    "fits_in_bits",
    "holder_commitment",
    "merkle_hash2",
    "nullifier",
    "ticket_inputs",
    "ticket_leaf",
]

"""Groth16 setup / prove / verify: round trips, the QAP against a Python oracle, and the
negative twins (tampered proofs, wrong inputs, malformed points) the verifier must reject."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from tests.zkcore.groth16.helpers import cube, keys, product, ticket
from zkcore import errors, ntt
from zkcore.curve import G1, G2, P
from zkcore.field import Fr
from zkcore.groth16 import (
    Proof,
    prepare_verifying_key,
    prove,
    public_signals,
    qap,
    setup,
    setup_insecure_deterministic,
    verify,
    verify_batch,
)
from zkcore.groth16.setup import lagrange_at

R = Fr.modulus


def cube_witness(x: int = 3) -> list[int]:
    c, _, _ = cube()
    return c.solve({"out": x**3 + x + 5, "x": x})


# ---------------------------------------------------------------- QAP


def test_domain_size_counts_input_rows() -> None:
    c, pk, _ = cube()
    rows = c.r1cs.n_constraints + c.r1cs.n_public + 1
    assert pk.domain_size >= rows > pk.domain_size // 2
    assert qap.domain_size(c.r1cs) == pk.domain_size


def test_coefficients_in_snarkjs_order() -> None:
    c, pk, _ = product()
    co = pk.coeffs
    expected = []
    for i, (a, b, _) in enumerate(c.r1cs.constraints):
        expected += [(0, i, s, v) for s, v in a] + [(1, i, s, v) for s, v in b]
    m = c.r1cs.n_constraints
    expected += [(0, m + s, s, 1) for s in range(c.r1cs.n_public + 1)]
    got = list(
        zip(
            co.matrix.tolist(),
            co.constraint.tolist(),
            co.signal.tolist(),
            co.value.to_ints(),
            strict=True,
        )
    )
    assert got == expected


def test_lagrange_matches_python_formula() -> None:
    n, tau = 8, 123456789
    pts = ntt.domain(3).elements()
    got = lagrange_at(pts, n, tau).to_ints()
    xs = pts.to_ints()
    for j, xj in enumerate(xs):
        num = den = 1
        for k, xk in enumerate(xs):
            if k != j:
                num = num * (tau - xk) % R
                den = den * (xj - xk) % R
        assert got[j] == num * pow(den, -1, R) % R
    assert sum(got) % R == 1


def test_polynomials_at_match_dense_oracle() -> None:
    c, _, _ = product()
    r1 = c.r1cs
    lag = Fr.array([Fr.random_int() for _ in range(qap.domain_size(r1))])
    a, b, cc = (v.to_ints() for v in qap.polynomials_at(r1, lag))
    lv = lag.to_ints()
    ea, eb, ec = [0] * r1.n_wires, [0] * r1.n_wires, [0] * r1.n_wires
    for i, (ra, rb, rc) in enumerate(r1.constraints):
        for out, row in ((ea, ra), (eb, rb), (ec, rc)):
            for s, v in row:
                out[s] = (out[s] + v * lv[i]) % R
    for s in range(r1.n_public + 1):
        ea[s] = (ea[s] + lv[r1.n_constraints + s]) % R
    assert (a, b, cc) == (ea, eb, ec)


def test_qap_evaluation_satisfied_on_domain() -> None:
    c, pk, _ = ticket()[:3]
    w = Fr.array(ticket()[3])
    aw, bw, cw = qap.evaluate_ab(qap.prover_matrices(pk), w)
    r1_a, r1_b, r1_c = c.r1cs.evaluate(w)
    m = c.r1cs.n_constraints
    assert aw[:m].equals(r1_a) and bw[:m].equals(r1_b) and cw[:m].equals(r1_c)  # type: ignore[union-attr]
    assert aw[m : m + pk.n_public + 1].equals(w[: pk.n_public + 1])  # type: ignore[union-attr]


# ---------------------------------------------------------------- round trips


def test_cube_round_trip_and_wrong_statement() -> None:
    _, pk, vk = cube()
    w = cube_witness()
    proof = prove(pk, w)
    assert public_signals(pk, w) == [35]
    assert verify(vk, [35], proof)
    assert not verify(vk, [36], proof)
    other = prove(pk, cube_witness(4))
    assert verify(vk, [4**3 + 4 + 5], other)
    assert not verify(vk, [35], other)  # a proof for another statement


def test_ticket_round_trip_and_negatives() -> None:
    _, pk, vk, w = ticket()
    pub = public_signals(pk, w)
    proof = prove(pk, w)
    assert verify(vk, pub, proof)
    pvk = prepare_verifying_key(vk)
    assert verify(pvk, pub, proof)
    swapped = [pub[1], pub[0], *pub[2:]]
    assert not verify(pvk, swapped, proof)
    # tampered points (still valid group elements)
    bumped_a = dataclasses.replace(proof, a=G1.add(proof.a, G1.generator))
    bumped_b = dataclasses.replace(proof, b=G2.add(proof.b, G2.generator))
    bumped_c = dataclasses.replace(proof, c=G1.add(proof.c, G1.generator))
    swapped_ac = Proof(proof.c, proof.b, proof.a)
    for bad in (bumped_a, bumped_b, bumped_c, swapped_ac):
        assert not verify(pvk, pub, bad)
    # a key from another setup rejects the proof
    _, vk2 = keys(ticket()[0].r1cs, seed=2)
    assert not verify(vk2, pub, proof)


def test_proofs_are_randomised() -> None:
    _, pk, vk = cube()
    w = cube_witness()
    p1, p2 = prove(pk, w), prove(pk, w)
    assert p1 != p2
    assert verify(vk, [35], p1) and verify(vk, [35], p2)


def test_py_ecc_pairing_oracle_accepts_our_proof() -> None:
    from py_ecc import bn128 as b

    _, pk, vk = cube()
    proof = prove(pk, cube_witness())

    def g1(p):  # type: ignore[no-untyped-def]
        return (b.FQ(p[0]), b.FQ(p[1]))

    def g2(q):  # type: ignore[no-untyped-def]
        return (b.FQ2(list(q[0])), b.FQ2(list(q[1])))

    vk_x = G1.add(vk.ic[0], G1.mul(vk.ic[1], 35))
    lhs = b.pairing(g2(proof.b), g1(proof.a))
    rhs = (
        b.pairing(g2(vk.beta_g2), g1(vk.alpha_g1))
        * b.pairing(g2(vk.gamma_g2), g1(vk_x))
        * b.pairing(g2(vk.delta_g2), g1(proof.c))
    )
    assert lhs == rhs


def test_secure_setup_round_trip() -> None:
    c, _, _ = cube()
    pk, vk = setup(c.r1cs)
    assert verify(vk, [35], prove(pk, cube_witness()))
    assert not verify(cube()[2], [35], prove(pk, cube_witness()))  # keys differ per setup


def test_deterministic_setup_warns_and_repeats() -> None:
    c, _, _ = cube()
    with pytest.warns(UserWarning, match="INSECURE|toxic"):
        pk1, vk1 = setup_insecure_deterministic(c.r1cs, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pk2, vk2 = setup_insecure_deterministic(c.r1cs, 7)
    assert vk1 == vk2 and pk1.h_query.equals(pk2.h_query)


# ---------------------------------------------------------------- malformed input


def test_wrong_count_and_non_canonical_inputs_raise() -> None:
    _, pk, vk = cube()
    proof = prove(pk, cube_witness())
    with pytest.raises(errors.ArgumentError):
        verify(vk, [], proof)
    with pytest.raises(errors.ArgumentError):
        verify(vk, [35, 0], proof)
    with pytest.raises(errors.NonCanonicalError):
        verify(vk, [35 + R], proof)  # would verify if reduced: must be rejected
    with pytest.raises(errors.NonCanonicalError):
        verify(vk, [-1], proof)
    with pytest.raises(errors.ArgumentError):
        verify(vk, ["35"], proof)  # type: ignore[list-item]
    with pytest.raises(errors.ArgumentError):
        verify(vk, [True], proof)  # type: ignore[list-item]
    with pytest.raises(errors.ArgumentError):
        verify(vk, [35], (proof.a, proof.b, proof.c))  # type: ignore[arg-type]


def _off_subgroup_g2() -> tuple[tuple[int, int], tuple[int, int]]:
    """A point on the twist but outside the order-r subgroup (cofactor != 1 on G2)."""
    from zkcore.encoding import fp2_sqrt

    p = P
    b2 = (
        19485874751759354771024239261021720505790618469301721065564631296452457478373,
        266929791119991161246907387137283842545076965332900288569378510910307636690,
    )
    for x0 in range(1, 100):
        x = (x0, 1)
        # x^3 + b2 over Fp2 (u^2 = -1)
        x2 = ((x[0] * x[0] - x[1] * x[1]) % p, 2 * x[0] * x[1] % p)
        x3 = ((x2[0] * x[0] - x2[1] * x[1]) % p, (x2[0] * x[1] + x2[1] * x[0]) % p)
        rhs = ((x3[0] + b2[0]) % p, (x3[1] + b2[1]) % p)
        y = fp2_sqrt(rhs)
        if y is not None:
            pt = (x, tuple(y))
            if G2.is_on_curve(pt) and not G2.is_in_subgroup(pt):  # type: ignore[arg-type]
                return pt  # type: ignore[return-value]
    raise AssertionError("no off-subgroup point found")


def test_off_curve_and_off_subgroup_points_raise() -> None:
    _, pk, vk = cube()
    proof = prove(pk, cube_witness())
    assert proof.a is not None
    off_curve = (proof.a[0], (proof.a[1] + 1) % P)
    with pytest.raises(errors.NotOnCurveError):
        verify(vk, [35], dataclasses.replace(proof, a=off_curve))
    with pytest.raises(errors.NotOnCurveError):
        verify(vk, [35], dataclasses.replace(proof, c=off_curve))
    with pytest.raises(errors.NotInSubgroupError):
        verify(vk, [35], dataclasses.replace(proof, b=_off_subgroup_g2()))
    with pytest.raises(errors.NonCanonicalError):
        verify(vk, [35], dataclasses.replace(proof, a=(proof.a[0] + P, proof.a[1])))
    with pytest.raises(errors.NotOnCurveError):
        prepare_verifying_key(dataclasses.replace(vk, alpha_g1=off_curve))


def test_prove_rejects_bad_witness_shape() -> None:
    _, pk, _ = cube()
    w = cube_witness()
    with pytest.raises(errors.ArgumentError):
        prove(pk, w[:-1])
    with pytest.raises(errors.ArgumentError):
        prove(pk, [2, *w[1:]])
    with pytest.raises(errors.NonCanonicalError):
        prove(pk, [1, w[1] + R, *w[2:]])


def test_unsatisfying_witness_gives_a_rejected_proof() -> None:
    _, pk, vk = cube()
    w = cube_witness()
    bad = list(w)
    bad[-1] = (bad[-1] + 1) % R
    assert not verify(vk, public_signals(pk, bad), prove(pk, bad))


# ---------------------------------------------------------------- batches


def test_verify_batch_accepts_valid_and_rejects_one_bad() -> None:
    _, pk, vk = cube()
    items = []
    for x in range(2, 6):
        items.append(([x**3 + x + 5], prove(pk, cube_witness(x))))
    assert verify_batch(vk, items)
    assert verify_batch(prepare_verifying_key(vk), items[:1])
    bad = list(items)
    bad[2] = ([items[2][0][0] + 1], items[2][1])
    assert not verify_batch(vk, bad)
    swapped = list(items)
    swapped[0], swapped[1] = (items[0][0], items[1][1]), (items[1][0], items[0][1])
    assert not verify_batch(vk, swapped)
    with pytest.raises(errors.ArgumentError):
        verify_batch(vk, [])
    with pytest.raises(errors.NonCanonicalError):
        verify_batch(vk, [([35 + R], items[0][1])])


def test_verify_batch_ticket() -> None:
    _, pk, vk, w = ticket()
    pub = public_signals(pk, w)
    proofs = [prove(pk, w) for _ in range(3)]
    assert verify_batch(vk, [(pub, p) for p in proofs])
    tampered = dataclasses.replace(proofs[1], c=G1.add(proofs[1].c, G1.generator))
    assert not verify_batch(vk, [(pub, proofs[0]), (pub, tampered), (pub, proofs[2])])


def _cube_items(xs: range) -> list[tuple[list[int], Proof]]:
    _, pk, _ = cube()
    return [([x**3 + x + 5], prove(pk, cube_witness(x))) for x in xs]


@pytest.mark.parametrize("k", [2, 3, 4])
def test_verify_batch_small_k_rejects_any_forged_member(k: int) -> None:
    _, _, vk = cube()
    pvk = prepare_verifying_key(vk)
    items = _cube_items(range(2, 2 + k))
    assert verify_batch(pvk, items, threads=1)
    for j in range(k):
        # a proof valid for other inputs (its neighbour's statement)
        other = list(items)
        other[j] = (items[(j + 1) % k][0], items[j][1])
        assert not verify_batch(pvk, other, threads=1)
        # a tampered but well-formed point
        tampered = list(items)
        tampered[j] = (items[j][0], dataclasses.replace(items[j][1], a=G1.double(items[j][1].a)))
        assert not verify_batch(pvk, tampered, threads=1)
        # the same proof twice under different inputs cannot both hold
        assert not verify_batch(pvk, [items[j], (items[(j + 1) % k][0], items[j][1])], threads=1)


def test_verify_batch_of_one_equals_verify() -> None:
    _, _, vk = cube()
    pvk = prepare_verifying_key(vk)
    (inputs, proof), (other_inputs, _) = _cube_items(range(3, 5))
    for item in (
        (inputs, proof),
        (other_inputs, proof),
        (inputs, dataclasses.replace(proof, c=G1.add(proof.c, G1.generator))),
        (inputs, dataclasses.replace(proof, b=None)),
    ):
        assert verify_batch(pvk, [item], threads=1) == verify(pvk, *item)
    off_curve = dataclasses.replace(proof, a=(proof.a[0], (proof.a[1] + 1) % P))
    for fn in (
        lambda: verify(pvk, inputs, off_curve),
        lambda: verify_batch(pvk, [(inputs, off_curve)]),
    ):
        with pytest.raises(errors.NotOnCurveError):
            fn()


def test_checked_items_give_verify_and_verify_batch_answers() -> None:
    from zkcore.groth16.verify import check_item, verify_batch_checked, verify_checked

    _, _, vk = cube()
    pvk = prepare_verifying_key(vk)
    items = _cube_items(range(2, 5))
    checked = [check_item(pvk, *it) for it in items]
    assert all(verify_checked(pvk, c) for c in checked)
    assert verify_batch_checked(pvk, checked, threads=1)
    forged = check_item(pvk, items[1][0], items[0][1])
    assert not verify_checked(pvk, forged)
    assert not verify_batch_checked(pvk, [checked[0], forged, checked[2]], threads=1)
    with pytest.raises(errors.ArgumentError):
        verify_batch_checked(pvk, [])
    with pytest.raises(errors.NonCanonicalError):
        check_item(pvk, [R], items[0][1])


def test_verify_batch_malformed_member_raises() -> None:
    _, _, vk = cube()
    items = _cube_items(range(2, 5))
    bad_b = dataclasses.replace(items[1][1], b=(items[1][1].b[0], items[1][1].b[0]))
    with pytest.raises(errors.ZKCoreError):
        verify_batch(vk, [items[0], (items[1][0], bad_b), items[2]], threads=1)
    with pytest.raises(errors.ArgumentError):
        verify_batch(vk, [items[0], (items[1][0], "not a proof")], threads=1)  # type: ignore[list-item]


def test_points_at_infinity_are_well_formed_but_rejected() -> None:
    _, pk, vk = cube()
    proof = prove(pk, cube_witness())
    for bad in (
        dataclasses.replace(proof, a=None),
        dataclasses.replace(proof, b=None),
        dataclasses.replace(proof, c=None),
        Proof(None, None, None),
    ):
        assert not verify(vk, [35], bad)
        assert not verify_batch(vk, [([35], proof), ([35], bad)])


def test_no_public_inputs_and_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    from circuits.dsl import API, Circuit, Private

    class Square(Circuit):
        x = Private()
        y = Private()

        def define(self, api: API) -> None:
            api.assert_equal(api.mul(self.x, self.x), self.y)

    c = Square().compile()
    pk, vk = setup(c.r1cs, progress=True)
    assert "setup G1" in capsys.readouterr().err
    assert vk.n_public == 0 and len(vk.ic) == 1
    w = c.solve({"x": 5, "y": 25})
    assert verify(vk, [], prove(pk, w))
    bad = list(w)
    bad[2] = 26
    assert not verify(vk, [], prove(pk, bad))
    with pytest.raises(errors.ArgumentError):
        verify(vk, [1], prove(pk, w))


def test_toxic_waste_is_not_printable_or_picklable() -> None:
    import pickle

    from zkcore.groth16.setup import ToxicWaste

    t = ToxicWaste(1, 2, 3, 4, 5)
    assert "1" not in repr(t)
    with pytest.raises(TypeError):
        pickle.dumps(t)


def test_vk_x_from_the_fixed_base_table_equals_the_msm() -> None:
    """The prepared key's 8-bit table gives IC_0 + sum x_i IC_i for random and edge inputs."""
    from zkcore.groth16.keys import VerifyingKey
    from zkcore.groth16.verify import _vk_x, prepare_verifying_key

    g, q = G1.generator, G2.generator
    ic = [G1.mul(g, k) for k in (3, 5, 7, 11, 13)]
    vk = VerifyingKey(alpha_g1=g, beta_g2=q, gamma_g2=q, delta_g2=q, ic=ic)
    pvk = prepare_verifying_key(vk)
    r = Fr.modulus
    cases = [
        [0, 0, 0, 0],
        [1, 15, 16, 17],
        [255, 256, 257, 2**248 - 1],
        [r - 1, r - 2, 2**252, 2**253 + 1],
        [Fr.random_int() for _ in range(4)],
        [0, r - 1, 0, 1],
    ]
    for inputs in cases:
        assert _vk_x(pvk, inputs) == G1.msm(G1.array(ic), [1, *inputs]), inputs


def test_vk_x_term_cache_gives_the_msm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Recurring inputs come from cached terms (made on a value's second sighting); the sum is
    the MSM's whether the cache is cold, warm or just emptied at its bounds, and an infinite
    IC point (an input the circuit ignores) is handled."""
    import importlib
    import random

    import numpy as np

    from zkcore.groth16.keys import VerifyingKey
    from zkcore.groth16.verify import _vk_x, _vk_x_words, prepare_verifying_key

    # the module, not the package's `verify` function of the same name
    verify_module = importlib.import_module("zkcore.groth16.verify")
    monkeypatch.setattr(verify_module, "TERM_CACHE_SIZE", 3)
    monkeypatch.setattr(verify_module, "SEEN_SIZE", 7)
    g, q = G1.generator, G2.generator
    ic = [G1.mul(g, 3), G1.mul(g, 5), None, G1.mul(g, 11)]
    vk = VerifyingKey(alpha_g1=g, beta_g2=q, gamma_g2=q, delta_g2=q, ic=ic)
    pvk = prepare_verifying_key(vk)
    rng = random.Random(5)
    fixed = [rng.randrange(R), rng.randrange(R)]
    cached_max = 0
    for step in range(12):
        inputs = [fixed[0], rng.randrange(R), fixed[step % 2] if step % 3 else 0]
        expected = G1.msm(G1.array(ic), [1, *inputs])
        assert _vk_x(pvk, inputs) == expected, (step, inputs)
        words = _vk_x_words(pvk, inputs)
        assert np.array_equal(words, G1.array([expected]).aff)
        assert len(pvk.terms.terms) <= 3 and len(pvk.terms.seen) <= 7
        cached_max = max(cached_max, len(pvk.terms.terms))
    assert cached_max == 3  # terms were cached, up to the bound

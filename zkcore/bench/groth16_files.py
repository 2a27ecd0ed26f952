"""`zkcore bench prove --zkey FILE --wtns FILE`: Groth16 prove of any circuit's files
(circom's and snarkjs's included), with the key loaded once."""

from __future__ import annotations

from zkcore import errors
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms


@benchmark("prove", "Groth16 prove of any .zkey + .wtns (--zkey FILE --wtns FILE), key loaded")
def prove_files(opts: BenchOptions) -> BenchResult:
    from zkcore.field import Fr
    from zkcore.formats import wtns, zkey
    from zkcore.groth16 import prove_timed, public_signals, verify

    if "zkey" not in opts.extra or "wtns" not in opts.extra:
        raise errors.ArgumentError("the prove benchmark needs --zkey FILE and --wtns FILE")
    pk = zkey.read_zkey(opts.extra["zkey"])
    witness = Fr.array(wtns.read(opts.extra["wtns"]))
    if len(witness) != pk.n_vars:
        raise errors.ArgumentError(f"witness has {len(witness)} wires, the key {pk.n_vars}")
    proof, _ = prove_timed(pk, witness, opts.threads)
    if not verify(pk.vk, public_signals(pk, witness), proof):
        raise errors.ArgumentError("the witness does not satisfy the key's circuit")
    runs: list[dict[str, float]] = []
    total = median_ms(lambda: runs.append(prove_timed(pk, witness, opts.threads)[1]), opts.repeat)
    parts = {k: round(sorted(r[k] for r in runs)[len(runs) // 2], 2) for k in runs[0]}
    return BenchResult(
        "prove",
        pk.domain_size,
        total,
        None,
        details={"n_vars": pk.n_vars, "domain_size": pk.domain_size, **parts},
    )

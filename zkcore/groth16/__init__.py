"""Groth16 over BN254 (Groth, "On the Size of Pairing-based Non-interactive Arguments", 2016),
laid out as snarkjs lays it out so that its .zkey files prove here and ours prove there.

Modules: `keys` (data structures), `qap` (R1CS -> QAP in snarkjs's convention), `setup`,
`prove`, `verify`.
"""

from zkcore.groth16.keys import Proof, ProvingKey, QAPCoefficients, VerifyingKey
from zkcore.groth16.prove import prove, prove_timed, public_signals
from zkcore.groth16.setup import setup, setup_insecure_deterministic
from zkcore.groth16.verify import (
    PreparedVerifyingKey,
    prepare_verifying_key,
    verify,
    verify_batch,
)

__all__ = [
    "PreparedVerifyingKey",
    "Proof",
    "ProvingKey",
    "QAPCoefficients",
    "VerifyingKey",
    "prepare_verifying_key",
    "prove",
    "prove_timed",
    "public_signals",
    "setup",
    "setup_insecure_deterministic",
    "verify",
    "verify_batch",
]

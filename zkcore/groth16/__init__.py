"""Groth16 over BN254 (Groth, "On the Size of Pairing-based Non-interactive Arguments", 2016),
laid out as snarkjs lays it out so that its .zkey files prove here and ours prove there.

Modules: `keys` (data structures), `qap` (R1CS -> QAP in snarkjs's convention), `setup`,
`prove`, `verify`.
"""

"""The Groth16 commands of `zkcore`, argument orders as the ecosystem's tools have them:

  zkcore witness CIRCUIT INPUT.json WITNESS.wtns       (a Python circuit; circom's input.json)
  zkcore setup CIRCUIT -o KEY.zkey [--vk VK.json]
  zkcore prove KEY.zkey WITNESS.wtns PROOF.json PUBLIC.json     (rapidsnark's order)
  zkcore verify VK.json PUBLIC.json PROOF.json                  (snarkjs's order)
  zkcore export vk KEY.zkey VK.json

Exit codes: 0 success (verify: the proof is valid), 1 verify: the proof is invalid,
2 bad input (unreadable or malformed files, bad arguments), with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zkcore import errors


class _BadInput(Exception):
    """A file that cannot be read or written; reported as exit code 2."""


def _guard(command: str, body: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Run body; turn every expected failure into one stderr line and exit code 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            return body(args)
        except (errors.ZKCoreError, _BadInput) as exc:
            print(f"zkcore {command}: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"zkcore {command}: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
            return 2

    return run


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise _BadInput(f"{path} is not valid JSON: {exc}") from None


def _input_value(value: Any, name: str) -> Any:
    """circom's input.json values: ints, decimal strings, or (nested) lists of them."""
    if isinstance(value, list):
        return [_input_value(v, name) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise errors.ArgumentError(f"input {name!r}: expected an int or a decimal string")
    try:
        return int(value, 0) if isinstance(value, str) else value
    except ValueError:
        raise errors.ArgumentError(f"input {name!r}: {value!r} is not a number") from None


def cmd_witness(args: argparse.Namespace) -> int:
    from zkcore.cli import load_python_circuit
    from zkcore.formats import wtns

    name, compiled = load_python_circuit(args.circuit, args.param)
    raw = _read_json(args.input)
    if not isinstance(raw, dict):
        raise _BadInput(f"{args.input} must hold a JSON object of input signals")
    witness = compiled.solve({k: _input_value(v, k) for k, v in raw.items()})
    wtns.write(args.witness, witness)
    print(f"{name}: {len(witness)} wires, every constraint satisfied -> {args.witness}")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    from zkcore.cli import load_circuit
    from zkcore.formats import snarkjs_json, zkey
    from zkcore.groth16 import setup

    name, r1cs, _ = load_circuit(args.circuit, args.param)
    pk, vk = setup(r1cs, progress=True)
    zkey.write_zkey(pk, args.output)
    if args.vk:
        snarkjs_json.write_vk(args.vk, vk)
    print(f"{name}: {r1cs.n_constraints} constraints, domain {pk.domain_size} -> {args.output}")
    return 0


def cmd_prove(args: argparse.Namespace) -> int:
    from zkcore.formats import snarkjs_json, wtns, zkey
    from zkcore.groth16 import prove, public_signals

    pk = zkey.read_zkey(args.key)
    witness = wtns.read(args.witness)
    if len(witness) != pk.n_vars:
        raise errors.ArgumentError(
            f"the witness has {len(witness)} wires but the key's circuit has {pk.n_vars}"
        )
    proof = prove(pk, witness)
    snarkjs_json.write_proof(args.proof, proof)
    snarkjs_json.write_public(args.public, public_signals(pk, witness))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from zkcore.formats import snarkjs_json
    from zkcore.groth16 import verify

    vk = snarkjs_json.read_vk(args.vk)
    public = snarkjs_json.read_public(args.public)
    proof = snarkjs_json.read_proof(args.proof)
    if verify(vk, public, proof):
        print("OK: the proof is valid")
        return 0
    print("zkcore verify: INVALID proof", file=sys.stderr)
    return 1


def cmd_export_vk(args: argparse.Namespace) -> int:
    from zkcore.formats import snarkjs_json, zkey

    snarkjs_json.write_vk(args.vk, zkey.read_zkey(args.key).vk)
    return 0


def _param_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="constructor parameter of a Python circuit (ints parsed)",
    )


def register(sub: Any, circuit_help: str) -> None:
    """Add the Groth16 subcommands to zkcore's argument parser."""
    wit = sub.add_parser("witness", help="solve a Python circuit's witness into a .wtns file")
    wit.add_argument("circuit", help="a Python circuit as module:Class")
    wit.add_argument("input", help="input signals as JSON (circom's input.json)")
    wit.add_argument("witness", help="the .wtns file to write")
    _param_option(wit)
    wit.set_defaults(func=_guard("witness", cmd_witness))

    setup = sub.add_parser("setup", help="Groth16 setup: a .zkey (and the vk) for a circuit")
    setup.add_argument("circuit", help=circuit_help)
    setup.add_argument("-o", "--output", required=True, help="the .zkey to write")
    setup.add_argument("--vk", help="also write the verification key (snarkjs JSON)")
    _param_option(setup)
    setup.set_defaults(func=_guard("setup", cmd_setup))

    prove = sub.add_parser("prove", help="prove: KEY.zkey WITNESS.wtns PROOF.json PUBLIC.json")
    for name in ("key", "witness", "proof", "public"):
        prove.add_argument(name)
    prove.set_defaults(func=_guard("prove", cmd_prove))

    verify = sub.add_parser("verify", help="verify: VK.json PUBLIC.json PROOF.json")
    for name in ("vk", "public", "proof"):
        verify.add_argument(name)
    verify.set_defaults(func=_guard("verify", cmd_verify))

    export = sub.add_parser("export", help="export a key's parts")
    what = export.add_subparsers(dest="what", required=True)
    vk = what.add_parser("vk", help="the verification key of a .zkey as snarkjs JSON")
    vk.add_argument("key")
    vk.add_argument("vk")
    vk.set_defaults(func=_guard("export vk", cmd_export_vk))

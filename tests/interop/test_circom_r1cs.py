"""Our .r1cs/.wtns against snarkjs and circom2 (the ecosystem's real tools).

circom2 (the npm WASI build) opens only paths relative to its working directory, so each
circuit is compiled inside tmp_path with the circomlib files it includes copied beside it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from circuits.dsl import API, LC, Circuit, Output, Public
from circuits.gadgets import comparators, mux
from circuits.gadgets.bits import num2bits
from tests.circuits.sample_circuits import Member, Window
from tests.node_tools import NODE_MODULES, run_tool
from zkcore.formats import r1cs as r1cs_format
from zkcore.formats import wtns as wtns_format

CIRCOMLIB = NODE_MODULES / "circomlib" / "circuits"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def snarkjs(*args: str, cwd: Path) -> tuple[int, str]:
    done = run_tool("snarkjs", *args, cwd=cwd)
    return done.returncode, ANSI.sub("", done.stdout + done.stderr)


def snarkjs_info(path: Path) -> dict[str, int]:
    """`snarkjs r1cs info` parsed into counts."""
    rc, text = snarkjs("r1cs", "info", path.name, cwd=path.parent)
    assert rc == 0, text
    fields = {
        "Wires": "wires",
        "Constraints": "constraints",
        "Private Inputs": "private",
        "Public Inputs": "public",
        "Labels": "labels",
        "Outputs": "outputs",
    }
    info = {}
    for label, key in fields.items():
        match = re.search(rf"# of {label}: (\d+)", text)
        assert match, text
        info[key] = int(match.group(1))
    return info


def counts(r1cs) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "wires": r1cs.n_wires,
        "constraints": r1cs.n_constraints,
        "private": r1cs.n_prv_in,
        "public": r1cs.n_pub_in,
        "labels": r1cs.n_labels,
        "outputs": r1cs.n_pub_out,
    }


def circom(tmp_path: Path, source: str, includes: list[str], *flags: str) -> Path:
    """Compile `source` with circom2 in tmp_path; return the .r1cs path."""
    for name in includes:
        shutil.copy(CIRCOMLIB / f"{name}.circom", tmp_path)
    (tmp_path / "main.circom").write_text(source)
    done = run_tool("circom2", "main.circom", "--r1cs", *flags, "-o", ".", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path / "main.r1cs"


# ---- ours -> snarkjs


@pytest.mark.parametrize("circuit", [Window(bits=16), Member(depth=3)])
def test_our_r1cs_passes_snarkjs_info(circuit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r1cs = circuit.compile().r1cs
    path = tmp_path / "ours.r1cs"
    r1cs_format.write(path, r1cs)
    assert snarkjs_info(path) == counts(r1cs)


def test_our_witness_passes_snarkjs_wtns_check(tmp_path: Path) -> None:
    compiled = Window(bits=16).compile()
    r1cs_format.write(tmp_path / "w.r1cs", compiled.r1cs)
    witness = compiled.solve({"now": 100, "not_before": 50, "not_after": 100})
    wtns_format.write(tmp_path / "good.wtns", witness)
    rc, text = snarkjs("wtns", "check", "w.r1cs", "good.wtns", cwd=tmp_path)
    assert rc == 0 and "WITNESS IS CORRECT" in text, text
    # a forged witness: snarkjs and we stop at the same constraint
    bad = compiled.witness(
        {"now": 100, "not_before": 50, "not_after": 100}, {compiled.inputs[1].wires[0] + 2: 2}
    )
    wtns_format.write(tmp_path / "bad.wtns", bad)
    rc, text = snarkjs("wtns", "check", "w.r1cs", "bad.wtns", cwd=tmp_path)
    assert rc != 0 and "WITNESS IS NOT CORRECT" in text
    assert f"at constraint {compiled.r1cs.first_unsatisfied(bad)}" in text


# ---- circom2 -> ours

LESS_THAN = """pragma circom 2.0.0;
include "comparators.circom";
template Main() {
    signal input a;
    signal input b;
    signal output out;
    component lt = LessThan(16);
    lt.in[0] <== a;
    lt.in[1] <== b;
    component z = IsZero();
    z.in <== a - b;
    out <== lt.out + 2 * z.out;
}
component main {public [a]} = Main();
"""


def test_circom_files_load_and_satisfy(tmp_path: Path) -> None:
    path = circom(tmp_path, LESS_THAN, COMPARATOR_FILES, "--wasm")
    data = path.read_bytes()
    r1cs = r1cs_format.loads(data)
    assert counts(r1cs) == snarkjs_info(path)
    assert r1cs_format.dumps(r1cs) == data  # byte for byte as circom wrote it

    (tmp_path / "input.json").write_text('{"a": 660, "b": 661}')
    rc, text = snarkjs(
        "wtns", "calculate", "main_js/main.wasm", "input.json", "main.wtns", cwd=tmp_path
    )
    assert rc == 0, text
    wtns_bytes = (tmp_path / "main.wtns").read_bytes()
    witness = wtns_format.loads(wtns_bytes)
    assert wtns_format.dumps(witness) == wtns_bytes
    assert len(witness) == r1cs.n_wires
    assert witness[1] == 1  # out = (660 < 661) + 2 * (660 == 661)
    assert r1cs.is_satisfied(witness)
    assert r1cs.first_unsatisfied_reference(witness) is None

    tampered = list(witness)
    tampered[1] = 3
    assert not r1cs.is_satisfied(tampered)
    assert r1cs.first_unsatisfied(tampered) == r1cs.first_unsatisfied_reference(tampered)


# ---- constraint counts against circomlib (circom2 --O2, every input public)


class One(Circuit):
    x = Public()
    out = Output()

    def __init__(self, build) -> None:  # type: ignore[no-untyped-def]
        self.build = build

    def define(self, api: API) -> None:
        api.set_output(self.out, self.build(api, self.x))


class Two(Circuit):
    a = Public()
    b = Public()
    out = Output()

    def __init__(self, build) -> None:  # type: ignore[no-untyped-def]
        self.build = build

    def define(self, api: API) -> None:
        api.set_output(self.out, self.build(api, self.a, self.b))


def _num2bits8(api: API, x: LC) -> LC:
    num2bits(api, x, 8)
    return x


# (circom main, included file, public signals, our circuit, constraints our wrapper adds:
# the output's equality, which circom's main template gets for free from `<==`)
GADGETS = [
    ("Num2Bits(8)", "bitify", "in", One(_num2bits8), 1),
    (
        "LessThan(8)",
        "comparators",
        "in",
        Two(lambda api, a, b: comparators.less_than(api, a, b, 8)),
        1,
    ),
    (
        "LessEqThan(8)",
        "comparators",
        "in",
        Two(lambda api, a, b: comparators.less_eq_than(api, a, b, 8)),
        1,
    ),
    ("IsZero()", "comparators", "in", One(comparators.is_zero), 1),
    ("IsEqual()", "comparators", "in", Two(comparators.is_equal), 1),
    ("Mux1()", "mux1", "c, s", Two(lambda api, c0, s: mux.mux1(api, c0, 5, s)), 1),
]
COMPARATOR_FILES = ["comparators", "bitify", "compconstant", "aliascheck", "binsum"]


@pytest.mark.parametrize("template,include,public,ours,extra", GADGETS, ids=[g[0] for g in GADGETS])
def test_gadget_counts_equal_circomlibs(
    template: str, include: str, public: str, ours: Circuit, extra: int, tmp_path: Path
) -> None:
    source = (
        f'pragma circom 2.0.0;\ninclude "{include}.circom";\n'
        f"component main {{public [{public}]}} = {template};\n"
    )
    files = [include] if include == "mux1" else COMPARATOR_FILES
    theirs = r1cs_format.read(circom(tmp_path, source, files, "--O2"))
    assert ours.compile().n_constraints - extra == theirs.n_constraints

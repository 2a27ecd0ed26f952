"""Running the ecosystem's real tools (snarkjs, circom2, circomlibjs) from tests.

`scripts/test.sh` installs them into tests/interop/node_modules from the lock file. In CI a
missing tool fails the test; locally it skips (see conftest.require_peer).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import require_peer

INTEROP_DIR = Path(__file__).resolve().parent / "interop"
NODE_MODULES = INTEROP_DIR / "node_modules"


def node_available() -> bool:
    return shutil.which("node") is not None and NODE_MODULES.is_dir()


def require_node() -> None:
    """Skip (or fail in CI) unless node and the interop packages are installed."""
    require_peer(node_available(), "node with tests/interop/node_modules (npm ci)")


def run_node_script(source: str, payload: Any = None, timeout: float = 300) -> Any:
    """Run JavaScript with the interop packages resolvable; JSON in on stdin, JSON out.

    The script reads its input from `INPUT` (parsed JSON) and must print one JSON value.
    """
    require_node()
    wrapper = (
        "const INPUT = JSON.parse(require('fs').readFileSync(0, 'utf8') || 'null');\n" + source
    )
    proc = subprocess.run(
        ["node", "-e", wrapper],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=INTEROP_DIR,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"node failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_tool(
    tool: str, *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run an installed npm binary (snarkjs, circom2) and return the finished process."""
    require_node()
    binary = NODE_MODULES / ".bin" / tool
    require_peer(binary.exists(), f"npm tool {tool}")
    return subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        cwd=cwd or INTEROP_DIR,
        timeout=timeout,
        check=False,
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def snarkjs_run(cwd: Path, *args: str) -> tuple[int, str]:
    """Run snarkjs; its exit code and its output without colour codes."""
    done = run_tool("snarkjs", *args, cwd=cwd)
    return done.returncode, _ANSI.sub("", done.stdout + done.stderr)


def snarkjs_ok(cwd: Path, *args: str) -> str:
    """Run snarkjs, assert it succeeded, and return its output without colour codes."""
    code, text = snarkjs_run(cwd, *args)
    assert code == 0, text
    return text

"""cffi build script for the BN254 core: one header (bn254.h) is the whole C API.

Portable by default (-O3, no -march). Set TICKETKING_NATIVE_ARCH=native (or any -march
value) before `pip install` for a machine-specific build, e.g. to let gcc use MULX/ADX.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
HEADER = HERE / "bn254.h"


def _cdef_text(header: str) -> str:
    """The header without preprocessor lines, which cffi's cdef does not parse."""
    return "\n".join(line for line in header.splitlines() if not line.lstrip().startswith("#"))


def _compile_args() -> list[str]:
    args = ["-O3", "-std=gnu11", "-pthread", "-fno-math-errno", "-Wall", "-Wextra"]
    arch = os.environ.get("TICKETKING_NATIVE_ARCH", "").strip()
    if arch:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", arch):
            raise ValueError(f"TICKETKING_NATIVE_ARCH={arch!r} is not a -march value")
        args.append(f"-march={arch}")
    return args


ffibuilder = FFI()
ffibuilder.cdef(_cdef_text(HEADER.read_text()))
ffibuilder.set_source(
    "zkcore._bn254",
    '#include "bn254.h"',
    sources=[str(p.relative_to(HERE.parent)) for p in sorted(HERE.glob("*.c"))],
    include_dirs=[str(HERE.relative_to(HERE.parent))],
    extra_compile_args=_compile_args(),
    extra_link_args=["-pthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)

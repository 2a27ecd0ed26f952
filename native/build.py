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


def _compile_args(arch: str) -> list[str]:
    args = ["-O3", "-std=gnu11", "-pthread", "-fno-math-errno", "-Wall", "-Wextra"]
    if arch:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", arch):
            raise ValueError(f"TICKETKING_NATIVE_ARCH={arch!r} is not a -march value")
        args.append(f"-march={arch}")
    return args


def _path(p: Path, absolute: bool) -> str:
    """Relative to the working directory when inside it (setuptools prefers that)."""
    if absolute:
        return str(p)
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


def make_builder(
    module_name: str = "zkcore._bn254", arch: str | None = None, absolute: bool = False
) -> FFI:
    """An FFI builder for the core; `arch` defaults to $TICKETKING_NATIVE_ARCH (portable).

    `absolute` gives sources as absolute paths, for builds that compile in another directory.
    """
    if arch is None:
        arch = os.environ.get("TICKETKING_NATIVE_ARCH", "").strip()
    builder = FFI()
    builder.cdef(_cdef_text(HEADER.read_text()))
    builder.set_source(
        module_name,
        '#include "bn254.h"',
        sources=[_path(p, absolute) for p in sorted(HERE.glob("*.c"))],
        include_dirs=[_path(HERE, absolute)],
        extra_compile_args=_compile_args(arch),
        extra_link_args=["-pthread"],
    )
    return builder


ffibuilder = make_builder()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)

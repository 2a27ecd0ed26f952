"""cffi build script for the BN254 core: one header (bn254.h) is the whole C API.

Two variants of the same sources are built:
  * zkcore._bn254      portable x86-64 (or any arch) C, -O3;
  * zkcore._bn254_adx  the same with -mbmi2 -madx, so field multiplication uses the
                       MULX/ADCX/ADOX assembly of field_asm.h.
zkcore._native loads the ADX variant when the CPU has BMI2 and ADX (almost every x86-64
server since 2015) unless TICKETKING_NATIVE_VARIANT=portable. Set TICKETKING_NATIVE_ARCH=native
(or any -march value) before `pip install` for a machine-specific build of both.
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


def _compile_args(arch: str, adx: bool) -> list[str]:
    args = ["-O3", "-std=gnu11", "-pthread", "-fno-math-errno", "-Wall", "-Wextra"]
    if adx:
        args += ["-mbmi2", "-madx"]
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
    module_name: str = "zkcore._bn254",
    arch: str | None = None,
    absolute: bool = False,
    adx: bool = False,
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
        # the sources include these: without them setuptools skips a build after a header edit
        depends=[_path(p, absolute) for p in sorted(HERE.glob("*.h"))],
        include_dirs=[_path(HERE, absolute)],
        extra_compile_args=_compile_args(arch, adx),
        extra_link_args=["-pthread"],
    )
    return builder


ffibuilder = make_builder()
ffibuilder_adx = make_builder("zkcore._bn254_adx", adx=True)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
    ffibuilder_adx.compile(verbose=True)

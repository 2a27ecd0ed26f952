"""Write the bench's 2^16 MSM inputs as raw limbs for benchmarks/msm_driver.c.

Usage: PYTHONPATH=. python3 benchmarks/msm_inputs.py DIR
(writes DIR/g1_pts.bin, DIR/g1_sc.bin and the same for g2).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from zkcore.bench.curve import _random_points
from zkcore.curve import G1, G2
from zkcore.field import Fr


def main(out: Path, n: int = 1 << 16) -> None:
    """The same points and scalars as `zkcore bench g1_msm/g2_msm --log-n 16`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, group in (("g1", G1), ("g2", G2)):
        rng = np.random.default_rng(2026)
        points = _random_points(group, n, rng)
        scalars = Fr.random(n, rng).canonical_limbs()
        points.aff.astype(np.uint64).tofile(out / f"{name}_pts.bin")
        np.ascontiguousarray(scalars, dtype=np.uint64).tofile(out / f"{name}_sc.bin")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/msm_inputs"))

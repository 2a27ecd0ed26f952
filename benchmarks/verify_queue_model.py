"""What p99 a verify load should have, from its CPU per scan: a queueing model, not a measurement.

    python benchmarks/verify_queue_model.py [--cores 2] [--rate 400] [--p50 7] [--target 25]

Treats the machine as an M/M/c queue: c cores serve scans that each need S ms of CPU (server
and, when it shares the machine, the load client), arriving at `rate` per second. A scan's
wait exceeds t with probability C * exp(-(c/S - rate) t), C being Erlang's C formula, so the
wait's p99 is ln(100 C) / (c/S - rate); the model's p99 adds a typical scan's own time (the
measured p50). Then it prints the S at which that p99 meets --target, and the model against
the open-loop figures measured so far (docs/api.md, "Load"). Exponential service and arrivals
are cruder than our scans and the client's schedule: read the result as a budget, +-40 %.
"""

from __future__ import annotations

import argparse
import math

# (what, total CPU ms per scan = server + client, rate per s, measured p50 ms, measured p99 ms)
MEASURED = [
    ("stop 10, 250/s", 4.6 + 0.4, 250, 7.7, "30.5"),
    ("stop 10, 300/s", 4.6 + 0.4, 300, 12.3, "37.9"),
    ("stop 10, 350/s", 4.3 + 0.4, 350, 18.0, "135"),
    ("stop 12, 400/s (5 runs)", 3.3 + 0.5, 400, 7.6, "25-61"),  # p50s 6.8, 7.2, 7.6-13.3
    ("stop 14, 400/s (12 rounds)", 3.3 + 0.5, 400, 9.5, "25-104, median 44"),  # p50 median
    ("stop 16, 350/s (2 rounds)", 2.7 + 0.25, 350, 3.5, "8.5, 12.2"),  # p50 median
    ("stop 16, 400/s (8 rounds)", 2.9 + 0.3, 400, 5.6, "11-76, median 20"),
    ("stop 16, 450/s (2 rounds)", 2.9 + 0.3, 450, 7.3, "23.3, 60.9"),
]


def erlang_c(cores: int, offered: float) -> float:
    """Probability that an arrival waits in M/M/cores with `offered` erlangs (< cores)."""
    top = offered**cores / math.factorial(cores) * cores / (cores - offered)
    return top / (sum(offered**k / math.factorial(k) for k in range(cores)) + top)


def model_p99_ms(cpu_ms: float, cores: int, rate: float, p50_ms: float) -> float:
    """The model's p99 (ms); infinite at or past saturation."""
    spare = cores / (cpu_ms / 1e3) - rate  # scans per second the cores have left
    if spare <= 0:
        return math.inf
    waits = erlang_c(cores, rate * cpu_ms / 1e3)
    return p50_ms + max(0.0, math.log(100 * waits)) / spare * 1e3


def budget_ms(cores: int, rate: float, p50_ms: float, target_ms: float) -> float:
    """The largest CPU per scan (ms, to 0.01) whose model p99 meets the target."""
    cpu = cores / rate * 1e3  # saturation
    while cpu > 0 and model_p99_ms(cpu, cores, rate, p50_ms) > target_ms:
        cpu -= 0.01
    return round(cpu, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--rate", type=float, default=400)
    parser.add_argument("--p50", type=float, default=7.0, help="a typical scan's own time, ms")
    parser.add_argument("--target", type=float, default=25.0, help="p99 target, ms")
    args = parser.parse_args()
    print(f"{'total CPU per scan':>20}  model p99 at {args.rate:.0f}/s on {args.cores} cores")
    for cpu in (2.8, 3.0, 3.2, 3.4, 3.6, 3.8, 4.0):
        print(f"{cpu:>17.1f} ms  {model_p99_ms(cpu, args.cores, args.rate, args.p50):8.1f} ms")
    need = budget_ms(args.cores, args.rate, args.p50, args.target)
    print(f"p99 <= {args.target:g} ms needs <= {need:.2f} ms of CPU per scan (server + client)")
    print(f"\n{'measured (docs/api.md)':<28}{'CPU ms':>7}{'model p99':>11}  measured p99")
    for what, cpu, rate, p50, p99 in MEASURED:
        model = model_p99_ms(cpu, args.cores, rate, p50)
        print(f"{what:<28}{cpu:>7.1f}{model:>9.1f} ms  {p99} ms")


if __name__ == "__main__":
    main()

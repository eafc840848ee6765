"""Benchmark: wall-clock time of the whole ``signsgd-bft verify`` run (target: under two minutes on 2 cores).

    python benchmarks/bench_verify.py [--out benchmarks/results/verify.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

from bounds._io import atomic_write_text
from proofs_check.verify import run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/verify.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    records = run()
    seconds = time.perf_counter() - t0
    counts = {v: sum(r["verdict"] == v for r in records) for v in ("verified", "refuted", "inconclusive")}
    result = {"benchmark": "signsgd-bft verify, every claim", "seconds": seconds, "claims": len(records), **counts,
              "cpus": os.cpu_count(), "python": platform.python_version()}
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Benchmark figures (printed, not asserted): build time, warehouse size, one-gemeente fetch warm and cold.

Run with `python3 dev.py bench`. Targets (issue 2): build <= 20 s; all indicators of one gemeente on the newest
indeling <= 20 ms warm.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl.build import build
from etl.paths import ROOT
from portal import metrics
from portal.store import Warehouse

COLD = """
import sys, time
t0 = time.perf_counter()
from portal.store import Warehouse
from portal import metrics
wh = Warehouse(__import__('pathlib').Path(sys.argv[1]))
obs = wh.observations('GM0363', list(metrics.REGISTRY), 'nieuwste')
print(time.perf_counter() - t0, obs.height)
"""


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "warehouse.db"
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            build(target, log=lambda _: None)
            times.append(time.perf_counter() - t0)
        print(f"Volledige databouw uit de snapshots: mediaan {statistics.median(times):.2f} s (3 runs: "
              + ", ".join(f"{t:.2f}" for t in times) + ") — doel ≤ 20 s")
        print(f"Grootte warehouse: {target.stat().st_size / 1e6:.1f} MB")
        ids = list(metrics.REGISTRY)
        wh = Warehouse(target)
        wh.observations("GM0363", ids, "nieuwste")
        warm = []
        for code in ("GM0363", "GM0014", "GM1979", "GM0080", "GM0855") * 20:
            t0 = time.perf_counter()
            wh.observations(code, ids, "nieuwste")
            warm.append((time.perf_counter() - t0) * 1000)
        print(f"Alle {len(ids)} indicatoren van één gemeente, nieuwste indeling, warm: mediaan {statistics.median(warm):.2f} ms, "
              f"max {max(warm):.2f} ms over 5 gemeenten × 20 — doel ≤ 20 ms")
        cold = []
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", COLD, str(target)], cwd=ROOT, capture_output=True, text=True, check=True)
            cold.append(float(out.stdout.split()[0]) * 1000)
        print(f"Koud (nieuw proces: imports + openen + ophalen): mediaan {statistics.median(cold):.0f} ms")
        t0 = time.perf_counter()
        wh.observations("GM0363", ids, 2019)
        print(f"Zelfde gemeente op een gekozen oudere indeling (2019, ter plekke herrekend): {(time.perf_counter() - t0) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

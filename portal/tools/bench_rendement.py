"""`python3 dev.py bench rendement [N]`: the rendementmeters (portal.eigen.rendement) over about N (1 000 000) SRG
voorzieningen with a matching BUS spells set, simulated (portal.eigen.rendement_sim: 36 months, every type of the
regeling, selection on the matched observables). Issue 22 target: at most 5 s. Time and peak memory printed, not
asserted; the simulation itself is not timed."""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
import tracemalloc

from portal.nl import nl_number

# Monthly start probability of an average client per type (and the effect factor on the werk hazard): most of them 99,
# 03 and 06 (assumptions of the simulation); with these, 1,42 simulated persons per voorziening wanted.
TYPES = {"01": (0.0035, 1.5), "02": (0.001, 1.0), "03": (0.014, 0.8), "04": (0.01, 1.5), "05": (0.0035, 1.0),
         "06": (0.014, 1.3), "07": (0.002, 1.0), "08": (0.002, 1.0), "99": (0.02, 1.0)}
PERSONEN_PER_VOORZIENING = 1.42


def bench_rendement(n: int = 1_000_000) -> int:
    from portal.eigen import episodes, rendement, rendement_sim

    t0 = time.perf_counter()
    sim = rendement_sim.simuleer(int(n * PERSONEN_PER_VOORZIENING), TYPES, seed=7, van=dt.date(2022, 1, 1),
                                 peil=dt.date(2024, 12, 31), waarheid=False)
    spells = episodes.merge(sim.spells.sort("client", "begin"))
    print(f"Gesimuleerd in {nl_number(time.perf_counter() - t0, 1)} s: {nl_number(sim.voorzieningen.height)} voorzieningen, "
          f"{nl_number(spells.height)} uitkeringsperioden (episodes) in de maanden 01-2022 t/m 12-2024")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t, cpu = time.perf_counter(), time.process_time()
    r = rendement.rendementmeters(spells, sim.voorzieningen, sim.peil, sim.van)
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
    load = os.getloadavg()[0]
    tracemalloc.start()  # a second run for the peak of what numpy allocates (tracemalloc slows it: not timed)
    rendement.rendementmeters(spells, sim.voorzieningen, sim.peil, sim.van)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = r.tabel.filter((r.tabel["indeling"] == "totaal") & (r.tabel["h"] == 6))
    print(f"  rendementmeters (9 typen x 2 termijnen x 5 indelingen, {nl_number(r.tabel.height)} rijen): "
          f"{nl_number(took, 2)} s — doel ≤ 5 s (processortijd {nl_number(cpu, 2)} s; belasting van de machine: "
          f"{nl_number(load, 1)} op {os.cpu_count()} cores); "
          f"piekgeheugen van numpy-arrays {nl_number(peak / 2**20)} MB (tracemalloc), proces max. "
          f"{nl_number(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)} MB (was {nl_number(before)} MB vóór de meting)")
    print("  deelnemers vergeleken binnen 6 mnd per type: "
          + ", ".join(f"{t} {nl_number(v)}" for t, v in rows.select("type", "vergeleken").iter_rows()))
    return 0

"""`python3 dev.py bench bus [N]`: twelve monthly BUS files of an Amsterdam-sized gemeente (about N = 35 000 records a
month: the synthetic Amsterdam file with partners of paren, IOAW/IOAZ/Bbz) in one zip, uploaded as the page does:
zip checks, reading every file, recognising the kenmerken, checking every row, joining the months into spells and
pseudonymising the BSN. Issue 22 target: at most 10 s. Storing is timed separately. Printed, not asserted."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from portal.nl import nl_number

PEIL = dt.date(2024, 12, 31)


def bench_bus(per_month: int = 35_000) -> int:
    from portal.eigen import bus, bus_store, bus_synth, pseudo, synth
    from portal.eigen.store import Eigenbestand

    t0 = time.perf_counter()
    # about 1,13 records per uitkering (partners of paren, other regelingen): scale the stock to the records wanted
    spells = bus_synth.with_regelingen(synth.generate("GM0363", max(int(per_month / 1.13), 10), 1, PEIL))
    records = bus_synth.met_kenmerken(bus_synth.bus_records(spells, dt.date(2024, 1, 1), PEIL, "GM0363"))  # every kenmerk
    data = bus_synth.zipped(bus_synth.bus_files(records, "GM0363"))
    print(f"BUS: 12 maandbestanden (CSV in een zip), {nl_number(records.height)} records (gemiddeld {nl_number(records.height / 12)} per "
          f"maand), zip {nl_number(len(data) / 2**20, 1)} MB; gemaakt in {nl_number(time.perf_counter() - t0, 1)} s")
    with tempfile.TemporaryDirectory() as tmp:
        secret = pseudo.key(Path(tmp) / "eigen_sleutel")
        stages = {}
        t0 = time.perf_counter()
        b = bus.lees(data, "bus.zip")
        stages["zip controleren, inlezen en kenmerken herkennen"] = time.perf_counter() - t0
        t = time.perf_counter()
        got, problems = bus.lees_bus(b, "GM0363", secret)
        stages["controleren + perioden + pseudonimiseren"] = time.perf_counter() - t
        total = time.perf_counter() - t0
        if problems:
            print("  onverwachte problemen: " + "; ".join(problems.berichten()[:5]))
            return 1
        print("  " + ", ".join(f"{k} {nl_number(v, 2)} s" for k, v in stages.items()))
        print(f"  totaal upload van 12 x {nl_number(records.height / 12)} BUS-records: {nl_number(total, 2)} s — doel ≤ 10 s "
              f"({nl_number(got.spells.height)} uitkeringsperioden algemene bijstand, "
              + ", ".join(f"{k}: {nl_number(v)}" for k, v in sorted(got.per_regeling.items())) + ")")
        t = time.perf_counter()
        db = Eigenbestand(Path(tmp) / "eigenbestand.db")
        bus_store.save_bus(db, "GM0363", "bus.zip", got, "bench")
        print(f"  opslaan (één transactie, perioden en perioden per regeling) {nl_number(time.perf_counter() - t, 2)} s")
    return 0

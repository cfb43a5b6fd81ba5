"""`python3 dev.py bench prognose [N]`: the volume prognosis with its backtest (issue 22, part 3) on an Amsterdam-sized
synthetic file of N spells (default 5 000 000, the scale of `bench eigen`; ten years up to 31-12-2024), timed from the
episodes to the finished prognosis (one pass over the file, the model at three origins, the bootstrap interval, the
split by duurklasse); target ≤ 2 s. Then the backtest figures of that file and of the real national monthly series
(CBS 37789ksz, 1998–2018, from the warehouse; built into a temporary folder when data/warehouse.db is absent).
Figures are printed, not asserted."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

PEIL = dt.date(2024, 12, 31)


def _fouten(fouten) -> str:  # noqa: ANN001
    from portal.nl import nl_number

    out = []
    for f in fouten:
        parts = [f"{k} MAE {nl_number(f.mae[k])} / MAPE {nl_number(f.mape[k], 2)} %" for k in ("methode", "naief", "seizoen") if k in f.mae]
        out.append(f"    {f.horizon} maanden (gestart eind {f.origin:%m-%Y}): " + "; ".join(parts)
                   + ("" if f.beter else "  -> methode NIET beter"))
    return "\n".join(out)


def prognose(n: int) -> int:
    import polars as pl

    from portal import prognose as pg
    from portal.nl import nl_number
    from portal.eigen import episodes, synth
    from portal.eigen import prognose as ep

    t0 = time.perf_counter()
    frame = synth.generate("GM0363", max(n * 10 // 42, 10), 1, PEIL)  # as `bench eigen`: about n spells
    if frame.height > n:
        frame = frame.sample(n=n, seed=1)
    spells = episodes.merge(frame.select("client", "begin", "einde").sort("client", "begin"))
    del frame
    print(f"Synthetisch bestand: {nl_number(spells.height)} uitkeringsperioden ({nl_number(time.perf_counter() - t0, 1)} s)")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        pr = ep.prognose(spells, PEIL)
        ep.gesplitst(pr, None)
        times.append(time.perf_counter() - t0)
    print(f"Prognose met backtest en interval: {nl_number(min(times), 2)} s (beste van 3; {', '.join(nl_number(t, 2) for t in times)} s; "
          f"doel ≤ 2 s); bestand {nl_number(pr.nu)} eind {PEIL:%m-%Y}, prognose eind {pr.maanden[-1]:%m-%Y} "
          f"{nl_number(pr.waarde[-1])} ({nl_number(pr.onder[-1])}–{nl_number(pr.boven[-1])})")
    print("  Backtest op het synthetische bestand (uitkeringen):")
    print(_fouten(pr.fouten))

    from portal.paths import WAREHOUSE
    from portal.store import Warehouse

    with tempfile.TemporaryDirectory() as tmp:
        path = WAREHOUSE
        if not path.exists():
            from etl.build import build

            path = Path(tmp) / "warehouse.db"
            build(path, log=lambda _: None)
        obs = Warehouse(path).national(["bijstand_uitkeringen_tot_aow_nl"]).filter(pl.col("periode").str.len_chars() == 7)
    ms = [pg.periode_maand(p) for p in obs["periode"]]
    vals = obs["waarde"].to_list()
    t0 = time.perf_counter()
    full = pg.series_forecast(ms, vals)
    print(f"Landelijke maandreeks CBS 37789ksz ({ms[0]:%m-%Y} t/m {ms[-1]:%m-%Y}, uitkeringen tot AOW): prognose en backtest in "
          f"{nl_number((time.perf_counter() - t0) * 1000)} ms; trend {nl_number(full.trend_pct_jaar, 1)} % per jaar")
    print(_fouten(full.fouten))
    return 0

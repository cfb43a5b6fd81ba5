"""`python3 dev.py bench eigen-upload [N]`: upload, mapping, validation and pseudonymisation of N spell rows (default
1 000 000) from a CSV as a Dutch benefit system exports it (semicolons, Windows-1252, dd-mm-jjjj, decimal commas).
Issue 13 target: at most 15 s for 1 000 000 rows on this 2-core machine. Storing is timed separately (not in the
target). Figures are printed, not asserted. The file is synthetic and generated here with a fixed seed."""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from portal.nl import nl_number

PEIL = date(2024, 12, 31)


def sample_csv(n: int, seed: int = 13) -> bytes:
    """n spells of n // 2 clients, two non-overlapping spells each, all before the peildatum; some still running."""
    rng = np.random.default_rng(seed)
    half = n // 2 + 1
    b0 = rng.integers(0, 1500, half)
    e0 = b0 + rng.integers(30, 600, half)
    b1 = e0 + rng.integers(31, 1000, half)
    e1 = b1 + rng.integers(30, 500, half)
    running = rng.random(half) < 0.4
    client = np.arange(100_000_000, 100_000_000 + half)
    base = date(2015, 1, 1)
    f = pl.DataFrame({
        "Klantnummer": np.repeat(client, 2)[:n].astype(str),
        "b": np.stack([b0, b1], axis=1).ravel()[:n],
        "e": np.stack([e0, np.where(running, -1, e1)], axis=1).ravel()[:n],
        "Reden beëindiging": rng.choice(["Uitstroom naar werk", "Verhuizing", "Overlijden", "Andere inkomsten"], n),
        "Huishoudtype": rng.choice(["ALL", "EO", "GH"], n, p=[0.55, 0.2, 0.25]),
        "Geboortedatum": rng.integers(1960, 2005, n),
        "Geslacht": rng.choice(["M", "V"], n),
        "Trede": rng.choice(["Trede 1", "Trede 2", "Trede 3", "Trede 4", "Trede 5", "Trede 6"], n),
        "Bedrag": rng.integers(50_000, 180_000, n) / 100,
    })
    f = f.with_columns(
        Ingangsdatum=(pl.lit(base) + pl.duration(days=pl.col("b"))).dt.to_string("%d-%m-%Y"),
        Beëindigingsdatum=pl.when(pl.col("e") >= 0).then(
            (pl.lit(base) + pl.duration(days=pl.col("e"))).dt.to_string("%d-%m-%Y")),
        Geboortedatum=pl.format("{}-{}-{}", (pl.col("Geboortedatum") % 28 + 1).cast(pl.String).str.zfill(2), pl.lit("05"),
                                pl.col("Geboortedatum")),
        Bedrag=pl.col("Bedrag").cast(pl.String).str.replace(r"\.", ","),
    ).with_columns(pl.when(pl.col("Beëindigingsdatum").is_null()).then(None).otherwise(pl.col("Reden beëindiging"))
                   .alias("Reden beëindiging"))
    f = f.select("Klantnummer", "Ingangsdatum", "Beëindigingsdatum", "Reden beëindiging", "Huishoudtype",
                 "Geboortedatum", "Geslacht", "Trede", "Bedrag")
    return f.write_csv(separator=";", include_header=True).encode("cp1252")


def eigen_upload(n: int = 1_000_000) -> int:
    from portal.eigen import mapping, pseudo
    from portal.eigen.store import Eigenbestand
    from portal.eigen.upload import read_file

    data = sample_csv(n)
    print(f"Eigen bestand: CSV van {nl_number(n)} perioden, {nl_number(len(data) / 2**20, 1)} MB (puntkomma, Windows-1252, "
          "dd-mm-jjjj)")
    with tempfile.TemporaryDirectory() as tmp:
        secret = pseudo.key(Path(tmp) / "eigen_sleutel")
        stages = {}
        t0 = time.perf_counter()
        raw = read_file(data, "bench.csv")
        stages["inlezen"] = time.perf_counter() - t0
        t = time.perf_counter()
        m = mapping.suggest(raw)
        stages["koppeling voorstellen"] = time.perf_counter() - t
        t = time.perf_counter()
        spells, problems = mapping.apply(raw, m, "GM0363", PEIL, secret)
        stages["controleren + pseudonimiseren + perioden"] = time.perf_counter() - t
        total = time.perf_counter() - t0
        if problems:
            print("  onverwachte problemen: " + "; ".join(problems.berichten()[:5]))
            return 1
        print("  " + ", ".join(f"{k} {nl_number(v, 2)} s" for k, v in stages.items()))
        print(f"  totaal upload + koppeling + controle + pseudonimisering: {nl_number(total, 2)} s — doel ≤ 15 s "
              f"({nl_number(spells.height)} perioden)")
        t = time.perf_counter()
        store = Eigenbestand(Path(tmp) / "eigenbestand.db")
        uid = store.save("GM0363", "bench.csv", spells, PEIL, "bench")
        saved = time.perf_counter() - t
        t = time.perf_counter()
        back = store.spells("GM0363", uid)
        read = time.perf_counter() - t
        size = _stored_mb(Path(tmp))
        print(f"  opslaan (één transactie) {nl_number(saved, 2)} s, teruglezen {nl_number(read, 2)} s ({nl_number(back.height)} rijen), "
              f"op schijf {nl_number(size)} MB (database en Parquet-bestand)")
    print(f"  piekgeheugen van dit proces: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def _stored_mb(folder: Path) -> float:
    """What the own-file store takes on disk in `folder`: the database (with -wal, -shm) and the spell files."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != "eigen_sleutel") / 2**20


# ---- `bench eigen-laden [N]`: the first load of the page for a stored upload (issue 22) -------------------------------

LADEN_GM = "GM0363"


def eigen_laden(n: int = 1_000_000, rounds: int = 1) -> int:
    """`python3 dev.py bench eigen-laden [N]`: store an upload of N spell rows (the CSV of `bench eigen-upload`, mapped
    and pseudonymised as the page does), then in a fresh process do what the page "Eigen bestand" does on its first
    load: find the current upload, read its spells, join them into episodes, build the page's one suppression pattern
    and every table shown with the default choices (bestandsmonitor, leefvorm, uitstroomkans, herinstroom, duur,
    prognose, budget check). Time per step and peak RSS (VmHWM) of that process. Issue 22 target: <= 2 s and <= 1 GB
    for 1 000 000 rows. `rounds` > 1 repeats the fresh process (the machine's speed drifts)."""
    import os
    import subprocess
    import sys

    from portal.eigen import mapping, pseudo
    from portal.eigen.store import Eigenbestand
    from portal.eigen.upload import read_file
    from portal.paths import ROOT

    with tempfile.TemporaryDirectory(prefix="bench-eigen-laden-") as tmp:
        secret = pseudo.key(Path(tmp) / "eigen_sleutel")
        raw = read_file(sample_csv(n), "bench.csv")
        spells, problems = mapping.apply(raw, mapping.suggest(raw), LADEN_GM, PEIL, secret)
        del raw
        if problems:
            print("  onverwachte problemen: " + "; ".join(problems.berichten()[:5]))
            return 1
        t = time.perf_counter()
        store = Eigenbestand(Path(tmp) / "eigenbestand.db")
        store.save(LADEN_GM, "bench.csv", spells, PEIL, "bench")
        saved = time.perf_counter() - t
        size = _stored_mb(Path(tmp))
        print(f"Eigen bestand: upload van {nl_number(spells.height)} uitkeringsperioden opgeslagen in {nl_number(saved, 2)} s "
              f"(op schijf {nl_number(size)} MB)")
        del spells
        env = dict(os.environ, PORTAL_DATA_DIR=tmp, PYTHONPATH=str(ROOT))
        code = 0
        for _ in range(rounds):
            out = subprocess.run([sys.executable, "-c", "from portal.tools.bench_upload import _laden_child; _laden_child()"],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
            print(out.stdout, end="")
            if out.returncode:
                print(out.stderr[-3000:])
                code = out.returncode
    return code


def _peak_mb() -> float:
    """Peak RSS of this process (VmHWM; not ru_maxrss, which can hold the parent's peak after vfork + exec)."""
    return next(int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM")) / 1024


def _laden_child() -> None:
    """The first load of the page in this fresh process: the page's own cached functions, called in the order and with
    the default choices of portal.ui.eigen_bestand.render (outside Streamlit their caches are plain memory caches)."""
    import datetime as dt
    import logging
    import os

    logging.disable(logging.WARNING)  # "No runtime found" from every Streamlit cache outside a server
    from portal.eigen import monitors, store, suppress
    from portal.eigen import prognose as ep
    from portal.ui import bus as bus_ui
    from portal.ui import eigen_bestand as page
    from portal.ui import prognose as prognose_ui

    class Wh:  # basis() only asks the gemeente's name of the warehouse for a stored upload
        @staticmethod
        def name(code: str) -> str:
            return code

    base = _peak_mb()
    steps: list[tuple[str, float]] = []

    def step(name: str, fn):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        result = fn()
        steps.append((name, time.perf_counter() - t))
        return result

    t0, c0 = time.perf_counter(), time.process_time()
    up = step("huidige upload zoeken", lambda: store.current(LADEN_GM, synthetisch=False))
    file = f"{store.default().path}:{up['id']}:{up['tijd']}"
    spells = step("perioden lezen", lambda: page._stored_spells(LADEN_GM, up["id"], str(store.default().path)))
    step("episodes samenvoegen", lambda: page._episodes(file, spells))
    spells, peil, line, file = page.basis(Wh, LADEN_GM)  # now from the caches, as the page has it
    extra = step("BUS-tabellen (geen bij eigen opbouw)", lambda: bus_ui.extra(LADEN_GM, file, peil, spells))
    pagina = step("onderdrukkingspatroon van de pagina (met herinstroom)",
                  lambda: page._pagina(file, peil, spells, extra.pattern()))

    def bestandsmonitor():
        van = dt.date(peil.year - page.MONTHS_SHOWN // 12, peil.month, 1)
        table = page._monitor("maand", file, (van, peil), (), spells)
        pagina.monthly(table)
        monitors.trend(table)
        suppress.cbs_input(table, pagina)

    step("bestandsmonitor (24 maanden)", bestandsmonitor)
    ends = [d for d in suppress.page_peildata(peil) if d.month == peil.month][:3]
    step("leefvorm (3 peildata)", lambda: pagina.leefvorm(page._monitor("leefvorm", file, (sorted(ends),), (), spells)))
    step("uitstroomkans (instroomjaar, alle uitstroom)", lambda: pagina.survival(
        page._monitor("kans", file, (peil,), (("naar", "einde"), ("per", "cohort")), page._prep(file, peil, spells)),
        "cohort", "einde"))
    step("herinstroom", lambda: pagina.herinstroom(page._monitor("herinstroom", file, (peil,), (), spells)))
    step("duur", lambda: pagina.duur(page._monitor("duur", file, (peil,), (), spells)))

    def prognose():
        pr = prognose_ui._prognose(file, peil, spells)
        if pr is not None:
            ep.gesplitst(pr, pagina)

    step("prognose", prognose)

    def budget():
        import polars as pl

        year = dt.date(peil.year, 1, 1)
        spells.lazy().filter(pl.col("bedrag").is_not_null() & (pl.col("begin") <= peil)
                             & (pl.col("einde").is_null() | (pl.col("einde") >= year))).select(
            pl.col("client").n_unique()).collect()

    step("budgetcontrole", budget)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("  " + "; ".join(f"{k} {nl_number(v, 2)} s" for k, v in steps))
    print(f"  eerste keer laden van de pagina: {nl_number(total, 2)} s (doel ≤ 2 s; processortijd {nl_number(cpu, 2)} s over "
          f"{len(os.sched_getaffinity(0))} cores, belasting van de machine {nl_number(os.getloadavg()[0], 1)}), piekgeheugen van het proces "
          f"{nl_number(_peak_mb())} MB (doel ≤ 1.024 MB; na het importeren {nl_number(base)} MB)")

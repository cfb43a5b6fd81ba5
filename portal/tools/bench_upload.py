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
        size = (Path(tmp) / "eigenbestand.db").stat().st_size / 2**20
        print(f"  opslaan (één transactie) {nl_number(saved, 2)} s, teruglezen {nl_number(read, 2)} s ({nl_number(back.height)} rijen), "
              f"database {nl_number(size)} MB")
    print(f"  piekgeheugen van dit proces: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0

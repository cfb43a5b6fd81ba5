"""CBS re-integratie-/participatievoorzieningen per gemeente: 85588NED (monthly 2023-01 … 2024-09) and 82342NED (half-yearly
2013–2014). Counts of voorzieningen (provisions), not persons and not euros."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table
from portal.nl import MAANDEN

FOLDER = "cbs_reintegratie_voorzieningen_gemeenten"
MONTHLY = "85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv"
HALF = "82342NED_totaal_halfjaar_2013_2014_nl_gemeenten.csv"
SOURCES = [
    Source("85588NED", "CBS", "Re-integratie-/participatievoorzieningen naar type, status en regio, per maand (titel niet in de "
           "dump; tabel volgens de dimensies)", "CC BY 4.0", "https://opendata.cbs.nl/ODataApi/odata/85588NED", FOLDER),
    Source("82342NED", "CBS", "Re-integratie; aantallen voorzieningen, type, regio, 2013-2014", "CC BY 4.0",
           "https://opendata.cbs.nl/ODataApi/odata/82342NED", FOLDER),
]
MONTHS = {m: i for i, m in enumerate(MAANDEN, start=1)}
M_COL = "ReIntegratieParticipatievoorzieningen_1"
H_STAND = {"VoorzieningenEindVerslagperiode_4": "reintegratie_voorz_eind_halfjaar"}
H_FLOW = {"NieuweVoorzieningen_2": "reintegratie_voorz_nieuw_halfjaar", "BeeindigdeVoorzieningen_3": "reintegratie_voorz_beeindigd_halfjaar"}
# 85588NED has no herindeling between its months: the 342 gemeenten of 2023 are those of 2024.
INDELING_85588 = 2024


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {
        "maand": read_table(ctx.file(FOLDER, MONTHLY), ctx.col, required=["cbs_tabel", "Perioden", "regiocode", M_COL],
                            counts=[M_COL], key=["Perioden", "regiocode"]),
        "halfjaar": read_table(ctx.file(FOLDER, HALF), ctx.col, required=["cbs_tabel", "Perioden", "regiocode", *H_STAND, *H_FLOW],
                               counts=[*H_STAND, *H_FLOW], key=["Perioden", "regiocode"]),
    }


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = []
    m = raw["maand"]
    if not m.is_empty():
        jaar, maand = pl.col("Perioden").str.split(" ").list.get(0), pl.col("Perioden").str.split(" ").list.get(1)
        m = m.with_columns(jaar.cast(pl.Int32).alias("jaar"),
                           maand.replace_strict(MONTHS, default=None, return_dtype=pl.Int32).alias("maand"))
        for r in m.filter(pl.col("maand").is_null()).select("_rij", "Perioden").iter_rows():
            ctx.col.add(f"{FOLDER}/{MONTHLY}", r[0], "Perioden", f"onbekende maand '{r[1]}'")
        m = ctx.check_codes(m.filter(pl.col("maand").is_not_null()), f"{FOLDER}/{MONTHLY}", "regiocode", INDELING_85588)
        m = m.with_columns(pl.format("{}-{}", "jaar", pl.col("maand").cast(pl.String).str.zfill(2)).alias("periode"))
        parts.append(observations(m, code="regiocode", indeling=INDELING_85588, periode=pl.col("periode"),
                                  peildatum=pl.format("einde maand {}", "periode"), measures={M_COL: "reintegratie_voorz_lopend_maand"},
                                  bron="85588NED", afgerond=True))
        dec = m.filter(pl.col("maand") == 12)
        parts.append(observations(dec, code="regiocode", indeling=INDELING_85588, periode=pl.col("jaar").cast(pl.String),
                                  peildatum=pl.format("31 december {}", "jaar"), measures={M_COL: "reintegratie_voorz_lopend_dec"},
                                  bron="85588NED", afgerond=True))
    h = raw["halfjaar"]
    if not h.is_empty():
        h = h.with_columns(pl.col("Perioden").str.slice(0, 4).cast(pl.Int32).alias("jaar"),
                           pl.when(pl.col("Perioden").str.contains("1e halfjaar")).then(pl.lit("H1"))
                           .when(pl.col("Perioden").str.contains("2e halfjaar")).then(pl.lit("H2")).alias("helft"))
        for r in h.filter(pl.col("helft").is_null()).select("_rij", "Perioden").iter_rows():
            ctx.col.add(f"{FOLDER}/{HALF}", r[0], "Perioden", f"onbekende periode '{r[1]}'")
        h = h.filter(pl.col("helft").is_not_null())
        # CBS lists every gemeente of 2013 and 2014 in each period; one that did not exist in that year has no values.
        values = pl.any_horizontal([pl.col(c).is_not_null() for c in [*H_STAND, *H_FLOW]])
        exists = pl.struct("regiocode", "jaar").map_elements(
            lambda r: r["regiocode"] == "NL01" or r["regiocode"] in ctx.active.get(r["jaar"], set()), return_dtype=pl.Boolean)
        h = ctx.check_codes(h.filter(values | exists), f"{FOLDER}/{HALF}", "regiocode", "jaar")
        eind = pl.when(pl.col("helft") == "H1").then(pl.format("{}-06", "jaar")).otherwise(pl.format("{}-12", "jaar"))
        parts.append(observations(h, code="regiocode", indeling=pl.col("jaar"), periode=eind,
                                  peildatum=pl.when(pl.col("helft") == "H1").then(pl.format("30 juni {}", "jaar"))
                                  .otherwise(pl.format("31 december {}", "jaar")),
                                  measures=H_STAND, bron="82342NED", afgerond=True))
        parts.append(observations(h, code="regiocode", indeling=pl.col("jaar"), periode=pl.format("{}-{}", "jaar", "helft"),
                                  peildatum=pl.when(pl.col("helft") == "H1").then(pl.format("1e halfjaar {}", "jaar"))
                                  .otherwise(pl.format("2e halfjaar {}", "jaar")),
                                  measures=H_FLOW, bron="82342NED", afgerond=True))
        dec = h.filter(pl.col("helft") == "H2")
        parts.append(observations(dec, code="regiocode", indeling=pl.col("jaar"), periode=pl.col("jaar").cast(pl.String),
                                  peildatum=pl.format("31 december {}", "jaar"),
                                  measures={"VoorzieningenEindVerslagperiode_4": "reintegratie_voorz_eind_dec_srg"},
                                  bron="82342NED", afgerond=True))
    return pl.concat(parts)

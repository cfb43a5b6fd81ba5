"""Iv3 gemeentefinanciën fetched by `etl vernieuw` (source "iv3" in etl/sources/live_tables.py) from CBS dataderden.

One table per year, "Gemeenten <jaar> onbewerkte Iv3-data": rows Gemeenten × TaakveldBalanspost × Categorie × Verslagsoort
(the fetch keeps taakvelden 6.3, 6.4 and 6.5), amount `k_2ePlaatsing` (2e plaatsing) in 1 000 euro. `shape` sums the categories per
gemeente × taakveld × verslagsoort into baten (Categorie B…) and lasten (L…); other categories are not part of either
side and are left out. The sums feed the same registry indicators as the shipped Iv3 source (etl/sources/iv3.py):
`iv3_{63,64,65}_{baten,lasten}_{begroting,jaarrekening}` in euro, periode = the table's year, indeling = the table's year,
so a refreshed figure replaces the shipped copy (etl/build.py prefer_live).

The cube is sparse: an empty cell is a category the gemeente booked nothing on, so a side whose cells are all empty
sums to 0 (as in the shipped totals). A sum is empty (onderdrukt) when a category in it is −99998 (CBS: geen opgave). Verslagsoort `<jaar>X000` is the begroting, `<jaar>X005` the jaarrekening; `X001`–`X004` are the quarterly
realisations, which the portal does not use. Any other verslagsoort or taakveld stops the build with a Dutch message
naming file, row and value.
"""

from __future__ import annotations

import re

import polars as pl

from etl.sources.common import Context, observations
from portal.derive import OBS_SCHEMA

# "2e plaatsing": the measure the shipped Iv3 figures were summed from (michielsd/begrotingsanalysetool, get_taakveld_totals,
# reads k_2ePlaatsing_2), so the refreshed figures keep the definition of the shipped indicators.
MEASURE = "k_2ePlaatsing"
GEEN_OPGAVE = -99998.0
TAAKVELDEN = {"6.3": "63", "6.4": "64", "6.5": "65"}
SOORTEN = {"X000": "begroting", "X005": "jaarrekening"}
QUARTERS = {"X001", "X002", "X003", "X004"}
VERSLAG_RE = re.compile(r"^(\d{4})(X\d{3})$")


def _report(ctx: Context, file: str, df: pl.DataFrame, column: str, bad: pl.Expr, message) -> None:
    """One Dutch problem per bad value (its first rows, at most 5 per value)."""
    for value, rows in df.filter(bad).group_by(column, maintain_order=True).agg(pl.col("_rij").head(5)).iter_rows():
        for rij in rows:
            ctx.col.add(file, rij, column, message(value))


def shape(df: pl.DataFrame, h: dict, ctx: Context, file: str) -> pl.DataFrame:
    year = int(h["jaar"])
    value = next(m["sleutel"] for m in h["maatstaven"] if m["prefix"] == MEASURE)
    parts = pl.col("Verslagsoort").str.extract_groups(VERSLAG_RE.pattern)
    df = df.with_columns(parts.struct.field("1").alias("_vjaar"), parts.struct.field("2").alias("_vsoort"))
    known = (pl.col("_vjaar") == str(year)) & pl.col("_vsoort").is_in([*SOORTEN, *QUARTERS])
    _report(ctx, file, df, "Verslagsoort", ~known.fill_null(False),
            lambda v: f"onbekende verslagsoort '{v}' in de Iv3-tabel van {year} (verwacht {year}X000 begroting of "
                      f"{year}X005 jaarrekening); de bouw stopt in plaats van het bedrag verkeerd in te delen")
    _report(ctx, file, df, "TaakveldBalanspost", ~pl.col("TaakveldBalanspost").is_in(list(TAAKVELDEN)).fill_null(False),
            lambda v: f"onbekend taakveld '{v}' (verwacht 6.3, 6.4 of 6.5)")
    kant = (pl.when(pl.col("Categorie").str.starts_with("B")).then(pl.lit("baten"))
            .when(pl.col("Categorie").str.starts_with("L")).then(pl.lit("lasten")))
    df = df.filter(known & pl.col("_vsoort").is_in(list(SOORTEN)) & pl.col("TaakveldBalanspost").is_in(list(TAAKVELDEN)))
    df = df.with_columns(kant.alias("kant"), pl.col("Gemeenten").str.replace(r"^NL\d\d$", "NL01").alias("code")).filter(
        pl.col("kant").is_not_null())
    if df.is_empty():
        return pl.DataFrame(schema=OBS_SCHEMA)
    v = pl.col(value)
    sums = df.group_by("code", "TaakveldBalanspost", "_vsoort", "kant", maintain_order=True).agg(
        pl.col("_rij").min(),
        pl.when((v == GEEN_OPGAVE).any()).then(None).otherwise(v.sum()).alias("bedrag"))
    # Codes follow the table's year; past the newest gemeente list they must be in that list (then its indeling is used).
    newest = max(ctx.active) if ctx.active else year
    sums = sums.with_columns(pl.lit(min(year, newest), pl.Int32).alias("indeling"), pl.lit(str(year)).alias("periode"))
    first = sums.unique("code", keep="first", maintain_order=True).with_columns(pl.lit(year, pl.Int32).alias("indeling"))
    ok = ctx.check_codes(first, file, "code", "indeling", newest)["code"]  # one message per wrong code, not one per sum
    sums = sums.filter(pl.col("code").is_in(ok.implode()))
    out = [pl.DataFrame(schema=OBS_SCHEMA)]
    for (tv, vsoort, kant_), sub in sums.group_by("TaakveldBalanspost", "_vsoort", "kant", maintain_order=True):
        soort = SOORTEN[vsoort]
        out.append(observations(sub, code="code", indeling=pl.col("indeling"), periode=str(year), peildatum=f"{soort} {year}",
                                measures={"bedrag": f"iv3_{TAAKVELDEN[tv]}_{kant_}_{soort}"}, bron=h["tabel"],
                                afgerond=False, scale=1000.0))
    return pl.concat(out)

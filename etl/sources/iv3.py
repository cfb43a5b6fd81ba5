"""Iv3 gemeentefinanciën (CBS dataderden): baten and lasten on taakvelden 6.3, 6.4 and 6.5, begroting and jaarrekening."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.sources.gemeenten import resolve_names
from etl.validate import read_table

FOLDER = "michielsd_iv3_gemeentefonds"
FILES = {("2023", "begroting"): "45063NED", ("2023", "jaarrekening"): "45063NED", ("2024", "begroting"): "45067NED",
         ("2025", "begroting"): "45071NED"}
SOURCES = [Source(t, "CBS (dataderden, via michielsd/begrotingsanalysetool)", f"Gemeenten {y} onbewerkte Iv3-data ({s})",
                  "CC BY 4.0", f"https://dataderden.cbs.nl/ODataApi/OData/{t}", FOLDER) for (y, s), t in FILES.items()
           if s == "begroting"]


def _name(year: str, soort: str) -> str:
    return f"iv3_{year}_{soort}_taakveld_6_3_6_4_6_5.csv"


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {f"{y}_{s}": read_table(ctx.file(FOLDER, _name(y, s)), ctx.col, required=["Gemeenten", "Taakveld", "Baten", "Lasten"],
                                   numbers=["Baten", "Lasten"], key=["Gemeenten", "Taakveld"], sep=";") for (y, s) in FILES}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = []
    for (year, soort), table in FILES.items():
        df = raw[f"{year}_{soort}"]
        if df.is_empty():
            continue
        df = resolve_names(ctx, df, "Gemeenten", int(year), f"{FOLDER}/{_name(year, soort)}")
        df = df.with_columns(pl.col("Taakveld").str.slice(0, 3).str.replace(".", "", literal=True).alias("tv"))
        for tv in ("63", "64", "65"):
            sub = df.filter(pl.col("tv") == tv)
            parts.append(observations(sub, code="gemeente_code", indeling=int(year), periode=year, peildatum=f"{soort} {year}",
                                      measures={"Baten": f"iv3_{tv}_baten_{soort}", "Lasten": f"iv3_{tv}_lasten_{soort}"},
                                      bron=table, afgerond=False, scale=1000.0))
    return pl.concat(parts)

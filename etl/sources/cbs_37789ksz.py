"""CBS 37789ksz: national bijstandsuitkeringen per month (x 1 000), 1998–2018."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_37789ksz_nationaal"
FILE = "social_security_37789ksz_1998_2017.csv"
SOURCES = [Source("37789ksz", "CBS", "Sociale zekerheid; kerncijfers, uitkeringen naar uitkeringssoort", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/37789ksz", FOLDER)]
COL = "BijstandsuitkeringenTotDeAOWLeeftijd_12"


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["Perioden", COL], counts=[COL], key=["Perioden"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"].filter(pl.col("Perioden").str.contains("MM") & pl.col(COL).is_not_null())
    df = df.with_columns(pl.lit("NL01").alias("code"), (pl.col("Perioden").str.slice(0, 4) + "-" + pl.col("Perioden").str.slice(6, 2)).alias("periode"))
    return observations(df, code="code", indeling=0, periode=pl.col("periode"), peildatum=pl.format("einde maand {}", pl.col("periode")),
                        measures={COL: "bijstand_uitkeringen_tot_aow_nl"}, bron="37789ksz", afgerond=True, scale=1000.0)

"""CBS 80860ned: inwoners and personen met bijstand per gemeente 1999–2009, on the 2009 indeling."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_80860ned_gemeenten_1999_2009"
FILE = "80860ned_gemeenten_inwoners_uitkeringen_1999_2009.csv"
SOURCES = [Source("80860ned", "CBS", "Gemeenten; inwoners en uitkeringen, 1999-2009, regio-indeling 2009", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/80860ned", FOLDER)]
AGES = ["k_15Tot25Jaar_6", "k_25Tot45Jaar_7", "k_45Tot65Jaar_8"]


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col,
                                required=["jaar", "regiocode", "TotaleBevolking_2", *AGES, "Bijstandsuitkering_23"],
                                counts=["jaar", "TotaleBevolking_2", *AGES, "Bijstandsuitkering_23"], key=["jaar", "regiocode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = ctx.check_codes(raw["table"], f"{FOLDER}/{FILE}", "regiocode", 2009)
    df = df.with_columns(pl.sum_horizontal(AGES).alias("inwoners_15_65"), pl.col("jaar").cast(pl.Int32))
    pop = observations(df, code="regiocode", indeling=2009, periode=pl.col("jaar"), peildatum=pl.format("{}-01-01", pl.col("jaar")),
                       measures={"TotaleBevolking_2": "inwoners_totaal", "inwoners_15_65": "inwoners_15_65"},
                       bron="80860ned", afgerond=True)
    bijstand = observations(df.filter(pl.col("jaar") <= 2008), code="regiocode", indeling=2009, periode=pl.col("jaar"),
                            peildatum=pl.format("{}-09 (vermoedelijk eind september)", pl.col("jaar")),
                            measures={"Bijstandsuitkering_23": "bijstand_personen_abw_wwb"}, bron="80860ned", afgerond=True)
    return pl.concat([pop, bijstand])

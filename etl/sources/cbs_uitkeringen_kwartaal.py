"""CBS 'Personen met een uitkering; soort uitkering, wijken en buurten <jaar>' (83618NED … 86003NED): the national quarterly
number of persons with algemene bijstand under AOW age, 2013Q1–2024Q3. Only Nederland: the gemeente rows of the dumps are a
truncated subset (see the snapshot's EXTRACT.md)."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_uitkeringen_wijkbuurt_kwartaal_2013_2024_partial"
FILE = "uitkeringen_soort_nederland_kwartaal_2013_2024.csv"
TABLES = {"83618NED": 2013, "83012NED": 2014, "83173NED": 2015, "83577NED": 2016, "83759NED": 2017, "84417NED": 2018,
          "84692NED": 2019, "84897NED": 2020, "85042NED": 2021, "85317NED": 2022, "85586NED": 2023, "86003NED": 2024}
SOURCES = [Source(t, "CBS", f"Personen met een uitkering; soort uitkering, wijken en buurten {y}", "CC BY 4.0",
                  f"https://opendata.cbs.nl/ODataApi/odata/{t}", FOLDER) for t, y in TABLES.items()]
COL = "Bijstandsuitkering_6"
QUARTER_END = {"maart": "03", "juni": "06", "september": "09", "december": "12"}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["cbs_tabel", "perioden", "regiocode", COL],
                                counts=[COL], key=["perioden", "regiocode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"]
    if df.is_empty():
        return observations(df, code="", indeling=0, periode="", peildatum="", measures={}, bron="", afgerond=True)
    df = df.filter(pl.col("regiocode") == "NL00").with_columns(
        pl.col("perioden").str.split(" ").list.get(0).alias("jaar"),
        pl.col("perioden").str.split(" ").list.get(1).replace_strict(QUARTER_END, default=None).alias("maand"),
        pl.lit("NL01").alias("code"))
    for r in df.filter(pl.col("maand").is_null() | ~pl.col("cbs_tabel").is_in(list(TABLES))).select("_rij", "perioden").iter_rows():
        ctx.col.add(f"{FOLDER}/{FILE}", r[0], "perioden", f"onbekend kwartaal of onbekende tabel ('{r[1]}')")
    df = df.filter(pl.col("maand").is_not_null()).with_columns(pl.format("{}-{}", "jaar", "maand").alias("periode"))
    return observations(df.filter(pl.col(COL).is_not_null()), code="code", indeling=0, periode=pl.col("periode"),
                        peildatum=pl.format("eind {} {}", pl.col("perioden").str.split(" ").list.get(1), "jaar"), measures={COL: "bijstand_alg_personen_nl_kwartaal"},
                        bron=pl.col("cbs_tabel"), afgerond=True)

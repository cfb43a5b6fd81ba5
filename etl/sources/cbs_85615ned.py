"""CBS 85615NED: national instromers, (her)instromers binnen een jaar and uitstromers per quarter, 2012–2024 (shipped).

The same indicators as the live source `stromen` (etl/sources/live_tables.py), so a refresh replaces these figures
(build.prefer_live).
"""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations, period
from etl.validate import read_table

FOLDER = "cbs_85615NED_stromen_nationaal"
FILE = "85615NED_nederland_totaal_kwartaal_2012_2024.csv"
SOURCES = [Source("85615NED", "CBS", "Personen met bijstand; (her)instromers en uitstromers", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/85615NED", FOLDER)]
MEASURES = {"Instromers_1": "bijstand_instromers_nl_kwartaal", "HerInstromersBinnenEenJaar_2": "bijstand_herinstromers_nl_kwartaal",
            "Uitstromers_3": "bijstand_uitstromers_nl_kwartaal"}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["Perioden", *MEASURES], counts=list(MEASURES),
                                key=["Perioden"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"]
    keys = {k: period(k, "stroom") for k in df["Perioden"].unique()}
    for rij, k in df.filter(pl.col("Perioden").is_in([k for k, v in keys.items() if v is None])).select("_rij", "Perioden").iter_rows():
        ctx.col.add(f"{FOLDER}/{FILE}", rij, "Perioden", f"onbekende kwartaalsleutel '{k}' (verwacht bijvoorbeeld 2024KW03)")
    df = df.filter(pl.col("Perioden").is_in([k for k, v in keys.items() if v])).with_columns(
        pl.lit("NL01").alias("code"),
        pl.col("Perioden").replace_strict({k: v[0] for k, v in keys.items() if v}).alias("periode"),
        pl.col("Perioden").replace_strict({k: v[1] for k, v in keys.items() if v}).alias("peildatum"))
    return observations(df, code="code", indeling=0, periode=pl.col("periode"), peildatum=pl.col("peildatum"),
                        measures=MEASURES, bron="85615NED", afgerond=True)

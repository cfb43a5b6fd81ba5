"""CBS 85984NED Kerncijfers wijken en buurten 2024: land area per gemeente (indeling 2024)."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_kwb_2024_85984NED"
FILE = "kwb2024_gemeenten_wijken_inwoners.csv"
SOURCES = [Source("85984NED", "CBS", "Kerncijfers wijken en buurten 2024", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/85984NED", FOLDER)]


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["regiocode", "niveau", "OppervlakteLand_123"],
                                counts=["OppervlakteLand_123"], key=["regiocode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"].filter(pl.col("niveau") == "gemeente")
    df = ctx.check_codes(df, f"{FOLDER}/{FILE}", "regiocode", 2024)
    return observations(df, code="regiocode", indeling=2024, periode="2024", peildatum="2024-01-01",
                        measures={"OppervlakteLand_123": "oppervlakte_land"}, bron="85984NED", afgerond=False)

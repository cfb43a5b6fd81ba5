"""CBS 70072ned Regionale kerncijfers, 2015 only: inwoners and households per gemeente (indeling 2015)."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_70072ned_2015_snapshot"
FILE = "70072ned_2015_gemeenten_bevolking_huishoudens_uitkeringen.csv"
SOURCES = [Source("70072ned", "CBS", "Regionale kerncijfers Nederland (2015)", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/70072ned", FOLDER)]
MEASURES = {"TotaleBevolking_1": "inwoners_totaal", "TotaalAantalParticuliereHuishoudens_82": "huishoudens_particulier",
            "Eenpersoonshuishoudens_83": "eenpersoonshuishoudens"}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["jaar", "regiocode", *MEASURES],
                                counts=list(MEASURES), key=["jaar", "regiocode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = ctx.check_codes(raw["table"], f"{FOLDER}/{FILE}", "regiocode", 2015)
    return observations(df, code="regiocode", indeling=2015, periode="2015", peildatum="2015-01-01", measures=MEASURES,
                        bron="70072ned", afgerond=False)

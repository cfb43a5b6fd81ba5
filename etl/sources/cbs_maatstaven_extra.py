"""More columns of the CBS maatstaven gemeentefonds tables (regio 2019–2022) whose peildatum is in the column name:
Wajong-uitkeringen (31-12-2017, 2019, 2020, 2021) and persons with loonkostensubsidie (31-12-2018 … 2021).

The tables themselves are declared (SOURCES) in etl/sources/cbs_maatstaven.py, which reads the bijstand columns of the
same files; this module only adds indicators.
"""

from __future__ import annotations

import re

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_maatstaven_sociaal_domein_2016_2022"
SOURCES: list[Source] = []  # same tables as cbs_maatstaven.SOURCES
# table -> (indeling year, {column: indicator})
COLUMNS = {
    "84590NED": (2019, {"WajongUitkeringen31122017_27": "wajong_uitkeringen_maatstaf",
                        "PersonenMetLoonkostensubs31122018_31": "loonkostensubsidie_personen_maatstaf"}),
    "84860NED": (2020, {"WajongUitkeringen31122019_27": "wajong_uitkeringen_maatstaf",
                        "PersonenMetLoonkostensubs31122019_28": "loonkostensubsidie_personen_maatstaf"}),
    "85052NED": (2021, {"WajongUitkeringen31122020_27": "wajong_uitkeringen_maatstaf",
                        "PersonenMetLoonkostensubs31122020_28": "loonkostensubsidie_personen_maatstaf"}),
    "85309NED": (2022, {"WajongUitkeringen31122021_27": "wajong_uitkeringen_maatstaf",
                        "PersonenMetLoonkostensubs31122021_28": "loonkostensubsidie_personen_maatstaf"}),
}


def _file(table: str, year: int) -> str:
    return f"{table}_gemeenten_regio{year}.csv"


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {t: read_table(ctx.file(FOLDER, _file(t, y)), ctx.col, required=["gemeentecode", *cols], counts=list(cols),
                          key=["gemeentecode"]) for t, (y, cols) in COLUMNS.items()}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = []
    for table, (year, cols) in COLUMNS.items():
        df = raw[table]
        if df.is_empty():
            continue
        df = ctx.check_codes(df, f"{FOLDER}/{_file(table, year)}", "gemeentecode", year)
        df, _ = ctx.drop_merged_away(df, "gemeentecode", year, keys=("cbs_tabel", "indeling_jaar", "regionaam_cbs"))  # Weesp 2021
        for column, indicator in cols.items():
            peil = re.search(r"(\d{2})(\d{2})(\d{4})_\d+$", column)
            assert peil, column  # the date is part of every column name above
            day, month, y = peil.groups()
            parts.append(observations(df, code="gemeentecode", indeling=year, periode=y,
                                      peildatum=f"{int(day)}-{int(month)}-{y}", measures={column: indicator}, bron=table,
                                      afgerond=True))
    return pl.concat(parts)

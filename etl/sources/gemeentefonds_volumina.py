"""Gemeentefonds circulaires (BZK): the verdeelmaatstaf 'bijstandsontvangers' (bo3_nw) per gemeente, uitkeringsjaren 2024–2025.

A BZK-processed volume used to distribute the gemeentefonds (cluster Participatie), with fractional values; not a CBS count.
The circulaire files are declared in etl/sources/gemeentefonds.py (same snapshot folder); this module adds one column.
"""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.sources.gemeentefonds import with_code
from etl.validate import read_table

FOLDER = "michielsd_iv3_gemeentefonds"
SOURCES: list[Source] = []  # the circulaires are declared in gemeentefonds.SOURCES
# uitkeringsjaar -> (newest circulaire in the snapshot, gemeentelijke indeling), as gemeentefonds.FILES
FILES = {2024: ("S2024", 2024), 2025: ("S2024", 2025)}
COL = "bo3_nw"


def _name(year: int) -> str:
    return f"GF_{FILES[year][0]}_{year}_Volumina.csv"


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    # decimal comma in both files; GF_S2024_2024 also uses '.' as thousands separator (e.g. 9.722,33)
    return {str(y): read_table(ctx.file(FOLDER, _name(y)), ctx.col, required=["CBS", "Naam", COL], counts=["CBS", COL],
                               key=["CBS"], decimal_comma=True) for y in FILES}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = []
    for year, (circulaire, indeling) in FILES.items():
        df = raw[str(year)]
        if df.is_empty():
            continue
        df = with_code(df)
        df = ctx.check_codes(df, f"{FOLDER}/{_name(year)}", "code", indeling)
        parts.append(observations(df, code="code", indeling=indeling, periode=str(year), peildatum=f"circulaire {circulaire}",
                                  measures={COL: "bijstandsontvangers_gf_maatstaf"}, bron="BZK-circulaires gemeentefonds",
                                  afgerond=False, voorlopig=True))
    return pl.concat(parts) if parts else observations(pl.DataFrame(), code="", indeling=0, periode="", peildatum="", measures={},
                                                       bron="", afgerond=False)

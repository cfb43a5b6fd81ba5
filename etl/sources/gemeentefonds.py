"""Gemeentefonds circulaires (BZK): integratie-uitkering Participatie per gemeente, uitkeringsjaren 2023–2025."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "michielsd_iv3_gemeentefonds"
# uitkeringsjaar -> (newest circulaire in the snapshot, the gemeentelijke indeling of the uitkeringsjaar). The May 2022
# circulaire for 2023 lists the 344 gemeenten of mid-2022 (the 2022 list without Weesp, which joined Amsterdam on
# 24-3-2022); Brielle, Hellevoetsluis and Westvoorne (merged into Voorne aan Zee on 1-1-2023) are summed into GM1992,
# so that 2023 sits on the 2023 indeling like the Iv3 figures it is compared with.
FILES = {2023: ("M2022", 2023), 2024: ("S2024", 2024), 2025: ("S2024", 2025)}
SOURCES = [Source("BZK-circulaires gemeentefonds", "Ministerie van BZK (via michielsd/begrotingsanalysetool)",
                  "Gemeentefondscirculaires: integratie- en decentralisatie-uitkeringen (mei 2022, september 2024)",
                  "Rijksoverheid, hergebruik vrij; code Apache-2.0", "https://www.rijksoverheid.nl/onderwerpen/gemeenten/gemeentefonds", FOLDER)]


def _name(year: int) -> str:
    return f"GF_{FILES[year][0]}_{year}_SIUDU.csv"


def with_code(df: pl.DataFrame) -> pl.DataFrame:
    """The circulaire files number gemeenten without prefix (CBS = 363): add `code` = GM0363."""
    return df.with_columns(pl.format("GM{}", pl.col("CBS").cast(pl.Int64).cast(pl.String).str.zfill(4)).alias("code"))


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {str(y): read_table(ctx.file(FOLDER, _name(y)), ctx.col, required=["CBS", "Naam", "Participatie"],
                               counts=["CBS", "Participatie"], key=["CBS"]) for y in FILES}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    parts = []
    for year, (circulaire, indeling) in FILES.items():
        df = raw[str(year)]
        if df.is_empty():
            continue
        df = with_code(df)
        df = ctx.merge_onto(df, "code", indeling, ["Participatie"])
        df = ctx.check_codes(df, f"{FOLDER}/{_name(year)}", "code", indeling)
        parts.append(observations(df, code="code", indeling=indeling, periode=str(year), peildatum=f"circulaire {circulaire}",
                                  measures={"Participatie": "iu_participatie"}, bron="BZK-circulaires gemeentefonds", afgerond=False,
                                  voorlopig=True))
    return pl.concat(parts)

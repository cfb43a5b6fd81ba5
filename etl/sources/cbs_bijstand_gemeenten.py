"""CBS 83450NED / 83747NED / 84066NED: bijstand, instroom, uitstroom, re-integratie per gemeente, 2015–2017."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table
from portal.metrics import AGE_GROUPS

FOLDER = "cbs_bijstand_gemeenten_2015_2017"
FILE = "bijstand_reintegratie_wsw_gemeenten_2015_2017_long.csv"
SOURCES = [
    Source(t, "CBS", f"Sociale zekerheid; bijstand, re-integratie en WSW, gemeenten {y}", "CC BY 4.0",
           f"https://opendata.cbs.nl/ODataApi/odata/{t}", FOLDER)
    for t, y in (("83450NED", 2015), ("83747NED", 2016), ("84066NED", 2017))
]
MEASURES = {
    "Inwoners_1": "inwoners_{lg}",
    "Bijstandsontvangers_2": "bijstand_alg_personen_{lg}",
    "Instroom_4": "bijstand_alg_instroom_{lg}",
    "Uitstroom_6": "bijstand_alg_uitstroom_{lg}",
    "UitstroomNaarWerk_8": "bijstand_alg_uitstroom_werk_{lg}",
    "PersonenMetReIntegratievoorziening_10": "reintegratie_personen_{lg}",
}
NO_AOW_PLUS = {"UitstroomNaarWerk_8", "PersonenMetReIntegratievoorziening_10"}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"long": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["jaar", "cbs_tabel", "leeftijd_code", "regiocode", *MEASURES],
                               counts=["jaar", *MEASURES], key=["jaar", "leeftijd_code", "regiocode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["long"]
    if df.is_empty():
        return observations(df, code="", indeling=0, periode="", peildatum="", measures={}, bron="", afgerond=True)
    df = df.filter(pl.col("regiocode").str.starts_with("GM") | (pl.col("regiocode") == "NL01"))
    df = ctx.check_codes(df.with_columns(pl.col("jaar").cast(pl.Int32)), f"{FOLDER}/{FILE}", "regiocode", "jaar")
    parts = []
    for lg, (_, code) in AGE_GROUPS.items():
        measures = {c: t.format(lg=lg) for c, t in MEASURES.items() if not (lg == "aow_plus" and c in NO_AOW_PLUS)}
        parts.append(observations(df.filter(pl.col("leeftijd_code") == code), code="regiocode", indeling=pl.col("jaar"),
                                  periode=pl.col("jaar"), peildatum=pl.col("jaar").cast(pl.String), measures=measures,
                                  bron=pl.col("cbs_tabel"), afgerond=True))
    return pl.concat(parts)

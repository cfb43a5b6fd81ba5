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
# CBS's own rates and the re-integratie/WSW columns (issue 9 A). Rates are registry indicators with rate=True.
EXTRA = {
    "Bijstandsdichtheid_3": "cbs_dichtheid_{lg}",
    "Instroom_5": "cbs_instroom_pct_{lg}",
    "Uitstroom_7": "cbs_uitstroom_pct_{lg}",
    "UitstroomNaarWerk_9": "cbs_uitstroom_werk_pct_{lg}",
    "WerkNaReIntegratie_11": "werk_na_reintegratie_{lg}",
    "WerkNaReIntegratie_12": "cbs_werk_na_reintegratie_pct_{lg}",
    "PersonenMetBijstandEnReIntegratie_13": "bijstand_met_reintegratie_{lg}",
    "BijstandsontvangersMetReIntegratie_14": "cbs_bijstand_met_reintegratie_pct_{lg}",
    "ReIntegratieontvangersMetBijstand_15": "cbs_reintegratie_met_bijstand_pct_{lg}",
    "WSWWerknemers_16": "wsw_werknemers_{lg}",
    "WSWDichtheid_17": "cbs_wsw_dichtheid_{lg}",
}
EXTRA_AOW_PLUS = {"Bijstandsdichtheid_3", "Instroom_5", "Uitstroom_7"}  # the source has only these for AOW age and older


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"long": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["jaar", "cbs_tabel", "leeftijd_code", "regiocode", *MEASURES, *EXTRA],
                               counts=["jaar", *MEASURES, *EXTRA], key=["jaar", "leeftijd_code", "regiocode"])}


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
        extra = {c: t.format(lg=lg) for c, t in EXTRA.items() if lg != "aow_plus" or c in EXTRA_AOW_PLUS}
        obs = observations(df.filter(pl.col("leeftijd_code") == code), code="regiocode", indeling=pl.col("jaar"),
                           periode=pl.col("jaar"), peildatum=pl.col("jaar").cast(pl.String), measures=extra,
                           bron=pl.col("cbs_tabel"), afgerond=True)
        # A column CBS did not publish in a year (WerkNaReIntegratie in 2017) gives no rows, not 'suppressed' ones.
        published = obs.group_by("indicator", "periode").agg(pl.col("waarde").is_not_null().any().alias("_p"))
        parts.append(obs.join(published, on=["indicator", "periode"]).filter(pl.col("_p")).drop("_p"))
    return pl.concat(parts)

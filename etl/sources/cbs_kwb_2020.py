"""CBS 84799NED Kerncijfers wijken en buurten 2020: persons with bijstand (provisional, end of March 2020 — inferred),
inwoners by age and households per gemeente (indeling 2020)."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_kwb_2020_84799NED"
FILE = "kwb2020_84799NED_nl_gemeenten_bijstand_bevolking.csv"
SOURCES = [Source("84799NED", "CBS", "Kerncijfers wijken en buurten 2020", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/84799NED", FOLDER)]
BIJSTAND = "PersonenPerSoortUitkeringBijstand_83"
POPULATION = {
    "AantalInwoners_5": "inwoners_kwb",
    "k_0Tot15Jaar_8": "inwoners_0_15_kwb",
    "k_65JaarOfOuder_12": "inwoners_65plus_kwb",
    "HuishoudensTotaal_28": "huishoudens_kwb",
    "Eenpersoonshuishoudens_29": "eenpersoonshuishoudens_kwb",
    "HuishoudensMetKinderen_31": "huishoudens_met_kinderen_kwb",
}
AGE_15_65 = ["k_15Tot25Jaar_9", "k_25Tot45Jaar_10", "k_45Tot65Jaar_11"]
INDELING = 2020


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    cols = [BIJSTAND, *POPULATION, *AGE_15_65]
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["SoortRegio_2", "Codering_3", *cols], counts=cols,
                                key=["Codering_3"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"]
    if df.is_empty():
        return observations(df, code="", indeling=0, periode="", peildatum="", measures={}, bron="", afgerond=True)
    df = df.filter(pl.col("SoortRegio_2").is_in(["Gemeente", "Land"])).with_columns(
        pl.when(pl.col("SoortRegio_2") == "Land").then(pl.lit("NL01")).otherwise(pl.col("Codering_3")).alias("code"),
        # inwoners 15 tot 65 = 15–25 + 25–45 + 45–65 (no value if any part is missing)
        pl.sum_horizontal(AGE_15_65).alias("inwoners_15_65"),
        pl.any_horizontal([pl.col(c).is_null() for c in AGE_15_65]).alias("_gat"),
    ).with_columns(pl.when(pl.col("_gat")).then(None).otherwise(pl.col("inwoners_15_65")).alias("inwoners_15_65"))
    df = ctx.check_codes(df, f"{FOLDER}/{FILE}", "code", INDELING)
    bijstand = observations(df, code="code", indeling=INDELING, periode="2020", peildatum="eind maart 2020 (afgeleid)",
                            measures={BIJSTAND: "bijstand_alg_personen_kwb"}, bron="84799NED", afgerond=True, voorlopig=True)
    people = {c: i for c, i in POPULATION.items() if not c.startswith("Huishoudens") and not c.startswith("Eenpersoons")}
    bevolking = observations(df, code="code", indeling=INDELING, periode="2020", peildatum="1 januari 2020",
                             measures={**people, "inwoners_15_65": "inwoners_15_65_kwb"}, bron="84799NED", afgerond=False)
    huishoudens = observations(df, code="code", indeling=INDELING, periode="2020", peildatum="2020 (peildatum niet in de metadata)",
                               measures={c: i for c, i in POPULATION.items() if c not in people}, bron="84799NED", afgerond=False)
    return pl.concat([bijstand, bevolking, huishoudens])

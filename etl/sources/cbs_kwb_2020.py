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
# What the shipped table says about its bijstand figure (peildatum, provisional); a refreshed copy of the same year keeps it.
SHIPPED = {INDELING: ("eind maart 2020 (afgeleid)", True)}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    cols = [BIJSTAND, *POPULATION, *AGE_15_65]
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["SoortRegio_2", "Codering_3", *cols], counts=cols,
                                key=["Codering_3"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"]
    if df.is_empty():
        return observations(df, code="", indeling=0, periode="", peildatum="", measures={}, bron="", afgerond=True)
    df = df.filter(pl.col("SoortRegio_2").is_in(["Gemeente", "Land"])).with_columns(
        pl.when(pl.col("SoortRegio_2") == "Land").then(pl.lit("NL01")).otherwise(pl.col("Codering_3")).alias("code"))
    df = ctx.check_codes(df, f"{FOLDER}/{FILE}", "code", INDELING)
    return kwb_observations(df, INDELING, "84799NED", *SHIPPED[INDELING])


def kwb_observations(df: pl.DataFrame, year: int, bron: str, peil_bijstand: str, voorlopig: bool) -> pl.DataFrame:
    """Columns `code` and this table's measure columns (2020 keys) -> observations on the indeling of `year`.
    Also used for any other year's KWB table fetched by `etl vernieuw` (source 'kwb')."""
    df = df.with_columns(
        # inwoners 15 tot 65 = 15–25 + 25–45 + 45–65 (no value if any part is missing)
        pl.when(pl.any_horizontal([pl.col(c).is_null() for c in AGE_15_65])).then(None)
        .otherwise(pl.sum_horizontal(AGE_15_65)).alias("inwoners_15_65"))
    bijstand = observations(df, code="code", indeling=year, periode=str(year), peildatum=peil_bijstand,
                            measures={BIJSTAND: "bijstand_alg_personen_kwb"}, bron=bron, afgerond=True, voorlopig=voorlopig)
    people = {c: i for c, i in POPULATION.items() if not c.startswith("Huishoudens") and not c.startswith("Eenpersoons")}
    bevolking = observations(df, code="code", indeling=year, periode=str(year), peildatum=f"1 januari {year}",
                             measures={**people, "inwoners_15_65": "inwoners_15_65_kwb"}, bron=bron, afgerond=False)
    huishoudens = observations(df, code="code", indeling=year, periode=str(year),
                               peildatum=f"{year} (peildatum niet in de metadata)",
                               measures={c: i for c, i in POPULATION.items() if c not in people}, bron=bron, afgerond=False)
    return pl.concat([bijstand, bevolking, huishoudens])


TITLES = {BIJSTAND: "Personen per soort uitkering; Bijstand", "AantalInwoners_5": "Aantal inwoners",
          "k_0Tot15Jaar_8": "0 tot 15 jaar", "k_15Tot25Jaar_9": "15 tot 25 jaar", "k_25Tot45Jaar_10": "25 tot 45 jaar",
          "k_45Tot65Jaar_11": "45 tot 65 jaar", "k_65JaarOfOuder_12": "65 jaar of ouder", "HuishoudensTotaal_28": "Huishoudens totaal",
          "Eenpersoonshuishoudens_29": "Eenpersoonshuishoudens", "HuishoudensMetKinderen_31": "Huishoudens met kinderen"}


def live_shape(df: pl.DataFrame, h: dict, ctx: Context, file: str) -> pl.DataFrame:
    """A KWB table of any year from `etl vernieuw`: CBS's keys of that version -> the 2020 keys by prefix (the titles were
    checked when fetched), gemeente and Nederland rows on the indeling of the table's year."""
    ours = {c.rsplit("_", 1)[0]: c for c in TITLES}
    year = int(h["jaar"])
    df = df.with_columns(pl.col("WijkenEnBuurten").str.replace(r"^NL\d\d$", "NL01").alias("code"),
                         pl.lit(year, pl.Int32).alias("indeling"), pl.lit(str(year)).alias("periode"),
                         *[pl.col(m["sleutel"]).alias(ours[m["prefix"]]) for m in h["maatstaven"]])
    df = ctx.check_codes(df, file, "code", "indeling", ctx.newest)
    peil, voorlopig = SHIPPED.get(year, (f"KWB {year} (peildatum niet in de metadata)", False))
    return kwb_observations(df, min(year, max(ctx.active)), h["tabel"], peil, voorlopig=voorlopig)

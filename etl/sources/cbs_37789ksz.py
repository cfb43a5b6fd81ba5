"""CBS 37789ksz: national bijstandsuitkeringen per month (x 1 000), 1998–2018."""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table

FOLDER = "cbs_37789ksz_nationaal"
FILE = "social_security_37789ksz_1998_2017.csv"
SOURCES = [Source("37789ksz", "CBS", "Sociale zekerheid; kerncijfers, uitkeringen naar uitkeringssoort", "CC BY 4.0",
                  "https://opendata.cbs.nl/ODataApi/odata/37789ksz", FOLDER)]
COL = "BijstandsuitkeringenTotDeAOWLeeftijd_12"
# issue 9 F: the other national series of the same file (x 1 000 uitkeringen), each its own indicator
OTHER = {
    "TotaalBijstandsuitkeringen_11": "bijstand_uitkeringen_totaal_nl",
    "BijstandsuitkeringenVanafAOWLeeftijd_13": "bijstand_uitkeringen_vanaf_aow_nl",
    "IOAWUitkeringen_14": "ioaw_uitkeringen_nl",
    "IOAZUitkeringen_15": "ioaz_uitkeringen_nl",
    "TotaalArbeidsongeschiktheidsuitkeringen_1": "ao_uitkeringen_nl",
    "WAOUitkeringen_2": "wao_uitkeringen_nl",
    "WajongUitkeringen_3": "wajong_uitkeringen_nl",
    "WAZUitkeringen_4": "waz_uitkeringen_nl",
    "TotaalWIAUitkeringen_5": "wia_uitkeringen_nl",
    "NietSeizoengecorrigeerd_8": "ww_uitkeringen_nl",
    "IOWUitkeringen_10": "iow_uitkeringen_nl",
    "AOWUitkeringen_16": "aow_uitkeringen_nl",
    "AnwUitkeringen_17": "anw_uitkeringen_nl",
    "AKWUitkeringen_18": "akw_uitkeringen_nl",
}


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"table": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["Perioden", COL, *OTHER], counts=[COL, *OTHER],
                                key=["Perioden"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    df = raw["table"].filter(pl.col("Perioden").str.contains("MM") & pl.col(COL).is_not_null())
    df = df.with_columns(pl.lit("NL01").alias("code"), (pl.col("Perioden").str.slice(0, 4) + "-" + pl.col("Perioden").str.slice(6, 2)).alias("periode"))
    main = observations(df, code="code", indeling=0, periode=pl.col("periode"), peildatum=pl.format("einde maand {}", pl.col("periode")),
                        measures={COL: "bijstand_uitkeringen_tot_aow_nl"}, bron="37789ksz", afgerond=True, scale=1000.0)
    months = raw["table"].filter(pl.col("Perioden").str.contains("MM")).with_columns(
        pl.lit("NL01").alias("code"), (pl.col("Perioden").str.slice(0, 4) + "-" + pl.col("Perioden").str.slice(6, 2)).alias("periode"))
    other = observations(months, code="code", indeling=0, periode=pl.col("periode"),
                         peildatum=pl.format("einde maand {}", pl.col("periode")), measures=OTHER, bron="37789ksz", afgerond=True,
                         scale=1000.0)
    return pl.concat([main, other.filter(pl.col("waarde").is_not_null())])  # a series that had not started or was not yet published

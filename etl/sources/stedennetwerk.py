"""G4 and G40-stedennetwerk membership (public web pages, transcribed with CBS gemeentecodes): a kenmerk, not an indicator.

Read into gemeente_kenmerken (kenmerk 'g40', jaar 2025) so the ready-made G40 referentiegroep comes from the warehouse.
"""

from __future__ import annotations

import polars as pl

from etl.sources.common import Context, Source, observations
from etl.validate import read_table
from portal.nl import nl_date

FOLDER = "g4_g40_stedennetwerk"
FILE = "g4_g40_gemeenten_2025.csv"
SOURCES = [Source("G40-stedennetwerk", "Stedennetwerk G40 (ledenlijst uit openbare pagina's: hetccv.nl, fy.wikipedia.org, "
                  "stadszaken.nl, amstelveenweb.com)", "G4 en G40-stedennetwerk: leden met CBS-gemeentecode en datum van toetreden",
                  "feitenlijst; Wikipedia-tekst CC BY-SA", "https://g40stedennetwerk.nl", FOLDER)]
YEAR = 2025  # the gemeente codes are those of the 2025 indeling (all active 2009–2025)


def read(ctx: Context) -> dict[str, pl.DataFrame]:
    return {"leden": read_table(ctx.file(FOLDER, FILE), ctx.col, required=["netwerk", "gemeentecode", "toetreding_volgens_fy_wikipedia"],
                                key=["netwerk", "gemeentecode"])}


def transform(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    """No observations: membership is a characteristic (see `kenmerken`)."""
    return observations(pl.DataFrame(), code="", indeling=0, periode="", peildatum="", measures={}, bron="", afgerond=False)


def member_date(leden: pl.DataFrame) -> str:
    """Date of the member list: the latest join date named in the source (Amstelveen, 1 July 2022)."""
    dates = leden["toetreding_volgens_fy_wikipedia"].str.extract(r"^(\d{4}-\d{2}-\d{2})").drop_nulls()
    if not dates.len():
        return "onbekende datum"
    return nl_date(str(dates.max()))


def kenmerken(raw: dict[str, pl.DataFrame], ctx: Context) -> pl.DataFrame:
    """gemeentecode, jaar, kenmerk, code, waarde, bron: one row per G4 and per G40 member."""
    leden = raw["leden"]
    if leden.is_empty():
        return pl.DataFrame()
    leden = ctx.check_codes(leden, f"{FOLDER}/{FILE}", "gemeentecode", YEAR)
    for netwerk in leden["netwerk"].unique():
        if netwerk not in ("G4", "G40"):
            ctx.col.add(f"{FOLDER}/{FILE}", None, "netwerk", f"onbekend netwerk '{netwerk}' (verwacht G4 of G40)")
    g40 = leden.filter(pl.col("netwerk") == "G40")
    datum = member_date(g40)
    bron = f"G40-stedennetwerk, ledenlijst per {datum} (hetccv.nl, fy.wikipedia.org, stadszaken.nl)"
    return leden.select(
        "gemeentecode", pl.lit(YEAR, pl.Int32).alias("jaar"), pl.col("netwerk").str.to_lowercase().alias("kenmerk"),
        pl.col("netwerk").alias("code"), pl.col("toetreding_volgens_fy_wikipedia").alias("waarde"),
        pl.when(pl.col("netwerk") == "G40").then(pl.lit(bron)).otherwise(pl.lit("G4 (hetccv.nl)")).alias("bron"),
    )

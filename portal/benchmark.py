"""Pure polars views on the warehouse for the pages: series per definition, labelled with source and definition."""

from __future__ import annotations

import polars as pl

from portal import metrics
from portal.store import Warehouse

# The bijstandsvolume per definition (one series each) and the matching dichtheid.
VOLUME = ["bijstand_personen_abw_wwb", "bijstand_personen_tot_aow_incl_gerelateerd", "bijstand_alg_personen_15_aow",
          "bijstand_uitkeringen_totaal"]
DENSITY = ["dichtheid_abw_wwb", "dichtheid_tot_aow_incl_gerelateerd", "dichtheid_alg_15_aow", "dichtheid_uitkeringen_totaal"]


def volume_series(wh: Warehouse, code: str, indeling: str | int, density: bool = False) -> pl.DataFrame:
    """Bijstandsvolume (or dichtheid) of one gemeente over all years, one row per definition and year.

    Columns: jaar, waarde, indicator, definitie, eenheid, bron, peildatum, indeling, afgerond, onderdrukt, voorlopig.
    Each CBS definition stays its own series; nothing is spliced.
    """
    ids = DENSITY if density else VOLUME
    obs = wh.observations(code, ids, indeling)
    if obs.is_empty():
        return obs
    labels = {i: metrics.get(i).label for i in ids}
    units = {i: metrics.get(i).unit for i in ids}
    return obs.select(
        pl.col("periode").str.slice(0, 4).cast(pl.Int32).alias("jaar"),
        "waarde",
        "indicator",
        pl.col("indicator").replace_strict(labels).alias("definitie"),
        pl.col("indicator").replace_strict(units).alias("eenheid"),
        "bron",
        "peildatum",
        pl.col("indeling").cast(pl.String),
        "afgerond",
        "onderdrukt",
        "voorlopig",
    ).sort("indicator", "jaar")


def boundary_breaks(series: pl.DataFrame, change_years: list[int]) -> list[int]:
    """Years at which a series moves onto an indeling that differs by a herindeling of this gemeente.

    A series on own-year boundaries may carry a figure for year t on the indeling of t+2 (maatstaven tables); the
    break belongs where the data's indeling crosses a change, not at the calendar year of the change.
    """
    breaks: set[int] = set()
    for _, part in series.group_by("indicator"):
        rows = part.sort("jaar").select("jaar", pl.col("indeling").cast(pl.Int32)).rows()
        for (_, prev), (jaar, cur) in zip(rows, rows[1:]):
            if any(prev < y <= cur for y in change_years):
                breaks.add(jaar)
    return sorted(breaks)

"""Vergelijken's ranked view (Streamlit): the gemeenten of the comparison on one indicator in one period, sorted, with the
chosen gemeente highlighted, the group's median, each bar's rounding range, and places only where the figure carries
them (the profile's signal rules, portal.signals.blocked). The data shaping lives in portal.benchmark.ranking."""

from __future__ import annotations

import polars as pl
import streamlit as st

from portal import charts, metrics, signals
from portal.benchmark import GEEN_CIJFER, rank_ranges
from portal.export import indicator_lines
from portal.nl import nl_number
from portal.ui.data import ranking
from portal.ui.render import chart, data_table
from portal.ui.widgets import url_select
from portal.views import period_nl


def why_no_places(indicator: str, periode: str, n_values: int) -> str:
    """Why the ranked view gives no places for this indicator and period ("" when it does): a proxy, no favourable
    direction, a figure more than VEROUDERD_NA_JAREN years old (as signals.blocked decides for the profile), or fewer
    than MIN_GROUP gemeenten with a figure."""
    v = signals.blocked(indicator, periode, 0.0)  # the indicator's and period's reasons; a missing figure is per gemeente
    if v is not None:
        return v.reason.removeprefix("Geen signaal: ").rstrip(".")
    if n_values < signals.MIN_GROUP:
        return f"minder dan {signals.MIN_GROUP} gemeenten hebben een cijfer"
    return ""


def place_text(hoog: int | None, laag: int | None) -> str:
    if hoog is None or laag is None:
        return ""
    return str(hoog) if hoog == laag else f"{hoog}–{laag}"


def ranked_view(indeling: str, indicator: str, code: str, codes: list[str], periods: list[str], indeling_label: str) -> None:
    """The section: a period picker kept in the URL (?jaar=), the sorted bar chart, what the places mean or why there are
    none, and a table with CSV/Excel (gemeentecode, place, value, range, remark, source, peildatum)."""
    ind = metrics.get(indicator)
    st.subheader("Rangschikking in één periode")
    yearly = all(len(p) == 4 for p in periods)
    periode = url_select("Jaar" if yearly else "Periode", periods, "jaar", periods[-1], format_func=period_nl, key="vg_jaar")
    ranked = ranking(indeling, indicator, periode, codes)
    usable = ranked["waarde"].is_not_null() & ranked["onwaarschijnlijk"].is_null()
    n_values = int(usable.sum())
    no_places = why_no_places(indicator, periode, n_values)
    ranked = rank_ranges(ranked, usable if not no_places else pl.Series([False] * ranked.height))
    ranked = ranked.with_columns(
        pl.struct("plaats_hoog", "plaats_laag").map_elements(lambda r: place_text(r["plaats_hoog"], r["plaats_laag"]),
                                                             return_dtype=pl.String).alias("plaats"),
        pl.when(pl.col("waarde").is_null()).then(pl.lit(f"{GEEN_CIJFER}: ontbreekt of onderdrukt door de bron"))
        .when(pl.col("onwaarschijnlijk").is_not_null()).then(pl.lit("bronwaarde onwaarschijnlijk: ") + pl.col("onwaarschijnlijk"))
        .otherwise(pl.lit("")).alias("opmerking"))
    ranked = ranked.with_columns(pl.when(pl.col("plaats") != "").then(pl.col("plaats") + ". " + pl.col("gemeente"))
                                 .otherwise(pl.col("gemeente")).alias("label"))
    median = ranked.filter(usable)["waarde"].median() if n_values >= signals.MIN_GROUP else None
    naam = ranked.filter(pl.col("gemeente_code") == code)["gemeente"].to_list()
    naam = naam[0] if naam else code
    with_range = ranked.filter(pl.col("bereik") == "afronding door CBS").height
    unknown = ranked.filter(pl.col("bereik") == "geen bereik bekend").height
    missing = ranked.filter(pl.col("waarde").is_null()).height

    dec = ind.decimals
    lines = indicator_lines([indicator], sorted(ranked["bron"].drop_nulls().unique())) + [
        f"Periode: {period_nl(periode)}; peildatum van de cijfers: {', '.join(sorted(ranked['peildatum'].drop_nulls().unique())) or '–'}.",
        f"Gemeenten: {ranked.height}" + (f", waarvan {missing} zonder cijfer (onderaan, 'geen cijfer')." if missing else
                                          ", alle met een cijfer."),
        ("Balk = cijfer; zwarte lijn = bereik dat de afronding door CBS toelaat (tellingen op tientallen, CBS-percentages op "
         "halven); " if with_range else "Balk = cijfer; geen bereik bekend (er staat geen afgeronde telling achter dit cijfer); ")
        + (f"gestreepte lijn = mediaan van de {n_values} gemeenten met een cijfer ({nl_number(median, dec)})." if median is not None
           else f"geen mediaan: minder dan {signals.MIN_GROUP} gemeenten met een cijfer."),
        (f"Geen plaatsen: {no_places}." if no_places else
         "Plaats 1 = hoogste cijfer; een plaats als 10–14 is het bereik dat de afronding van alle cijfers toelaat."),
        f"Indeling: {indeling_label}."]
    title = f"{ind.label}, {period_nl(periode)}: op volgorde"
    chart(charts.ranked_chart(ranked, chosen=code, median=median, unit=ind.unit, decimals=dec), title, lines,
          key=f"rangschikking-{indicator}-{periode}", subtitle=ind.unit)
    mine = ranked.filter(pl.col("gemeente_code") == code).row(0, named=True) if code in ranked["gemeente_code"] else None
    if no_places:
        st.markdown(f"**Geen plaatsen**: {no_places}. De balken staan op volgorde van het cijfer; dat beschrijft de spreiding "
                    "in de groep en is geen rangorde en geen oordeel.")
    elif mine is not None and mine["plaats"]:
        st.markdown(f"**{naam}: plaats {mine['plaats']} van {n_values}** (1 = hoogste cijfer"
                    + ("; het bereik komt doordat CBS de tellingen afrondt en de cijfers van andere gemeenten binnen die "
                       "afronding even hoog kunnen zijn" if "–" in mine["plaats"] else "")
                    + "). Een plaats is een beschrijving, geen oordeel: of een cijfer hoger of lager is dan verwacht, staat "
                    "op het Gemeenteprofiel.")
    if unknown and with_range:
        st.caption(f"Voor {unknown} gemeente(n) is geen bereik bekend (geen afgeronde telling achter het cijfer); hun plaats "
                   "gaat uit van het gepubliceerde cijfer.")
    table = ranked.select(
        pl.col("gemeente_code").alias("Gemeentecode"), pl.col("gemeente").alias("Gemeente"), pl.col("plaats").alias("Plaats"),
        pl.col("waarde").alias("Cijfer"), pl.col("lo").alias("Ondergrens afronding"), pl.col("hi").alias("Bovengrens afronding"),
        pl.col("bereik").alias("Bereik"), pl.col("opmerking").alias("Opmerking"), pl.col("bron").alias("Bron"),
        pl.col("peildatum").alias("Peildatum"))
    data_table(table, lines, key=f"rangschikking-{indicator}-{periode}",
               decimals={"Cijfer": dec, "Ondergrens afronding": dec + 1, "Bovengrens afronding": dec + 1})

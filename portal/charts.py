"""Altair chart builders and Dutch number formatting: (frame, metric) -> chart. One colour scheme for the portal."""

from __future__ import annotations

import altair as alt
import polars as pl

# Vega-Lite number locale: 1.234,5 and € in front.
NL_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}
PALETTE = ["#1f5fa8", "#e07b00", "#3a9a48", "#8b4aa8", "#c23b3b", "#6b6b6b", "#1a9fb0", "#b08d00"]


def nl_number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5'; None -> '–' (no value)."""
    if value is None:
        return "–"
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_euro(value: float | None) -> str:
    """Amounts as users read them: € 1,2 mln above a million, else € 12.345."""
    if value is None:
        return "–"
    if abs(value) >= 1e6:
        return f"€ {nl_number(value / 1e6, 1)} mln"
    return f"€ {nl_number(value)}"


def series_chart(frame: pl.DataFrame, *, y_title: str, breaks: list[int] | None = None, decimals: int = 0) -> alt.LayerChart:
    """Lines per definition over the years; a definition is never joined to another. Optional break marks.

    frame columns: jaar (int), waarde, definitie, bron, peildatum, indeling.
    """
    fmt = f",.{decimals}f"
    data = frame.with_columns(pl.col("jaar").cast(pl.Int32)).to_pandas()
    base = alt.Chart(data).encode(
        x=alt.X("jaar:Q", title="Jaar", axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(padding=12)),
        y=alt.Y("waarde:Q", title=y_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=True)),
        color=alt.Color("definitie:N", title="Definitie", scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)),
    )
    tooltip = [
        alt.Tooltip("jaar:Q", title="Jaar", format="d"),
        alt.Tooltip("waarde:Q", title=y_title, format=fmt),
        alt.Tooltip("definitie:N", title="Definitie"),
        alt.Tooltip("bron:N", title="Bron (CBS-tabel)"),
        alt.Tooltip("peildatum:N", title="Peildatum"),
        alt.Tooltip("indeling:N", title="Gemeentelijke indeling"),
    ]
    layers: list[alt.Chart] = [base.mark_line(), base.mark_point(filled=True, size=50).encode(tooltip=tooltip)]
    if breaks:
        marks = alt.Chart(pl.DataFrame({"jaar": breaks}).to_pandas()).mark_rule(strokeDash=[4, 4], color="#888").encode(
            x="jaar:Q", tooltip=[alt.Tooltip("jaar:Q", title="Grenswijziging per 1 januari", format="d")])
        layers.append(marks)
    return alt.layer(*layers).properties(height=380).configure(locale={"number": NL_LOCALE})


def reeks_scale(names: list[str]) -> alt.Scale:
    """Colours for named series: the chosen gemeente (always first in `names`) keeps PALETTE[0] on every page."""
    return alt.Scale(domain=names, range=[PALETTE[i % len(PALETTE)] for i in range(len(names))])


def benchmark_chart(lines: pl.DataFrame, band: pl.DataFrame, *, reeksen: list[str], y_title: str, decimals: int = 0,
                    breaks: list[tuple[int, str]] | None = None) -> alt.LayerChart:
    """The gemeente against its referentiegroep: one line per series and definition (never joined across definitions),
    the group's P25–P75 as a band, and vertical rules where a definition or the gemeente's boundaries change.

    lines: jaar, waarde, reeks, definitie, bron, peildatum. band: jaar, p25, p75, definitie. breaks: (jaar, reason).
    """
    fmt = f",.{decimals}f"
    x = alt.X("jaar:Q", title="Jaar", axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(padding=12))
    layers: list[alt.Chart] = []
    if band.height:
        layers.append(alt.Chart(band.to_pandas()).mark_area(opacity=0.18, color=PALETTE[1]).encode(
            x=x, y=alt.Y("p25:Q", title=y_title), y2="p75:Q", detail="definitie:N",
            tooltip=[alt.Tooltip("jaar:Q", title="Jaar", format="d"), alt.Tooltip("p25:Q", title="Referentiegroep P25", format=fmt),
                     alt.Tooltip("p75:Q", title="Referentiegroep P75", format=fmt), alt.Tooltip("definitie:N", title="Definitie")]))
    base = alt.Chart(lines.to_pandas()).encode(
        x=x, y=alt.Y("waarde:Q", title=y_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=True)),
        color=alt.Color("reeks:N", title=None, scale=reeks_scale(reeksen), legend=alt.Legend(orient="bottom", labelLimit=500)),
        strokeDash=alt.StrokeDash("reeks:N", legend=None, scale=alt.Scale(domain=reeksen, range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]])),
        detail="definitie:N",
    )
    tooltip = [alt.Tooltip("reeks:N", title="Reeks"), alt.Tooltip("jaar:Q", title="Jaar", format="d"),
               alt.Tooltip("waarde:Q", title=y_title, format=fmt), alt.Tooltip("definitie:N", title="Definitie"),
               alt.Tooltip("bron:N", title="Bron (CBS-tabel)"), alt.Tooltip("peildatum:N", title="Peildatum")]
    layers += [base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=40).encode(tooltip=tooltip)]
    if breaks:
        rules = pl.DataFrame({"jaar": [b[0] for b in breaks], "reden": [b[1] for b in breaks]})
        layers.append(alt.Chart(rules.to_pandas()).mark_rule(strokeDash=[4, 4], color="#888").encode(
            x="jaar:Q", tooltip=[alt.Tooltip("jaar:Q", title="Breuk in", format="d"), alt.Tooltip("reden:N", title="Reden")]))
    return alt.layer(*layers).properties(height=380).configure(locale={"number": NL_LOCALE})

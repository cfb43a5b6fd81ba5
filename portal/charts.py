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

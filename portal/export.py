"""Downloads: charts as PNG/SVG and tables as CSV/Excel, each carrying its source and definition lines. No Streamlit here."""

from __future__ import annotations

import io

import altair as alt
import polars as pl
import vl_convert as vlc
import xlsxwriter

from portal import metrics


def indicator_lines(ids: list[str], tables: list[str] | None = None) -> list[str]:
    """'Bron'/'Definitie' lines for the given indicators: label, unit, definition, source tables, peildatum, caveats."""
    lines = []
    for i in dict.fromkeys(ids):
        ind = metrics.get(i)
        srcs = ", ".join(tables or ind.sources)
        formula = f" Formule: {ind.formula.text()}." if ind.formula else ""
        lines.append(f"{ind.label} ({ind.unit}). {ind.definition}{formula} Peildatum: {ind.peildatum}. Bron: {srcs}.")
    return lines


def _with_footer(chart: alt.TopLevelMixin, title: str, lines: list[str]) -> dict:
    spec = chart.to_dict()
    spec["title"] = {"text": title, "subtitle": lines, "anchor": "start", "subtitleFontSize": 10, "orient": "top"}
    return spec


def chart_png(chart: alt.TopLevelMixin, title: str, lines: list[str]) -> bytes:
    return vlc.vegalite_to_png(_with_footer(chart, title, lines), scale=2)


def chart_svg(chart: alt.TopLevelMixin, title: str, lines: list[str]) -> str:
    return vlc.vegalite_to_svg(_with_footer(chart, title, lines))


def rounded(frame: pl.DataFrame, decimals: dict[str, int]) -> pl.DataFrame:
    """Float columns rounded as the portal shows them (default one decimal), so a download carries no float noise."""
    return frame.with_columns(pl.col(c).round(decimals.get(c, 1)) for c, t in frame.schema.items() if t.is_float())


def table_csv(frame: pl.DataFrame, lines: list[str]) -> bytes:
    """Semicolon-separated with decimal comma (what Dutch Excel opens directly); source lines first, prefixed with '#'."""
    head = "".join(f"# {line}\n" for line in lines)
    body = frame.write_csv(separator=";", decimal_comma=True)
    return (head + body).encode("utf-8-sig")


def table_xlsx(frame: pl.DataFrame, lines: list[str], sheet: str = "Gegevens") -> bytes:
    """The table on one sheet, and the source and definition lines on a second sheet 'Bron en definities'."""
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf) as wb:
        frame.write_excel(workbook=wb, worksheet=sheet[:31], autofit=True, float_precision=1)
        ws = wb.add_worksheet("Bron en definities")
        for r, line in enumerate(lines):
            ws.write_string(r, 0, line)
    return buf.getvalue()

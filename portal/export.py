"""Downloads: charts as PNG/SVG and tables as CSV/Excel, each carrying its source and definition lines. No Streamlit here."""

from __future__ import annotations

import io
import textwrap

import altair as alt
import polars as pl
import vl_convert as vlc
import xlsxwriter

from portal import metrics
from portal.charts import finish


def indicator_lines(ids: list[str], tables: list[str] | None = None) -> list[str]:
    """'Bron'/'Definitie' lines for the given indicators: label, unit, definition, source tables, peildatum, caveats."""
    lines = []
    for i in dict.fromkeys(ids):
        ind = metrics.get(i)
        srcs = ", ".join(tables or ind.sources)
        formula = f" Formule: {ind.formula.text()}." if ind.formula else ""
        lines.append(f"{ind.label} ({ind.unit}). {ind.definition}{formula} Peildatum: {ind.peildatum}. Bron: {srcs}.")
    return lines


EXPORT_WIDTH = 900  # px: the chart fills the image; the source lines sit under it, wrapped to that width


def export_spec(chart: alt.TopLevelMixin, title: str, subtitle: str, lines: list[str]) -> dict:
    """The chart at a fixed full width with title and subtitle, and its source and definition lines under it."""
    wrapped = [part for line in lines for part in textwrap.wrap(line, 160)]
    footer = alt.Chart(pl.DataFrame({"n": list(range(len(wrapped))), "regel": wrapped}).to_pandas()).mark_text(
        align="left", baseline="top", fontSize=10, color="#333").encode(
        x=alt.value(0), y=alt.Y("n:O", axis=None), text="regel:N").properties(width=EXPORT_WIDTH, height=13 * len(wrapped))
    body = chart.properties(width=EXPORT_WIDTH)
    joined = alt.vconcat(body, footer, spacing=14).resolve_legend(color="independent", strokeDash="independent",
                                                                   shape="independent")
    return finish(joined, title, subtitle).to_dict()


def chart_png(chart: alt.TopLevelMixin, title: str, lines: list[str], subtitle: str = "") -> bytes:
    return vlc.vegalite_to_png(export_spec(chart, title, subtitle, lines), scale=2)


def chart_svg(chart: alt.TopLevelMixin, title: str, lines: list[str], subtitle: str = "") -> str:
    return vlc.vegalite_to_svg(export_spec(chart, title, subtitle, lines))


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

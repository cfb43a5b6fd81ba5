"""Downloads: charts as PNG/SVG and tables as CSV/Excel, each carrying its source and definition lines. No Streamlit here."""

from __future__ import annotations

import io
import re
import textwrap

import altair as alt
import polars as pl
import vl_convert as vlc
import xlsxwriter

from portal import metrics
from portal.charts import finish


def indicator_lines(ids: list[str], tables: list[str] | None = None, in_words: bool = False) -> list[str]:
    """'Bron'/'Definitie' lines for the given indicators: label, unit, definition, source tables, peildatum, caveats.
    in_words: the formula with the names of its inputs instead of their ids (the PDF report)."""
    lines = []
    for i in dict.fromkeys(ids):
        ind = metrics.get(i)
        srcs = ", ".join(tables or ind.sources)
        if ind.formula and in_words:
            formula = f" Formule: {ind.formula.words(lambda x: metrics.REGISTRY[x].label if x in metrics.REGISTRY else x)}."
        else:
            formula = f" Formule: {ind.formula.text()}." if ind.formula else ""
        lines.append(f"{ind.label} ({ind.unit}). {ind.definition}{formula} Peildatum: {ind.peildatum}. Bron: {srcs}.")
    return lines


def source_line(ids: list[str]) -> str:
    """One short line with the sources and peildatum of the given indicators, for under a chart or table on screen (the
    definitions sit one click away there, and in full in every export): 'Bron en peildatum: 85383NED (maatstafjaar)'."""
    parts: dict[tuple[str, ...], list[str]] = {}
    for i in dict.fromkeys(ids):
        ind = metrics.get(i)
        head = ind.peildatum.split(" (")[0].split(";")[0].strip()
        parts.setdefault(tuple(ind.sources), [])
        if head and head not in parts[tuple(ind.sources)]:
            parts[tuple(ind.sources)].append(head)
    out = []
    for srcs, heads in parts.items():
        names = [x for x in srcs if " " in x]  # e.g. 'BZK-circulaires gemeentefonds'; the rest are table ids
        ids_ = [x for x in srcs if " " not in x]
        tables = ", ".join(ids_) if len(ids_) <= 3 else f"{ids_[0]} … {ids_[-1]}, {len(ids_)} tabellen"
        text = ", ".join(names + ([tables] if ids_ else []))
        out.append(f"{text} ({'; '.join(heads)})" if heads else text)
    return "Bron en peildatum: " + " · ".join(out) + "."


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
    spec = finish(joined, title, subtitle).to_dict()
    # Vega cuts a long legend short with an English "…12 entries": a download shows every entry (it has the room).
    spec.setdefault("config", {}).setdefault("legend", {})["symbolLimit"] = 0
    return spec


def chart_png(chart: alt.TopLevelMixin, title: str, lines: list[str], subtitle: str = "") -> bytes:
    return vlc.vegalite_to_png(export_spec(chart, title, subtitle, lines), scale=2)


def chart_svg(chart: alt.TopLevelMixin, title: str, lines: list[str], subtitle: str = "") -> str:
    return vlc.vegalite_to_svg(export_spec(chart, title, subtitle, lines))


def rounded(frame: pl.DataFrame, decimals: dict[str, int]) -> pl.DataFrame:
    """Float columns rounded as the portal shows them (default one decimal), so a download carries no float noise; a
    column shown without decimals becomes whole numbers (a CSV then writes 700 as the screen does, not 700,0)."""
    return frame.with_columns(pl.col(c).round(0).cast(pl.Int64, strict=False) if decimals.get(c, 1) == 0 else pl.col(c).round(decimals.get(c, 1))
                              for c, t in frame.schema.items() if t.is_float())


# Text that a spreadsheet would take for a formula when it starts a cell (OWASP, "CSV Injection",
# https://owasp.org/www-community/attacks/CSV_Injection): =, +, -, @, tab and carriage return. File names, code values
# and notes come from users, so a CSV cell that starts so gets a leading single quote; text that is just a number
# ("-3", "+1,5 %") cannot run and stays as it is.
FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?[0-9][0-9.,]* ?%?$"


def defused(text: str) -> str:
    """One CSV cell's text with a leading single quote when a spreadsheet would read it as a formula."""
    return "'" + text if re.match(FORMULA_START, text) and not re.match(PLAIN_NUMBER, text) else text


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with text cells and column names that would start a formula neutralised (defused); numbers stay numbers."""
    text = [c for c, t in frame.schema.items() if t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum)]
    out = frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(FORMULA_START)
                & ~pl.col(c).cast(pl.String).str.contains(PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(c).cast(pl.String)).otherwise(pl.col(c).cast(pl.String)).alias(c) for c in text)
    return out.rename({c: defused(c) for c in out.columns})


def _comment(line: str) -> str:
    """A source line as a CSV line starting with '#'. Excel splits it at each ';', so when a piece after one would start
    a formula (or a quoted field), the line becomes one quoted cell: a file name in it cannot start a cell of its own."""
    cell = "# " + re.sub(r"[\r\n]+", " ", line)
    if any(re.match(r'\s*[=+\-@"]', part) for part in cell.split(";")[1:]):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def table_csv(frame: pl.DataFrame, lines: list[str]) -> bytes:
    """Semicolon-separated with decimal comma (what Dutch Excel opens directly); source lines first, prefixed with '#'.
    Text that would start a formula gets a leading single quote (csv_safe)."""
    head = "".join(f"{_comment(line)}\n" for line in lines)
    body = csv_safe(frame).write_csv(separator=";", decimal_comma=True)
    return (head + body).encode("utf-8-sig")


def table_xlsx(frame: pl.DataFrame, lines: list[str], sheet: str = "Gegevens") -> bytes:
    """The table on one sheet, and the source and definition lines on a second sheet 'Bron en definities'. Every text is
    written as text, never as a formula or a link (xlsxwriter turns a string starting with '=' into a formula unless
    strings_to_formulas is off)."""
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False}) as wb:
        frame.write_excel(workbook=wb, worksheet=sheet[:31], autofit=True, float_precision=1)
        ws = wb.add_worksheet("Bron en definities")
        for r, line in enumerate(lines):
            ws.write_string(r, 0, line)
    return buf.getvalue()

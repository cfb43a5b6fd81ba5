"""Altair chart builders: (frame, metric) -> chart, with the Dutch number and time locale on every chart. One colour scheme
for the portal. Dutch numbers in text come from portal.nl."""

from __future__ import annotations

import textwrap

import altair as alt
import polars as pl

from portal.nl import DATUM_KORT, MAANDEN

# Vega-Lite number locale: 1.234,5 and € in front.
NL_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]}
# and dates ("sep 2024" on a time axis), as d3-time-format defines a locale
NL_TIME = {"dateTime": "%a %e %B %Y %X", "date": DATUM_KORT, "time": "%H:%M:%S", "periods": ["AM", "PM"],
           "days": ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
           "shortDays": ["zo", "ma", "di", "wo", "do", "vr", "za"],
           "months": list(MAANDEN),
           "shortMonths": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]}
PALETTE = ["#1f5fa8", "#e07b00", "#3a9a48", "#8b4aa8", "#c23b3b", "#6b6b6b", "#1a9fb0", "#b08d00"]
# Many series (Vergelijken): Paul Tol's colour-blind-safe "muted" scheme plus three of his "bright" colours, and a line
# pattern that changes every four series, so twelve and more lines stay apart without relying on colour alone.
MANY = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#4477AA",
        "#EE6677", "#66CCEE"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]]
# More gemeenten than this on Vergelijken: grey lines with the chosen one and the group's median in colour
# (group_lines_chart); up to this many, each its own colour and line pattern with a legend (lines_chart, many=True).
LINES_IN_COLOUR = 16
# Streamlit's theme sizes a chart with autosize "fit": the given height is the whole chart (title, axes, legend), and a
# tall legend leaves the plot a few pixels. A chart with this autosize keeps its height for the plot and only fits the
# width of its container (a spec's own autosize comes before the theme's).
PLOT_HEIGHT = alt.AutoSizeParams(type="fit-x", contains="padding")
ROW = 28  # pixels per row of a chart with one row per category
MIN_PLOT = 250  # px: the least height of a chart's plot on screen; title, axes and legends come on top of it
# A title longer than this wraps over lines (Vega-Lite does not wrap a title and clips it at the chart's edge): a chart in
# the main column is about 700 px wide at a 1 280 px window with the sidebar open (15 px title, 12 px subtitle).
TITLE_CHARS, SUBTITLE_CHARS = 80, 110
# Legends under the plot are stacked (Vega puts them side by side, past the right edge of a narrow chart). Vega-Lite's
# schema takes Vega's legend layout only as an expression; it reaches Vega as a signal.
LEGEND_LAYOUT = {"expr": "{bottom: {anchor: 'start', direction: 'vertical', margin: 8}}"}


def title_lines(text: str, width: int = TITLE_CHARS) -> str | list[str]:
    """A chart title as it fits: the text itself when short, else its lines of at most `width` characters."""
    if len(text) <= width:
        return text
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def finish(chart: alt.TopLevelMixin, title: str, subtitle: str = "", height: int | None = None) -> alt.TopLevelMixin:
    """The one finishing step for every chart: title and subtitle (unit and definition), Dutch number locale, width of
    its container, quiet view. Source lines are added under the chart on screen and in exports by ui.chart."""
    sub = title_lines(subtitle, SUBTITLE_CHARS) if subtitle else []
    props = {"title": alt.TitleParams(title_lines(title), subtitle=[sub] if isinstance(sub, str) else sub, anchor="start",
                                      fontSize=15, subtitleFontSize=12, subtitleColor="#444")}
    if height:
        props["height"] = height
    props["description"] = f"Grafiek: {title}" + (f" ({subtitle})" if subtitle else "")  # what a screen reader says
    # Vega's own screen-reader texts for axes, legends and marks are English and read unrounded numbers: off.
    return (chart.properties(**props).configure(locale={"number": NL_LOCALE, "time": NL_TIME}).configure_view(stroke=None)
            .configure_axis(aria=False).configure_legend(aria=False, symbolLimit=0).configure_mark(aria=False))


def on_screen(spec: dict) -> dict:
    """A finished spec as a page shows it (exports keep theirs): the plot keeps its own height, at least MIN_PLOT px, and
    only the width is fitted to the column (Streamlit's theme fits the whole chart, legend and title included, into the
    height, which left the plot 67-130 px); legends under the plot are stacked. A concatenation (the visitatie's small
    multiples) keeps its widths and its own autosize; each of its charts gets a plot of at least MIN_PLOT px."""
    for key in ("concat", "vconcat", "hconcat"):
        if key in spec:
            return {**spec, key: [{**c, "height": max(MIN_PLOT, c["height"])} if isinstance(c.get("height"), (int, float))
                                  else c for c in spec[key]]}
    if "layer" not in spec and "mark" not in spec:
        return spec
    out = {**spec, "config": {**spec.get("config", {})}}
    out["config"]["legend"] = {**out["config"].get("legend", {}), "layout": LEGEND_LAYOUT}
    out.setdefault("autosize", PLOT_HEIGHT.to_dict())
    out.setdefault("padding", {"top": 8, "left": 5, "right": 5, "bottom": 5})  # the title's ascenders stay inside the chart
    height = spec.get("height")
    if isinstance(height, (int, float)) and height < MIN_PLOT:
        out["height"] = MIN_PLOT
    return out


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
    return alt.layer(*layers).properties(height=380)


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
        color=alt.Color("reeks:N", title=None, scale=reeks_scale(reeksen), legend=alt.Legend(orient="bottom", labelLimit=0)),
        strokeDash=alt.StrokeDash("reeks:N", legend=None, scale=alt.Scale(domain=reeksen, range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2]])),
        detail="definitie:N",
    )
    tooltip = [alt.Tooltip("reeks:N", title="Reeks"), alt.Tooltip("jaar:Q", title="Jaar", format="d"),
               alt.Tooltip("waarde:Q", title=y_title, format=fmt), alt.Tooltip("definitie:N", title="Definitie"),
               alt.Tooltip("bron:N", title="Bron (CBS-tabel)"), alt.Tooltip("peildatum:N", title="Peildatum")]
    # Two definitions can overlap in time: the point shape names the definition, so the user can tell the lines apart.
    shape = alt.Shape("definitie:N", title="Definitie", legend=alt.Legend(orient="bottom", columns=1, labelLimit=0))
    layers += [base.mark_line(strokeWidth=2.5), base.mark_point(filled=True, size=50).encode(shape=shape, tooltip=tooltip)]
    if breaks:
        rules = pl.DataFrame({"jaar": [b[0] for b in breaks], "reden": [b[1] for b in breaks]})
        layers.append(alt.Chart(rules.to_pandas()).mark_rule(strokeDash=[4, 4], color="#888").encode(
            x="jaar:Q", tooltip=[alt.Tooltip("jaar:Q", title="Breuk in", format="d"), alt.Tooltip("reden:N", title="Reden")]))
    return alt.layer(*layers).properties(height=380)


def lines_chart(data: pl.DataFrame, *, x: str, series: str, y_title: str, decimals: int = 0, temporal: bool = False,
                order: list[str] | None = None, many: bool = False, zero: bool = True, x_title: str = "Jaar",
                dash_by: str | None = None, time_format: str = "%Y", legend_columns: int | None = None) -> alt.LayerChart:
    """Lines with points, one per series (never joined across series). data: x, waarde, series, bron, peildatum.

    many: the 12-colour colour-blind-safe palette with a line pattern per four series (Vergelijken). dash_by: a column
    whose values get their own line pattern (e.g. sum over gemeenten against CBS's national figure)."""
    fmt = f",.{decimals}f"
    names = order or sorted(data[series].unique())
    colours = MANY if many else PALETTE
    colour = alt.Color(f"{series}:N", title=None, sort=names, legend=alt.Legend(orient="bottom", columns=legend_columns or (1 if not many else 3), labelLimit=0),
                       scale=alt.Scale(domain=names, range=[colours[i % len(colours)] for i in range(len(names))]))
    x_enc = _x(x, temporal, x_title, time_format)
    base = alt.Chart(data.to_pandas()).encode(
        x=x_enc, y=alt.Y("waarde:Q", title=y_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=zero)), color=colour,
        strokeDash=(alt.StrokeDash(f"{dash_by}:N", title=None, scale=alt.Scale(range=DASHES[:2]),
                                   legend=alt.Legend(orient="bottom", labelLimit=0, symbolType="stroke", symbolStrokeWidth=2, symbolStrokeColor="#333",
                                                     symbolSize=400)) if dash_by else
                    alt.StrokeDash(f"{series}:N", legend=None, sort=names,
                                   scale=alt.Scale(domain=names, range=[DASHES[(i // 4 if many else i // len(colours)) % 4]
                                                                        for i in range(len(names))]))))
    tooltip = [alt.Tooltip(f"{series}:N", title="Reeks"), alt.Tooltip("periode:N", title="Periode"),
               alt.Tooltip("waarde:Q", title=y_title, format=fmt), alt.Tooltip("bron:N", title="Bron"),
               alt.Tooltip("peildatum:N", title="Peildatum")]
    # Pointing at a line (its nearest point) leaves it in full colour and fades the others.
    hover = alt.selection_point(name="aanwijzen", on="pointerover", clear="pointerout", fields=[series], nearest=True)
    faded = alt.condition(hover, alt.value(1), alt.value(0.2))
    return alt.layer(base.mark_line(strokeWidth=2).encode(opacity=faded),
                     base.mark_point(filled=True, size=36).encode(tooltip=tooltip, opacity=faded).add_params(hover)
                     ).properties(height=380)


def _x(x: str, temporal: bool, title: str, time_format: str = "%Y") -> alt.X:
    """The time axis of a line chart: dates (months, quarters) or whole years."""
    return (alt.X(f"{x}:T", title=title, axis=alt.Axis(format=time_format), scale=alt.Scale(padding=10)) if temporal else
            alt.X(f"{x}:Q", title=title, axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(padding=12)))


GREY = "#9aa5b1"
OTHERS = "Andere gemeenten (wijs een lijn aan voor de naam)"
MEDIAN = "Mediaan van de groep"
BAND = "P25–P75 van de groep"


def group_lines_chart(data: pl.DataFrame, spread: pl.DataFrame, *, chosen: str, x: str, y_title: str, decimals: int = 0,
                      temporal: bool = False, zero: bool = True, x_title: str = "Jaar", time_format: str = "%Y") -> alt.LayerChart:
    """Many gemeenten on one indicator (Vergelijken with a large group): each gemeente a thin grey line, the chosen one in
    colour, the group's median as a dashed line over its P25–P75 band. Pointing at a line darkens it and names it in a
    tooltip, so there is no legend of forty names. data: x, waarde, gemeente, periode, bron, peildatum (lines_chart);
    spread: x, mediaan, p25, p75, n (benchmark.spread_by_period)."""
    fmt = f",.{decimals}f"
    x_enc = _x(x, temporal, x_title, time_format)
    y = alt.Y("waarde:Q", title=y_title, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=zero))
    roles = [chosen, MEDIAN, OTHERS]
    colour = alt.Color("rol:N", title=None, scale=alt.Scale(domain=roles, range=[PALETTE[0], PALETTE[1], GREY]),
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, symbolType="stroke",
                                         symbolStrokeWidth=3, symbolSize=300))
    lines = data.with_columns(pl.when(pl.col("gemeente") == chosen).then(pl.lit(chosen)).otherwise(pl.lit(OTHERS)).alias("rol"))
    period = "periode:N" if temporal else f"{x}:Q"
    tip = [alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip(period, title="Periode", **({} if temporal else {"format": "d"})),
           alt.Tooltip("waarde:Q", title=y_title, format=fmt), alt.Tooltip("bron:N", title="Bron"),
           alt.Tooltip("peildatum:N", title="Peildatum")]
    hover = alt.selection_point(name="aanwijzen", on="pointerover", clear="pointerout", fields=["gemeente"], nearest=True,
                                empty=False)
    layers: list = []
    if spread.height:
        band = spread.with_columns(pl.lit(BAND).alias("band"), pl.lit(MEDIAN).alias("rol"))
        spread_tip = [alt.Tooltip(period, title="Periode", **({} if temporal else {"format": "d"})),
                      alt.Tooltip("mediaan:Q", title="Mediaan", format=fmt), alt.Tooltip("p25:Q", title="P25", format=fmt),
                      alt.Tooltip("p75:Q", title="P75", format=fmt), alt.Tooltip("n:Q", title="Gemeenten met een cijfer")]
        layers.append(alt.Chart(band.to_pandas()).mark_area(opacity=0.22).encode(
            x=x_enc, y=alt.Y("p25:Q", title=y_title), y2="p75:Q", tooltip=spread_tip,
            fill=alt.Fill("band:N", title=None, scale=alt.Scale(domain=[BAND], range=[PALETTE[1]]),
                          legend=alt.Legend(orient="bottom", labelLimit=0, symbolOpacity=0.3, symbolType="square"))))
    others = alt.Chart(lines.filter(pl.col("rol") == OTHERS).to_pandas())
    layers.append(others.mark_line().encode(
        x=x_enc, y=y, detail="gemeente:N", color=alt.condition(hover, alt.value("#1b1b1b"), colour),
        strokeWidth=alt.condition(hover, alt.value(3), alt.value(1.2)), opacity=alt.condition(hover, alt.value(1), alt.value(0.75))))
    layers.append(others.mark_point(filled=True, size=16, opacity=0.6).encode(x=x_enc, y=y, color=colour))  # (one period: no line)
    if spread.height:
        median = alt.Chart(band.to_pandas()).encode(x=x_enc, y="mediaan:Q", color=colour, tooltip=spread_tip)
        layers += [median.mark_line(strokeWidth=2.5, strokeDash=[6, 3]), median.mark_point(shape="diamond", filled=True, size=70)]
    mine = alt.Chart(lines.filter(pl.col("rol") == chosen).to_pandas())
    layers += [mine.mark_line(strokeWidth=3).encode(x=x_enc, y=y, color=colour),
               mine.mark_point(filled=True, size=50).encode(x=x_enc, y=y, color=colour, tooltip=tip)]
    # every gemeente's points: invisible until its line is pointed at; they carry the tooltip and the nearest-point hover
    layers.append(alt.Chart(lines.to_pandas()).mark_point(filled=True, size=45, color="#1b1b1b").encode(
        x=x_enc, y=y, opacity=alt.condition(hover, alt.value(1), alt.value(0)), tooltip=tip).add_params(hover))
    return alt.layer(*layers).properties(height=380)


def ranked_chart(data: pl.DataFrame, *, chosen: str, median: float | None, unit: str, decimals: int = 0) -> alt.LayerChart:
    """One period of a group, sorted: a horizontal bar per gemeente (the chosen one in colour), each bar's range where one
    is known (a black line: what CBS's rounding allows), the group's median as a dashed rule, and gemeenten without a
    figure as "geen cijfer" at the bottom rather than left out. The plot grows with the number of bars (at least MIN_PLOT).
    data: label (the y-axis text, in order), gemeente_code, gemeente, waarde, lo, hi, bereik, plaats, opmerking, bron,
    peildatum."""
    fmt = f",.{decimals}f"
    labels = data["label"].to_list()
    d = data.with_columns(pl.when(pl.col("gemeente_code") == chosen).then(pl.lit("gekozen")).otherwise(pl.lit("groep")).alias("rol"))
    name = d.filter(pl.col("rol") == "gekozen")["gemeente"].to_list()
    roles, colours = ([name[0]] if name else []) + ["Andere gemeenten"], ([PALETTE[0]] if name else []) + ["#b3bdc9"]
    d = d.with_columns(pl.when(pl.col("rol") == "gekozen").then(pl.lit(roles[0])).otherwise(pl.lit("Andere gemeenten")).alias("rol"))
    y = alt.Y("label:N", title=None, sort=labels, scale=alt.Scale(domain=labels, paddingInner=0.25),
              axis=alt.Axis(labelLimit=0, labelOverlap=False))
    tip = [alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("gemeente_code:N", title="Gemeentecode"),
           alt.Tooltip("waarde:Q", title=unit, format=fmt), alt.Tooltip("bereik:N", title="Bereik"),
           alt.Tooltip("plaats:N", title="Plaats"), alt.Tooltip("opmerking:N", title="Let op"),
           alt.Tooltip("bron:N", title="Bron"), alt.Tooltip("peildatum:N", title="Peildatum")]
    base = alt.Chart(d.to_pandas())
    x = alt.X("waarde:Q", title=unit, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=True, nice=True))
    layers: list = [
        base.transform_filter("isValid(datum.waarde)").mark_bar().encode(
            y=y, x=x, tooltip=tip, color=alt.Color("rol:N", title=None, scale=alt.Scale(domain=roles, range=colours),
                                                   legend=alt.Legend(orient="bottom", labelLimit=0))),
        base.transform_filter("isValid(datum.lo) && datum.hi > datum.lo").mark_rule(color="#1b1b1b", strokeWidth=2).encode(
            y=y, x="lo:Q", x2="hi:Q", tooltip=tip),
        # the value at the end of its bar (past its range), on the outside of the bar for a negative value too
        base.transform_filter("isValid(datum.waarde) && datum.waarde >= 0").transform_calculate(
            eind="isValid(datum.hi) ? max(datum.hi, datum.waarde) : datum.waarde").mark_text(align="left", dx=5, color="#333").encode(
            y=y, x="eind:Q", text=alt.Text("waarde:Q", format=fmt), tooltip=tip),
        base.transform_filter("isValid(datum.waarde) && datum.waarde < 0").transform_calculate(
            eind="isValid(datum.lo) ? min(datum.lo, datum.waarde) : datum.waarde").mark_text(align="right", dx=-5, color="#333").encode(
            y=y, x="eind:Q", text=alt.Text("waarde:Q", format=fmt), tooltip=tip),
        base.transform_filter("!isValid(datum.waarde)").mark_text(align="left", dx=4, color="#444", fontStyle="italic").encode(
            y=y, x=alt.datum(0), text=alt.value("geen cijfer"), tooltip=tip),
    ]
    if median is not None:
        rule = alt.Chart(pl.DataFrame({"mediaan": [median], "wat": [MEDIAN]}).to_pandas())
        layers += [rule.mark_rule(color=PALETTE[1], strokeWidth=2.5, strokeDash=[6, 3]).encode(
                       x="mediaan:Q", tooltip=[alt.Tooltip("wat:N", title=" "), alt.Tooltip("mediaan:Q", title=unit, format=fmt)]),
                   rule.transform_calculate(tekst=f"'mediaan ' + format(datum.mediaan, '{fmt}')").mark_text(
                       align="left", dx=4, dy=-4, baseline="bottom", color="#8a4b00", fontWeight="bold").encode(
                       x="mediaan:Q", y=alt.value(0), text="tekst:N")]
    return alt.layer(*layers).properties(height=max(MIN_PLOT, ROW * len(labels)))


def month_share_chart(data: pl.DataFrame, *, order: list[str], y_title: str, band: pl.DataFrame | None = None,
                      rules: pl.DataFrame | None = None, decimals: int = 1) -> alt.LayerChart:
    """Shares per month (lines_chart, one line per series) with a comparison group's P25–P75 as a band and vertical
    rules where a definition may change (e.g. a new law). data: maand (date), waarde, reeks, periode, bron, peildatum;
    band: maand, p25, p75, groep; rules: datum, reden."""
    fmt = f",.{decimals}f"
    layers: list = []
    if band is not None and band.height:
        layers.append(alt.Chart(band.to_pandas()).mark_area(opacity=0.18, color=PALETTE[1]).encode(
            x=alt.X("maand:T"), y=alt.Y("p25:Q"), y2="p75:Q",
            tooltip=[alt.Tooltip("groep:N", title="Groep"), alt.Tooltip("maand:T", title="Maand", format="%b %Y"),
                     alt.Tooltip("p25:Q", title="P25", format=fmt), alt.Tooltip("p75:Q", title="P75", format=fmt)]))
    layers.append(lines_chart(data, x="maand", series="reeks", y_title=y_title, decimals=decimals, temporal=True, order=order,
                              x_title="Maand", time_format="%b %Y", legend_columns=2))
    if rules is not None and rules.height:
        layers.append(alt.Chart(rules.to_pandas()).mark_rule(strokeDash=[4, 4], color="#888").encode(
            x="datum:T", tooltip=[alt.Tooltip("reden:N", title="Let op")]))
    # The height is the plot's own: Streamlit fits a chart into its height (autosize "fit"), so the legend under it
    # would take the plot's room; "fit-x" fits the width only.
    return alt.layer(*layers).properties(height=320, autosize=PLOT_HEIGHT)


def distribution_chart(dist: pl.DataFrame, klasse: str, axis_title: str, order: list[str], unit: str,
                       chosen: str | None = None) -> alt.LayerChart:
    """Box plot per class (P25–median–P75, whiskers min–max) with every gemeente as a tick; the chosen gemeente stands out.
    dist: gemeente_code, gemeente, waarde, bron, peildatum and the class column `klasse`."""
    data = dist.with_columns((pl.col("gemeente_code") == (chosen or "")).alias("gekozen")).to_pandas()
    y = alt.Y(f"{klasse}:N", title=axis_title, sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=260))
    box = alt.Chart(data).mark_boxplot(extent="min-max", color=PALETTE[0], opacity=0.6).encode(
        y=y, x=alt.X("waarde:Q", title=unit, axis=alt.Axis(format=",.0f")))
    ticks = alt.Chart(data).mark_tick(color=PALETTE[5], opacity=0.5).encode(
        y=alt.Y(f"{klasse}:N", sort=order), x="waarde:Q",
        tooltip=[alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("waarde:Q", title=unit, format=",.1f"),
                 alt.Tooltip("bron:N", title="Bron"), alt.Tooltip("peildatum:N", title="Peildatum")])
    mine = alt.Chart(data).transform_filter("datum.gekozen").mark_point(shape="diamond", size=160, filled=True, color=PALETTE[1]).encode(
        y=alt.Y(f"{klasse}:N", sort=order), x="waarde:Q", tooltip=[alt.Tooltip("gemeente:N", title="Gekozen gemeente"),
                                                                   alt.Tooltip("waarde:Q", title=unit, format=",.1f")])
    return alt.layer(box, ticks, mine).properties(height=38 * len(order))


FUNNEL_POSITIONS = ["binnen 95 %", "laag, buiten 95 %", "hoog, buiten 95 %", "laag, buiten 99,8 %", "hoog, buiten 99,8 %"]


def funnel_chart(points: pl.DataFrame, limits: pl.DataFrame, unit: str, chosen: str | None = None) -> alt.LayerChart:
    """Dichtheid against population (log scale) with the control limits; low and high outliers told apart; the chosen
    gemeente ringed. points: gemeente_code, gemeente, n, dichtheid, positie. limits: n, p, lo95, hi95, lo998, hi998."""
    x = alt.X("n:Q", title="Inwoners (noemer van de dichtheid, log-schaal)", scale=alt.Scale(type="log"), axis=alt.Axis(format=",.0f"))
    lim = alt.Chart(limits.unpivot(index="n", on=["p", "lo95", "hi95", "lo998", "hi998"], variable_name="grens").to_pandas())
    lim = lim.mark_line(color="#555").encode(x=x, y="value:Q", detail="grens:N", strokeDash=alt.StrokeDash(
        "grens:N", scale=alt.Scale(domain=["p", "lo95", "hi95", "lo998", "hi998"], range=[[1, 0], [5, 3], [5, 3], [2, 2], [2, 2]]),
        legend=None))
    dots = alt.Chart(points.to_pandas()).mark_point(size=40, filled=True, opacity=0.8).encode(
        x=x, y=alt.Y("dichtheid:Q", title=unit, axis=alt.Axis(format=",.0f")),
        color=alt.Color("positie:N", title="Positie", scale=alt.Scale(
            domain=FUNNEL_POSITIONS, range=["#9aa5b1", PALETTE[0], PALETTE[1], "#0b2f5c", PALETTE[4]])),
        shape=alt.Shape("positie:N", scale=alt.Scale(domain=FUNNEL_POSITIONS,
                                                     range=["circle", "triangle-down", "triangle-up", "triangle-down", "triangle-up"])),
        tooltip=[alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("dichtheid:Q", title="Dichtheid", format=",.1f"),
                 alt.Tooltip("n:Q", title="Inwoners", format=",.0f"), alt.Tooltip("positie:N", title="Positie")])
    layers = [lim, dots]
    if chosen and chosen in set(points["gemeente_code"]):
        layers.append(alt.Chart(points.filter(pl.col("gemeente_code") == chosen).to_pandas()).mark_point(
            size=240, color="#000", strokeWidth=2.5).encode(x=x, y="dichtheid:Q", tooltip=[alt.Tooltip("gemeente:N", title="Gekozen")]))
    return alt.layer(*layers).properties(height=420)


def caterpillar_chart(data: pl.DataFrame, unit: str, positions: list[str], chosen: str | None = None) -> alt.LayerChart:
    """Every gemeente's difference from its expected value with the 95 % interval, sorted (a caterpillar plot): an interval
    that does not cross the zero line is outside the funnel. data: portal.funnel.caterpillar plus a gemeente column;
    positions: lower, within, higher, too small (their colours in this order)."""
    x = alt.X("plaats:Q", title="Gemeenten, gesorteerd op het verschil", axis=alt.Axis(format="d", tickMinStep=1))
    base = alt.Chart(data.to_pandas())
    colour = alt.Color("positie:N", title="Positie", legend=alt.Legend(labelLimit=0),
                       scale=alt.Scale(domain=positions, range=[PALETTE[0], "#9aa5b1", PALETTE[1], "#d9d9d9"]))
    tip = [alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("waarde:Q", title="Cijfer", format=",.1f"),
           alt.Tooltip("verwacht:Q", title="Verwacht", format=",.1f"), alt.Tooltip("grens_lo:Q", title="95 %-grens laag", format=",.1f"),
           alt.Tooltip("grens_hi:Q", title="95 %-grens hoog", format=",.1f"), alt.Tooltip("positie:N", title="Positie")]
    bars = base.mark_rule(strokeWidth=1.5, opacity=0.7).encode(
        x=x, y=alt.Y("verschil_lo:Q", title=f"Verschil met de verwachting ({unit})", axis=alt.Axis(format=",.0f")),
        y2="verschil_hi:Q", color=colour)
    dots = base.mark_point(filled=True, size=24).encode(x=x, y="verschil:Q", color=colour, tooltip=tip)
    zero = alt.Chart(pl.DataFrame({"nul": [0.0]}).to_pandas()).mark_rule(color="#333").encode(y="nul:Q")
    layers = [bars, dots, zero]
    if chosen and chosen in set(data["gemeente_code"]):
        layers.append(alt.Chart(data.filter(pl.col("gemeente_code") == chosen).to_pandas()).mark_point(
            size=240, color="#000", strokeWidth=2.5).encode(x=x, y="verschil:Q", tooltip=[alt.Tooltip("gemeente:N", title="Gekozen")]))
    return alt.layer(*layers).properties(height=420)


KWINTIEL_BLUES = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]  # ColorBrewer Blues, five classes


def choropleth(topology: dict, data: pl.DataFrame, label: str, unit: str, decimals: int, chosen: str | None = None,
               classes: tuple[str, ...] = (), outliers: tuple[str, ...] = (), legend: tuple[str, ...] = ()) -> alt.Chart:
    """One indicator per gemeente on the boundaries the figures use; grey without a value; the chosen gemeente outlined in
    orange, `outliers` (statcodes) in black. `classes`: the kwintielen's labels (data column klasse, views.map_scale),
    coloured lowest light to highest dark; else a linear scale. `legend`: lines under the unit in the legend title that
    say so. A click selects a gemeente (selection parameter "gemeente", field statcode): the Kaart opens its profile.
    data: statcode, naam, waarde, bron, peildatum (and klasse)."""
    obj = next(iter(topology["objects"]))
    geo = {"values": topology, "format": {"type": "topojson", "feature": obj}}  # a plain dict: InlineData validates slowly
    is_chosen = f"datum.statcode == '{chosen or ''}'"
    is_outlier = "indexof([" + ",".join(f"'{c}'" for c in outliers) + "], datum.statcode) >= 0"
    fmt = f",.{decimals}f"
    title = [unit, *legend] if legend else unit
    if classes:
        color = alt.Color("klasse:O", title=title, scale=alt.Scale(domain=list(classes), range=KWINTIEL_BLUES[:len(classes)]),
                          sort=list(classes), legend=alt.Legend(labelLimit=0, titleLimit=0, symbolType="square", symbolSize=180))
    else:
        color = alt.Color("waarde:Q", title=title, scale=alt.Scale(scheme="blues"), legend=alt.Legend(format=fmt, titleLimit=0))
    fields = ["waarde", "naam", "bron", "peildatum", *(["klasse"] if classes else [])]
    click = alt.selection_point(name="gemeente", fields=["statcode"], on="click", clear=False)
    return alt.Chart(geo).mark_geoshape(cursor="pointer").encode(
        color=alt.condition("isValid(datum.waarde)", color, alt.value("#e5e5e5")),
        stroke=alt.when(is_chosen).then(alt.value(PALETTE[1])).when(is_outlier).then(alt.value("#000")).otherwise(alt.value("white")),
        strokeWidth=alt.when(is_chosen).then(alt.value(3)).when(is_outlier).then(alt.value(1.4)).otherwise(alt.value(0.3)),
        tooltip=[alt.Tooltip("naam:N", title="Gemeente"), alt.Tooltip("waarde:Q", title=label, format=fmt),
                 alt.Tooltip("bron:N", title="Bron"), alt.Tooltip("peildatum:N", title="Peildatum")],
    ).transform_calculate(statcode="datum.properties.statcode").transform_lookup(
        lookup="statcode", from_=alt.LookupData(data.select("statcode", *fields).to_pandas(), "statcode", fields)
    ).add_params(click).project("mercator").properties(height=640)


def contribution_chart(bars: pl.DataFrame, naam: str) -> alt.Chart:
    """Why members are close: each member's distance split by characteristic. bars: gemeentenaam, afstand, kenmerk,
    aandeel, bijdrage."""
    return alt.Chart(bars.to_pandas()).mark_bar().encode(
        y=alt.Y("gemeentenaam:N", title=None, sort=alt.EncodingSortField("afstand", op="min", order="ascending"),
                axis=alt.Axis(labelOverlap=False)),
        x=alt.X("bijdrage:Q", title=f"Afstand tot {naam} (opgedeeld naar kenmerk)", axis=alt.Axis(format=",.1f")),
        color=alt.Color("kenmerk:N", title="Kenmerk", scale=alt.Scale(range=PALETTE[1:] + PALETTE[:1]),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=0)),
        tooltip=[alt.Tooltip("gemeentenaam:N", title="Gemeente"), alt.Tooltip("kenmerk:N", title="Kenmerk"),
                 alt.Tooltip("aandeel:Q", title="Aandeel in de afstand", format=".0%"),
                 alt.Tooltip("afstand:Q", title="Afstand", format=",.2f")])


# finished benchmark_chart specs per chart shape, with what was filled in: (spec, reeksen, dataset name per layer)
_TEMPLATES: dict[tuple, tuple[dict, list[str], list[str]]] = {}


_PLAIN = (pl.String, pl.Boolean, pl.Float32, pl.Float64, pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32,
          pl.UInt64)


def _dataset(frame: pl.DataFrame) -> tuple[str, list]:
    """A frame as Altair puts it into a spec: its data transformer's values and their content-hash name. Frames of plain
    strings and numbers are converted straight from polars (NaN becomes null, as Altair does): the same values without
    the round trip through pandas, which was most of the cost of a profile chart."""
    from altair.vegalite.v6.api import _dataset_name

    if all(isinstance(t, _PLAIN) for t in frame.dtypes):
        values = frame.with_columns(pl.col(pl.Float32, pl.Float64).fill_nan(None)).to_dicts()
    else:
        values = alt.data_transformers.get()(frame.to_pandas())["values"]
    return _dataset_name(values), values


def benchmark_spec(lines: pl.DataFrame, band: pl.DataFrame, *, reeksen: list[str], y_title: str, decimals: int = 0,
                   breaks: list[tuple[int, str]] | None = None, title: str, subtitle: str = "") -> dict:
    """`finish(benchmark_chart(...), title, subtitle).to_dict(validate=False)` without building the chart each time.

    Altair builds and converts one chart per shape (band or not, breaks or not, number of series, axis title, decimals,
    subtitle); for another gemeente only what differs is filled into a copy: the data, the series names and the title.
    Building the chart took about half of a profile's first run; the result is the same spec (tests/test_charts.py)."""
    shape = (band.height > 0, bool(breaks), len(reeksen), y_title, decimals, subtitle)
    frames = ([band] if band.height else []) + [lines, lines]
    if breaks:
        frames.append(pl.DataFrame({"jaar": [b[0] for b in breaks], "reden": [b[1] for b in breaks]}))
    if shape not in _TEMPLATES:
        spec = finish(benchmark_chart(lines, band, reeksen=reeksen, y_title=y_title, decimals=decimals, breaks=breaks), title,
                      subtitle).to_dict(validate=False)
        _TEMPLATES[shape] = (spec, list(reeksen), [layer["data"]["name"] for layer in spec["layer"]])
        return spec
    template, old_reeksen, _ = _TEMPLATES[shape]
    spec = _fill(template, old_reeksen, list(reeksen))
    spec["datasets"] = {}
    converted: dict[int, tuple[str, list]] = {}  # the lines frame serves two layers: convert it once
    for layer, frame in zip(spec["layer"], frames):
        if id(frame) not in converted:
            converted[id(frame)] = _dataset(frame)
        name, values = converted[id(frame)]
        layer["data"] = {"name": name}
        spec["datasets"][name] = values
    spec["title"] = {**spec["title"], "text": title_lines(title)}
    spec["description"] = f"Grafiek: {title}" + (f" ({subtitle})" if subtitle else "")
    return spec


def _fill(node, old: list[str], new: list[str]):
    """A deep copy of `node` with every list equal to `old` (the series domain) replaced by `new`."""
    if isinstance(node, dict):
        return {k: (None if k == "datasets" else _fill(v, old, new)) for k, v in node.items()}
    if isinstance(node, list):
        return list(new) if node == old else [_fill(v, old, new) for v in node]
    return node


def rendement_chart(data: pl.DataFrame, categories: list[str]) -> alt.LayerChart:
    """Rendementmeters (portal.eigen.rendement): one row per voorziening or client group (its whole name on the y-axis),
    the difference in the share to work (deelnemers minus comparable clients, percentage points) as a dot with its 95 %
    interval as a rule, the zero line, and the verdict (hoger, lager, geen aantoonbaar verschil) as colour with a legend.
    The plot is ROW pixels per row high (the legend and axes come on top of that, see PLOT_HEIGHT).
    data: label, verschil, onder, boven, oordeel; categories: the oordelen in order."""
    labels = data["label"].to_list()
    y = alt.Y("label:N", title=None, sort=labels, scale=alt.Scale(domain=labels, paddingInner=0.3),
              axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=12))
    base = alt.Chart(data.to_pandas())
    colour = alt.Color("oordeel:N", title="Uitkomst", legend=alt.Legend(labelLimit=0, orient="bottom", direction="vertical"),
                       scale=alt.Scale(domain=categories, range=[PALETTE[2], PALETTE[4], "#9aa5b1"][:len(categories)]))
    tip = [alt.Tooltip("label:N", title="Voorziening of groep"),
           alt.Tooltip("verschil:Q", title="Verschil (procentpunt)", format=",.1f"),
           alt.Tooltip("onder:Q", title="95 %-grens laag", format=",.1f"),
           alt.Tooltip("boven:Q", title="95 %-grens hoog", format=",.1f"), alt.Tooltip("oordeel:N", title="Uitkomst")]
    x = alt.X("onder:Q", title="Verschil in uitstroom naar werk (procentpunt)", axis=alt.Axis(format=",.0f"),
              scale=alt.Scale(zero=True, nice=True))
    bars = base.mark_rule(strokeWidth=2.5).encode(y=y, x=x, x2="boven:Q", color=colour, tooltip=tip)
    dots = base.mark_point(filled=True, size=80, opacity=1).encode(y=y, x="verschil:Q", color=colour, tooltip=tip)
    zero = alt.Chart(pl.DataFrame({"nul": [0.0]}).to_pandas()).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="nul:Q")
    return alt.layer(zero, bars, dots).properties(height=ROW * max(3, data.height), autosize=PLOT_HEIGHT)

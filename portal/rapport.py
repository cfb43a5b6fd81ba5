"""The visitatie report as PDF (reportlab) and the foto as Excel. No Streamlit here.

Built to survive a black-and-white printer: signals are words, chart series differ by line style, not only colour. All
text is set in DejaVu Sans Condensed, embedded (portal/fonts/, see PROVENANCE.md there): it has every letter of Latin
Extended, Greek and Cyrillic and the euro sign, so a name like "Çiğdem Şahin" prints as typed (the standard PDF fonts
know Latin-1 only), at nearly the widths of Helvetica, the font the layout was made with."""

from __future__ import annotations

import io
import re
import textwrap
from datetime import datetime
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import altair as alt
import vl_convert as vlc
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle)

from portal import export, metrics
from portal import visitatie as vt
from portal import visitatie_eigen as ve
from portal.charts import NL_LOCALE
from portal.nl import nl_datetime, nl_number

NORMBRON = {"eigen norm": "eigen", "referentiegroep": "groep"}
SERIES = ("Gemeente", "Referentiegroep (gemiddelde)", "Nederland")
FONTS = Path(__file__).parent / "fonts"
FONT, FONT_BOLD = "DejaVuSansCondensed", "DejaVuSansCondensed-Bold"
CHART_TITLE_CHARS = 42  # a small chart is 220 px wide: its title (10 px) wraps at about this many characters


def register_fonts() -> None:
    """The report's fonts, registered with reportlab once per process; <b> in a paragraph picks the bold one."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSansCondensed.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS / "DejaVuSansCondensed-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _t(value) -> str:
    """User or data text, escaped for reportlab's mini-markup."""
    return escape(str(value)).replace("\n", "<br/>")


def _cell(value) -> str:
    """Text for a narrow table cell: as _t, with a line break allowed after a hyphen before a slash, where reportlab
    would otherwise cut a word ('re-integratie-/participatievoorzieningen'), and none inside a number ('1 000')."""
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", _t(value).replace("-/", "-/ "))


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()
    return {
        "titel": ParagraphStyle("titel", parent=base["Title"], fontName=FONT_BOLD, fontSize=22, leading=27, alignment=TA_LEFT),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=6),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=12, leading=15),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontName=FONT, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontName=FONT, fontSize=7.5, leading=9),
    }


class _NumberedCanvas(rl_canvas.Canvas):
    """Defers each page so the footer can say 'pagina X van Y' (reportlab's two-pass page count recipe)."""

    footer = ""

    def __init__(self, *args, **kwargs):
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT  # else each page refers to Helvetica too
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.black)
            self.drawString(2 * cm, 1.2 * cm, self.footer)
            self.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"pagina {self._pageNumber} van {total}")
            super().showPage()
        super().save()


def foto_chart_key(foto: dict) -> str:
    """What foto_chart draws, as text: per indicator its label, unit and series (equal text, equal chart)."""
    return repr([(r.get("label"), r.get("eenheid"), r.get("reeks")) for r in foto["regels"]])


def has_foto_chart(foto: dict) -> bool:
    """Whether foto_chart has anything to draw (some indicator has a figure of the gemeente)."""
    return any(x["gemeente"] is not None for r in foto["regels"] for x in r["reeks"])


_CHARTS: dict[str, alt.ConcatChart | None] = {}  # foto_chart per foto_chart_key, the most recent _CHARTS_LIMIT
_PNGS: dict[str, bytes] = {}  # foto_png likewise
_CHARTS_LIMIT = 64


def foto_chart(foto: dict) -> alt.ConcatChart | None:
    """Small multiples: per key indicator the gemeente, the referentiegroep mean with its P25–P75 band, and Nederland.

    Kept per content (foto_chart_key): Altair takes about 0.15 s to build these charts, and the dossier page, the PDF and
    the exports ask for the same foto again and again. The chart is shared; Altair's methods (properties, configure,
    to_dict) return copies and leave it as it is."""
    return _kept(_CHARTS, foto_chart_key(foto), lambda: _foto_chart(foto))


def foto_png(foto: dict) -> bytes | None:
    """foto_chart as the report's PNG (validated against the Vega-Lite schema), kept per content like the chart."""
    chart = foto_chart(foto)
    return None if chart is None else _kept(_PNGS, foto_chart_key(foto), lambda: vlc.vegalite_to_png(chart.to_dict(), scale=2))


def _kept(cache: dict, key: str, make):
    if key not in cache:
        value = make()
        if len(cache) >= _CHARTS_LIMIT:
            cache.pop(next(iter(cache)), None)
        cache[key] = value
    return cache[key]


def _foto_chart(foto: dict) -> alt.ConcatChart | None:
    charts = []
    for r in foto["regels"]:
        if not any(x["gemeente"] is not None for x in r["reeks"]):
            continue
        rows = [{"jaar": int(x["periode"][:4]), "reeks": name, "waarde": x[key]}
                for x in r["reeks"] for name, key in zip(SERIES, ("gemeente", "groep_gemiddelde", "nederland")) if x[key] is not None]
        band = [{"jaar": int(x["periode"][:4]), "p25": x["groep_p25"], "p75": x["groep_p75"]}
                for x in r["reeks"] if x["groep_p25"] is not None]
        lines = alt.Chart(alt.Data(values=rows)).mark_line(point={"filled": True, "color": "black"}, color="black").encode(
            x=alt.X("jaar:O", title=None),
            y=alt.Y("waarde:Q", title=r["eenheid"], scale=alt.Scale(zero=False)),
            strokeDash=alt.StrokeDash("reeks:N", sort=list(SERIES), title=None,
                                      scale=alt.Scale(domain=list(SERIES), range=[[1, 0], [6, 3], [2, 2]])),
            shape=alt.Shape("reeks:N", sort=list(SERIES), title=None,
                            scale=alt.Scale(domain=list(SERIES), range=["circle", "square", "triangle-up"])),
        )
        layer = alt.Chart(alt.Data(values=band)).mark_area(color="#bbbbbb", opacity=0.5).encode(
            x="jaar:O", y="p25:Q", y2="p75:Q") + lines if band else lines
        charts.append(layer.properties(width=220, height=120, title=alt.TitleParams(chart_title(r["label"]), fontSize=10)))
    if not charts:
        return None
    return alt.concat(*charts, columns=2).configure_legend(orient="bottom").configure(locale={"number": NL_LOCALE})


def chart_title(label: str) -> list[str]:
    """A small chart's title: the whole label, over as many lines as it needs."""
    return textwrap.wrap(label, CHART_TITLE_CHARS, break_long_words=False, break_on_hyphens=False)


def foto_lines(foto: dict, titel: str) -> list[str]:
    """Source, definition and method lines that go with every export of the foto."""
    return [f"Cijfermatige foto: {foto['gemeente']} ({foto['gemeente_code']}), {titel}.",
            f"Referentiegroep '{foto['groep']['naam']}': {len(foto['groep']['leden'])} gemeenten ({', '.join(foto['groep']['leden'])}).",
            f"Foto gemaakt {nl_datetime(foto['gemaakt'])} uit de databouw van {nl_datetime(foto['databouw']['tijd'])}.", vt.SIGNAAL_REGEL.replace("**", ""),
            vt.PROGNOSE_METHODE, *export.indicator_lines([k.id for k in vt.KERN])]


_fmt = partial(nl_number, decimals=1)  # the report's figures: one decimal


def _eigen_section(block: dict, status: str | None, st: dict) -> list:
    """The own-file figures: heading, the marking (upload, peildatum), a plain table without signals, the method."""
    rows = [[Paragraph(h, st["cell"]) for h in ("Cijfer", "Periode", "Waarde")]]
    rows += [[Paragraph(_t(r["Cijfer"]), st["cell"]), Paragraph(_t(r["Periode"]), st["cell"]), Paragraph(_t(r["Waarde"]), st["cell"])]
             for r in ve.frame(block, with_bron=False).iter_rows(named=True)]
    return [Spacer(1, 0.3 * cm), Paragraph(_t(ve.KOP), st["h2"]),
            Paragraph(f"<b>{_t(ve.marking(block))}.</b> {_t(ve.shared_line(block))}", st["body"]),
            *([Paragraph(f"<b>{_t(status)}</b>", st["body"])] if status else []), Spacer(1, 0.15 * cm),
            Table(rows, colWidths=[5.5 * cm, 6 * cm, 5.5 * cm], repeatRows=1, style=TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)])),
            Spacer(1, 0.15 * cm), Paragraph(_t(ve.TOELICHTING), st["small"])]


def build_pdf(v: dict, foto: dict, items: list[dict], names: dict[str, str], eigen_status: str | None = None) -> bytes:
    """The whole report: cover, foto (signal table and charts; the gemeente's own-file figures under their own heading
    when the foto holds them), notes per theme, findings and recommendations, annex. eigen_status: a line saying the
    upload those figures rest on was since deleted or replaced (portal.visitatie_eigen.upload_status)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm, bottomMargin=2 * cm,
                            title=f"Visitatie {foto['gemeente']}: {v['titel']}", author="Bijstandsportaal Werk & Inkomen")
    canvas = type("Footer", (_NumberedCanvas,), {"footer": f"Visitatie {foto['gemeente']} · {v['titel'][:70]} · vertrouwelijk"})
    doc.build(flowables(v, foto, items, names, eigen_status), canvasmaker=canvas)
    return buf.getvalue()


def flowables(v: dict, foto: dict, items: list[dict], names: dict[str, str], eigen_status: str | None = None) -> list:
    """The report's flowables (see build_pdf)."""
    st = _styles()
    frozen = v.get("foto_bevroren")
    story: list = []
    P = Paragraph  # noqa: N806

    # Cover -------------------------------------------------------------------------------------------------------------
    story += [Spacer(1, 3 * cm), P("Visitatie sociale dienst", st["h2"]), P(_t(v["titel"]), st["titel"]),
              P(f"Gemeente {_t(foto['gemeente'])} ({v['gemeente_code']}) · periode {_t(v['periode'])} · status {v['status']}", st["body"]),
              Spacer(1, 0.6 * cm)]
    team = "<br/>".join(_t(f"{m['naam']}" + (f" ({m['rol']})" if m.get("rol") else "")) for m in v["team"]) or "–"
    contacts = "<br/>".join(_t(" · ".join(x for x in (c.get("naam"), c.get("functie"), c.get("email")) if x))
                            for c in v["contacten"]) or "–"
    dates = "<br/>".join(_t(f"{vt.DATUMS.get(k, k)}: {nl_datetime(d)}") for k, d in v["datums"].items() if d) or "–"
    cover = [["Visitatieteam", P(team, st["body"])], ["Contactpersonen gemeente", P(contacts, st["body"])], ["Data", P(dates, st["body"])],
             ["Referentiegroep", P(_t(f"{foto['groep']['naam']}: " + ", ".join(names.get(c, c) for c in foto["groep"]["leden"]))
                                   if foto["groep"]["leden"] else "leeg", st["body"])],
             ["Cijfermatige foto", P(_t(f"bevroren op {nl_datetime(frozen)}" if frozen else
                                        "concept: nog niet bevroren (de visitatie is in voorbereiding)") +
                                     _t(f"; databouw van {nl_datetime(foto['databouw']['tijd'])}") +
                                     (_t(f"; met cijfers uit het {ve.bron(foto['eigen'])}") if foto.get("eigen") else ""),
                                     st["body"])]]
    story.append(Table(cover, colWidths=[5 * cm, 11.5 * cm], style=[
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTNAME", (0, 0), (0, -1), FONT_BOLD), ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey)]))
    story += [Spacer(1, 1 * cm), P("Vertrouwelijk: bestemd voor het visitatieteam en de gemeente. De cijfers openen het gesprek; "
                                   "ze zijn geen oordeel.", st["small"]),
              P(_t(f"Gemaakt op {nl_datetime(datetime.now())} met het Bijstandsportaal Werk & Inkomen."), st["small"]),
              PageBreak()]

    # 1. Cijfermatige foto ----------------------------------------------------------------------------------------------
    story.append(P("1. Cijfermatige foto", st["h1"]))
    card = vt.scorecard(foto, v["normen"])
    head = ["Indicator", "Periode", "Realisatie", "Referentiegroep\n(P25–P75, n)", "Neder-\nland", "Norm", "Afwijking",
            "Prognose", "Signaal"]
    rows = [[P(h.replace("\n", "<br/>"), st["cell"]) for h in head]]
    for r in card.iter_rows(named=True):
        unit = "" if r["Eenheid"] in r["Indicator"] else f" ({r['Eenheid']})"
        rows.append([P(_cell(r["Indicator"] + unit), st["cell"]),
                     P(_t(r["Periode"] or "–") + ("<br/>(verouderd)" if r["Verouderd"] else ""), st["cell"]),
                     P(_t(vt.realisatie_text(r)), st["cell"]),
                     P(_t(f"{_fmt(r['Referentiegroep'])} ({_fmt(r['Groep P25'])}–{_fmt(r['Groep P75'])}, {r['Groep n']})"), st["cell"]),
                     _fmt(r["Nederland"]), P(_t(f"{_fmt(r['Norm'])}") + f"<br/>({_t(NORMBRON.get(r['Normbron'], r['Normbron']))})", st["cell"]), _fmt(r["Afwijking"]),
                     P(_t(f"{_fmt(r['Prognose'])}") + f"<br/>({r['Prognosejaar']})", st["cell"]) if r["Prognose"] is not None
                     else P(_t(r["Prognosejaar"]), st["cell"]),
                     P(f"<b>{_t(r['Signaal'])}</b>", st["cell"])])
    # Every column as wide as its widest word (tests/test_rapport_pdf.py): reportlab cuts a word that does not fit.
    story.append(Table(rows, colWidths=[3.5 * cm, 1.75 * cm, 1.95 * cm, 2.3 * cm, 1.2 * cm, 1.3 * cm, 1.4 * cm, 1.5 * cm, 2.1 * cm],
                       repeatRows=1, style=TableStyle([
                           ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                           ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("ALIGN", (2, 1), (-2, -1), "RIGHT")])))
    story += [Spacer(1, 0.2 * cm), P(_t(vt.SIGNAAL_REGEL.replace("**", "")), st["small"]), P(_t(vt.PROGNOSE_METHODE), st["small"]),
              P(_t("Bron en peildatum per cijfer: " + "; ".join(f"{r['Indicator']}: {r['Bron']}, peildatum {r['Peildatum']}"
                                                               for r in card.iter_rows(named=True))), st["small"])]
    png = foto_png(foto)
    if png is not None:
        img = Image(io.BytesIO(png))
        scale = min(17 * cm / img.drawWidth, 20 * cm / img.drawHeight)
        img.drawWidth, img.drawHeight = img.drawWidth * scale, img.drawHeight * scale
        story += [Spacer(1, 0.3 * cm), P("Verloop per indicator: gemeente (doorgetrokken), referentiegroep (gestreept, grijze band "
                                         "= P25–P75) en Nederland (gestippeld).", st["small"]), img]
    if foto.get("eigen"):
        story += _eigen_section(foto["eigen"], eigen_status, st)
    by_ind = [i for i in items if i["indicator"]]
    if by_ind:
        story.append(P("Notities bij de cijfers", st["h2"]))
        for k in vt.KERN:
            for i in (i for i in by_ind if vt.LEGACY.get(i["indicator"], i["indicator"]) == k.id):
                story.append(P(f"<b>{_t(metrics.get(k.id).label)}</b> · {_t(i['soort'])}: "
                               f"{_t(i['tekst'])}", st["body"]))

    # 2. Themes and notes -----------------------------------------------------------------------------------------------
    story += [PageBreak(), P("2. Thema's en notities", st["h1"])]
    notes = [i for i in items if i["soort"] in vt.NOTITIE_SOORTEN]
    filed = {i["id"]: vt.item_thema(i["soort"], i["thema"], i["indicator"]) for i in notes}
    for thema in v["themas"] + sorted(set(filed.values()) - set(v["themas"]) - {None}):
        mine = [i for i in notes if filed[i["id"]] == thema]
        block = [P(_t(thema), st["h2"])]
        if not mine:
            block.append(P("Geen notities.", st["small"]))
        for soort in vt.NOTITIE_SOORTEN:
            for i in (i for i in mine if i["soort"] == soort):
                ref = f" (bij {_t(metrics.get(i['indicator']).label)})" if i["indicator"] else ""
                block.append(P(f"<b>{_t(soort)}</b>{ref}: {_t(i['tekst'])}", st["body"]))
        story.append(KeepTogether(block))

    # 3. Findings and recommendations -----------------------------------------------------------------------------------
    story += [PageBreak(), P("3. Bevindingen en aanbevelingen", st["h1"])]
    order = {p: n for n, p in enumerate(vt.PRIORITEITEN)}
    found = sorted((i for i in items if i["soort"] in vt.BEVINDING_SOORTEN), key=lambda i: (i["soort"], order.get(i["prioriteit"], 9)))
    if not found:
        story.append(P("Nog geen bevindingen of aanbevelingen vastgelegd.", st["body"]))
    else:
        rows = [[P(h, st["cell"]) for h in ("Soort", "Prioriteit", "Tekst", "Rust op")]]
        for i in found:
            basis = ", ".join(x for x in (i["thema"], metrics.get(i["indicator"]).label if i["indicator"] else None) if x)
            rows.append([i["soort"], i["prioriteit"], P(_t(i["tekst"]), st["cell"]), P(_t(basis), st["cell"])])
        story.append(Table(rows, colWidths=[2.2 * cm, 1.8 * cm, 9 * cm, 4 * cm], repeatRows=1, style=TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey)])))

    # Annex --------------------------------------------------------------------------------------------------------------
    story += [PageBreak(), P("Bijlage: bronnen en definities", st["h1"])]
    story += [P(_t(line), st["small"]) for line in export.indicator_lines([k.id for k in vt.KERN], in_words=True)]
    story += [Spacer(1, 0.3 * cm),
              P(_t(f"Referentiegroep '{foto['groep']['naam']}' ({len(foto['groep']['leden'])} gemeenten, indeling {foto['indeling']}): "
                   + ", ".join(f"{names.get(c, c)} ({c})" for c in foto["groep"]["leden"])), st["small"]),
              P(_t(f"Foto gemaakt {nl_datetime(foto['gemaakt'])} uit de databouw van {nl_datetime(foto['databouw']['tijd'])} "
                   f"(inhoud-sha256 {str(foto['databouw']['inhoud_sha256'])[:16]}…)."), st["small"]),
              P("CBS-cijfers: CC BY 4.0, bron CBS met tabelnummer zoals hierboven. Iv3: CBS/dataderden; integratie-uitkering "
                "Participatie: BZK-circulaires gemeentefonds. W-deel- en I-deelcijfers zijn proxies: zie de definities.", st["small"])]
    return story

"""The visitatie PDF prints every name as typed, in an embedded font (no black squares for letters outside Latin-1),
its table cells never break a word, the small charts' titles are whole, and the annex gives formulas in words."""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import unescape

import pypdf
import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table

from portal import metrics, rapport
from portal import visitatie as vt
from portal.userdata import UserData
from tests.test_inputs import _foto

NAMES = {
    "Turks": "Çiğdem Şahin",
    "Pools": "Łukasz Wróbel-Żółkiewski",
    "Tsjechisch": "Jiří Dvořák",
    "Roemeens": "Ștefan Nădejde",
    "Hongaars": "Erdős Pálné",
    "Servisch": "Đorđe Ćosić",
    "Deens": "Søren Ærø",
    "Vietnamees": "Nguyễn Thị Hằng",
    "Oekraïens": "Олена Шевченко",
    "Grieks": "Γιώργος Παπαδόπουλος",
    "Nederlands": "Anaïs van der Meer-IJzerman",
}
EURO = "€ 1.234,56 per maand"


@pytest.fixture(scope="module")
def report(built: Path, tmp_path_factory) -> tuple[dict, dict, list[dict]]:
    ud = UserData(tmp_path_factory.mktemp("rapport") / "user.db")
    team = [{"naam": name, "gebruiker": "", "rol": lang} for lang, name in NAMES.items()]
    vid = ud.create_visitatie("anna", "GM0153", f"Visitatie {NAMES['Turks']}", "najaar 2026",
                              {"naam": "test", "leden": ["GM0193", "GM0164"]}, team=team,
                              contacten=[{"naam": NAMES["Pools"], "functie": "teamleider", "email": "l.wrobel@example.org"}])
    ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[0], f"Gesprek met {NAMES['Tsjechisch']} en {NAMES['Vietnamees']}: {EURO}.",
                thema=vt.DEFAULT_THEMAS[0])
    ud.add_item(vid, "anna", vt.BEVINDING_SOORTEN[1], f"{NAMES['Roemeens']} en {NAMES['Oekraïens']} leiden het traject.",
                thema=vt.DEFAULT_THEMAS[0], prioriteit="hoog")
    v = ud.visitatie(vid)
    return v, _foto(v), ud.items(vid)


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def test_names_in_many_languages_print_as_typed_in_an_embedded_font(report) -> None:
    v, foto, items = report
    pdf = rapport.build_pdf(v, foto, items, {"GM0153": "Enschede", "GM0193": "Zwolle", "GM0164": "Hengelo"})
    text = pdf_text(pdf)
    for lang, name in NAMES.items():
        assert name in text, (lang, name)
    assert EURO in text and f"Visitatie {NAMES['Turks']}" in text
    assert "■" not in text and "\ufffd" not in text
    # every font in the document is the embedded DejaVu (a TrueType subset), none of the 14 standard fonts
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
    assert fonts and all("DejaVuSansCondensed" in f for f in fonts), fonts
    # and the font has a glyph for every letter of every name (so nothing falls back to an empty box)
    face = TTFont("controle", str(rapport.FONTS / "DejaVuSansCondensed.ttf")).face
    missing = {c for name in [*NAMES.values(), EURO, "→−≥≤×–"] for c in name if ord(c) not in face.charToGlyph and not c.isspace()}
    assert not missing


def _words(cell) -> tuple[list[str], str | None]:
    """What of a table cell must fit on one line, and the font it is set in (bold when the cell is bold): the words
    of a paragraph (reportlab wraps between words, and cuts a word that does not fit), the lines of a plain string
    (reportlab does not wrap those at all)."""
    if isinstance(cell, Paragraph):
        markup = cell.text
        bold = "<b>" in markup
        plain = unescape(re.sub(r"<[^>]+>", " ", markup.replace("<br/>", " ")))
        font = rapport.FONT_BOLD if bold else cell.style.fontName
        return plain.replace("\u00a0", "~").split(), font  # a no-break space keeps its words together
    return str(cell).splitlines(), None


def test_table_cells_do_not_break_words(report) -> None:
    """reportlab breaks a word that is wider than its column ('2021 (v / erouder / d)'): every word of every cell of
    every table in the report fits its column."""
    v, foto, items = report
    flow = rapport.flowables(v, foto, items, {"GM0153": "Enschede"})
    tables = [f for f in flow if isinstance(f, Table)]
    assert len(tables) >= 3
    too_wide = []
    for t in tables:
        for r, row in enumerate(t._cellvalues):
            for c, cell in enumerate(row):
                style = t._cellStyles[r][c]
                room = t._colWidths[c] - style.leftPadding - style.rightPadding
                words, font = _words(cell)
                size = cell.style.fontSize if isinstance(cell, Paragraph) else style.fontsize
                for w in words:
                    if stringWidth(w, font or style.fontname, size) > room:
                        too_wide.append((w, round(room)))
    assert not too_wide
    card = next(t for t in tables if "Periode" in str(t._cellvalues[0][1].text))
    periods = [cell.text for row in card._cellvalues[1:] for cell in row[1:2]]
    assert any("(verouderd)" in p for p in periods)  # the case that broke: now on its own line


def test_small_chart_titles_are_whole(report) -> None:
    v, foto, items = report
    spec = rapport.foto_chart(foto).to_dict()
    titles = [" ".join(c["title"]["text"]) for c in spec["concat"]]
    labels = [r["label"] for r in foto["regels"] if any(x["gemeente"] is not None for x in r["reeks"])]
    assert titles == labels
    assert any(len(label) > 60 for label in labels)  # long enough to have been cut before
    assert all(len(line) <= rapport.CHART_TITLE_CHARS or " " not in line for c in spec["concat"] for line in c["title"]["text"])


def test_the_annex_gives_formulas_in_words(report) -> None:
    v, foto, items = report
    text = pdf_text(rapport.build_pdf(v, foto, items, {"GM0153": "Enschede"}))
    annex = text[text.index("Bijlage: bronnen en definities"):]
    ids = {i for k in vt.KERN if metrics.get(k.id).formula for i in metrics.get(k.id).formula.inputs()}
    assert ids and not [i for i in ids if i in annex]
    assert "Formule: Bijstandsuitkeringen totaal (huishoudens) gedeeld door Inwoners 15 tot 65 jaar, maal 1.000." in annex

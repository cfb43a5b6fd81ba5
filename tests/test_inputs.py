"""Inputs that cannot hurt: crafted links get a Dutch message and a working fallback (never a traceback), an unexpected
error gets a foutcode, user text shows as text on screen and in the PDF, and norms take ASCII digits only."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import tomllib
from pathlib import Path

import pypdf
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from portal import rapport
from portal import visitatie as vt
from portal.paths import USERDATA
from portal.tekst import literal
from portal.userdata.checks import MAX_PERIODE, MAX_TEKST
from portal.userdata import MAX_NAME, MAX_TITEL, UserData
from tests.pagetest import APP, frame, page

LINK = "[Log opnieuw in](https://example.org)"
IMAGE = "![x](https://example.org/t.png)"
# Characters that start markup anywhere in Streamlit's Markdown; `literal` escapes them.
SPECIAL = set("\\`*_[]<>&|~$!#")  # and a colon before a letter (see unescaped)
# What GFM and Streamlit turn into a link, an emoji or an icon in plain text (after escapes are resolved).
RECOGNISED = re.compile(r"://|(?i:\bwww\.)|@[-\w]|:[A-Za-z_+-][\w+/-]*:")


def unescaped(body: str) -> list[str]:
    """Markdown-special characters in `body` that are not backslash-escaped (what would be read as markup)."""
    found, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] in SPECIAL or body[i] == ":" and body[i + 1:i + 2].isascii() and body[i + 1:i + 2].isalpha():
            found.append(body[i])
        i += 1
    return found


def rendered(body: str) -> str:
    """The text CommonMark shows for `literal`'s output: escapes resolved, hard breaks as newlines, the invisible
    characters that keep shortcodes and indentation as typed turned back."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body.replace("  \n", "\n"))
    return text.replace("\u200b", "").replace("\u00a0", " ")


@pytest.mark.parametrize("text", [
    "Zwolle 2024: 12,5%", LINK, IMAGE, "<img src=x onerror=alert(1)>", "**vet** _schuin_ ~~weg~~ `code` $x^2$",
    "# Kop\n- lijst\n1. genummerd\n---\n> citaat\n| a | b |", "www.example.org en info@example.org en https://example.org",
    ":red[rood] :smile: :material/home: 10:30:45 tijd:nu", "Titel\n===", "<https://example.org>", "a\\b \\[niet\\] &amp; &lt;", "  ingesprongen\n\tmet tab"])
def test_literal_reads_as_typed_and_has_no_markup(text: str) -> None:
    body = literal(text)
    assert unescaped(body) == [] and not RECOGNISED.search(body)
    assert rendered(body) == text.replace("\t", "    ")  # a leading tab shows as four spaces
    assert "\n    " not in "\n" + body  # an indented line would become a code block (showing the backslashes)


def test_literal_keeps_plain_text_plain() -> None:
    for text in ("Zwolle 2024: 12,5% (voorlopig).", "Visitatie 's-Hertogenbosch, 1.234 personen; 10:30 uur?", "A/B = 3 + 4"):
        assert literal(text) == text
    assert literal("1. eerst\n- dan\n# kop") == "1\\. eerst  \n\\- dan  \n\\# kop"  # line-start markers only


# Crafted links: (page, parameters, the parameter the message must name, a check that the fallback works).
def _title(expected: str):
    return lambda at: at.title[0].value == expected


def _param(key: str, value: str):
    return lambda at: at.query_params[key] in (value, [value])


def _group_size(n: int):
    return lambda at: len(frame(at)) == n


def _vergelijk(at) -> bool:
    return [r["Gemeente"] for r in frame(at)] == ["Amsterdam", "Rotterdam"]


LINKS = [
    ("profiel", {"groep": "99999999999999999999"}, "groep", _title("Gemeenteprofiel Amsterdam")),
    ("referentiegroep", {"groep": "99999999999999999999"}, "groep", _group_size(11)),  # the default group: 10 + the gemeente
    ("profiel", {"groep": "²"}, "groep", _title("Gemeenteprofiel Amsterdam")),
    ("referentiegroep", {"groep": "-1"}, "groep", _group_size(11)),
    ("visitatie", {"visitatie": "¹"}, "visitatie", lambda at: not at.tabs and at.get("page_link")),
    ("visitatie", {"visitatie": "99999999999999999999"}, "visitatie", lambda at: not at.tabs),
    ("referentiegroep", {"k": "٣"}, "k", _group_size(11)),
    ("referentiegroep", {"k": "1_0"}, "k", _group_size(11)),
    ("referentiegroep", {"k": "51"}, "k", _group_size(11)),
    ("referentiegroep", {"k": "0"}, "k", _group_size(11)),
    ("referentiegroep", {"rg": LINK}, "rg", _group_size(11)),
    ("referentiegroep", {"rg": "kenmerk", "klasse": IMAGE}, "klasse", lambda at: len(frame(at)) > 1),
    ("referentiegroep", {"kenm": "inwoners,schoenmaat"}, "kenm", _group_size(11)),
    ("referentiegroep", {"rg": "lijst", "plus": "GM٠٣٦٣,GM0599"}, "plus", _group_size(2)),
    ("profiel", {"gemeente": "GM٠٣٦٣"}, "gemeente", _title("Gemeenteprofiel Amsterdam")),
    ("profiel", {"gemeente": LINK}, "gemeente", _title("Gemeenteprofiel Amsterdam")),
    ("profiel", {"gemeente": "GM0363", "bouw": LINK}, "bouw", _title("Gemeenteprofiel Amsterdam")),
    ("profiel", {"indeling": "x" * 500}, "indeling", _param("indeling", "nieuwste")),
    ("profiel", {"maat": "veel"}, "maat", _param("maat", "dichtheid")),
    ("kaart", {"jaar": "99999999999999999999"}, "jaar", _param("jaar", "2024")),
    ("kaart", {"jaar": "²⁰²⁴"}, "jaar", _param("jaar", "2024")),
    ("kaart", {"indicator": IMAGE}, "indicator", _param("indicator", "dichtheid_uitkeringen_totaal")),
    ("landelijk", {"van": "٢٠١٥"}, "van", lambda at: len(frame(at, 0)) == 10),
    ("landelijk", {"wdeel_jaar": "1"}, "wdeel_jaar", lambda at: len(frame(at, 2)) > 1),
    ("landelijk", {"gemeente": "GM0363\n"}, "gemeente", lambda at: len(frame(at, 0)) == 10),
    ("vergelijken", {"vergelijk": "GM٠٣٦٣,GM0599,xx,GM9999", "indicator": "bijstand_personen_tot_aow_incl_gerelateerd"},
     "vergelijk", _vergelijk),
    ("vergelijken", {"vergelijk": "GM0599", "index": "ja", "indicator": "bijstand_personen_tot_aow_incl_gerelateerd"}, "index",
     _param("index", "0")),
    ("vergelijken", {"vergelijk": "GM0599", "index": "1", "basis": "²⁰¹⁵", "indicator": "bijstand_personen_tot_aow_incl_gerelateerd"},
     "basis", _param("basis", "2014")),
    ("vergelijken", {"vergelijk": "GM0599", "index": "1", "basis": "1800", "indicator": "bijstand_personen_tot_aow_incl_gerelateerd"},
     "basis", _param("basis", "2014")),
    ("vergelijken", {"vergelijk": "GM0599", "index": "1", "indicator": "wdeel_onderbesteding_proxy_begroting"}, "index",
     _param("index", "0")),  # a proxy cannot be indexed
    ("profiel", {"gemeente": "GM0363", "stromen": "true", "ontleding": "²⁰¹⁵"}, "ontleding", _param("ontleding", "2017")),
]


@pytest.mark.parametrize(("name", "params", "key", "works"), LINKS, ids=[f"{n}-{k}-{i}" for i, (n, _, k, _) in enumerate(LINKS)])
def test_a_crafted_link_gets_a_dutch_message_and_a_fallback(built: Path, name: str, params: dict, key: str, works) -> None:
    at = page(name, **params)  # fails on any exception element
    messages = [m.value for m in [*at.error, *at.warning]]
    naming = [m for m in messages if f"parameter {key}" in m or f"(parameter {key})" in m]
    assert naming, messages
    for m in naming:
        assert not re.search(r"(?<!\\)[\[\]<]", m) and not RECOGNISED.search(m), m  # link text shown as text
        assert len(m) < 700, m  # a long value is shortened
        assert "Traceback" not in m and "Error" not in m
    assert works(at)


def test_the_last_resort_handler_shows_a_code_and_logs_the_details(built: Path, monkeypatch, caplog) -> None:
    from portal.ui import profiel as profiel_ui

    def broken(*_args, **_kw):
        raise RuntimeError("kapot in /srv/geheim/pad")

    monkeypatch.setattr(profiel_ui, "reduction", broken)
    with caplog.at_level(logging.ERROR, logger="portal"):
        at = page("profiel", gemeente="GM0363")
    shown = " ".join(e.value for e in at.error)
    code = re.search(r"foutcode ([0-9A-F]{6})", shown)
    assert code and "Er ging iets mis" in shown and "/srv" not in shown and "RuntimeError" not in shown
    logged = [r for r in caplog.records if code.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "kapot in /srv/geheim/pad" in str(logged[0].exc_info[1])
    assert any(p.label == "Gemeenteprofiel" for p in at.sidebar.get("page_link"))  # the menu is still drawn
    assert "Kerncijfers" in [h.value for h in at.header]  # what came before the error stays


def test_stop_and_switch_page_pass_the_handler(built: Path, monkeypatch) -> None:
    from portal.ui import profiel as profiel_ui
    from portal.ui.einde import stop_page

    monkeypatch.setattr(profiel_ui, "reduction", lambda *_a, **_k: st.stop())
    at = page("profiel", gemeente="GM0363")
    assert not at.error and "Instroom en uitstroom" not in [h.value for h in at.header]  # stopped, no foutcode
    monkeypatch.setattr(profiel_ui, "reduction", lambda *_a, **_k: stop_page())  # how the portal's pages end early
    at = page("profiel", gemeente="GM0363")
    assert not at.error and "Meer over Amsterdam" not in [h.value for h in at.header]
    assert any(p.label == "Gemeenteprofiel" for p in at.sidebar.get("page_link"))  # with the menu (st.stop drops it)
    root = AppTest.from_file(APP, default_timeout=90)
    root.query_params["gemeente"] = "GM0153"
    root.run()  # the root address runs the hidden start page, an st.switch_page to the profile
    assert not root.exception and not root.error
    assert root.title[0].value == "Gemeenteprofiel Enschede"


def test_error_details_are_off_for_the_browser() -> None:
    """If an error ever slips past the handler, the browser gets a generic sentence: no type, message or traceback."""
    from streamlit import config

    with open(Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml", "rb") as f:
        value = tomllib.load(f)["client"]["showErrorDetails"]
    assert value == config.ShowErrorDetailsConfigOptions.NONE.value  # a value the installed Streamlit knows


def test_user_text_shows_as_text_on_screen_and_in_the_pdf(built: Path) -> None:
    ud = UserData(USERDATA)
    vid = ud.create_visitatie("anna", "GM0153", f"Visitatie {LINK}", "2026 <b>vet</b>", {"naam": f"Groep {IMAGE}", "leden": ["GM0193"]},
                              team=[{"naam": f"Anna {LINK}", "gebruiker": "anna", "rol": "voorzitter"}])
    ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[0], f"Zie {IMAGE}\n<a href='https://example.org'>klik</a>", thema=vt.DEFAULT_THEMAS[0])
    ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[1], "Zwolle 2024: 12,5%", thema=vt.DEFAULT_THEMAS[0])
    ud.update_visitatie(vid, ud.visitatie(vid)["versie"], "anna", {"themas": [f"Thema {LINK}", *vt.DEFAULT_THEMAS]})
    at = page("visitatie", visitatie=str(vid))
    assert rendered(at.title[0].value) == f"Visitatie {LINK}" and not unescaped(at.title[0].value)
    bodies = [m.value for m in at.markdown]
    note = next(b for b in bodies if rendered(b).startswith("Zie "))
    assert not unescaped(note) and rendered(note) == f"Zie {IMAGE}\n<a href='https://example.org'>klik</a>"
    assert "Zwolle 2024: 12,5%" in bodies  # reads right: plain text stays its own Markdown
    for b in bodies:  # no live link, image or HTML from user text anywhere in the dossier
        assert not re.search(r"(?<!\\)[\[<]", b), b  # an unescaped [ or < starts a link, image or HTML
    theme = next(e.label for e in at.expander if rendered(e.label).startswith("Thema "))
    assert rendered(theme) == f"Thema {LINK} (0)" and not unescaped(theme.removesuffix(" (0)"))  # an expander label too

    v = ud.visitatie(vid)
    pdf = rapport.build_pdf(v, _foto(v), ud.items(vid), {"GM0153": "Enschede", "GM0193": "Zwolle"})
    assert b"/URI" not in pdf and b"/Link" not in pdf  # no live link in the document
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert f"Visitatie {LINK}" in flat and "<a href='https://example.org'>klik</a>" in flat and "Zwolle 2024: 12,5%" in flat
    assert "2026 <b>vet</b>" in flat  # HTML typed by a user is text, not markup
    images = sum(len(p.images) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert images <= 1  # the foto's chart only: nothing fetched from a user's image link


def _foto(v: dict) -> dict:
    from portal.store import Warehouse
    from portal.paths import WAREHOUSE

    wh = Warehouse(WAREHOUSE)
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("jaar"), v["gemeente_code"], "Enschede",
                        v["groep"]["leden"], v["groep"]["naam"], wh.newest_indeling, wh.last_build())


def test_inputs_carry_the_storage_limits(built: Path) -> None:
    ref = page("referentiegroep", gemeente="GM0153")
    assert ref.text_input[0].proto.max_chars == MAX_NAME
    assert ref.number_input(key="rg_k").min == 1 and ref.number_input(key="rg_k").max == 50
    vis = page("visitatie", gemeente="GM0153")
    assert vis.text_input(key="nieuw-titel").proto.max_chars == MAX_TITEL
    assert vis.text_input(key="nieuw-periode").proto.max_chars == MAX_PERIODE
    ud = UserData(USERDATA)
    vid = ud.create_visitatie("anna", "GM0153", "Limieten", "2026", {"naam": "g", "leden": ["GM0193"]})
    iid = ud.add_item(vid, "anna", vt.NOTITIE_SOORTEN[0], "kort", thema=vt.DEFAULT_THEMAS[0])
    with sqlite3.connect(USERDATA) as conn:  # a longer note stored before the limit existed
        conn.execute("update items set tekst = ? where id = ?", ["x" * (MAX_TEKST + 5), iid])
    at = page("visitatie", visitatie=str(vid))  # opens: an input never refuses what is already stored
    assert at.text_area(key=f"notitie-{vid}-tekst").proto.max_chars == MAX_TEKST
    assert at.text_area(key=f"tekst-{iid}").proto.max_chars == MAX_TEKST + 5


@pytest.mark.parametrize(("text", "value"), [
    ("12,5", 12.5), ("12.5", 12.5), ("1.000,0", 1000.0), ("1.000", 1000.0), ("1 000", 1000.0), ("1\u00a0000,0", 1000.0), ("999,75", 999.75),
    ("-12,5%", -12.5), ("-1.000", -1000.0), ("42", 42.0), ("", None), ("  ", None)])
def test_norm_accepts_dutch_and_plain_decimal(text: str, value: float | None) -> None:
    ind = "dichtheid_uitkeringen_totaal" if value is None or value >= 0 else "ideel_resultaat_proxy_jaarrekening"
    assert vt.parse_norm(text, ind) == value


def test_norm_out_of_range_is_read_the_dutch_way() -> None:
    with pytest.raises(vt.NormError, match=r"kan niet 1\.234,5 zijn"):
        vt.parse_norm("1.234,5", "dichtheid_uitkeringen_totaal")


@pytest.mark.parametrize("text", ["1_000", "١٢", "１２", "²", "1e3", "nan", "inf", "12,5,1", "1.23.4", "0x10", "12.5,1", "veel",
                                  "+-1", "1,2.3", "1 2 3 x"])
def test_norm_refuses_other_notations_in_dutch(text: str) -> None:
    with pytest.raises(vt.NormError, match="geen getal") as e:
        vt.parse_norm(text, "dichtheid_uitkeringen_totaal")
    assert "Schrijf bijvoorbeeld 42,5" in str(e.value)

"""The visitatie page with AppTest: the main flow down to the PDF, two team members on one note, and access control."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from portal.paths import USERDATA
from portal import visitatie as vt
from portal.nl import MAANDEN, nl_datetime, nl_number
from portal.userdata import UserData
from tests import pagetest
from tests.pagetest import login

ENSCHEDE = "GM0153"
DUTCH_TIME = r"\d{1,2} (" + "|".join(MAANDEN) + r") \d{4}, \d{2}:\d{2}"  # 23 november 2026, 14:05


def page(**params: str) -> AppTest:
    return pagetest.page("visitatie", **params)


def param(at: AppTest, key: str) -> str:
    v = at.query_params[key]
    return v[0] if isinstance(v, list) else v


def create(titel: str = "Visitatie Enschede 2026") -> tuple[AppTest, int]:
    at = page(gemeente=ENSCHEDE, rg="knn", k="5")
    at.text_input(key="nieuw-titel").input(titel)
    at.text_input(key="nieuw-periode").input("najaar 2026")
    at.button(key="aanmaken").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at, int(param(at, "visitatie"))


def add(at: AppTest, form: str, tekst: str, **choices: str) -> AppTest:
    for name, value in choices.items():
        at.selectbox(key=f"{form}-{name}").set_value(value)
    at.text_area(key=f"{form}-tekst").input(tekst)
    at.button(key=f"{form}-toevoegen").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_create_freeze_annotate_export(built: Path) -> None:
    at = page(gemeente=ENSCHEDE, rg="knn", k="5")
    at.text_input(key="nieuw-periode").input("najaar 2026")
    at.button(key="aanmaken").click().run()  # no title
    assert any("titel" in e.value for e in at.error)
    assert at.text_input(key="nieuw-periode").value == "najaar 2026"  # what was typed is still there
    at, vid = create()
    assert at.title[0].value == "Visitatie Enschede 2026"
    v = UserData(USERDATA).visitatie(vid)
    assert v["gemeente_code"] == ENSCHEDE and len(v["groep"]["leden"]) == 5 and v["status"] == "voorbereiding"

    # A norm that is not a number: a Dutch message, nothing saved; then a good one.
    at.text_input(key="norm-cbs_instroom_pct_15_aow").input("twintig")
    at.text_input(key="norm-cbs_uitstroom_pct_15_aow").input("30")
    at.button(key="normen-opslaan").click().run()
    assert any("geen getal" in e.value and "Niets opgeslagen" in e.value for e in at.error)
    assert UserData(USERDATA).visitatie(vid)["normen"] == {}
    assert at.text_input(key="norm-cbs_instroom_pct_15_aow").value == "twintig"  # kept, so it can be corrected
    assert at.text_input(key="norm-cbs_uitstroom_pct_15_aow").value == "30"
    at.text_input(key="norm-cbs_instroom_pct_15_aow").input("20,5")
    at.button(key="normen-opslaan").click().run()
    assert UserData(USERDATA).visitatie(vid)["normen"] == {"cbs_instroom_pct_15_aow": 20.5, "cbs_uitstroom_pct_15_aow": 30.0}

    note = "Klantmanagers kennen hun bestand; de instroom daalt sinds de poortaanpak."
    add(at, f"notitie-{vid}", note, soort="Het verhaal achter de cijfers", thema="Focus", indicator="cbs_instroom_pct_15_aow")
    advice = "Stuur op betrokkenheid van medewerkers bij de uitstroomdoelen."
    add(at, f"bevinding-{vid}", advice, soort="Aanbeveling", thema="Resultaatgerichte cultuur", prioriteit="hoog")
    assert any(note in m.value for m in at.markdown)  # shown next to its figure on the foto tab
    # picked with the theme 'Focus', but it is about the instroom: filed under that indicator's theme
    assert [i["thema"] for i in UserData(USERDATA).items(vid) if i["tekst"] == note] == ["Instroom en uitstroom"]
    assert {"Instroom en uitstroom (1)", "Focus (0)"} <= {e.label for e in at.expander}

    at.button(key="volgende-fase").click().run()  # asks first: freezing cannot be undone
    assert UserData(USERDATA).visitatie(vid)["status"] == "voorbereiding"
    assert any("foto bevroren" in w.value and "niet worden teruggedraaid" in w.value for w in at.warning)
    at.button(key="volgende-fase-bevestigd").click().run()
    v = UserData(USERDATA).visitatie(vid)
    assert v["status"] == "bezoek" and v["foto_bevroren"] and v["foto"]["gemeente"] == "Enschede"
    assert any(re.search(f"Bevroren op {DUTCH_TIME} \\(databouw van {DUTCH_TIME}\\)", i.value) for i in at.info)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", m.value) for m in [*at.info, *at.caption])  # no ISO timestamps
    instroom = next(r for r in v["foto"]["regels"] if r["indicator"] == "cbs_instroom_pct_15_aow")
    card = vt.scorecard(v["foto"], v["normen"]).filter(pl.col("indicator") == "cbs_instroom_pct_15_aow").row(0, named=True)
    signal_row = next(r for r in at.dataframe[0].value.to_dict("records") if r["Indicator"].startswith("Instroom"))
    assert signal_row["Realisatie"] == vt.realisatie_text(card) and signal_row["Norm"] == "20,5 (eigen)"
    assert signal_row["Realisatie"].startswith(nl_number(instroom["realisatie"], 1) + " (")  # with its range
    # CBS 84066NED, 2017: more than three years old, so no signal and no prognose for a year that has passed
    assert signal_row["Signaal"] == vt.signaal(instroom, 20.5)["signaal"] == vt.SIGNAAL_OUD
    assert signal_row["Periode"] == "2017 (verouderd)" and signal_row["Prognose"] == "geen: laatste meting 2017"

    at.button(key="pdf-maken").click().run()
    pdf = at.session_state[f"pdf-{vid}"]
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Enschede" in flat and "Visitatie Enschede 2026" in flat
    assert nl_number(instroom["realisatie"], 1) in flat  # a figure from the shipped CBS data (84066NED)
    assert "poortaanpak" in flat and "Stuur op betrokkenheid" in flat
    assert "pagina 1 van" in flat and "84066NED" in flat
    assert f"bevroren op {nl_datetime(v['foto_bevroren'])}" in flat and re.search(f"Gemaakt op {DUTCH_TIME}", flat)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", flat)


def test_two_team_members_edit_one_note(built: Path) -> None:
    at, vid = create("Visitatie voor gelijktijdig werk")
    add(at, f"notitie-{vid}", "Eerste waarneming", soort="Observatie", thema="Focus")
    iid = UserData(USERDATA).items(vid)[0]["id"]
    anna, bram = page(visitatie=str(vid)), page(visitatie=str(vid))  # both open version 1
    anna.text_area(key=f"tekst-{iid}").input("Tekst van Anna")
    anna.button(key=f"opslaan-{iid}").click().run()
    bram.text_area(key=f"tekst-{iid}").input("Tekst van Bram")
    bram.button(key=f"opslaan-{iid}").click().run()
    assert any("al gewijzigd (versie 2)" in e.value for e in bram.error)
    shown = [c.value for c in bram.code]
    assert "Tekst van Bram" in shown and "Tekst van Anna" in shown
    assert UserData(USERDATA).items(vid)[0]["tekst"] == "Tekst van Anna"  # Bram's save did not overwrite
    bram.text_area(key=f"samen-{iid}").input("Tekst van Anna, aangevuld door Bram")
    bram.button(key=f"samen-opslaan-{iid}").click().run()
    item = UserData(USERDATA).items(vid)[0]
    assert item["tekst"] == "Tekst van Anna, aangevuld door Bram" and item["versie"] == 3


@pytest.fixture
def accounts(built: Path):
    ud = UserData(USERDATA)
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    ud.add_account("kees", "kees-wachtwoord", "visitatieteam")
    ud.add_account("enschede", "enschede-wachtwoord", "gemeente", ENSCHEDE)
    yield ud
    for n in ("anna", "kees", "enschede"):
        ud.remove_account(n)


def test_only_team_gemeente_and_beheer_open_a_visitatie(accounts) -> None:
    vid = accounts.create_visitatie("anna", ENSCHEDE, "Vertrouwelijke visitatie", "2026", {"naam": "g", "leden": ["GM0164"]},
                                    team=[{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}])
    at = page(visitatie=str(vid))
    assert not at.dataframe and "Vertrouwelijke" not in str([m.value for m in at.markdown])  # login first
    bad = page(visitatie=str(vid))
    bad.text_input[0].input("anna")
    bad.text_input[1].input("fout-wachtwoord")
    bad.button[0].click().run()
    assert any("onjuist wachtwoord" in e.value for e in bad.error)

    outsider = login(page(visitatie=str(vid)), "kees")  # the crafted link
    assert [e.value for e in outsider.error] == ["Deze visitatie bestaat niet, of u heeft er geen toegang toe. Vraag het "
                                                 "visitatieteam of de beheerder om toegang."]
    assert not outsider.tabs and not any("Vertrouwelijke" in t.value for t in outsider.title)
    outsider = login(page(), "kees")  # the overview page does not list it either
    assert not any("Vertrouwelijke" in p.label for p in outsider.get("page_link"))

    member = login(page(visitatie=str(vid)), "anna")
    assert member.title[0].value == "Vertrouwelijke visitatie" and member.button(key="volgende-fase")
    gemeente = login(page(visitatie=str(vid)), "enschede")
    assert gemeente.title[0].value == "Vertrouwelijke visitatie"
    assert not [b for b in gemeente.button if b.key == "volgende-fase"]  # reads, does not edit


def test_group_emptied_by_a_data_build_and_bad_links(built: Path) -> None:
    """Members that no longer exist in the indeling: a Dutch warning, the foto without group figures, nothing lost."""
    ud = UserData(USERDATA)
    vid = ud.create_visitatie("anna", ENSCHEDE, "Visitatie met verdwenen groep", "2026", {"naam": "oud", "leden": ["GM9998", "GM9999"]})
    at = page(visitatie=str(vid))
    assert any("leeg geworden na de laatste databouw" in w.value and "GM9998" in w.value for w in at.warning)
    rows = at.dataframe[0].value.to_dict("records")
    assert all(r["Referentiegroep (P25–P75)"].endswith("n=0)") for r in rows)
    assert any(r["Realisatie"] != "–" for r in rows)  # Enschede's own figures are still there
    assert ud.visitatie(vid)["groep"]["leden"] == ["GM9998", "GM9999"]  # the stored group is kept as it was
    for bad in ("abc", "999999"):
        at = page(visitatie=bad)
        assert any("bestaat niet, of u heeft er geen toegang" in e.value for e in at.error) and not at.tabs


def test_refused_input_is_kept_and_notes_file_under_their_indicator(built: Path) -> None:
    at, vid = create("Visitatie met fouten")
    # A finding without theme or indicator: a Dutch message, and the text and choices are still there to correct.
    advice = "Leg de uitstroomdoelen vast in het werkplan."
    form = f"bevinding-{vid}"
    at.selectbox(key=f"{form}-prioriteit").set_value("midden")
    at.text_area(key=f"{form}-tekst").input(advice)
    at.button(key=f"{form}-toevoegen").click().run()
    assert any("rust op een thema of een indicator" in e.value for e in at.error)
    assert at.text_area(key=f"{form}-tekst").value == advice and at.selectbox(key=f"{form}-prioriteit").value == "midden"
    assert UserData(USERDATA).items(vid) == []
    at.selectbox(key=f"{form}-thema").set_value("Strategie")
    at.button(key=f"{form}-toevoegen").click().run()
    assert [i["tekst"] for i in UserData(USERDATA).items(vid)] == [advice]
    assert at.text_area(key=f"{form}-tekst").value == ""  # saved: an empty box for the next one

    # A note without a theme: refused, text kept; with an indicator and still no theme: under the indicator's theme.
    form, note = f"notitie-{vid}", "Uitstroom naar werk blijft achter bij de groep."
    at.selectbox(key=f"{form}-thema").select_index(0)  # "—": no theme
    at.text_area(key=f"{form}-tekst").input(note)
    at.button(key=f"{form}-toevoegen").click().run()
    assert any("Kies het thema of de indicator" in e.value for e in at.error)
    assert at.text_area(key=f"{form}-tekst").value == note
    add(at, form, note, indicator="cbs_uitstroom_werk_pct_15_aow")
    assert UserData(USERDATA).items(vid)[-1]["thema"] == vt.KERN_BY_ID["cbs_uitstroom_werk_pct_15_aow"].thema == "Instroom en uitstroom"
    assert "Instroom en uitstroom (1)" in [e.label for e in at.expander]

    # Gegevens with an empty title: nothing saved, the title box empty as typed and the new period still there.
    titel, periode = (next(t for t in at.text_input if t.label == name) for name in ("Titel", "Periode"))
    titel.input("")
    periode.input("voorjaar 2027")
    next(b for b in at.button if b.label == "Gegevens opslaan").click().run()
    assert any("Geef de visitatie een titel" in e.value for e in at.error)
    assert [t.value for t in at.text_input if t.label in ("Titel", "Periode")] == ["", "voorjaar 2027"]
    assert UserData(USERDATA).visitatie(vid)["periode"] == "najaar 2026"


def test_history_reads_as_changes(built: Path) -> None:
    at, vid = create("Titel A")
    ud = UserData(USERDATA)
    v = ud.visitatie(vid)
    ud.update_visitatie(vid, v["versie"], "anna", {"titel": "Titel B"})
    ud.update_visitatie(vid, v["versie"] + 1, "bram", {"normen": {"cbs_instroom_pct_15_aow": 20.5}})
    ud.update_visitatie(vid, v["versie"] + 2, "bram", {"normen": {"cbs_instroom_pct_15_aow": 21.0}})
    ud.add_item(vid, "anna", "Observatie", "De poortaanpak werkt.", thema="Focus")
    at = page(visitatie=str(vid))
    hist = next(df.value for df in at.dataframe if "Wat" in df.value.columns).to_dict("records")
    assert [(h["Wie"], h["Wat"]) for h in hist[:4]] == [
        ("anna", "notitie toegevoegd: 'De poortaanpak werkt.' (Observatie, Focus)"),
        ("bram", "normen: Instroom in de bijstand, CBS-percentage, 15 jaar tot AOW-leeftijd 20,5 → 21,0"),
        ("bram", "normen: Instroom in de bijstand, CBS-percentage, 15 jaar tot AOW-leeftijd geen → 20,5"),
        ("anna", "titel: 'Titel A' → 'Titel B'")]
    assert hist[-1]["Wat"].startswith("visitatie aangemaakt: titel 'Titel A', periode 'najaar 2026'")
    assert all(re.fullmatch(DUTCH_TIME, h["Wanneer"]) for h in hist)
    assert not any("{" in h["Wat"] for h in hist) and not at.json  # no raw JSON anywhere


def _gegevens(at: AppTest, **typed: str) -> AppTest:
    for label, value in typed.items():
        next(t for t in at.text_input if t.label == label).input(value)
    next(b for b in at.button if b.label == "Gegevens opslaan").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_two_team_members_save_the_gegevens(built: Path) -> None:
    """Both open the dossier; Anna saves a new title, then Bram saves his: Bram sees both titles and chooses, nothing is
    overwritten unseen. Changes to different fields are both kept."""
    at, vid = create("Visitatie voor twee schrijvers")
    anna, bram = page(visitatie=str(vid)), page(visitatie=str(vid))
    _gegevens(anna, Titel="Titel van Anna")
    assert not anna.error and UserData(USERDATA).visitatie(vid)["titel"] == "Titel van Anna"
    _gegevens(bram, Titel="Titel van Bram")
    assert any("'titel'" in e.value and "al gewijzigd (versie 2)" in e.value for e in bram.error)
    assert {"Titel van Anna", "Titel van Bram"} <= {c.value for c in bram.code}
    assert UserData(USERDATA).visitatie(vid)["titel"] == "Titel van Anna"  # not overwritten
    assert not [b for b in bram.button if b.label == "Gegevens opslaan"]  # the form waits until Bram has chosen
    bram.radio(key=f"keuze-gegevens-{vid}-titel").set_value("Samenvoegen").run()
    bram.text_input(key=f"samen-gegevens-{vid}-titel").input("Titel van Anna en Bram")
    bram.button(key=f"kies-gegevens-{vid}").click().run()
    assert not bram.error and UserData(USERDATA).visitatie(vid)["titel"] == "Titel van Anna en Bram"
    assert next(t for t in bram.text_input if t.label == "Titel").value == "Titel van Anna en Bram"  # form starts anew

    # Different fields: both kept without a word.
    kees = page(visitatie=str(vid))
    _gegevens(kees, Periode="voorjaar 2027")
    _gegevens(bram, Titel="Titel van Bram, definitief")
    assert not bram.error and not kees.error
    v = UserData(USERDATA).visitatie(vid)
    assert (v["titel"], v["periode"]) == ("Titel van Bram, definitief", "voorjaar 2027")
    # Anna's form still shows the title she saved; she is told it changed, and her next title clashes. She keeps theirs.
    anna.run()
    assert any("intussen gewijzigd" in i.value for i in anna.info)
    _gegevens(anna, Titel="Titel van Anna, opnieuw")
    assert any("'titel'" in e.value for e in anna.error)
    anna.button(key=f"vervallen-gegevens-{vid}").click().run()
    assert UserData(USERDATA).visitatie(vid)["titel"] == "Titel van Bram, definitief"
    assert next(t for t in anna.text_input if t.label == "Titel").value == "Titel van Bram, definitief"


def test_norms_of_team_and_gemeente_merge(built: Path) -> None:
    at, vid = create("Visitatie met normen van twee kanten")
    team, gemeente = page(visitatie=str(vid)), page(visitatie=str(vid))
    team.text_input(key="norm-cbs_instroom_pct_15_aow").input("20")
    team.button(key="normen-opslaan").click().run()
    gemeente.text_input(key="norm-cbs_uitstroom_pct_15_aow").input("30")
    gemeente.text_input(key="norm-cbs_uitstroom_werk_pct_15_aow").input("40")
    gemeente.button(key="normen-opslaan").click().run()
    assert not gemeente.error
    both = {"cbs_instroom_pct_15_aow": 20.0, "cbs_uitstroom_pct_15_aow": 30.0, "cbs_uitstroom_werk_pct_15_aow": 40.0}
    assert UserData(USERDATA).visitatie(vid)["normen"] == both
    team.text_input(key="norm-cbs_uitstroom_pct_15_aow").input("35")  # the same norm as the gemeente: both shown
    team.button(key="normen-opslaan").click().run()
    assert any("'normen'" in e.value for e in team.error)
    assert UserData(USERDATA).visitatie(vid)["normen"] == both
    mine, theirs = (c.value for c in team.code[:2])
    assert "35,0" in mine and "40,0" in mine and "30,0" in theirs  # the team's change on top of the gemeente's norms
    team.radio(key=f"keuze-normen-{vid}-normen").set_value("Mijn versie opslaan").run()
    team.button(key=f"kies-normen-{vid}").click().run()
    assert UserData(USERDATA).visitatie(vid)["normen"] == both | {"cbs_uitstroom_pct_15_aow": 35.0}  # 40 not undone


def test_gemeente_history_without_deleted_notes(accounts) -> None:
    vid = accounts.create_visitatie("anna", ENSCHEDE, "Visitatie met een geschrapte notitie", "2026",
                                    {"naam": "g", "leden": ["GM0164"]}, team=[{"naam": "Anna", "gebruiker": "anna"}])
    iid = accounts.add_item(vid, "anna", "Verbeterpunt", "Intern: de teamleider functioneert niet", thema="Focus")
    accounts.delete_item(iid, 1, "anna")
    accounts.add_item(vid, "anna", "Sterk punt", "Korte lijnen met het college", thema="Focus")

    def history_text(at: AppTest) -> str:
        return " ".join(str(df.value.to_dict("records")) for df in at.dataframe) + " ".join(s.options.__str__() for s in at.selectbox)

    member = login(page(visitatie=str(vid)), "anna")
    assert "teamleider" in history_text(member)
    gemeente = login(page(visitatie=str(vid)), "enschede")
    shown = history_text(gemeente)
    assert "Korte lijnen met het college" in shown and "teamleider" not in shown


def test_phase_step_on_an_outdated_page(built: Path) -> None:
    """Two team members have the dossier open; Kees moves it to 'bezoek'. Anna's click on the button she saw ('to
    bezoek') does not move it on to 'rapportage' unseen."""
    at, vid = create("Visitatie met twee faseknoppen")
    anna, kees = page(visitatie=str(vid)), page(visitatie=str(vid))
    kees.button(key="volgende-fase").click().run()
    kees.button(key="volgende-fase-bevestigd").click().run()
    assert UserData(USERDATA).visitatie(vid)["status"] == "bezoek"
    anna.button(key="volgende-fase").click().run()
    assert any("al naar fase 'bezoek' gezet" in e.value and "niet uitgevoerd" in e.value for e in anna.error)
    assert UserData(USERDATA).visitatie(vid)["status"] == "bezoek"
    anna.button(key="volgende-fase").click().run()  # now she has seen it: a deliberate step
    assert UserData(USERDATA).visitatie(vid)["status"] == "rapportage"

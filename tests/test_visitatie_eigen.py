"""Own-file figures in the visitatie foto (issue 13): the block from a hand-made real upload with answers known by
construction, its suppression, who may include it, freezing it, and the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import json
from pathlib import Path

import polars as pl
import pypdf
import pytest
from streamlit.testing.v1 import AppTest

from portal import rapport
from portal import visitatie as vt
from portal import visitatie_eigen as ve
from portal.eigen import monitors, store, suppress
from portal.eigen.schema import SPELLS
from portal.eigen.store import Eigenbestand
from portal.paths import USERDATA
from portal.access import Gebruiker
from portal.userdata import UserData, UserDataError
from portal.userdata.checks import check_foto
from tests.pagetest import login, page

D = dt.date
PEIL = D(2026, 10, 31)
MONTHS = [(2025, 11), (2025, 12), *((2026, m) for m in range(1, 11))]  # the 12 months up to the peildatum
GEMEENTE = Gebruiker("hengelo", "gemeente", "GM0164")
TEAM = Gebruiker("anna", "visitatieteam")
BEHEER = Gebruiker("beheer", "beheer")


def spells(leave_april: int = 12) -> pl.DataFrame:
    """A file whose figures are known by construction (peildatum 31-10-2026):
    - 50 spells running since 2020 (the stock);
    - per month of the last 12: 12 spells that began 1-6-2023 end on the 20th (one of them for work in the first 7
      months: uitstroom naar werk 7 in total), and 10 new spells begin on the 5th and are still running;
    - 30 spells begin 5-1-2026: 12 end 5-3-2026 (60 days), 6 end 4-9-2026 (243 days), 12 still running.
    Bestand 31-10-2026 = 50 + 120 + 12 = 182; instroom 150; uitstroom 144 + 18 = 162. Kaplan–Meier (spells from the
    first month the file covers completely, November 2025: 150 instromers): at 60 days 130 at risk, 12 leave ->
    S = 118/130, kans 6 mnd 9,23 %; at 243 days 58 at risk (18 of the cohort + 40 of November–February), 6 leave ->
    S = 118/130 x 52/58, kans 12 mnd 18,62 %.
    leave_april: how many of the 2023 group end in April 2026 instead of 12."""
    rows = [(D(2020, 1, 15), None, None)] * 50
    for k, (y, m) in enumerate(MONTHS):
        leave = leave_april if (y, m) == (2026, 4) else 12
        rows += [(D(2023, 6, 1), D(y, m, 20), "werk" if i == 0 and k < 7 else "overig") for i in range(leave)]
        rows += [(D(y, m, 5), None, None)] * 10
    rows += [(D(2026, 1, 5), D(2026, 3, 5), "overig")] * 12 + [(D(2026, 1, 5), D(2026, 9, 4), "overig")] * 6
    rows += [(D(2026, 1, 5), None, None)] * 12
    return pl.DataFrame([{"client": f"{i:064x}", "begin": b, "einde": e, "reden": r, "leefvorm": "alleenstaande",
                          "geboortejaar": 1980, "geslacht": "vrouw", "fasering": None, "bedrag": None}
                         for i, (b, e, r) in enumerate(rows)]).with_columns(
        gemeente=pl.lit("GM0164"), upload_id=pl.lit(None), geboortedatum=pl.lit(None), synthetisch=pl.lit(False)).cast(SPELLS).select(list(SPELLS))


def figures(block: dict) -> dict[str, dict]:
    return {r["id"]: r for r in block["cijfers"]}


@pytest.fixture
def db(tmp_path: Path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigen.db")


def test_block_has_the_known_figures_and_the_marking(db: Eigenbestand) -> None:
    db.save("GM0164", "bijstand-okt.csv", spells(), PEIL, GEMEENTE)
    block = ve.make_block(db, "GM0164")
    f = figures(block)
    assert (f["bestand"]["waarde"], f["instroom"]["waarde"], f["uitstroom"]["waarde"]) == (182, 150, 162)
    assert f["bestand"]["periode"] == "op 31 oktober 2026" and f["instroom"]["periode"] == "november 2025 t/m oktober 2026"
    # uitstroom naar werk is 7 in total (every month under 10 as well): not shown, with the reason
    assert f["uitstroom_werk"]["waarde"] is None and f["uitstroom_werk"]["reden"] == "niet getoond: minder dan 10 personen"
    assert f["uitstroomkans_6"]["waarde"] == pytest.approx(1200 / 130) and f["uitstroomkans_12"]["waarde"] == pytest.approx(
        100 * (1 - 118 / 130 * 52 / 58))
    assert f["uitstroomkans_6"]["onder"] < 9.2 < f["uitstroomkans_6"]["boven"]
    assert "150 instromers" in f["uitstroomkans_6"]["periode"]
    assert ve.marking(block).startswith("Eigen bestand van de gemeente, upload 'bijstand-okt.csv' van ")
    assert "peildatum 31 oktober 2026" in ve.marking(block)
    assert set(ve.frame(block)["Bron"]) == {"eigen bestand van de gemeente (upload 'bijstand-okt.csv', peildatum 31 oktober 2026)"}
    shown = dict(ve.frame(block).select("Cijfer", "Waarde").iter_rows())
    assert shown["Bestand op de peildatum"] == "182"
    assert shown["Uitstroomkans binnen 6 maanden na instroom"] == "9,2 % (5,4–15,7)"
    assert shown["Uitstroom naar werk, laatste 12 maanden"] == "niet getoond: minder dan 10 personen"
    assert check_foto({**_foto_stub(), "eigen": block}) == []
    assert check_foto({**_foto_stub(), "eigen": {**block, "cijfers": [{"label": "x"}]}}) == [
        "de cijfers uit het eigen bestand in de bevroren foto: cijfer 1 heeft geen naam, eenheid of periode"]


def test_a_hidden_month_hides_another_month_not_the_total(db: Eigenbestand) -> None:
    """April with 7 endings: the page "Eigen bestand" hides that month's uitstroom (7) and, so the stock identity does
    not give it away, April's instroom (10). The 12-month totals stay (issue 18: hide a month rather than the total a
    visitatie team reads): the page hides other months of each instead (November 2025 and May 2026: instroom 10,
    uitstroom 12; two, since the herinstroom's uitstromers within 6 months minus those within 12 are the months November
    2025 to April 2026), so the total minus the months shown is what several hidden months hold together, never one
    month or fewer than 10."""
    first = db.save("GM0164", "april.csv", spells(leave_april=7), PEIL, GEMEENTE)
    april = ve.make_block(db, "GM0164")
    f = figures(april)
    assert (f["bestand"]["waarde"], f["instroom"]["waarde"], f["uitstroom"]["waarde"]) == (182, 150, 157)
    pagina = suppress.page(spells(leave_april=7), PEIL)
    table = monitors.monthly(spells(leave_april=7), D(2024, 10, 1), PEIL)
    shown = pagina.monthly(table).frame.tail(12)
    hidden = [D(2025, 11, 1), D(2026, 4, 1), D(2026, 5, 1)]
    assert shown.filter(pl.col("uitstroom").is_null())["maand"].to_list() == hidden
    assert shown.filter(pl.col("instroom").is_null())["maand"].to_list() == hidden
    assert 157 - shown["uitstroom"].sum() == 12 + 7 + 12 and 150 - shown["instroom"].sum() == 10 + 10 + 10  # together

    db.save("GM0164", "geen-april.csv", spells(leave_april=0), PEIL, GEMEENTE)  # same month: replaces the upload
    f = figures(ve.make_block(db, "GM0164"))  # a 0 is hidden as well; the total holds it together with November and May (12 each)
    assert f["uitstroom"]["waarde"] == 150
    shown = suppress.page(spells(leave_april=0), PEIL).monthly(monitors.monthly(spells(leave_april=0), D(2024, 10, 1), PEIL))
    assert 150 - shown.frame.tail(12)["uitstroom"].sum() == 12 + 0 + 12
    assert ve.make_block(db, "GM0164")["upload"]["bestandsnaam"] == "geen-april.csv"
    assert f" vervangen door upload {first + 1}; de cijfers hieronder zijn bewaard" in ve.upload_status(april, db)


def test_synthetic_only_gemeente_gets_no_block(db: Eigenbestand) -> None:
    db.save("GM0164", "synthetisch", spells().with_columns(synthetisch=pl.lit(True)), PEIL, "demo", synthetisch=True)
    assert ve.make_block(db, "GM0164") is None
    v = {"gemeente_code": "GM0164", "eigen_bestand": {"door": "hengelo", "wanneer": "2026-11-30T10:00:00"}}
    assert "eigen" not in ve.include({"regels": []}, v, None)


def _foto_stub() -> dict:
    return {"gemeente_code": "GM0164", "gemeente": "Hengelo", "gemaakt": "2026-11-30T10:00:00", "groep": {"naam": "g", "leden": []},
            "databouw": {"tijd": None}, "regels": []}


def test_only_the_gemeente_and_beheer_share_and_a_frozen_foto_keeps_the_block(db: Eigenbestand, ud: UserData, foto: dict) -> None:
    uid = db.save("GM0164", "bijstand-okt.csv", spells(), PEIL, GEMEENTE)
    vid = ud.create_visitatie("anna", "GM0164", "Visitatie Hengelo", "2026", {"naam": "g", "leden": ["GM0153"]},
                              team=[{"naam": "Anna", "gebruiker": "anna"}])
    with pytest.raises(UserDataError, match="Alleen de gemeente zelf en beheer"):
        ud.share_own_file(vid, TEAM, True)
    with pytest.raises(UserDataError, match="Alleen de gemeente zelf"):
        ud.share_own_file(vid, Gebruiker("enschede", "gemeente", "GM0153"), True)  # another gemeente
    assert not ud.visitatie(vid)["eigen_bestand"]
    ud.share_own_file(vid, BEHEER, True)
    ud.share_own_file(vid, BEHEER, False)
    ud.share_own_file(vid, GEMEENTE, True)
    v = ud.visitatie(vid)
    assert v["eigen_bestand"]["door"] == "hengelo"
    hist = vt.readable_history(ud.history(vid))
    assert [h["Wat"] for h in hist[:3]] == ["cijfers uit het eigen bestand van de gemeente opgenomen in de foto",
                                            "cijfers uit het eigen bestand van de gemeente uit de foto gehaald",
                                            "cijfers uit het eigen bestand van de gemeente opgenomen in de foto"]
    live = ve.include({**foto, "gemeente_code": "GM0164"}, v, ve.make_block(db, "GM0164"))
    assert live["eigen"]["opgenomen"]["door"] == "hengelo" and live["regels"] == foto["regels"]
    assert not any(r["indicator"].startswith(("bestand", "uitstroomkans")) for r in live["regels"])  # not in the signal table
    ud.advance_status(vid, v["versie"], "anna", live)
    with pytest.raises(UserDataError, match="al bevroren"):
        ud.share_own_file(vid, GEMEENTE, False)
    frozen = ud.visitatie(vid)["foto"]["eigen"]
    assert ve.upload_status(frozen, db) is None
    db.delete("GM0164", uid, "hengelo")
    assert ud.visitatie(vid)["foto"]["eigen"] == frozen  # the figures stay in the frozen foto
    gone = ve.upload_status(frozen, db)
    assert gone.startswith("Deze upload is op ") and " verwijderd; de cijfers hieronder zijn bewaard" in gone

    pdf = rapport.build_pdf(ud.visitatie(vid), ud.visitatie(vid)["foto"], [], {}, eigen_status=gone)
    footer = re.compile(r"Visitatie [^·]* · [^·]* · vertrouwelijk pagina \d+ van \d+")  # a paragraph may go on overleaf
    text = footer.sub(" ", " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    text = " ".join(text.split())
    assert ve.KOP in text and "Eigen bestand van de gemeente, upload 'bijstand-okt.csv' van" in text
    assert "peildatum 31 oktober 2026" in text and "182" in text and "9,2 % (5,4" in text
    assert "niet getoond: minder dan 10 personen" in text and "verwijderd; de cijfers hieronder zijn bewaard" in text
    assert "Opgenomen in de foto door hengelo" in text
    assert "met cijfers uit het eigen bestand van de gemeente (upload 'bijstand-okt.csv', peildatum 31 oktober 2026)" in text

    # Exported and read in elsewhere: the frozen block comes along; that installation does not have the upload.
    other = UserData(ud.path.parent / "elders.db")
    copy = other.visitatie(other.import_visitatie(json.dumps(ud.export_visitatie(vid)), BEHEER))
    assert copy["foto"]["eigen"] == frozen and not copy["eigen_bestand"]
    assert "staat niet (meer) op deze installatie" in ve.upload_status(frozen, Eigenbestand(ud.path.parent / "leeg.db"))
    broken = ud.export_visitatie(vid)
    broken["visitatie"]["foto"]["eigen"]["cijfers"][0]["waarde"] = "veel"
    with pytest.raises(UserDataError, match="cijfers uit het eigen bestand in de bevroren foto: cijfer 1 is geen getal"):
        other.import_visitatie(json.dumps(broken), BEHEER)


# ---- the page ------------------------------------------------------------------------------------------------------------


def _open(vid: int, naam: str) -> AppTest:
    return login(page("visitatie", visitatie=str(vid)), naam)


def _texts(at: AppTest) -> str:
    return " ".join(x.value for x in [*at.caption, *at.markdown, *at.warning, *at.error, *at.info])


def test_page_team_cannot_add_the_block_but_sees_it_once_shared(built: Path) -> None:
    ud = UserData(USERDATA)
    for naam, rol, code in (("anna", "visitatieteam", None), ("hengelo", "gemeente", "GM0164")):
        ud.add_account(naam, f"{naam}-wachtwoord", rol, code)
    uid = store.save("GM0164", "bijstand-okt.csv", spells(), PEIL, GEMEENTE)
    try:
        vid = ud.create_visitatie("anna", "GM0164", "Visitatie Hengelo met eigen cijfers", "2026",
                                  {"naam": "g", "leden": ["GM0153"]}, team=[{"naam": "Anna", "gebruiker": "anna"}])
        team = _open(vid, "anna")
        assert not [c for c in team.checkbox if c.key == f"eigen-opnemen-{vid}"]
        assert "alleen de gemeente zelf en beheer aanzetten" in _texts(team) and "bijstand-okt.csv" not in _texts(team)

        gemeente = _open(vid, "hengelo")
        gemeente.checkbox(key=f"eigen-opnemen-{vid}").check().run()
        assert not gemeente.exception and ud.visitatie(vid)["eigen_bestand"]["door"] == "hengelo"
        assert "Eigen bestand van de gemeente, upload 'bijstand-okt.csv'" in _texts(gemeente)

        team = _open(vid, "anna")
        table = team.table[0].value
        rows = dict(zip(table["Cijfer"], table["Waarde"]))
        assert rows["Bestand op de peildatum"] == "182" and rows["Instroom, laatste 12 maanden"] == "150"
        assert rows["Uitstroom naar werk, laatste 12 maanden"] == "niet getoond: minder dan 10 personen"
        assert "peildatum 31 oktober 2026" in _texts(team)
        signal = team.dataframe[0].value
        assert "Cijfer" not in signal.columns and not signal["Indicator"].str.contains("peildatum").any()

        team.button(key="volgende-fase").click().run()
        team.button(key="volgende-fase-bevestigd").click().run()
        assert ud.visitatie(vid)["foto"]["eigen"]["upload"]["bestandsnaam"] == "bijstand-okt.csv"
        store.delete("GM0164", uid, "hengelo")
        team = _open(vid, "anna")
        assert any("verwijderd; de cijfers hieronder zijn bewaard" in w.value for w in team.warning)
        assert "182" in team.table[0].value["Waarde"].to_list()
        gemeente = _open(vid, "hengelo")
        assert not [c for c in gemeente.checkbox if c.key == f"eigen-opnemen-{vid}"]  # frozen: no more choice
    finally:
        for naam in ("anna", "hengelo"):
            ud.remove_account(naam)
        if not store.upload("GM0164", uid)["verwijderd"]:
            store.delete("GM0164", uid, "test")


def test_browser_block_on_the_foto_tab(request: pytest.FixtureRequest) -> None:
    """In Chromium (local mode: the one user is beheer): tick 'Cijfers uit het eigen bestand opnemen', see the block with
    its marking under the signal table, and no critical or serious axe finding on the tab."""
    browser = pytest.importorskip("tests.test_browser")
    from playwright.sync_api import expect

    url = request.getfixturevalue("server")  # the test process's portal server (tests/conftest.py), after the skip above
    uid = store.save("GM0164", "browser-okt.csv", spells(), PEIL, GEMEENTE)
    vid = UserData(USERDATA).create_visitatie("anna", "GM0164", "Visitatie Hengelo in de browser", "2026",
                                              {"naam": "g", "leden": ["GM0153"]})
    try:
        with browser.chromium_page(1400, width=1280) as page:
            page.goto(f"{url}/visitatie?visitatie={vid}")
            expect(page.get_by_role("heading", name=ve.KOP)).to_be_visible(timeout=30_000)
            page.get_by_text("Cijfers uit het eigen bestand opnemen").click()
            expect(page.get_by_text("upload 'browser-okt.csv'", exact=False).first).to_be_visible(timeout=30_000)
            browser.wait_until_rendered(page)
            page.screenshot(path=str(browser.ARTIFACTS / "visitatie_eigen_bestand.png"), full_page=True)
            blocking = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in browser.axe_violations(page)
                        if v["impact"] in browser.AXE_BLOCKING]
            assert not blocking, blocking
        assert UserData(USERDATA).visitatie(vid)["eigen_bestand"]["door"]
    finally:
        store.delete("GM0164", uid, "test")

"""Visitatie: the foto from the real warehouse, the scorecard rule, storage with versions, conflicts, access and import."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
import threading

import polars as pl
import pytest

from portal import visitatie as vt
from portal.nl import nl_datetime
from portal.access import Gebruiker, may_edit, may_open
from portal.userdata import Conflict, UserData, UserDataError

AMS = "GM0363"
BRAM = Gebruiker("bram", "beheer")  # beheer: an import keeps the team as it was


def _row(foto: dict, indicator: str) -> dict:
    return next(r for r in foto["regels"] if r["indicator"] == indicator)


def test_foto_figures_come_from_the_warehouse(foto, wh) -> None:
    """CBS's own instroom percentage for Amsterdam 15 jaar tot AOW (83450/83747/84066NED: 20,0; 20,5; 18,0), on the
    boundaries of its own year (a published rate cannot be summed over the Weesp herindeling)."""
    r = _row(foto, "cbs_instroom_pct_15_aow")
    assert r["periode"] == "2017" and r["realisatie"] == 18.0 and r["vorige"] == 20.5
    assert [x["gemeente"] for x in r["reeks"]] == [20.0, 20.5, 18.0] and r["nederland"] == 20.0
    assert r["realisatie_lo"] < 18.0 < r["realisatie_hi"]  # 9 210 instromers, rounded to tens, and chance
    assert r["bron"] == "84066NED" and r["peildatum"]
    assert r["prognose"] is None  # the last measurement (2017) is verouderd: no prognose
    # The latest dichtheid (85383NED, 2024) has one point only: no prognose either.
    assert _row(foto, "dichtheid_uitkeringen_totaal")["prognose"] is None
    assert _row(foto, "dichtheid_uitkeringen_totaal")["realisatie"] == pytest.approx(51.9, abs=0.05)
    assert json.loads(json.dumps(foto)) == foto  # freezable as plain JSON


def test_prognose_only_for_a_year_to_come() -> None:
    reeks = [{"periode": "2015", "waarde": 25.2}, {"periode": "2016", "waarde": 25.3}, {"periode": "2017", "waarde": 22.0}]
    then = vt.prognose(reeks, today=date(2018, 3, 1))
    assert then["periode"] == "2018" and then["waarde"] == pytest.approx((25.2 + 25.3 + 22.0) / 3 + 2 * (22.0 - 25.2) / 2)
    assert vt.prognose(reeks, today=date(2026, 11, 30)) is None  # "Prognose 21,1 (2018)" was shown in 2026
    recent = [{"periode": "2023", "waarde": 50.0}, {"periode": "2024", "waarde": 52.0}]
    assert vt.prognose(recent, today=date(2026, 11, 30))["periode"] == "2026"  # carried to the current year, not 2025
    assert vt.geen_prognose({"reeks": [{"periode": "2017", "gemeente": 22.0}]}, today=date(2026, 11, 30)) == \
        "geen prognose: laatste meting 2017"


def test_scorecard_signal_rule(foto) -> None:
    r = dict(_row(foto, "cbs_instroom_pct_15_aow"))  # lower is better; 2017 (18,0) is lower than 2016 (20,5)
    then = date(2018, 3, 1)  # when 2017 was the newest year: the signal rule itself
    assert vt.signaal(r, 25.0, today=then)["signaal"] == vt.SIGNAAL_OK
    below = vt.signaal(r, 15.0, today=then)
    assert below["signaal"] == vt.SIGNAAL_BETER and below["afwijking"] == pytest.approx(18.0 - 15.0)
    assert vt.signaal(r, 18.2, today=then)["signaal"] == vt.SIGNAAL_KLEIN  # the range 17,4–18,6 straddles the norm
    assert vt.signaal(r, 15.0)["signaal"] == vt.SIGNAAL_OUD  # today: more than three years old
    u = dict(_row(foto, "cbs_uitstroom_pct_15_aow"))  # higher is better; 17,5 in 2016, 16,5 in 2017
    assert u["realisatie"] < u["vorige"]
    assert vt.signaal(u, 99.0, today=then)["signaal"] in (vt.SIGNAAL_SLECHT, vt.SIGNAAL_ONBEKEND)
    no_norm = vt.signaal(r, None, today=then)
    # Without an own norm: the group's expected value, and the profile's funnel rule (outside the 95 % limits or not).
    assert no_norm["normbron"] == "referentiegroep" and no_norm["norm"] == r["verwacht"] != r["groep_gemiddelde"]
    assert r["verwacht_lo"] < r["verwacht"] < r["verwacht_hi"] and r["kenmerken"] is not None
    d = _row(foto, "dichtheid_uitkeringen_totaal")  # Amsterdam 2024: 51,9 per 1 000, within its group's funnel
    assert d["verwacht_positie"] == "binnen de normale spreiding" and d["verwacht_lo"] < d["realisatie"] < d["verwacht_hi"]
    assert vt.signaal(d, None)["signaal"] == vt.SIGNAAL_OK
    assert vt.signaal(dict(d, verwacht_positie="hoger dan verwacht"), None)["signaal"] in (
        vt.SIGNAAL_BETER, vt.SIGNAAL_SLECHT, vt.SIGNAAL_ONBEKEND)  # outside on the unfavourable side: below norm
    assert vt.signaal(d, 40.0)["signaal"] != vt.SIGNAAL_OK  # an own norm stays the team's choice, with the range
    assert "Een signaal (hoger of lager dan verwacht) betekent" in vt.SIGNAAL_REGEL
    assert vt.signaal(dict(r, realisatie=None), 20.0)["signaal"] == "geen cijfer"
    # Proxies and indicators without a direction: described, never judged, and never a norm from the group.
    w = _row(foto, "wdeel_onderbesteding_proxy_jaarrekening")
    assert w["realisatie"] is not None
    assert vt.signaal(w, None) == {"norm": None, "normbron": "geen", "afwijking": None, "signaal": vt.SIGNAAL_PROXY}
    assert vt.signaal(_row(foto, "reintegratie_voorz_per_1000_inw_15_65"), None)["signaal"] == vt.SIGNAAL_BESCHRIJVEND
    card = vt.scorecard(foto, {"cbs_instroom_pct_15_aow": 20.0})
    assert card.height == len(vt.KERN)
    row = card.filter(pl.col("indicator") == "cbs_instroom_pct_15_aow").row(0, named=True)
    assert row["Normbron"] == "eigen norm" and row["Trend"] == "20,0 → 20,5 → 18,0" and row["Verouderd"]
    assert row["Prognose"] is None and row["Prognosejaar"] == "geen prognose: laatste meting 2017"


def test_norm_parsing() -> None:
    assert vt.parse_norm("42,5", "dichtheid_uitkeringen_totaal") == 42.5
    assert vt.parse_norm(" 1.000 ", "dichtheid_uitkeringen_totaal") == 1000.0  # Dutch thousands separator
    assert vt.parse_norm("-12,5%", "ideel_resultaat_proxy_jaarrekening") == -12.5
    assert vt.parse_norm("", "cbs_instroom_pct_15_aow") is None
    with pytest.raises(vt.NormError, match="geen getal"):
        vt.parse_norm("veel", "cbs_instroom_pct_15_aow")
    with pytest.raises(vt.NormError, match="kan niet"):
        vt.parse_norm("-3", "dichtheid_uitkeringen_totaal")


def test_changes_since_freeze(foto) -> None:
    assert vt.changes(foto, foto) == []
    later = json.loads(json.dumps(foto))
    r = _row(later, "cbs_instroom_pct_15_aow")
    r["realisatie"] = 23.0
    later["groep"]["leden"] = later["groep"]["leden"][:-1]
    out = vt.changes(foto, later)
    assert any("realisatie 18,0 → 23,0" in line for line in out) and any("Referentiegroep" in line for line in out)


def _new(ud: UserData, **kw) -> int:
    return ud.create_visitatie("anna", AMS, kw.pop("titel", "Visitatie Amsterdam"), "najaar 2026",
                               {"naam": "test", "leden": ["GM0599", "GM0518"]},
                               team=[{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}], **kw)


def test_create_edit_history_restore(ud) -> None:
    with pytest.raises(UserDataError, match="titel"):
        _new(ud, titel="   ")
    vid = _new(ud)
    v = ud.visitatie(vid)
    assert v["status"] == "voorbereiding" and v["themas"] == vt.DEFAULT_THEMAS and v["versie"] == 1
    assert ud.update_visitatie(vid, 1, "bram", {"titel": "Nieuwe titel"}) == 2
    with pytest.raises(UserDataError, match="titel"):
        ud.update_visitatie(vid, 2, "bram", {"titel": ""})
    assert ud.visitatie(vid)["titel"] == "Nieuwe titel"  # the refused edit lost nothing
    iid = ud.add_item(vid, "anna", "Observatie", "Eerste tekst", thema="Focus", indicator="instroom_pct_15_aow")
    assert ud.items(vid)[0]["indicator"] == "cbs_instroom_pct_15_aow"  # a key figure of an earlier version: filed under its successor
    ud.update_item(iid, 1, "bram", {"tekst": "Tweede tekst"})
    ud.delete_item(iid, 2, "anna")
    assert ud.items(vid) == []
    hist = ud.history(vid)
    assert [h["wat"] for h in hist][:3] == ["verwijderd", "observatie: tekst gewijzigd", "observatie toegevoegd"]
    first = next(h for h in hist if h["onderdeel"] == "item" and h["versie"] == 1)
    ud.restore(first["id"], "anna")
    (item,) = ud.items(vid)
    assert item["tekst"] == "Eerste tekst" and item["versie"] == 4
    created = next(h for h in hist if h["onderdeel"] == "visitatie" and h["versie"] == 1)
    ud.restore(created["id"], "anna")
    assert ud.visitatie(vid)["titel"] == "Visitatie Amsterdam"


def test_findings_need_priority_and_basis(ud) -> None:
    vid = _new(ud)
    with pytest.raises(UserDataError, match="prioriteit"):
        ud.add_item(vid, "anna", "Aanbeveling", "Stuur op betrokkenheid", thema="Cultuur")
    with pytest.raises(UserDataError, match="thema of een indicator"):
        ud.add_item(vid, "anna", "Aanbeveling", "Stuur op betrokkenheid", prioriteit="hoog")
    with pytest.raises(UserDataError, match="lege tekst"):
        ud.add_item(vid, "anna", "Observatie", "  ", thema="Focus")
    ud.add_item(vid, "anna", "Aanbeveling", "Stuur op betrokkenheid", thema="Resultaatgerichte cultuur", prioriteit="hoog")
    assert [i["prioriteit"] for i in ud.items(vid)] == ["hoog"]


def test_status_freezes_foto_once(ud, foto) -> None:
    vid = _new(ud)
    with pytest.raises(UserDataError, match="foto"):
        ud.advance_status(vid, 1, "anna", None)
    ud.advance_status(vid, 1, "anna", foto)
    v = ud.visitatie(vid)
    assert v["status"] == "bezoek" and v["foto"] == foto and v["foto_bevroren"]
    other = dict(foto, gemaakt="later")
    ud.advance_status(vid, v["versie"], "anna", other)  # a later step does not replace the frozen foto
    assert ud.visitatie(vid)["foto"]["gemaakt"] == foto["gemaakt"]


def test_two_writers_on_one_note(ud) -> None:
    """Both open version 1; both save at the same moment. Exactly one wins, the other gets both texts and can merge."""
    vid = _new(ud)
    iid = ud.add_item(vid, "anna", "Observatie", "Begin", thema="Focus")
    barrier, results = threading.Barrier(2), {}

    def write(who: str, text: str) -> None:
        barrier.wait()
        try:
            results[who] = ud.update_item(iid, 1, who, {"tekst": text})
        except Conflict as c:
            results[who] = c

    threads = [threading.Thread(target=write, args=(w, f"Tekst van {w}")) for w in ("anna", "bram")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conflicts = [c for c in results.values() if isinstance(c, Conflict)]
    assert len(conflicts) == 1 and sorted(results.values(), key=str)[0] == 2
    c = conflicts[0]
    winner = "anna" if c.mine == "Tekst van bram" else "bram"
    assert c.theirs == f"Tekst van {winner}" and c.versie == 2 and c.door == winner and "versie 2" in str(c)
    merged = f"{c.theirs}\n{c.mine}"
    ud.update_item(iid, c.versie, "merger", {"tekst": merged})
    assert ud.items(vid)[0]["tekst"] == merged  # nothing lost
    assert len([h for h in ud.history(vid) if h["onderdeel"] == "item"]) == 3


def test_access_rules(ud) -> None:
    vid = _new(ud)
    v = ud.visitatie(vid)
    assert may_open(Gebruiker("anna", "visitatieteam"), v) and may_edit(Gebruiker("anna", "visitatieteam"), v)
    assert not may_open(Gebruiker("kees", "visitatieteam"), v)
    assert may_open(Gebruiker("ams", "gemeente", AMS), v) and not may_edit(Gebruiker("ams", "gemeente", AMS), v)
    assert not may_open(Gebruiker("rdam", "gemeente", "GM0599"), v)
    assert may_open(Gebruiker("root", "beheer"), v)


def test_accounts_store_only_hashes(ud) -> None:
    assert not ud.has_accounts()
    with pytest.raises(UserDataError, match="10 tekens"):
        ud.add_account("anna", "kort", "visitatieteam")
    with pytest.raises(UserDataError, match="gemeentecode"):
        ud.add_account("ams", "geheim-wachtwoord", "gemeente")
    ud.add_account("anna", "geheim-wachtwoord", "visitatieteam")
    assert ud.has_accounts()
    assert ud.login("anna", "geheim-wachtwoord") == Gebruiker("anna", "visitatieteam")
    assert ud.login("anna", "fout-wachtwoord") is None and ud.login("niemand", "geheim-wachtwoord") is None
    assert b"geheim-wachtwoord" not in ud.path.read_bytes()


def test_export_import_round_trip_and_bad_files(ud, foto) -> None:
    vid = _new(ud, normen={"cbs_instroom_pct_15_aow": 20.0})
    ud.add_item(vid, "anna", "Sterk punt", "Korte lijnen met het college", thema="Houding naar raad en college")
    ud.advance_status(vid, 1, "anna", foto)
    doc = ud.export_visitatie(vid)
    text = json.dumps(doc)
    new = ud.import_visitatie(text, BRAM, known_codes={AMS})
    assert new != vid
    a, b = ud.visitatie(vid), ud.visitatie(new)
    assert {k: b[k] for k in doc["visitatie"]} == {k: a[k] for k in doc["visitatie"]}
    assert [i["tekst"] for i in ud.items(new)] == ["Korte lijnen met het college"]
    before = len(ud.visitaties())

    def refused(data, match: str) -> None:
        with pytest.raises(UserDataError, match=match):
            ud.import_visitatie(data, BRAM, known_codes={AMS})

    # An export of an earlier version with a norm on a replaced key figure: imported, the norm kept as an observation.
    legacy = json.loads(text)
    legacy["visitatie"]["normen"] = {"instroom_pct_15_aow": 21.5, "cbs_uitstroom_pct_15_aow": 30.0}
    old = ud.import_visitatie(json.dumps(legacy), BRAM, known_codes={AMS})
    assert ud.visitatie(old)["normen"] == {"cbs_uitstroom_pct_15_aow": 30.0}
    kept = [i for i in ud.items(old) if i["indicator"] == "cbs_instroom_pct_15_aow"]
    assert len(kept) == 1 and "instroom_pct_15_aow = 21.5" in kept[0]["tekst"]
    before = len(ud.visitaties())
    refused(b"\x89PNG", "geen leesbaar JSON")
    refused(json.dumps({k: v for k, v in doc.items() if k != "formaatversie"}), "oudere of onbekende versie")
    refused(json.dumps(doc | {"formaatversie": 99}), "nieuwere versie")
    refused(json.dumps(doc | {"visitatie": {k: v for k, v in doc["visitatie"].items() if k != "titel"}}), "'titel' ontbreekt")
    refused(json.dumps(doc | {"items": [{"tekst": "zonder soort"}]}), "notitie 1: veld 'soort' ontbreekt")
    refused(json.dumps(doc | {"visitatie": doc["visitatie"] | {"gemeente_code": "GM9999"}}), "GM9999")
    assert len(ud.visitaties()) == before  # nothing half-imported


def test_dutch_timestamps() -> None:
    assert nl_datetime("2026-11-23T14:05:00") == "23 november 2026, 14:05"
    assert nl_datetime("2026-03-01T09:07:59") == "1 maart 2026, 09:07"
    assert nl_datetime("2026-03-01") == "1 maart 2026" and nl_datetime(date(2026, 5, 9)) == "9 mei 2026"
    assert nl_datetime(None) == nl_datetime("") == "–" and nl_datetime("onbekend") == "onbekend"
    build = "2026-11-30T09:17:56+00:00"  # the data build's time, in UTC: shown in the server's own time
    local = datetime(2026, 11, 30, 9, 17, 56, tzinfo=timezone.utc).astimezone()
    assert nl_datetime(build) == f"{local.day} november 2026, {local:%H:%M}"
    assert vt.nl_times("hersteld naar versie 2 van 2026-11-23 14:05:00") == "hersteld naar versie 2 van 23 november 2026, 14:05"


def test_notes_at_an_indicator_file_under_its_theme(ud) -> None:
    vid = _new(ud)
    ud.add_item(vid, "anna", "Observatie", "Zonder thema", indicator="cbs_uitstroom_pct_15_aow")
    ud.add_item(vid, "anna", "Verbeterpunt", "Ander thema gekozen", thema="Focus", indicator="dichtheid_uitkeringen_totaal")
    ud.add_item(vid, "anna", "Sterk punt", "Alleen een thema", thema="Focus")
    ud.add_item(vid, "anna", "Bevinding", "Een bevinding houdt haar thema", thema="Focus", indicator="cbs_uitstroom_pct_15_aow",
                prioriteit="laag")
    assert [i["thema"] for i in ud.items(vid)] == ["Instroom en uitstroom", "Volume", "Focus", "Focus"]
    with pytest.raises(UserDataError, match="thema of de indicator"):
        ud.add_item(vid, "anna", "Observatie", "Nergens bij")
    # stored before this rule: shown under the indicator's theme all the same
    assert vt.item_thema("Observatie", "Focus", "instroom_pct_15_aow") == "Instroom en uitstroom"


def test_history_in_words(ud) -> None:
    vid = _new(ud, titel="A")
    ud.update_visitatie(vid, 1, "bram", {"titel": "B", "periode": "voorjaar 2027"})
    ud.update_visitatie(vid, 2, "bram", {"normen": {"cbs_instroom_pct_15_aow": 20.5}, "datums": {"bezoek": "2026-11-23"}})
    ud.update_visitatie(vid, 3, "anna", {"themas": vt.DEFAULT_THEMAS[1:] + ["Armoede"],
                                         "team": [{"naam": "Anna", "rol": "voorzitter"}, {"naam": "Kees"}]})
    iid = ud.add_item(vid, "anna", "Aanbeveling", "Stuur op uitstroom", thema="Focus", prioriteit="hoog")
    ud.update_item(iid, 1, "bram", {"tekst": "Stuur op uitstroom naar werk"})
    ud.delete_item(iid, 2, "anna")
    first = next(h for h in ud.history(vid) if h["onderdeel"] == "visitatie" and h["versie"] == 1)
    ud.restore(first["id"], "anna")
    rows = vt.readable_history(ud.history(vid))
    assert [r["Wat"] for r in rows] == [
        f"hersteld naar versie 1 van {nl_datetime(first['wanneer'])}; titel: 'B' → 'A'; periode: 'voorjaar 2027' → "
        "'najaar 2026'; team: Anna (voorzitter), Kees → Anna (voorzitter); datum bezoek: 23 november 2026 → geen; "
        "thema's: 'Missie en visie' toegevoegd; 'Armoede' weggehaald; normen: Instroom in de bijstand, CBS-percentage, "
        "15 jaar tot AOW-leeftijd 20,5 → geen",
        "aanbeveling verwijderd: 'Stuur op uitstroom naar werk'",
        "aanbeveling tekst: 'Stuur op uitstroom' → 'Stuur op uitstroom naar werk'",
        "aanbeveling toegevoegd: 'Stuur op uitstroom' (Aanbeveling, prioriteit hoog, Focus)",
        "team: Anna (voorzitter) → Anna (voorzitter), Kees; thema's: 'Armoede' toegevoegd; 'Missie en visie' weggehaald",
        "datum bezoek: geen → 23 november 2026; normen: Instroom in de bijstand, CBS-percentage, 15 jaar tot AOW-leeftijd "
        "geen → 20,5",
        "titel: 'A' → 'B'; periode: 'najaar 2026' → 'voorjaar 2027'",
        "visitatie aangemaakt: titel 'A', periode 'najaar 2026', referentiegroep 'test' (2 gemeenten)"]
    assert [(r["Wie"], r["Onderdeel"], r["Versie"]) for r in rows[1:4]] == [("anna", f"aanbeveling {iid}", 3),
                                                                           ("bram", f"aanbeveling {iid}", 2),
                                                                           ("anna", f"aanbeveling {iid}", 1)]
    assert dict(vt.version_content("visitatie", first["inhoud"]))["titel"] == "A"

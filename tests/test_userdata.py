"""The user database as storage: schema migrations from an existing database, one transaction per write, no silent
lost update on any visitatie field, a strict import (every class of bad file refused in Dutch with nothing stored, every
accepted file opens), ownership of imports, deleted notes hidden from gemeente readers, and a read-only data folder."""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlite_utils

from portal import rapport
from portal.paths import ROOT
from portal import visitatie as vt
from portal.access import Gebruiker, may_open
from portal.userdata import Conflict, UserData, UserDataError
from portal.userdata import checks
from portal.userdata.db import MIGRATIONS
from portal.userdata.dossiers import Dossiers
from tests.test_visitatie import AMS, _new

BEHEER = Gebruiker("beheer", "beheer")
ANNA = Gebruiker("anna", "visitatieteam")
KEES = Gebruiker("kees", "visitatieteam")
GEMEENTE = Gebruiker("ams", "gemeente", AMS)


def _counts(ud: UserData) -> tuple[int, ...]:
    with ud._db() as db:
        return tuple(db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("visitaties", "items", "historie"))


# ---- schema migrations ---------------------------------------------------------------------------------------------------
def _old_schema(path) -> None:
    """The schema code of portal/userdata.py before migrations (commit 652fef0), verbatim."""
    db = sqlite_utils.Database(path)
    db.execute("pragma journal_mode=wal")
    db["referentiegroepen"].create(
        {"id": int, "naam": str, "gemeente_code": str, "spec": str, "leden": str, "aangemaakt": str},
        pk="id", not_null={"naam", "gemeente_code", "spec", "leden"},
    )
    db["referentiegroepen"].create_index(["naam"], unique=True)
    db["visitaties"].create(
        {"id": int, "gemeente_code": str, "titel": str, "periode": str, "status": str, "groep": str, "team": str,
         "contacten": str, "datums": str, "themas": str, "normen": str, "foto": str, "foto_bevroren": str,
         "versie": int, "gewijzigd": str, "door": str, "aangemaakt": str},
        pk="id", not_null={"gemeente_code", "titel", "status", "versie"})
    db["items"].create(
        {"id": int, "visitatie_id": int, "soort": str, "thema": str, "indicator": str, "tekst": str,
         "prioriteit": str, "verwijderd": int, "versie": int, "gewijzigd": str, "door": str},
        pk="id", not_null={"visitatie_id", "soort", "tekst", "versie"}, foreign_keys=[("visitatie_id", "visitaties")])
    db["items"].create_index(["visitatie_id"])
    db["historie"].create(
        {"id": int, "visitatie_id": int, "onderdeel": str, "onderdeel_id": int, "versie": int, "wie": str,
         "wanneer": str, "wat": str, "inhoud": str}, pk="id")
    db["historie"].create_index(["visitatie_id"])
    db["accounts"].create({"naam": str, "rol": str, "gemeente_code": str, "wachtwoord_hash": str, "aangemaakt": str},
                          pk="naam", not_null={"rol", "wachtwoord_hash"})
    db.conn.close()


def _schema_sql(path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    rows = dict(conn.execute("select name, sql from sqlite_master where name not like '%sqlite%' and sql is not null"))
    conn.close()
    return rows


def test_an_existing_database_upgrades_without_loss(tmp_path) -> None:
    old = tmp_path / "old.db"
    _old_schema(old)
    # Data in the old schema, stored before any migration has run.
    first = UserData.__new__(UserData)
    first.path, first.read_only = old, False
    vid = first.create_visitatie("anna", AMS, "Oude visitatie", "2025", {"naam": "g", "leden": ["GM0599"]},
                                 team=[{"naam": "Anna", "gebruiker": "anna"}])
    first.add_item(vid, "anna", "Observatie", "Geschreven voor de migraties", thema="Focus")
    first.add_account("anna", "anna-wachtwoord", "visitatieteam")
    before = _schema_sql(old)
    assert "_sqlite_migrations" not in before

    ud = UserData(old)
    upgraded = {k: v for k, v in _schema_sql(old).items() if "migrations" not in k}
    # the old tables as they were, the visitaties with one more column (the gemeente's own-file figures in the foto)
    assert upgraded["visitaties"] == before["visitaties"].removesuffix(")") + ', "eigen_bestand" TEXT)'
    new = ("inlogpogingen", "inlogsessies", "idx_inlogsessies_naam", "visitaties")
    assert {k: v for k, v in upgraded.items() if k not in new} == {k: v for k, v in before.items() if k != "visitaties"}
    assert "inlogpogingen" in upgraded  # plus the login throttle's table
    assert "inlogsessies" in upgraded  # and the logins that last a working day
    assert [m.name for m in MIGRATIONS.applied(sqlite_utils.Database(old))] == ["0001_schema", "0002_inlogpogingen",
                                                                               "0003_eigen_bestand", "0004_inlogsessies"]
    assert ud.visitatie(vid)["eigen_bestand"] is None  # nothing shared by an old dossier
    assert ud.visitatie(vid)["titel"] == "Oude visitatie"
    assert [i["tekst"] for i in ud.items(vid)] == ["Geschreven voor de migraties"]
    assert len(ud.history(vid)) == 2 and ud.login("anna", "anna-wachtwoord") == Gebruiker("anna", "visitatieteam")
    ud.update_visitatie(vid, 1, "bram", {"titel": "Bijgewerkt"})  # and it keeps working
    UserData(old)  # opening again applies nothing twice
    assert ud.visitatie(vid)["titel"] == "Bijgewerkt"
    # A new database gets exactly the schema an upgraded one has.
    new = tmp_path / "new.db"
    UserData(new)
    assert {k: v for k, v in _schema_sql(new).items() if "migrations" not in k} == upgraded


# ---- one transaction per write ---------------------------------------------------------------------------------------------
def _boom(*args, **kwargs):
    raise RuntimeError("schijf vol")


@pytest.mark.parametrize("write", ["create", "add_item", "update_visitatie", "update_item", "import"])
def test_every_write_is_all_or_nothing(ud, monkeypatch, write) -> None:
    vid = _new(ud)
    iid = ud.add_item(vid, "anna", "Observatie", "Eerste", thema="Focus")
    doc = json.dumps(ud.export_visitatie(vid))
    before, v = _counts(ud), ud.visitatie(vid)
    monkeypatch.setattr(Dossiers, "_log", staticmethod(_boom))  # the second write of each operation fails
    with pytest.raises(RuntimeError):
        {"create": lambda: _new(ud, titel="Tweede"),
         "add_item": lambda: ud.add_item(vid, "anna", "Observatie", "Tweede", thema="Focus"),
         "update_visitatie": lambda: ud.update_visitatie(vid, 1, "bram", {"titel": "Anders"}),
         "update_item": lambda: ud.update_item(iid, 1, "bram", {"tekst": "Anders"}),
         "import": lambda: ud.import_visitatie(doc, BEHEER)}[write]()
    assert _counts(ud) == before and ud.visitatie(vid) == v
    assert [(i["tekst"], i["versie"]) for i in ud.items(vid)] == [("Eerste", 1)]


def test_an_import_fails_on_its_last_note_and_stores_nothing(ud, monkeypatch) -> None:
    vid = _new(ud)
    for n in range(3):
        ud.add_item(vid, "anna", "Observatie", f"Notitie {n}", thema="Focus")
    doc = json.dumps(ud.export_visitatie(vid))
    before, real, calls = _counts(ud), Dossiers._insert_item, []

    def third_fails(self, db, *args):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk full")
        return real(self, db, *args)

    monkeypatch.setattr(Dossiers, "_insert_item", third_fails)
    with pytest.raises(sqlite3.OperationalError):
        ud.import_visitatie(doc, BEHEER)
    assert _counts(ud) == before and len(ud.visitaties()) == 1


# ---- no silent lost update -------------------------------------------------------------------------------------------------
def test_two_writers_on_one_header_field(ud) -> None:
    vid = _new(ud)
    opened = ud.visitatie(vid)  # both open the form on version 1
    basis = {k: opened[k] for k in ("titel", "periode", "team")}
    ud.update_visitatie(vid, 1, "anna", {**basis, "titel": "Titel van Anna"}, basis=basis)
    with pytest.raises(Conflict) as e:
        ud.update_visitatie(vid, 1, "bram", {**basis, "titel": "Titel van Bram"}, basis=basis)
    c = e.value
    assert c.velden == {"titel": ("Titel van Bram", "Titel van Anna")} and c.door == "anna" and c.versie == 2
    assert "'titel'" in str(c) and "al gewijzigd (versie 2)" in str(c)
    assert ud.visitatie(vid)["titel"] == "Titel van Anna"  # nothing overwritten
    # Bram has seen both and chooses his own: now it is stored, on purpose.
    ud.update_visitatie(vid, 2, "bram", {"titel": "Titel van Bram"}, basis={"titel": c.theirs})
    assert ud.visitatie(vid)["titel"] == "Titel van Bram"


@pytest.mark.parametrize("field,anna,bram", [
    ("team", [{"naam": "Anna"}, {"naam": "Kees"}], [{"naam": "Anna"}, {"naam": "Piet"}]),
    ("themas", ["Focus", "Armoede"], ["Focus", "Schulden"]),
    ("contacten", [{"naam": "Wethouder"}], [{"naam": "Directeur"}]),
    ("periode", "voorjaar 2027", "zomer 2027"),
    ("normen", {"cbs_instroom_pct_15_aow": 20.0}, {"cbs_instroom_pct_15_aow": 21.0}),
    ("datums", {"bezoek": "2026-11-23"}, {"bezoek": "2026-12-01"}),
])
def test_every_header_field_is_protected(ud, field, anna, bram) -> None:
    vid = _new(ud)
    basis = {field: ud.visitatie(vid)[field]}
    ud.update_visitatie(vid, 1, "anna", {field: anna}, basis=basis)
    with pytest.raises(Conflict) as e:
        ud.update_visitatie(vid, 1, "bram", {field: bram}, basis=basis)
    assert set(e.value.velden) == {field} and e.value.velden[field][0] == bram
    assert ud.visitatie(vid)[field] == e.value.velden[field][1]  # Anna's value, as stored and shown to Bram


def test_different_fields_and_different_norms_merge(ud) -> None:
    vid = _new(ud)
    v = ud.visitatie(vid)
    form = {k: v[k] for k in ("titel", "periode", "team", "datums")}  # both submit the whole gegevens form
    ud.update_visitatie(vid, 1, "anna", {**form, "titel": "Nieuwe titel"}, basis=form)
    ud.update_visitatie(vid, 1, "bram", {**form, "periode": "voorjaar 2027", "datums": {"bezoek": "2027-03-01"}}, basis=form)
    v = ud.visitatie(vid)
    assert (v["titel"], v["periode"], v["datums"]) == ("Nieuwe titel", "voorjaar 2027", {"bezoek": "2027-03-01"})
    ud.update_visitatie(vid, 3, "anna", {"normen": {"cbs_instroom_pct_15_aow": 20.0}}, basis={"normen": {}})
    ud.update_visitatie(vid, 3, "ams", {"normen": {"cbs_uitstroom_pct_15_aow": 30.0}}, basis={"normen": {}})
    assert ud.visitatie(vid)["normen"] == {"cbs_instroom_pct_15_aow": 20.0, "cbs_uitstroom_pct_15_aow": 30.0}
    # Clearing a norm that someone else just changed is a conflict, not a silent removal.
    with pytest.raises(Conflict):
        ud.update_visitatie(vid, 5, "bram", {"normen": {"cbs_uitstroom_pct_15_aow": 30.0}},
                            basis={"normen": {"cbs_instroom_pct_15_aow": 19.0, "cbs_uitstroom_pct_15_aow": 30.0}})
    # A form hands rows back with every column ("" when empty): the team as stored, so not a change of Anna's, and
    # Bram's new member stays.
    with ud._db(write=True) as db:  # as the code before this check stored a form's rows: "" for an empty cell
        db.execute("update visitaties set team = ?", [json.dumps([{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"},
                                                                  {"naam": "Kees", "gebruiker": "", "rol": ""}])])
    v = ud.visitatie(vid)
    ud.update_visitatie(vid, v["versie"], "bram", {"team": [*v["team"], {"naam": "Piet"}]}, basis={"team": v["team"]})
    form = [{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}, {"naam": " Kees ", "gebruiker": "", "rol": None}]
    ud.update_visitatie(vid, v["versie"], "anna", {"titel": "Titel met Piet", "team": form},
                        basis={"titel": v["titel"], "team": v["team"]})
    v = ud.visitatie(vid)
    assert v["titel"] == "Titel met Piet" and [m["naam"] for m in v["team"]] == ["Anna", "Kees", "Piet"]
    # Without a basis (a status step) the whole record must still be at the version given.
    with pytest.raises(Conflict):
        ud.update_visitatie(vid, 1, "bram", {"status": "bezoek"})


def test_limits_hold_on_normal_saves(ud) -> None:
    vid = _new(ud)
    with pytest.raises(UserDataError, match="te lang"):
        ud.add_item(vid, "anna", "Observatie", "x" * (checks.MAX_TEKST + 1), thema="Focus")
    with pytest.raises(UserDataError, match="te lang"):
        ud.update_visitatie(vid, 1, "anna", {"titel": "x" * (checks.MAX_TITEL + 1)})
    with pytest.raises(UserDataError, match=f"maximaal {checks.MAX_THEMAS}"):
        ud.update_visitatie(vid, 1, "anna", {"themas": [f"Thema {n}" for n in range(checks.MAX_THEMAS + 1)]})
    with pytest.raises(UserDataError, match=f"maximaal {checks.MAX_PERSONEN}"):
        ud.update_visitatie(vid, 1, "anna", {"team": [{"naam": f"Lid {n}"} for n in range(checks.MAX_PERSONEN + 1)]})
    assert ud.visitatie(vid)["versie"] == 1 and ud.items(vid) == []


# ---- import: every class of bad file -------------------------------------------------------------------------------------
def _doc(ud: UserData, foto: dict) -> dict:
    vid = _new(ud, normen={"cbs_instroom_pct_15_aow": 20.0}, datums={"bezoek": "2026-11-23"})
    ud.update_visitatie(vid, 1, "anna", {"contacten": [{"naam": "Wethouder", "functie": "wethouder", "email": "w@a.nl"}]})
    ud.add_item(vid, "anna", "Sterk punt", "Korte lijnen", thema="Focus")
    ud.add_item(vid, "anna", "Aanbeveling", "Stuur op uitstroom", thema="Focus", prioriteit="hoog")
    ud.advance_status(vid, 2, "anna", foto)
    return ud.export_visitatie(vid)


def _set(doc: dict, path: str, value) -> dict:
    doc = copy.deepcopy(doc)
    *head, last = path.split(".")
    node = doc
    for k in head:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[int(last) if isinstance(node, list) else last] = value
    return doc


BAD = [  # (path, bad value, part of the Dutch message)
    ("visitatie.titel", 123, "de titel is geen tekst"),
    ("visitatie.titel", "x" * 500, "de titel is te lang (500 tekens; maximaal 120)"),
    ("visitatie.periode", ["najaar"], "de periode is geen tekst"),
    ("visitatie.gemeente_code", 363, "geen code als GM0363"),
    ("visitatie.status", "klaar", "onbekende status 'klaar'"),
    ("visitatie.team", "abc", "het team is geen lijst van personen"),
    ("visitatie.team", [1, 2], "het team: persoon 1 is geen rij"),
    ("visitatie.team", [{"naam": 5, "rol": ["x"]}], "het team: naam van persoon 1 is geen tekst"),
    ("visitatie.team", [{"naam": f"Lid {n}"} for n in range(100)], "het team heeft 100 personen (maximaal 40)"),
    ("visitatie.contacten", "Wethouder", "de contactpersonen is geen lijst"),
    ("visitatie.contacten", [{"naam": "W", "email": 3}], "email van persoon 1 is geen tekst"),
    ("visitatie.themas", [1, 2], "de thema's zijn geen lijst van teksten"),
    ("visitatie.themas", [f"Thema {n}" for n in range(100)], "er zijn 100 thema's (maximaal 60)"),
    ("visitatie.groep", "abc", "de referentiegroep is geen groep"),
    ("visitatie.groep", {"naam": "g", "leden": ["Amsterdam", 12]}, "geen gemeentecode (GM en vier cijfers)"),
    ("visitatie.groep", {"naam": "g"}, "de referentiegroep heeft geen ledenlijst"),
    ("visitatie.normen", {"cbs_instroom_pct_15_aow": "twintig"}, "is geen getal: 'twintig'"),
    ("visitatie.normen", {"cbs_instroom_pct_15_aow": float("nan")}, "is geen getal"),
    ("visitatie.normen", {"cbs_instroom_pct_15_aow": 1e9}, "ligt buiten 0 tot 100"),
    ("visitatie.normen", {"bestaat_niet": 1}, "Normen voor onbekende indicatoren: bestaat_niet"),
    ("visitatie.normen", [20], "de normen zijn geen lijst van indicator en getal"),
    ("visitatie.normen", {"instroom_pct_15_aow": "hoog"}, "de norm voor instroom_pct_15_aow is geen getal"),
    ("visitatie.datums", {"bezoek": "morgen"}, "datum bezoek 'morgen' is geen datum als 2026-11-23"),
    ("visitatie.datums", {"feest": "2026-01-01"}, "onbekende datum 'feest'"),
    ("visitatie.datums", "2026-01-01", "zijn geen lijst van datums"),
    ("visitatie.foto", None, "de bevroren foto ontbreekt"),
    ("visitatie.foto", "foto", "de bevroren foto is geen foto"),
    ("visitatie.foto.regels", "x", "geen lijst van indicatoren"),
    ("visitatie.foto.regels.0", [], "indicator 1: geen rij met cijfers"),
    ("visitatie.foto.regels.0.realisatie", "veel", "realisatie geen getal"),
    ("visitatie.foto.regels.0.periode", "vorig jaar", "begint niet met een jaar"),
    ("visitatie.foto.regels.0.indicator", "verzonnen", "onbekende indicator 'verzonnen'"),
    ("visitatie.foto.regels.0.reeks", [{"periode": 2020}], "geen periode met een jaar"),
    ("visitatie.foto.regels.0.reeks.0.nederland", "20", "nederland ontbreken of zijn geen getal"),
    ("visitatie.foto.groep", {"naam": "g", "leden": "GM0363"}, "de groep van de bevroren foto heeft geen ledenlijst"),
    ("visitatie.foto.databouw", None, "de databouw (met zijn tijd) ontbreekt"),
    ("visitatie.foto_bevroren", "gisteren", "het moment van bevriezen van de foto ontbreekt"),
    ("items", {"0": "x"}, "'items' is geen lijst"),
    ("items.0.tekst", 42, "notitie 1: de notitie is geen tekst"),
    ("items.0.tekst", "x" * 10_001, "notitie 1: de notitie is te lang (10.001 tekens; maximaal 10.000)"),
    ("items.0.soort", "Roddel", "notitie 1: onbekende soort 'Roddel'"),
    ("items.1.prioriteit", "urgent", "notitie 2: kies een prioriteit (hoog, midden, laag)"),
    ("items.0.prioriteit", "hoog", "notitie 1: een sterk punt heeft geen prioriteit"),
    ("items.0.indicator", ["x"], "notitie 1: indicator ['x'] is geen tekst"),
    ("items.0", "tekst", "notitie 1: veld 'soort', 'tekst' ontbreekt"),
    ("items", [{"soort": "Observatie", "tekst": "t", "thema": "Focus"}] * 20_000, "20.000 notities en bevindingen (maximaal 2.000)"),
]


@pytest.mark.parametrize("path,value,message", BAD, ids=[f"{p}={str(v)[:20]}" for p, v, _ in BAD])
def test_every_bad_import_is_refused_in_dutch(ud, foto, path, value, message) -> None:
    doc = _doc(ud, foto)
    before = _counts(ud)
    with pytest.raises(UserDataError) as e:
        ud.import_visitatie(json.dumps(_set(doc, path, value)), BEHEER, known_codes={AMS})
    assert message in str(e.value) and str(e.value).startswith("Het bestand kan niet worden ingelezen")
    assert str(e.value).endswith("Er is niets opgeslagen.")
    assert _counts(ud) == before


@pytest.mark.parametrize("data,message", [
    ('{"formaat": "bijstandsportaal-visitatie", "formaatversie": 1, "visitatie": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "te diep genest"),
    (b"{" + b" " * 2_100_000 + b"}", "te groot (2,1 MB; maximaal 2 MB)"),
    ('{"formaat": "bijstandsportaal-visitatie", "formaatversie": true}', "geen formaatversie"),
    ('{"formaat": "bijstandsportaal-visitatie", "formaatversie": 1, "visitatie": []}', "'visitatie' ontbreekt"),
    ("[1, 2]", "geen visitatie-export"),
])
def test_unreadable_files_are_refused_in_dutch(ud, data, message) -> None:
    before = _counts(ud)
    with pytest.raises(UserDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ud.import_visitatie(data, BEHEER)
    assert _counts(ud) == before


def test_all_problems_are_listed_at_once(ud, foto) -> None:
    doc = _set(_set(_doc(ud, foto), "visitatie.titel", 1), "items.0.tekst", 2)
    with pytest.raises(UserDataError) as e:
        ud.import_visitatie(json.dumps(doc), BEHEER)
    assert "de titel is geen tekst" in str(e.value) and "notitie 1: de notitie is geen tekst" in str(e.value)


def _opens(ud: UserData, vid: int, live: dict, pdf: bool = True) -> None:
    """What opening the dossier computes: foto tab, scorecard, chart, changes, history (and the PDF report)."""
    v = ud.visitatie(vid)
    foto = v["foto"] or live
    card = vt.scorecard(foto, v["normen"])
    for r in card.iter_rows(named=True):
        vt.realisatie_text(r)
    rapport.foto_lines(foto, v["titel"])
    rapport.foto_chart(foto)
    vt.changes(foto, live)
    for h in ud.history(vid):
        vt.version_content(h["onderdeel"], h["inhoud"])
    vt.readable_history(ud.history(vid))
    ", ".join(v["groep"]["leden"])
    for i in ud.items(vid):
        vt.item_thema(i["soort"], i["thema"], i["indicator"])
    if pdf:
        assert rapport.build_pdf(v, foto, ud.items(vid), {AMS: "Amsterdam"})[:4] == b"%PDF"


def _paths(node, prefix=""):
    """Every path into a JSON document (lists: their first element only)."""
    if isinstance(node, dict):
        for k, x in node.items():
            yield from _paths(x, f"{prefix}{k}.")
            yield f"{prefix}{k}"
    elif isinstance(node, list) and node:
        yield from _paths(node[0], f"{prefix}0.")
        yield f"{prefix}0"


def test_every_accepted_import_opens(ud, foto) -> None:
    """Every field of a real export (first list elements) set to each of a handful of wrong-typed values: the import is
    refused in Dutch, or what it accepted opens without an error."""
    doc = _doc(ud, foto)
    doc["visitatie"]["foto"]["regels"] = doc["visitatie"]["foto"]["regels"][:2]  # keep the number of imports small
    paths = [p for p in _paths(doc) if not p.startswith(("formaat", "geexporteerd"))]
    assert len(paths) > 60
    accepted = refused = 0
    for path in paths:
        pdf = True  # the (slow) PDF once per field
        for value in (None, 7, -1.5, "", "x", [], {}, [1], {"a": 1}, True):
            try:
                vid = ud.import_visitatie(json.dumps(_set(doc, path, value)), BEHEER, known_codes={AMS})
            except UserDataError as e:
                assert "Er is niets opgeslagen" in str(e) or "Dit bestand" in str(e)
                refused += 1
            else:
                accepted += 1
                try:
                    _opens(ud, vid, foto, pdf)
                    pdf = False
                except Exception as e:
                    raise AssertionError(f"accepted {path} = {value!r}, then failed to open") from e
    print(f"{len(paths)} fields, {accepted} accepted, {refused} refused")
    assert accepted > 50 and refused > 300  # both sides really exercised


# ---- ownership of an import ----------------------------------------------------------------------------------------------
def test_an_import_belongs_to_the_importer(ud, foto) -> None:
    doc = _doc(ud, foto)
    doc["visitatie"]["team"] = [{"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}, {"naam": "Kees", "rol": "lid"}]
    text = json.dumps(doc)
    planted = ud.import_visitatie(text, KEES)  # Kees imports a file that names Anna's account in its team
    v = ud.visitatie(planted)
    assert v["team"] == [{"naam": "kees", "gebruiker": "kees", "rol": "lid"}, {"naam": "Anna", "rol": "voorzitter"},
                         {"naam": "Kees", "rol": "lid"}]
    assert may_open(KEES, v) and not may_open(ANNA, v)  # not planted in Anna's list
    own = ud.import_visitatie(text, ANNA)  # Anna imports it: she keeps her name and role
    assert ud.visitatie(own)["team"][0] == {"naam": "Anna", "gebruiker": "anna", "rol": "voorzitter"}
    kept = ud.import_visitatie(text, BEHEER)  # beheer moves a dossier between installations as it is
    assert ud.visitatie(kept)["team"] == doc["visitatie"]["team"]
    before = _counts(ud)
    with pytest.raises(UserDataError, match="Alleen het visitatieteam en beheer"):
        ud.import_visitatie(text, GEMEENTE)
    assert _counts(ud) == before


# ---- deleted notes and the gemeente --------------------------------------------------------------------------------------
def test_gemeente_does_not_read_deleted_notes_in_the_history(ud) -> None:
    vid = _new(ud)
    secret = ud.add_item(vid, "anna", "Verbeterpunt", "Vertrouwelijk: de afdeling is onderbezet", thema="Focus")
    ud.update_item(secret, 1, "anna", {"tekst": "Vertrouwelijk: de afdeling is zwaar onderbezet"})
    ud.delete_item(secret, 2, "anna")
    kept = ud.add_item(vid, "anna", "Sterk punt", "Korte lijnen", thema="Focus")
    back = ud.add_item(vid, "anna", "Observatie", "Eerst weg, toen terug", thema="Focus")
    ud.delete_item(back, 1, "anna")
    ud.update_item(back, 2, "anna", {"verwijderd": 0})
    for user in (ANNA, BEHEER, None):
        assert "onderbezet" in json.dumps(ud.history(vid, user))  # the team and beheer still see everything
    seen = ud.history(vid, GEMEENTE)
    assert "onderbezet" not in json.dumps(seen) and "onderbezet" not in json.dumps(vt.readable_history(seen))
    assert {h["onderdeel_id"] for h in seen if h["onderdeel"] == "item"} == {kept, back}
    assert len(seen) == len(ud.history(vid)) - 3


# ---- a read-only data folder ---------------------------------------------------------------------------------------------
def test_a_read_only_folder_reads_and_logs_in_but_saves_nothing(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    ud = UserData(folder / "user.db")
    vid = _new(ud)
    ud.add_item(vid, "anna", "Observatie", "Opgeslagen toen het nog kon", thema="Focus")
    ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
    files, stored = sorted(p.name for p in folder.iterdir()), (folder / "user.db").read_bytes()
    if os.geteuid() == 0:  # root writes anyway: make this process see the folder as read-only; the connections are
        monkeypatch.setattr("portal.userdata.db.writable", lambda path: False)  # then real read-only ones
    folder.chmod(0o555)
    (folder / "user.db").chmod(0o444)
    try:
        ro = UserData(folder / "user.db")
        assert ro.read_only
        assert ro.visitatie(vid)["titel"] == "Visitatie Amsterdam"
        assert [i["tekst"] for i in ro.items(vid)] == ["Opgeslagen toen het nog kon"]
        assert ro.login("anna", "anna-wachtwoord") == Gebruiker("anna", "visitatieteam") and ro.has_accounts()
        for save in (lambda: ro.add_item(vid, "anna", "Observatie", "Nieuw", thema="Focus"),
                     lambda: ro.update_visitatie(vid, 1, "anna", {"titel": "Nieuw"}),
                     lambda: _new(ro),
                     lambda: ro.add_account("kees", "kees-wachtwoord", "visitatieteam")):
            with pytest.raises(UserDataError, match="Er kon niets worden opgeslagen: de gegevensmap .* is alleen-lezen"):
                save()
        assert ro.visitatie(vid)["versie"] == 1 and len(ro.items(vid)) == 1 and len(ro.accounts()) == 1
        assert (folder / "user.db").read_bytes() == stored
        if os.geteuid() != 0:
            assert sorted(p.name for p in folder.iterdir()) == files  # not even a journal file was made
    finally:
        folder.chmod(0o755)
        (folder / "user.db").chmod(0o644)


def test_a_read_only_folder_without_a_database_reads_as_empty(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    if os.geteuid() == 0:
        monkeypatch.setattr("portal.userdata.db.writable", lambda path: False)
    folder.chmod(0o555)
    try:
        ro = UserData(folder / "user.db")
        assert ro.read_only and ro.visitaties() == [] and ro.groups() == [] and not ro.has_accounts()
        assert ro.login("anna", "anna-wachtwoord") is None
        with pytest.raises(UserDataError, match="Er kon niets worden opgeslagen"):
            _new(ro)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


READ_ONLY_CHECK = """
import sys
from pathlib import Path
from portal.userdata import UserData, UserDataError
path = Path(sys.argv[1])
if sys.argv[2] == "later":  # the portal is running when the folder becomes read-only
    ud = UserData(path)
    ud.visitaties()
path.chmod(0o444)
path.parent.chmod(0o555)
if sys.argv[2] == "before":
    ud = UserData(path)
print(ud.read_only, ud.visitaties()[0]["titel"], ud.login("anna", "anna-wachtwoord").rol)
try:
    ud.add_item(1, "anna", "Observatie", "Nieuw", thema="Focus")
except UserDataError as e:
    print(e)
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"),
                    reason="as root only: runs the check as user 'nobody', for whom chmod holds")
@pytest.mark.parametrize("when", ["before", "later"])
def test_a_read_only_folder_for_a_user_without_rights(when) -> None:
    """The same as above without any simulation: the folder belongs to nobody, is chmod 555, and the check runs as
    nobody (root ignores file modes, so the test above must fake them when the suite runs as root)."""
    folder = Path(tempfile.mkdtemp(prefix="portal-alleen-lezen-"))
    try:
        ud = UserData(folder / "user.db")
        _new(ud)
        ud.add_account("anna", "anna-wachtwoord", "visitatieteam")
        for p in (folder, *folder.iterdir()):
            shutil.chown(p, "nobody")
        out = subprocess.run(["runuser", "-u", "nobody", "--", sys.executable, "-c", READ_ONLY_CHECK, str(folder / "user.db"), when],
                             capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[0].endswith(" Visitatie Amsterdam visitatieteam"), out.stdout  # reads and login work
        assert lines[1].startswith("Er kon niets worden opgeslagen: de gegevensmap") and "alleen-lezen" in lines[1]
        assert sorted(p.name for p in folder.iterdir()) == ["user.db"] and len(UserData(folder / "user.db").items(1)) == 0
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)

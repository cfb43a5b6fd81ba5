"""Own client files, part A (issue 13): reading CSV/XLSX/Parquet, mapping, validation with Dutch messages naming row and
column, pseudonymisation, storage (replace per month in one transaction, history, delete) and access by role.

The reference file has known spells; every format and CSV dialect of it must give the identical stored frame, and
every bad input must give its Dutch message with nothing stored."""

from __future__ import annotations

import errno
import hashlib
import hmac
import io
import json
import stat
from datetime import date, datetime, timedelta

import openpyxl
import polars as pl
import pytest

from portal import access
from portal.eigen import mapping, pseudo, store, upload
from portal.eigen.schema import SPELLS
from portal.eigen.store import Eigenbestand
from portal.eigen.upload import UploadFout, read_file
from portal.access import Gebruiker, local_user
from portal.userdata import UserDataError

GM = "GM0363"
PEIL = date(2024, 12, 31)
KEY = b"k" * 32
BSN = "111222333"  # passes the 11-proef
HEADER = ["Klantnummer", "Ingangsdatum", "Beëindigingsdatum", "Reden beëindiging", "Huishoudtype", "Geboortejaar",
          "Geslacht", "Trede", "Bedrag"]
# client, begin, einde, reden, leefvorm, geboortejaar, geslacht, trede, bedrag
ROWS = [
    (BSN, date(2020, 2, 1), date(2021, 3, 31), "Uitstroom naar werk", "ALL", 1980, "M", "Trede 2", 1234.56),
    (BSN, date(2021, 5, 1), None, None, "EO", 1980, "M", "Trede 1", 1100.0),
    ("4711", date(2019, 6, 15), date(2019, 6, 30), "Verhuizing", "GH", 1990, "V", None, None),
    ("4712", date(2023, 1, 1), None, None, "Gehuwd/samenwonend", 1961, "V", "Trede 3", 1500.25),
]


def _csv(rows=ROWS, sep=";", encoding="cp1252", header=HEADER, fmt="%d-%m-%Y") -> bytes:
    def cell(v):
        if v is None:
            return ""
        if isinstance(v, date):
            return v.strftime(fmt)
        if isinstance(v, float):
            return f"{v:.2f}".replace(".", ",") if sep != "," else f"{v:.2f}"
        return str(v)

    lines = [sep.join(header)] + [sep.join(cell(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _xlsx(rows=ROWS, extra_sheet: bool = False, formula: bool = False, merged: bool = False, serial: bool = False
          ) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uitkeringen"
    ws.append(HEADER)
    for r in rows:  # identifiers as numbers, dates as date cells: as a spreadsheet holds them
        ws.append([int(r[0]), *((d - date(1899, 12, 30)).days if serial and isinstance(d, date)
                                else datetime(d.year, d.month, d.day) if isinstance(d, date) else d for d in r[1:])])
    if formula:
        ws["I3"] = "=I2*2"
    if merged:
        ws.merge_cells("B1:C1")
    if extra_sheet:
        wb.create_sheet("Toelichting")["A1"] = "Export uit Suite4Sociaal Domein"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _parquet(rows=ROWS) -> bytes:
    cols = list(zip(*rows))
    frame = pl.DataFrame({HEADER[0]: list(cols[0]), HEADER[1]: pl.Series(cols[1], dtype=pl.Date),
                          HEADER[2]: pl.Series(cols[2], dtype=pl.Date), HEADER[3]: list(cols[3]),
                          HEADER[4]: list(cols[4]), HEADER[5]: pl.Series(cols[5], dtype=pl.Int32),
                          HEADER[6]: list(cols[6]), HEADER[7]: list(cols[7]),
                          HEADER[8]: pl.Series(cols[8], dtype=pl.Float64)})
    out = io.BytesIO()
    frame.write_parquet(out)
    return out.getvalue()


@pytest.fixture
def db(tmp_path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigenbestand.db")


def _attempt(db: Eigenbestand, data: bytes, name: str, peildatum: date = PEIL) -> tuple[list[str], int | None]:
    """The page's flow: read, suggest a mapping, validate, and store only without problems. (messages, upload id)."""
    try:
        raw = read_file(data, name)
    except UploadFout as e:
        return [str(e)], None
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, peildatum, secret=KEY)
    if problems:
        assert spells.height == 0  # nothing that could be stored by mistake
        return problems.berichten(), None
    return [], db.save(GM, name, spells, peildatum, "tester")


def _nothing_stored(db: Eigenbestand) -> None:
    assert db.uploads(GM) == []
    with db._db() as conn:
        assert conn.execute("select count(*) from spells").fetchone()[0] == 0


# ---- good files --------------------------------------------------------------------------------------------------------

def test_csv_xlsx_and_parquet_of_the_same_spells_store_identical_frames(db):
    frames = []
    for data, name in ((_csv(), "export.csv"), (_xlsx(), "export.xlsx"), (_parquet(), "export.parquet"),
                       (_xlsx(serial=True), "datums-als-getal.xlsx")):
        messages, uid = _attempt(db, data, name, peildatum=date(2024, 12, 1 + len(frames)))
        assert messages == [] and uid is not None
        frames.append(db.spells(GM, uid).drop("upload_id"))
    assert dict(frames[0].schema) == {c: t for c, t in SPELLS.items() if c != "upload_id"}
    assert all(frames[0].equals(f) for f in frames[1:])
    f = frames[0].sort("begin")
    assert f["begin"].to_list() == [date(2019, 6, 15), date(2020, 2, 1), date(2021, 5, 1), date(2023, 1, 1)]
    assert f["einde"].to_list() == [date(2019, 6, 30), date(2021, 3, 31), None, None]
    assert f["reden"].to_list() == ["overig", "werk", None, None]
    assert f["leefvorm"].to_list() == ["paar", "alleenstaande", "alleenstaande_ouder", "paar"]
    assert f["geslacht"].to_list() == ["vrouw", "man", "man", "vrouw"]
    assert f["fasering"].to_list() == [None, "Trede 2", "Trede 1", "Trede 3"]
    assert f["bedrag"].to_list() == [None, 1234.56, 1100.0, 1500.25]
    assert f["geboortejaar"].to_list() == [1990, 1980, 1980, 1961]
    assert f["client"][1] == f["client"][2] != f["client"][0]  # one client's two spells stay linked
    # same-month uploads replace each other: the three above had different peildata, all in December 2024
    assert [u["verwijderd"] for u in db.uploads(GM)] == [False, True, True, True]


@pytest.mark.parametrize("sep,encoding,fmt", [
    (",", "utf-8", "%Y-%m-%d"), ("\t", "utf-8-sig", "%d/%m/%Y"), ("|", "utf-16", "%d-%m-%Y"), (";", "latin-1", "%d-%m-%Y"),
])
def test_csv_dialects_give_the_same_spells(sep, encoding, fmt):
    ref = mapping.apply(read_file(_csv(), "a.csv"), mapping.suggest(read_file(_csv(), "a.csv")), GM, PEIL, KEY)[0]
    raw = read_file(_csv(sep=sep, encoding=encoding, fmt=fmt), "b.csv")
    assert raw.scheidingsteken == sep and raw.kolommen == HEADER
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, PEIL, KEY)
    assert not problems and spells.equals(ref)


def test_suggested_mapping_and_remembered_mapping():
    raw = read_file(_csv(), "a.csv")
    m = mapping.suggest(raw)
    assert m["indeling"] == "perioden"
    assert {f: c for f, c in m["kolommen"].items() if c} == dict(zip(
        ["client", "begin", "einde", "reden", "leefvorm", "geboortejaar", "geslacht", "fasering", "bedrag"], HEADER))
    assert m["codes"]["leefvorm"] == {"ALL": "alleenstaande", "EO": "alleenstaande_ouder", "GH": "paar",
                                      "Gehuwd/samenwonend": "paar"}
    assert m["codes"]["reden"] == {"Uitstroom naar werk": "werk", "Verhuizing": "overig"}
    assert json.loads(json.dumps(m)) == m
    assert mapping.suggest_columns(["BSN", "Startdatum", "Einddatum", "Uitstroomreden", "Normcategorie", "Leeftijd",
                                    "Participatieladder", "Uitkering"]) == {
        "client": "BSN", "begin": "Startdatum", "einde": "Einddatum", "reden": "Uitstroomreden",
        "leefvorm": "Normcategorie", "geboortejaar": "Leeftijd", "geslacht": None, "fasering": "Participatieladder",
        "bedrag": "Uitkering", "maand": None}
    # next month's file names the household column differently and has a new code: the remembered choices stay
    m["kolommen"]["leefvorm"] = "Huishoudtype"
    m["codes"]["leefvorm"]["ALL"] = "paar"  # the user's own (odd) choice wins over the suggestion
    rows = [r[:4] + ("NIEUW",) + r[5:] if i == 0 else r for i, r in enumerate(ROWS)]
    raw2 = read_file(_csv(rows=rows), "b.csv")
    m2 = mapping.suggest(raw2, remembered=json.loads(json.dumps(m)))
    assert m2["codes"]["leefvorm"]["NIEUW"] is None and m2["codes"]["leefvorm"]["EO"] == "alleenstaande_ouder"
    rows3 = [r[:4] + ("ALL",) + r[5:] for r in ROWS]
    m3 = mapping.suggest(read_file(_csv(rows=rows3), "c.csv"), remembered=m)
    assert m3["codes"]["leefvorm"] == {"ALL": "paar"}


def test_mapping_is_remembered_per_gemeente(db):
    m = mapping.suggest(read_file(_csv(), "a.csv"))
    db.save_mapping(GM, m, "tester")
    assert db.mapping(GM) == m and db.mapping("GM0014") is None


def test_age_instead_of_birth_year_and_peildatum_suggestion():
    header = HEADER[:5] + ["Leeftijd"] + HEADER[6:]
    rows = [r[:5] + (2024 - r[5],) + r[6:] for r in ROWS]
    raw = read_file(_csv(rows=rows, header=header), "a.csv")
    m = mapping.suggest(raw)
    assert m["kolommen"]["geboortejaar"] == "Leeftijd"
    assert mapping.peildatum_suggestion(raw, m) == date(2023, 1, 31)
    spells, problems = mapping.apply(raw, m, GM, PEIL, KEY)
    assert not problems and sorted(spells["geboortejaar"].to_list()) == [1961, 1980, 1980, 1990]
    # birth dates (also before the Bijstandswet of 1965) give the year
    rows = [r[:5] + (date(r[5], 3, 9),) + r[6:] for r in ROWS]
    raw = read_file(_csv(rows=rows, header=HEADER[:5] + ["Geboortedatum"] + HEADER[6:]), "a.csv")
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, PEIL, KEY)
    assert not problems and sorted(spells["geboortejaar"].to_list()) == [1961, 1980, 1980, 1990]


# ---- bad input: a Dutch message naming row and column, and nothing stored --------------------------------------------

def _bad(rows_change) -> bytes:
    rows = [list(r) for r in ROWS]
    rows_change(rows)
    return _csv(rows=[tuple(r) for r in rows])


BAD = {
    "leeg bestand": (b"", "Het bestand is leeg"),
    "alleen kopregel": (_csv(rows=[]), "alleen een kopregel"),
    "geen scheidingsteken": (b"Klantnummer\n4711\n", "geen scheidingsteken gevonden"),
    "scheidingsteken niet eenduidig": (b"a;b,c\n1;2,3\n", "even vaak puntkomma (;) als komma (,)"),
    "komma in waarde": (_csv(sep=",").replace(b"1234.56", b"1234,56"),
                        "Rij 2 heeft 10 kolommen, de kopregel (rij 1) 9, met komma (,) als scheidingsteken"),
    "dubbele kolomnaam": (_csv(header=HEADER[:8] + ["Klantnummer"]),
                          "De kolomnaam 'Klantnummer' staat twee keer in de kopregel (kolom A en I)"),
    "geen tekst": ("Klantnummer;Ingangsdatum\n1;2\n".encode("utf-16-le"), "geen tekstbestand"),
    "kolom ontbreekt": (_csv(rows=[r[:4] + r[5:] for r in ROWS], header=HEADER[:4] + HEADER[5:]),
                        "De verplichte kolom voor 'Leefvorm' ontbreekt"),
    "einde voor begin": (_bad(lambda r: r[2].__setitem__(2, date(2019, 1, 1))),
                         "Rij 4, kolom 'Beëindigingsdatum': einddatum 01-01-2019 ligt vóór de begindatum 15-06-2019."),
    "toekomst": (_bad(lambda r: r[3].__setitem__(1, date(2025, 3, 1))),
                 "Rij 5, kolom 'Ingangsdatum': 01-03-2025 ligt na de peildatum 31-12-2024."),
    "overlap": (_bad(lambda r: r[1].__setitem__(1, date(2021, 3, 1))),
                "Rij 3, kolom 'Ingangsdatum': deze periode overlapt met een eerdere periode van dezelfde cliënt "
                "(de vorige periode van deze cliënt staat in rij 2)."),
    "onbekende code": (_bad(lambda r: r[0].__setitem__(4, "XYZ")),
                       "Rij 2, kolom 'Huishoudtype': de waarde 'XYZ' staat niet in de vertaling"),
    "onmogelijk geboortejaar": (_bad(lambda r: r[2].__setitem__(5, 2019)),
                                "Rij 4, kolom 'Geboortejaar': geboortejaar 2019 (uit '2019') is niet mogelijk"),
    "onleesbare datum": (_bad(lambda r: r[3].__setitem__(1, "31-02-2023")),
                         "Rij 5, kolom 'Ingangsdatum': '31-02-2023' is geen geldige datum"),
    "cliënt leeg": (_bad(lambda r: r[2].__setitem__(0, None)), "Rij 4, kolom 'Klantnummer': de waarde ontbreekt."),
    "xlsx formule": (_xlsx(formula=True), "bevat formules (bijvoorbeeld in cel I3)"),
    "xlsx twee bladen": (_xlsx(extra_sheet=True), "meer dan één werkblad ('Uitkeringen', 'Toelichting')"),
    "xlsx samengevoegde kop": (_xlsx(merged=True), "samengevoegde cellen (B1:C1)"),
    "xlsx leeg": (_xlsx(rows=[]), "alleen een kopregel"),
    "parquet beschadigd": (b"PAR1" + b"\x00" * 40, "Het Parquet-bestand kan niet worden gelezen"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gets_a_dutch_message_and_stores_nothing(db, case):
    data, expected = BAD[case]
    name = "export.xlsx" if case.startswith("xlsx") else "export.parquet" if case.startswith("parquet") else "export.csv"
    messages, uid = _attempt(db, data, name)
    assert uid is None
    assert any(expected in m for m in messages), messages
    assert not any(BSN in m or "4711" in m for m in messages)  # the client column's values are never repeated
    _nothing_stored(db)


def test_file_over_the_size_limit_is_refused(db, monkeypatch):
    monkeypatch.setattr(upload, "MAX_BYTES", 1000)
    data = _csv(rows=ROWS * 20)
    assert len(data) > 1000
    messages, uid = _attempt(db, data, "groot.csv")
    assert uid is None and messages[0].startswith("Het bestand is te groot (") and "maximaal" in messages[0]
    _nothing_stored(db)


def test_many_problems_are_summarised_with_counts_and_first_examples(db):
    rows = [(str(5000 + i), "99-99-2020", None, None, "ALL", 1980, "M", None, None) for i in range(30)]
    rows += [(str(6000 + i), date(2020, 1, 1), None, None, "??", 1980, "M", None, None) for i in range(5)]
    messages, uid = _attempt(db, _csv(rows=rows), "veel.csv")
    assert uid is None
    assert messages[0] == "Er zijn 35 problemen gevonden; er is niets opgeslagen. Per soort:"
    assert "onleesbare datum: 30" in messages and "code niet in de vertaling: 5" in messages
    assert "Rij 2, kolom 'Ingangsdatum': '99-99-2020' is geen geldige datum (gebruik dd-mm-jjjj of jjjj-mm-dd)." in messages
    assert len(messages) <= 12
    _nothing_stored(db)


# ---- client-month files ------------------------------------------------------------------------------------------------

def test_client_month_file_becomes_spells():
    header = ["BSN", "Maand", "Reden", "Leefvorm", "Geboortejaar"]
    rows = [(BSN, m, None, "ALL", 1980) for m in ("2024-01", "2024-02")] + [(BSN, "2024-03", "werk", "ALL", 1980)]
    rows += [(BSN, "2024-05", None, "EO", 1980), (BSN, "2024-06", None, "EO", 1980)]  # gap in April; running in June
    rows += [("4711", "2024-02", "verhuisd", "GH", 1970)]
    raw = read_file(_csv(rows=rows, header=header), "maanden.csv")
    m = mapping.suggest(raw)
    assert m["indeling"] == "maanden" and m["kolommen"]["maand"] == "Maand"
    spells, problems = mapping.apply(raw, m, GM, date(2024, 6, 30), KEY)
    assert not problems
    got = spells.sort("begin").select("begin", "einde", "reden", "leefvorm").rows()
    assert got == [(date(2024, 1, 1), date(2024, 3, 31), "werk", "alleenstaande"),
                   (date(2024, 2, 1), date(2024, 2, 29), "overig", "paar"),
                   (date(2024, 5, 1), None, None, "alleenstaande_ouder")]
    # the same client and month twice is an overlap, named by row
    raw = read_file(_csv(rows=rows + [(BSN, "2024-02", None, "ALL", 1980)], header=header), "dubbel.csv")
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, date(2024, 6, 30), KEY)
    assert spells.height == 0
    assert problems.berichten() == ["Rij 8, kolom 'Maand': dezelfde cliënt staat voor deze maand ook in rij 3."]


# ---- pseudonymisation --------------------------------------------------------------------------------------------------

def test_stored_client_column_holds_no_given_identifier(db, tmp_path):
    secret = pseudo.key(tmp_path / "eigen_sleutel")
    assert stat.S_IMODE((tmp_path / "eigen_sleutel").stat().st_mode) == 0o600
    assert pseudo.key(tmp_path / "eigen_sleutel") == secret  # the same key on every use
    raw = read_file(_csv(), "a.csv")
    assert pseudo.bsn_like(raw.frame["Klantnummer"]) == 2  # the BSN, on two rows: said on screen
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, PEIL, secret)
    assert not problems
    expected = hmac.new(secret, BSN.encode(), hashlib.sha256).hexdigest()
    assert expected in spells["client"].to_list()
    db.save(GM, "a.csv", spells, PEIL, "tester")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("eigenbestand.db*")) + _spell_files(tmp_path)
    assert BSN.encode() not in stored and b"4711" not in stored and b"4712" not in stored
    assert secret.hex().encode() not in stored and expected.encode() in stored
    # a leading zero lost in a spreadsheet does not change the pseudonym
    assert pseudo.pseudonymise(pl.Series(["012345678", "12345678"]), secret).n_unique() == 1


def _spell_files(folder) -> bytes:
    """The spell files of the uploads (portal.eigen.store: one zstd Parquet file per upload), as stored and decoded."""
    files = sorted((folder / "eigenbestand").rglob("*.parquet"))
    return b"".join(p.read_bytes() + pl.read_parquet(p).write_csv().encode() for p in files)


# ---- storage -----------------------------------------------------------------------------------------------------------

def _spells(n_rows=ROWS) -> pl.DataFrame:
    raw = read_file(_csv(rows=n_rows), "a.csv")
    return mapping.apply(raw, mapping.suggest(raw), GM, PEIL, KEY)[0]


def test_reupload_of_a_month_replaces_it_in_one_transaction(db, monkeypatch):
    first = db.save(GM, "nov.csv", _spells(ROWS[:2]), date(2024, 11, 30), "tester")
    dec = db.save(GM, "dec.csv", _spells(ROWS[:3]), date(2024, 12, 31), "tester")
    again = db.save(GM, "dec-correctie.csv", _spells(), date(2024, 12, 15), "tester")  # same month: replaces dec
    history = {u["id"]: u for u in db.uploads(GM)}
    assert history[dec]["verwijderd"] and history[dec]["vervangen_door"] == again
    assert not history[first]["verwijderd"] and not history[again]["verwijderd"]
    assert history[again]["peildatum"] == date(2024, 12, 31) and history[again]["maand_van"] == "2019-06"
    assert db.spells(GM)["upload_id"].unique().to_list() == [again] and db.spells(GM).height == 4
    assert db.spells(GM, first).height == 2 and db.spells(GM, dec).height == 0

    def disk_full(fd):  # the spell file is written, but the disk is full when it is flushed
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", disk_full)
    with pytest.raises(UserDataError, match="niets opgeslagen"):
        db.save(GM, "dec-fout.csv", _spells(), date(2024, 12, 31), "tester")
    monkeypatch.undo()
    assert {u["id"]: u for u in db.uploads(GM)} == history
    assert db.spells(GM)["upload_id"].unique().to_list() == [again] and db.spells(GM).height == 4
    assert sorted(p.name for p in db.folder.rglob("*") if p.is_file()) == sorted([f"{first}.parquet", f"{again}.parquet"])


def test_delete_removes_records_and_keeps_the_history(db, tmp_path):
    uid = db.save(GM, "a.csv", _spells(), PEIL, "tester")
    hashes = db.spells(GM)["client"].unique().to_list()
    assert db.participants() == [GM]
    with pytest.raises(UserDataError, match="bestaat niet"):
        db.delete("GM0014", uid)  # another gemeente's id: refused
    db.delete(GM, uid, "tester")
    assert db.spells(GM).height == 0 and db.spells(GM, uid).height == 0
    assert [(u["id"], u["verwijderd"], u["verwijderd_door"]) for u in db.uploads(GM)] == [(uid, True, "tester")]
    assert db.participants() == []
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("eigenbestand.db*"))
    assert not any(h.encode() in stored for h in hashes)  # overwritten on disk, not just unlinked
    with pytest.raises(UserDataError, match="al verwijderd"):
        db.delete(GM, uid)


def test_real_and_synthetic_uploads_never_mix(db):
    real = db.save(GM, "echt.csv", _spells(ROWS[:2]), PEIL, "tester")
    demo = db.save(GM, "demo", _spells(), PEIL, "tester", synthetisch=True)  # same month, other kind: no replacement
    db.save("GM0014", "demo", _spells(), PEIL, "tester", synthetisch=True)
    assert not any(u["verwijderd"] for u in db.uploads(GM))
    assert db.spells(GM)["upload_id"].unique().to_list() == [real]  # real first
    assert db.spells(GM, synthetisch=True)["synthetisch"].all() and db.spells(GM, synthetisch=True).height == 4
    assert db.spells(GM, demo, synthetisch=False).height == 0  # asked for real rows of a synthetic upload: none
    assert not db.spells(GM, synthetisch=False)["synthetisch"].any()
    assert db.participants() == [GM]  # a synthetic demo does not make a participant
    assert db.current("GM0014")["synthetisch"] and db.spells("GM0014").height == 4


def test_save_refuses_an_empty_frame_or_bad_gemeente(db):
    with pytest.raises(UserDataError, match="geen uitkeringsperioden"):
        db.save(GM, "a.csv", pl.DataFrame(schema=SPELLS), PEIL, "tester")
    with pytest.raises(UserDataError, match="geen gemeentecode"):
        db.save("Amsterdam", "a.csv", _spells(), PEIL, "tester")
    _nothing_stored(db)


def test_module_functions_use_the_data_folder():
    uid = store.save("GM0014", "a.csv", _spells(), PEIL, Gebruiker("g", "gemeente", "GM0014"))
    assert store.upload("GM0014", uid)["geupload_door"] == "g"
    assert store.spells("GM0014").height == 4
    store.delete("GM0014", uid)
    assert store.spells("GM0014").height == 0


# ---- access ------------------------------------------------------------------------------------------------------------

def test_access_by_role():
    own, other = Gebruiker("a", "gemeente", GM), Gebruiker("b", "gemeente", "GM0014")
    team, beheer = Gebruiker("t", "visitatieteam"), Gebruiker("x", "beheer")
    assert access.may_see(own, GM) and access.may_upload(own, GM)
    assert not access.may_see(other, GM) and not access.may_upload(other, GM)
    assert not access.may_see(team, GM) and not access.may_see(Gebruiker("z", "gemeente", None), GM)
    assert access.may_see(beheer, GM) and access.may_see_participants(beheer)
    assert not access.may_see_participants(own)
    assert access.may_see(local_user(), GM)  # without accounts: the one person at this machine


def test_dates_read_formats_mixed_within_a_column():
    from portal.eigen import parse

    s = pl.Series(["01-02-2024"] * 1500 + ["2024-03-01", "20240401", "45000", "1-5-24", None])
    got = parse.dates(s).to_list()
    assert got[:1500] == [date(2024, 2, 1)] * 1500  # the sample's format
    assert got[1500:] == [date(2024, 3, 1), date(2024, 4, 1), None, None, None]  # later rows: every format
    assert parse.dates(s, excel=True).to_list()[1502] == date(2023, 3, 15)  # an Excel serial day in a spreadsheet
    assert parse.dates(pl.Series([None, None], dtype=pl.String)).to_list() == [None, None]


def test_overlap_with_an_earlier_long_spell_not_just_the_previous_one():
    rows = [("9", date(2015, 1, 1), date(2020, 12, 31), "werk", "ALL", 1980, "M", None, None),
            ("9", date(2016, 1, 1), date(2016, 2, 1), "werk", "ALL", 1980, "M", None, None),
            ("9", date(2018, 1, 1), date(2018, 2, 1), "werk", "ALL", 1980, "M", None, None),
            ("9", date(2021, 1, 1), None, None, "ALL", 1980, "M", None, None),
            ("10", date(2015, 1, 1), None, None, "ALL", 1980, "M", None, None)]  # next client: no overlap
    raw = read_file(_csv(rows=rows), "a.csv")
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, PEIL, KEY)
    assert problems.aantal == {"overlap": 2} and [p.rij for p in problems] == [3, 4]


# ---- issue 18: code translation, "(geen)" remembered, werk only where the reason means work --------------------------

def _reasons(reasons: list[str], header: list[str] = HEADER) -> bytes:
    """One ended spell per reason (client 5000 + i, 2023), on the reference file's columns."""
    return _csv(rows=[(str(5000 + i), date(2023, 1, 1), date(2023, 6, 30), r, "ALL", 1980, "M", "Trede 2", 1000.0)
                      for i, r in enumerate(reasons)], header=header)


def test_werk_is_suggested_only_where_the_reason_means_work():
    werk = ["Start eigen bedrijf", "Zelfstandige", "werk aanvaard", "Arbeid in loondienst", "Dienstverband",
            "Uitstroom naar werk", "Inkomsten uit arbeid"]
    overig = ["Werkweigering", "Verwijtbaar werkloos", "WW (werkloosheid)", "Beschut werk", "Verhuizing",
              "Uitkering arbeidsongeschiktheid (WIA)", "Andere inkomsten", "Werkervaringsplaats"]
    raw = read_file(_reasons(werk + overig), "redenen.csv")
    m = mapping.suggest(raw)
    assert m["codes"]["reden"] == {**{r: "werk" for r in werk}, **{r: "overig" for r in overig}}
    spells, problems = mapping.apply(raw, m, GM, PEIL, KEY)
    assert not problems and spells["reden"].value_counts().sort("reden").rows() == [("overig", 8), ("werk", 7)]


def test_bus_codes_of_reden_beeindiging_11_and_13_are_werk():
    """A reden column holding BUS kenmerk 34 codes: 11 (arbeid in dienstbetrekking) and 13 (zelfstandig) are werk; 14
    (werkloosheidsuitkering), 32 (verhuizing), 98 (andere oorzaak) and the rest are not."""
    raw = read_file(_reasons(["11", "13", "14", "32", "98", "01", "11"]), "bus.csv")
    assert mapping.suggest(raw)["codes"]["reden"] == {"01": "overig", "11": "werk", "13": "werk", "14": "overig",
                                                      "32": "overig", "98": "overig"}
    # not BUS (12 is no BUS reden): the digits are no reason to guess werk
    assert mapping.suggest(read_file(_reasons(["11", "12"]), "eigen.csv"))["codes"]["reden"] == {"11": "overig",
                                                                                                 "12": "overig"}


def test_values_come_with_the_rows_they_cover_and_ladder_steps_read_as_treden():
    raw = read_file(_reasons(["werk aanvaard"] * 3 + ["Verhuizing"] * 2), "a.csv")
    assert mapping.values(raw, "Reden beëindiging") == {"Verhuizing": 2, "werk aanvaard": 3}
    assert [mapping.suggest_code("fasering", v) for v in ("1", "03", " Trede 4 ", "Werkfit")] == [
        "trede 1", "trede 3", "Trede 4", "Werkfit"]
    assert mapping.code_choices("fasering") is None and mapping.code_choices("reden") == ("werk", "overig")


def test_geen_for_a_suggested_column_is_remembered():
    header = HEADER[:7] + ["Participatieladder", "Bedrag"]
    raw = read_file(_csv(header=header), "a.csv")
    assert mapping.suggest(raw)["kolommen"]["fasering"] == "Participatieladder"
    chosen = json.loads(json.dumps(mapping.suggest(raw)))
    chosen["kolommen"]["fasering"] = None
    chosen["geen"] = {"fasering": "Participatieladder"}  # as the page stores "(geen)"
    again = mapping.suggest(read_file(_csv(header=header), "b.csv"), remembered=chosen)
    assert again["kolommen"]["fasering"] is None and again["geen"] == {"fasering": "Participatieladder"}
    spells, problems = mapping.apply(read_file(_csv(header=header), "b.csv"), again, GM, PEIL, KEY)
    assert not problems and spells["fasering"].is_null().all()
    # another column of that kind next time ("Trede"): suggested again, it is not the one declined
    assert mapping.suggest(read_file(_csv(), "c.csv"), remembered=chosen)["kolommen"]["fasering"] == "Trede"
    # a file of the first upload without such a column: nothing declined, so a later one is suggested
    plain = mapping.suggest(read_file(_csv(rows=[r[:7] + r[8:] for r in ROWS], header=HEADER[:7] + HEADER[8:]), "d.csv"))
    assert plain["kolommen"]["fasering"] is None and plain["geen"] == {}
    assert mapping.suggest(raw, remembered=plain)["kolommen"]["fasering"] == "Participatieladder"


def test_peildatum_suggestion_for_a_file_through_the_last_complete_month():
    """A file whose newest date is early in the last complete month (November when run in December): that month's end."""
    last = date.today().replace(day=1) - timedelta(days=1)
    rows = [*ROWS, ("4713", last.replace(day=3), None, None, "ALL", 1980, "M", None, None)]
    raw = read_file(_csv(rows=rows), "a.csv")
    assert mapping.peildatum_suggestion(raw, mapping.suggest(raw)) == last

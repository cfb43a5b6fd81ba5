"""BUS and SRG files (issue 22, part 1): recognition of the kenmerken, a BUS file made from known spells gives the same
monitors as the same spells in the own layout, uitstroom by reden with both definitions of "naar werk" computed by hand,
bad BUS input refused with Dutch messages and nothing stored, no BSN in the database, SRG voorzieningen keyed like BUS."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import polars as pl
import pytest

from portal.eigen import bus, bus_store, bus_synth, episodes, mapping, monitors, redenen, suppress, survival
from portal.eigen.schema import SPELLS
from portal.eigen.store import Eigenbestand
from portal.eigen.upload import UploadFout, read_file

GM = "GM0363"
PEIL = dt.date(2026, 10, 31)
VAN = dt.date(2025, 11, 1)  # twelve monthly files: November 2025 to October 2026
KEY = b"s" * 32
D = dt.date


def valid_bsns(n: int, start: int = 123_456_782) -> list[str]:
    """n numbers that pass the 11-proef, as real BSNs do."""
    out, x = [], start
    while len(out) < n:
        s = f"{x:09d}"
        if (sum(int(s[i]) * (9 - i) for i in range(8)) - int(s[8])) % 11 == 0:
            out.append(s)
        x += 1
    return out


# (clients, [(begin, einde, reden code)], leefvorm, regeling): every client of a group has these spells.
GROUPS = [
    (40, [(D(2024, 3, 10), None, None)], "alleenstaande", "01"),
    (14, [(D(2024, 6, 1), D(2026, 2, 15), "11")], "alleenstaande", "01"),
    (3, [(D(2025, 1, 10), D(2026, 3, 20), "13")], "alleenstaande_ouder", "01"),
    (20, [(D(2025, 12, 5), D(2026, 5, 31), "32")], "paar", "01"),
    (11, [(D(2024, 9, 1), D(2026, 7, 10), "98")], "alleenstaande", "01"),
    (12, [(D(2025, 2, 1), D(2026, 1, 31), "98"), (D(2026, 2, 20), None, None)], "alleenstaande", "01"),  # back in 20 days
    (10, [(D(2025, 3, 1), D(2026, 4, 30), "11"), (D(2026, 7, 1), None, None)], "alleenstaande", "01"),  # back after 62 days
    (15, [(D(2026, 8, 15), None, None)], "alleenstaande", "01"),
    (12, [(D(2023, 4, 1), None, None)], "alleenstaande", "02"),  # IOAW
    (5, [(D(2025, 6, 1), D(2026, 6, 30), "19")], "alleenstaande", "14"),  # Bbz
    (30, [(D(2026, 9, 1), D(2026, 9, 30), "98")], "alleenstaande", "12"),  # eenmalige bijzondere bijstand: not stored
]
# By hand, algemene bijstand, twelve months Nov 2025 - Oct 2026: endings (episodes) 14 (11) + 3 (13) + 20 (32) + 11 (98)
# + 10 (11; the group back within 20 days does not end) = 58; naar werk 11 + 13: 14 + 10 + 3 = 27; personen met
# bijstand in the period: every client of the 01 groups = 40 + 14 + 3 + 20 + 11 + 12 + 10 + 15 = 125.
WERK, UITSTROOM, PERSONEN = 27, 58, 125


def known() -> tuple[pl.DataFrame, list[str]]:
    """The spells (SPELLS + regeling, reden_code) with client = BSN."""
    n = sum(g[0] for g in GROUPS)
    bsns = valid_bsns(n)
    rows, i = [], 0
    for clients, spells, leefvorm, regeling in GROUPS:
        for _ in range(clients):
            for begin, einde, code in spells:
                rows.append({"gemeente": GM, "upload_id": 0, "client": bsns[i], "begin": begin, "einde": einde,
                             "reden": None if code is None else ("werk" if code in ("11", "13") else "overig"),
                             "leefvorm": leefvorm, "geboortejaar": 1985, "geboortedatum": D(1985, 5, 12),
                             "geslacht": "vrouw", "fasering": None, "bedrag": None, "synthetisch": False,
                             "regeling": regeling, "reden_code": code})
            i += 1
    return pl.DataFrame(rows, schema={**SPELLS, "regeling": pl.String, "reden_code": pl.String}), bsns


def own_csv(spells: pl.DataFrame) -> bytes:
    """The same algemene-bijstand spells in the own layout (one row per uitkering), reden as BUS codes."""
    s = spells.filter(pl.col("regeling") == "01")
    lines = ["Klantnummer;Ingangsdatum;Einddatum;Reden beëindiging;Huishouden;Geboortedatum;Geslacht"]
    words = {"alleenstaande": "alleenstaand", "alleenstaande_ouder": "eenouder", "paar": "gehuwd"}
    for r in s.iter_rows(named=True):
        lines.append(";".join([r["client"], f"{r['begin']:%d-%m-%Y}", f"{r['einde']:%d-%m-%Y}" if r["einde"] else "",
                               r["reden_code"] or "", words[r["leefvorm"]], "12-05-1985", "V"]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def bus_zip(spells: pl.DataFrame, style: str = "nummer") -> bytes:
    records = bus_synth.bus_records(spells, VAN, PEIL, GM, bsn={b: b for b in spells["client"].to_list()})
    return bus_synth.zipped(bus_synth.bus_files(records, GM, style))


@pytest.fixture
def db(tmp_path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigenbestand.db")


def upload_bus(db: Eigenbestand, data: bytes, name: str) -> tuple[list[str], int | None, bus.BusGelezen | None]:
    """The page's path for a BUS file: read (zip or one file), recognise, check, store."""
    try:
        b = bus.lees(data, name)
    except UploadFout as e:
        return [str(e)], None, None
    assert isinstance(b, bus.Bestand) and b.herkenning.soort == "bus"
    got, problems = bus.lees_bus(b, GM, KEY)
    if problems:
        assert got is None
        return problems.berichten(), None, None
    return [], bus_store.save_bus(db, GM, name, got, "tester"), got


def upload_own(db: Eigenbestand, data: bytes) -> int:
    raw = read_file(data, "eigen.csv")
    spells, problems = mapping.apply(raw, mapping.suggest(raw), GM, PEIL, secret=KEY)
    assert not problems, problems.berichten()
    return db.save(GM, "eigen.csv", spells, PEIL, "tester")


def monitors_of(spells: pl.DataFrame) -> dict:
    e = episodes.merge(spells)
    out = {"maand": monitors.monthly(e, D(2024, 10, 1), PEIL),
           "leefvorm": monitors.leefvorm_mix(e, [PEIL, D(2026, 3, 31), D(2025, 12, 31)]),
           "duur": monitors.duration_profile(e, PEIL), "herinstroom": monitors.herinstroom(e, PEIL),
           "pagina": suppress.page(e, PEIL, maanden=24).cellen}
    for per in ("totaal", "cohort", "leeftijd"):
        for naar in ("einde", "werk"):
            out[f"kans {per} {naar}"] = survival.uitstroomkans(e, PEIL, naar=naar, per=per)
    return out


# ---- recognition --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["8 statistiekcode", "Statistiekcode", "STATISTIEK_CODE", "kenmerk 8 - statistiekcode",
                                  "Kenmerk 8: Statistiekcode", "statistiekcode (8)", " statistiek code "])
def test_statistiekcode_is_recognised_in_every_spelling(name):
    h = bus.herken([name, "Burgerservicenummer", "22 aanvangsdatum uitkering persoon"])
    assert h.soort == "bus" and h.kolommen[8] == name


def test_found_and_missing_kenmerken_are_listed():
    h = bus.herken(["1 statistiekjaar", "2 statistiekmaand", "8 statistiekcode", "18 burgerservicenummer",
                    "22 aanvangsdatum uitkering persoon", "Opmerking"])
    assert h.soort == "bus" and list(h.kolommen) == [1, 2, 8, 18, 22]
    assert h.ontbrekend == (7, 10, 19, 23, 34) and h.overig == ("Opmerking",)
    assert bus.herken(["Klantnummer", "Ingangsdatum"]).soort is None
    srg = bus.herken(["statistiekjaar", "statistiekmaand", "burgerservicenummer", "Type voorziening", "begindatum voorziening",
                      "einddatum voorziening"])
    assert srg.soort == "srg" and srg.ontbrekend == ()


# ---- the same spells, two layouts, the same monitors -------------------------------------------------------------------
@pytest.mark.parametrize("style", ["nummer", "naam", "kenmerk", "hoofdletters"])
def test_bus_file_of_known_spells_gives_the_monitors_of_the_own_layout(db, style):
    spells, _ = known()
    messages, uid, got = upload_bus(db, bus_zip(spells, style), "bus.zip")
    assert messages == [] and uid is not None
    assert got.peildatum == PEIL and got.bijzondere_bijstand == 30 * 1  # one record each (September 2026)
    assert got.per_regeling == {"01": 40 + 14 + 3 + 20 + 11 + 24 + 20 + 15, "02": 12, "14": 5}
    own_db = Eigenbestand(db.path.parent / "eigen.db")
    own_id = upload_own(own_db, own_csv(spells))
    from_bus, from_own = db.spells(GM, uid), own_db.spells(GM, own_id)
    assert from_bus.drop("upload_id").sort("client", "begin").equals(from_own.drop("upload_id").sort("client", "begin"))
    a, b = monitors_of(from_bus), monitors_of(from_own)
    for name in a:
        assert a[name].equals(b[name]), name
    # the flows by hand: 12 back within 20 days are no uitstroom; 10 back after 62 days are
    maand = a["maand"].filter(pl.col("maand") >= VAN)
    assert maand["uitstroom"].sum() == UITSTROOM and maand["uitstroom_werk"].sum() == WERK


def test_one_csv_with_all_months_and_parquet_give_the_same_spells(db):
    spells, _ = known()
    records = bus_synth.bus_records(spells, VAN, PEIL, GM, bsn={b: b for b in spells["client"].to_list()})
    one = bus_synth.one_file(bus_synth.bus_files(records, GM, "naam"))
    _, uid1, _ = upload_bus(db, one, "bus.csv")
    first = db.spells(GM, uid1)
    buf = io.BytesIO()
    pl.read_csv(one, separator=";", infer_schema=False).write_parquet(buf)
    _, uid2, _ = upload_bus(db, buf.getvalue(), "bus.parquet")
    assert first.height == 147 and first.drop("upload_id").equals(db.spells(GM, uid2).drop("upload_id"))
    # uploaded again for the same month: replaced, as the own layout
    assert [u["verwijderd"] for u in db.uploads(GM)] == [False, True]


# ---- reden beëindiging: two definitions of naar werk ------------------------------------------------------------------
def test_uitstroom_by_reden_and_both_definitions_of_naar_werk_by_hand(db):
    spells, _ = known()
    _, uid, _ = upload_bus(db, bus_zip(spells), "bus.zip")
    reg = bus_store.regelingen(db, uid)
    assert set(reg["regeling"]) == {"01", "02", "14"}  # bijzondere bijstand is not stored
    t = redenen.uitstroom_redenen(reg.filter(pl.col("regeling") == "01"), PEIL)
    got = dict(t.select("rij", "aantal").iter_rows())
    assert {k: v for k, v in got.items() if v} == {"11": 24, "13": 3, "32": 20, "98": 11, "werk": WERK,
                                                   "totaal": UITSTROOM, "personen": PERSONEN}
    werk = t.filter(pl.col("rij") == "werk").row(0, named=True)
    assert werk["per_100"] == pytest.approx(27 / 125 * 100) == pytest.approx(21.6)  # CBS: per 100 personen met bijstand
    assert werk["aandeel"] == pytest.approx(27 / 58 * 100)  # Divosa: share of all uitstroom (46,6 %)
    assert t.filter(pl.col("rij") == "werk")["reden"][0] == "naar werk (11 en 13)"
    # IOAW and Bbz as their own series
    r = redenen.reeksen(reg, PEIL)
    assert r.select("rij", "bestand_voor", "instroom", "uitstroom", "bestand").rows() == [("02", 12, 0, 0, 12),
                                                                                         ("14", 5, 0, 5, 0)]


def test_reden_table_joins_the_page_suppression_pattern():
    spells, _ = known()
    s = spells.filter(pl.col("regeling") == "01")
    e = episodes.merge(s.select(list(SPELLS)))
    t = redenen.uitstroom_redenen(s, PEIL)
    pagina = suppress.page(e, PEIL, maanden=24, extra=redenen.pattern(t, None))
    res = pagina.tabel(t, redenen.TABEL, "rij", ["aantal"], {"aantal": ["per_100", "aandeel"]})
    shown = dict(res.frame.select("rij", "aantal").iter_rows())
    assert shown["13"] is None and shown["03"] is None  # 3 and 0: under 10
    # 11 + 13 = naar werk and the codes add up to all uitstroom: one more cell goes, so 13 cannot be derived
    assert shown["11"] is None or shown["werk"] is None
    assert sum(v is None for k, v in shown.items() if k not in ("werk", "totaal", "personen")) >= 2
    assert shown["totaal"] == UITSTROOM and shown["personen"] == PERSONEN  # totals go last
    # the hidden counts take their rates with them
    assert res.frame.filter(pl.col("rij") == "13")["per_100"][0] is None


# ---- bad input: a Dutch message naming kenmerk and row, nothing stored -------------------------------------------------
def _records() -> pl.DataFrame:
    spells, _ = known()
    return bus_synth.bus_records(spells, D(2026, 9, 1), PEIL, GM, bsn={b: b for b in spells["client"].to_list()})


def _csv(records: pl.DataFrame) -> bytes:
    return bus_synth.one_file(bus_synth.bus_files(records, GM, "nummer"))


def _nothing_stored(db: Eigenbestand) -> None:
    assert db.uploads(GM) == []
    with db._db() as conn:
        assert conn.execute("select count(*) from spells").fetchone()[0] == 0
        assert conn.execute("select count(*) from bus_spells").fetchone()[0] == 0


def _row(records: pl.DataFrame, i: int, **values) -> pl.DataFrame:
    return records.with_row_index("_i").with_columns(
        **{k: pl.when(pl.col("_i") == i).then(pl.lit(v, pl.String)).otherwise(pl.col(k)) for k, v in values.items()}
    ).drop("_i")


def test_bad_bus_input_is_refused_with_the_kenmerk_and_the_row(db):
    r = _records()
    cases = [
        (r.drop("reden"), "Het verplichte kenmerk 34 (reden beëindiging uitkering persoon) ontbreekt in het bestand. "
                          "Exporteer het bestand met alle kenmerken van de regeling."),
        (_row(r, 4, statistiekcode="07"), "Rij 6, kenmerk 8 (statistiekcode), kolom '8 statistiekcode': statistiekcode "
                                          "'07' bestaat niet in de regeling (01 algemene bijstand, 02 IOAW, 03 IOAZ, 11 "
                                          "periodieke bijzondere bijstand, 12 eenmalige bijzondere bijstand, 14 Bbz)."),
        (_row(r, 0, einde="20200101", reden="11"), "Rij 2, kenmerk 23 (einddatum uitkering persoon), kolom '23 "
                                                    "einddatum uitkering persoon': einddatum 01-01-2020 ligt vóór de aanvangsdatum 10-03-2024."),
        (_row(r, 0, begin="20261215"), "Rij 2, kenmerk 22 (aanvangsdatum uitkering persoon), kolom '22 aanvangsdatum "
                                       "uitkering persoon': aanvangsdatum 15-12-2026 ligt na de statistiekmaand van dit "
                                       "record (09-2026)."),
        (_row(r, 2, begin="20261345"), "Rij 4, kenmerk 22 (aanvangsdatum uitkering persoon), kolom '22 aanvangsdatum "
                                       "uitkering persoon': '20261345' is geen geldige datum (jjjjmmdd)."),
        (_row(r, r.height - 1, maand="13"), f"Rij {r.height + 1}, kenmerk 2 (statistiekmaand), kolom '2 statistiekmaand': '13' is "
                                 "geen statistiekmaand (01 tot en met 12)."),
        (_row(r, 3, gemeentecode="0599"), "Rij 5, kenmerk 4 (gemeentecode), kolom '4 gemeentecode': gemeentecode '0599' "
                                          "is niet die van deze gemeente (0363). Upload alleen het bestand van de eigen "
                                          "gemeente."),
        (_row(r, 5, leefvorm="7"), "Rij 7, kenmerk 10 (leefvorm), kolom '10 leefvorm': leefvorm '7' bestaat niet in de "
                                   "regeling (1 tot en met 4)."),
    ]
    for records, message in cases:
        messages, uid, _ = upload_bus(db, _csv(records), "fout.csv")
        assert messages == [message] and uid is None
        _nothing_stored(db)
    # an ending without reden, a BSN that is none: the value of the BSN is never repeated
    ended = r.with_row_index("_i").filter(pl.col("einde").is_not_null())["_i"][0]
    messages, _, _ = upload_bus(db, _csv(_row(r, ended, reden=None)), "fout.csv")
    assert messages == [f"Rij {ended + 2}, kenmerk 34 (reden beëindiging uitkering persoon), kolom '34 reden beëindiging "
                        "uitkering persoon': de uitkering eindigt op 30-09-2026 maar de reden beëindiging ontbreekt."]
    messages, _, _ = upload_bus(db, _csv(_row(r, 0, bsn="12345678X9")), "fout.csv")
    assert messages == ["Rij 2, kenmerk 18 (burgerservicenummer), kolom '18 burgerservicenummer': de waarde is geen "
                        "burgerservicenummer (hoogstens 9 cijfers); de waarde wordt hier niet herhaald."]
    _nothing_stored(db)


def test_a_zip_names_the_file_and_goes_through_the_zip_checks(db):
    spells, _ = known()
    records = bus_synth.bus_records(spells, D(2026, 9, 1), PEIL, GM, bsn={b: b for b in spells["client"].to_list()})
    files = bus_synth.bus_files(_row(records, records.height - 1, statistiekcode="5"), GM)
    messages, uid, _ = upload_bus(db, bus_synth.zipped(files), "bus.zip")
    last = list(files)[-1]
    rows = records.filter(pl.col("maand") == "10").height
    assert messages == [f"Bestand '{last}', rij {rows + 1}, kenmerk 8 (statistiekcode), kolom '8 statistiekcode': "
                        "statistiekcode '5' bestaat niet in de regeling (01 algemene bijstand, 02 IOAW, 03 IOAZ, 11 "
                        "periodieke bijzondere bijstand, 12 eenmalige bijzondere bijstand, 14 Bbz)."]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("bus_202610.csv", b"0" * (60 * 2**20))
    messages, _, _ = upload_bus(db, bomb.getvalue(), "bom.zip")
    assert messages[0].startswith("Het zipbestand is verdacht sterk gecomprimeerd (onderdeel 'bus_202610.csv'")
    mixed = bus_synth.zipped({**files, "notities.docx": b"x"})
    assert upload_bus(db, mixed, "bus.zip")[0] == ["In het zipbestand staat 'notities.docx': alleen CSV-, Excel- (.xlsx) en "
                                                   "Parquet-bestanden worden gelezen. Haal andere bestanden uit de zip."]
    _nothing_stored(db)


# ---- privacy --------------------------------------------------------------------------------------------------------
def test_no_bsn_reaches_the_database_and_srg_has_the_bus_person_key(db, tmp_path):
    spells, bsns = known()
    _, uid, _ = upload_bus(db, bus_zip(spells), "bus.zip")
    vz = bus_synth.demo_voorzieningen(spells.filter(pl.col("regeling") == "01"), VAN, PEIL)
    srg = bus_synth.srg_records(vz, VAN, PEIL, GM, {b: b for b in bsns})
    b = bus.lees(bus_synth.zipped(bus_synth.srg_files(srg, GM)), "srg.zip")
    assert b.herkenning.soort == "srg"
    got, problems = bus.lees_srg(b, GM, KEY)
    assert not problems and got.voorzieningen.height > 20
    bus_store.save_srg(db, GM, "srg.zip", got.voorzieningen, got.peildatum, "tester")
    _, stored = bus_store.voorzieningen(db, GM)
    assert stored.height == got.voorzieningen.height
    assert set(stored["client"]) <= set(db.spells(GM, uid)["client"])  # the same keyed hash as the BUS person
    assert set(stored["type"]) <= set(bus.VOORZIENINGEN) and stored["ladder"].is_between(1, 6).all()
    assert stored.filter(pl.col("type").is_in(["01", "04"]))["loonwaarde"].is_not_null().all()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("eigenbestand.db*"))
    partners = pl.Series(bus_synth.fake_bsn(200, 50_000_000).astype(str)).to_list()
    for x in bsns + partners:
        assert x.encode() not in data
    assert KEY.hex().encode() not in data


def test_the_synthetic_example_files_are_labelled_and_not_stored():
    spells, _ = known()
    files = bus_synth.bus_files(bus_synth.bus_records(spells, VAN, PEIL, GM), GM, synthetisch=True)
    assert all(name.startswith("SYNTHETISCH_") for name in files)
    b = bus.lees(bus_synth.zipped(files), "SYNTHETISCH_bus.zip")
    assert bus.synthetisch(b)
    fake = bus_synth.fake_bsn(1000)
    s = pl.Series([f"{x:09d}" for x in fake])
    from portal.eigen import pseudo

    assert pseudo.bsn_like(s) == 0  # no synthetic BSN passes the 11-proef

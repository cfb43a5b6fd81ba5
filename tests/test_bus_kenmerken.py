"""Divosa's indicators from the BUS (issue 22, part 2): a BUS file of hand-made records gives the monthly counts worked
out by hand; an unknown code is refused with a Dutch message naming kenmerk, file and row; a kenmerk that is not in the
file is "niet in het bestand" (null), never 0; the counts are stored per upload and removed with it; the synthetic page
counts by the same definitions as an upload; and an attacker who reads the page cannot recover a hidden count from a
total minus the categories shown, from a share, from the bestandsmonitor of two months, or from all relations at once."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from portal.eigen import bus, bus_store, bus_synth, episodes, kenmerken, monitors, suppress
from portal.eigen import participants as pt
from portal.eigen.schema import MIN_CELL, SPELLS
from portal.eigen.store import Eigenbestand
from tests.test_bus import GM, KEY, _nothing_stored, _row, upload_bus, valid_bsns

D = dt.date
SEP, OKT = D(2026, 9, 1), D(2026, 10, 1)
# Groups of uitkeringen (all algemene bijstand unless said): (number, persons per uitkering, attributes of the aanvrager,
# of the partner, months). An attribute value per month may be a dict {"09": ..., "10": ...}.
GROUPS = [
    # 20 alleenstaanden: huurder, 1 kostendeler, no ontheffing, work income with vrijlating in both months
    (20, 1, {"huisvesting": "1", "kostendelers": "1", "ontheffing": "2", "soort_inkomsten": "11", "inkomsten_persoon": "+0450",
             "vrijlating": "1"}, None),
    # 12 adreslozen: 0 kostendelers, ontheffing art. 9 lid 1a without einddatum, heffingskortingen (no work income)
    (12, 1, {"huisvesting": "5", "kostendelers": "0", "ontheffing": "5", "soort_inkomsten": "31", "vrijlating": "2"}, None),
    # 10 paren: huurder, 2 kostendelers; the aanvrager's ontheffing (art. 9a) ended in August, the partner's (art. 9 lid 5)
    # ends on 15 September; the partner works in September only, without vrijlating
    (10, 2, {"huisvesting": "1", "kostendelers": "2", "ontheffing": "4", "einde_ontheffing": "20260815"},
     {"huisvesting": "1", "kostendelers": "2", "ontheffing": "6", "einde_ontheffing": "20260915",
      "soort_inkomsten": {"09": "11", "10": None}, "vrijlating": {"09": "2", "10": None}}),
    # 8 in an inrichting, 3 kostendelers: a vermindering (arbeidsinschakeling) of August and September
    (8, 1, {"huisvesting": "4", "kostendelers": "3", "ontheffing": "2", "reden_vermindering": "01",
            "begin_vermindering": "20260801", "einde_vermindering": "20260930"}, None),
    # 5 inwonend, 5 kostendelers: a vermindering (agressie) from 1 October, no einddatum; in the September records too
    (5, 1, {"huisvesting": "3", "kostendelers": "05", "ontheffing": "2", "reden_vermindering": "03",
            "begin_vermindering": "20261001"}, None),
]
IOAW = {"huisvesting": "5", "kostendelers": "1", "ontheffing": "5", "soort_inkomsten": "11"}  # statistiekcode 02: not counted
# By hand. Persons: 20 + 12 + 2 * 10 + 8 + 5 = 65 in both months, on 55 uitkeringen.
BY_HAND = {
    SEP: {("personen", "totaal"): 65, ("uitkeringen", "totaal"): 55,
          ("werk", "ja"): 20 + 10, ("werk", "vrijlating"): 20,
          ("ontheffing", "totaal"): 12 + 10, ("ontheffing", "4"): 0, ("ontheffing", "5"): 12, ("ontheffing", "6"): 10,
          ("vermindering", "totaal"): 8, ("vermindering", "01"): 8, ("vermindering", "03"): 0,
          ("huisvesting", "1"): 20 + 20, ("huisvesting", "2"): 0, ("huisvesting", "3"): 5, ("huisvesting", "4"): 8,
          ("huisvesting", "5"): 12, ("huisvesting", "6"): 0, ("huisvesting", "leeg"): 0,
          ("kostendelers", "0"): 12, ("kostendelers", "1"): 20, ("kostendelers", "2"): 20, ("kostendelers", "3+"): 8 + 5,
          ("kostendelers", "leeg"): 0},
    OKT: {("personen", "totaal"): 65, ("uitkeringen", "totaal"): 55,
          ("werk", "ja"): 20, ("werk", "vrijlating"): 20,
          ("ontheffing", "totaal"): 12, ("ontheffing", "4"): 0, ("ontheffing", "5"): 12, ("ontheffing", "6"): 0,
          ("vermindering", "totaal"): 5, ("vermindering", "01"): 0, ("vermindering", "03"): 5,
          ("huisvesting", "1"): 40, ("huisvesting", "2"): 0, ("huisvesting", "3"): 5, ("huisvesting", "4"): 8,
          ("huisvesting", "5"): 12, ("huisvesting", "6"): 0, ("huisvesting", "leeg"): 0,
          ("kostendelers", "0"): 12, ("kostendelers", "1"): 20, ("kostendelers", "2"): 20, ("kostendelers", "3+"): 13,
          ("kostendelers", "leeg"): 0},
}
for _m in BY_HAND:  # nobody has one of the other redenen
    BY_HAND[_m].update({("vermindering", c): 0 for c in ("05", "06", "07", "08", "98")})
KENMERK_KEYS = ("kostendelers", "huisvesting", "ontheffing", "einde_ontheffing", "reden_vermindering", "begin_vermindering",
                "einde_vermindering", "soort_inkomsten", "inkomsten_persoon", "vrijlating")


def records(gemeente: str = GM) -> pl.DataFrame:
    """The monthly BUS records of GROUPS (all kenmerken as strings, keys of bus.BUS_KENMERKEN), September and October 2026."""
    bsns = iter(valid_bsns(200))
    people = []  # (registratienummer, statistiekcode, leefvorm, bsn, attributes)
    u = 0
    for n, persons, head, partner in GROUPS:
        for _ in range(n):
            u += 1
            people.append((f"U{u}", "01", "3" if persons == 2 else "1", next(bsns), head))
            if persons == 2:
                people.append((f"U{u}", "01", "3", next(bsns), partner))
    people.append(("U999", "02", "1", next(bsns), IOAW))
    rows = []
    for maand in ("09", "10"):
        for reg, code, leefvorm, bsn, attrs in people:
            row = {"jaar": "2026", "maand": maand, "gemeentecode": gemeente.removeprefix("GM"), "registratienummer": reg,
                   "statistiekcode": code, "leefvorm": leefvorm, "bsn": bsn, "geboortedatum": "19850512",
                   "geslacht": "2", "begin": "20250101", "einde": None, "reden": None}
            for k in KENMERK_KEYS:
                v = attrs.get(k)
                row[k] = v.get(maand) if isinstance(v, dict) else v
            rows.append(row)
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})


def csv(r: pl.DataFrame, gemeente: str = GM) -> bytes:
    return bus_synth.one_file(bus_synth.bus_files(r, gemeente, "nummer"))


@pytest.fixture
def db(tmp_path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigenbestand.db")


def as_dict(counts: pl.DataFrame) -> dict:
    out: dict = {}
    for m, i, c, v in counts.iter_rows():
        out.setdefault(m, {})[(i, c)] = v
    return out


# ---- counts by hand --------------------------------------------------------------------------------------------------
def test_counts_per_month_by_hand_and_stored_with_the_upload(db):
    messages, uid, got = upload_bus(db, csv(records()), "bus.csv")
    assert messages == [] and uid is not None
    assert as_dict(got.indicatoren) == BY_HAND
    # stored as counts per upload and month (no client key), and the page reads them back the same
    assert as_dict(bus_store.indicatoren(db, uid)) == BY_HAND
    with db._db() as conn:
        assert [r[1] for r in conn.execute("pragma table_info(bus_indicatoren)")] == ["upload_id", "maand", "indicator",
                                                                                      "categorie", "aantal"]
    # the page's table: only the months shown, "niet ingevuld" only when somebody has it (nobody here)
    t = kenmerken.tabel(bus_store.indicatoren(db, uid), D(2026, 10, 31), suppress.PAGE_MONTHS)
    assert set(t["maand"]) == {SEP, OKT} and "leeg" not in set(t["categorie"])
    shares = kenmerken.aandelen(t.select("maand", "indicator", "categorie", "aantal"))
    werk = shares.filter((pl.col("indicator") == "werk") & (pl.col("categorie") == "ja")).sort("maand")
    assert werk["aandeel"].to_list() == pytest.approx([30 / 65 * 100, 20 / 65 * 100])
    # deleting the upload removes its counts too
    db.delete(GM, uid, "tester")
    assert bus_store.indicatoren(db, uid).is_empty()


def test_the_same_records_as_an_upload_and_as_the_synthetic_page_count_the_same():
    """bus.indicatoren_uit_records (records as text, no checks), bus.lees_bus (an upload) and bus_synth.indicatoren (the
    synthetic page, records never written) give the same counts for the same records."""
    from portal.eigen import synth

    peil = D(2026, 10, 31)
    spells = episodes.merge(synth.generate("GM0096", 60, 7, peil))
    van = kenmerken.periode(peil, 24)
    r = bus_synth.met_kenmerken(bus_synth.bus_records(spells, van, peil, "GM0096"))
    from_records = bus.indicatoren_uit_records(r)
    assert from_records.equals(bus_synth.indicatoren(spells, van, peil))
    b = bus.lees(bus_synth.zipped(bus_synth.bus_files(r, "GM0096")), "bus.zip")
    got, problems = bus.lees_bus(b, "GM0096", KEY)
    assert not problems and got.indicatoren.equals(from_records)
    # about 8 % with work income, as assumed (synthetic)
    t = from_records.filter(pl.col("categorie").is_in(["totaal", "ja"]) & pl.col("indicator").is_in(["personen", "werk"]))
    n, w = (t.filter(pl.col("indicator") == k)["aantal"].sum() for k in ("personen", "werk"))
    assert 0.05 < w / n < 0.12


# ---- not in the file: null, never 0 -------------------------------------------------------------------------------------
def test_a_kenmerk_not_in_the_file_is_null_not_zero(db):
    r = records().drop("soort_inkomsten", "inkomsten_persoon", "vrijlating", "huisvesting")
    messages, uid, got = upload_bus(db, csv(r), "bus.csv")
    assert messages == []
    c = as_dict(got.indicatoren)[OKT]
    assert c[("werk", "ja")] is None and c[("werk", "vrijlating")] is None
    assert all(c[("huisvesting", k)] is None for k in ("1", "2", "3", "4", "5", "6", "leeg"))
    assert c[("ontheffing", "totaal")] == 12 and c[("kostendelers", "3+")] == 13  # the others are there
    # vrijlating alone missing: work income counted, vrijlating not
    _, _, got = upload_bus(db, csv(records().drop("vrijlating")), "bus.csv")
    c = as_dict(got.indicatoren)[SEP]
    assert c[("werk", "ja")] == 30 and c[("werk", "vrijlating")] is None
    # an always-filled kenmerk (21) that is empty in every record of a month: not in the file for that month
    r = records().with_columns(huisvesting=pl.when(pl.col("maand") == "09").then(None).otherwise(pl.col("huisvesting")))
    _, _, got = upload_bus(db, csv(r), "bus.csv")
    by = as_dict(got.indicatoren)
    assert by[SEP][("huisvesting", "1")] is None and by[OKT][("huisvesting", "1")] == 40
    t = kenmerken.tabel(got.indicatoren, D(2026, 10, 31), suppress.PAGE_MONTHS)
    assert kenmerken.niet_in_bestand(t, "huisvesting", "1") == [SEP]


# ---- unknown codes: Dutch message naming kenmerk, file and row ----------------------------------------------------------
def test_unknown_codes_are_refused_with_kenmerk_and_row(db):
    r = records()
    cases = [
        (_row(r, 0, huisvesting="7"), "Rij 2, kenmerk 21 (huisvesting), kolom '21 huisvesting': huisvesting '7' bestaat niet "
                                      "in de regeling (1 huurder, 2 eigenaar, 3 inwonend, 4 in inrichting, 5 adresloos, 6 geen "
                                      "vaste woon- of verblijfplaats en niet adresloos)."),
        (_row(r, 1, soort_inkomsten="12"), "Rij 3, kenmerk 31 (soort inkomsten), kolom '31 soort inkomsten': soort inkomsten "
                                           "'12' bestaat niet in de regeling (11 (deeltijd)arbeid in dienstbetrekking, 18 "
                                           "vermogensopbrengsten, 23 kinderalimentatie, 24 partneralimentatie, 31 "
                                           "heffingskortingen, 98 andere inkomsten)."),
        (_row(r, 2, ontheffing="3"), "Rij 4, kenmerk 24 (ontheffing arbeidsverplichting), kolom '24 ontheffing "
                                     "arbeidsverplichting': ontheffing arbeidsverplichting '3' bestaat niet in de regeling (2 "
                                     "nee, 4 ja, artikel 9a Participatiewet, 5 ja, artikel 9, lid 1a, Participatiewet, 6 ja, "
                                     "artikel 9, lid 5, Participatiewet)."),
        (_row(r, 3, reden_vermindering="02"), "Rij 5, kenmerk 28 (reden vermindering n.a.v. afstemming), kolom '28 reden "
                                              "vermindering n.a.v. afstemming': reden vermindering n.a.v. afstemming '02' bestaat "
                                              "niet in de regeling (01, 03, 05, 06, 07, 08, 98)."),
        (_row(r, 4, vrijlating="3"), "Rij 6, kenmerk 33 (vrijlating inkomsten), kolom '33 vrijlating inkomsten': vrijlating "
                                     "inkomsten '3' bestaat niet in de regeling (1 ja, 2 nee)."),
        (_row(r, 5, kostendelers="twee"), "Rij 7, kenmerk 11 (aantal kostendelers), kolom '11 aantal kostendelers': 'twee' is "
                                          "geen aantal kostendelers (een geheel getal van 0 tot en met 99)."),
        (_row(r, 6, einde_ontheffing="20261340"), "Rij 8, kenmerk 25 (einddatum ontheffing), kolom '25 einddatum ontheffing': "
                                                  "'20261340' is geen geldige datum (jjjjmmdd)."),
        (_row(r, 7, inkomsten_persoon="veel"), "Rij 9, kenmerk 32 (bedrag inkomsten persoon), kolom '32 bedrag inkomsten "
                                               "persoon': 'veel' is geen geldig bedrag."),
        (_row(r, 8, reden_vermindering="01", begin_vermindering="20260901", einde_vermindering="20260801"),
         "Rij 10, kenmerk 30 (einddatum vermindering), kolom '30 einddatum vermindering': einddatum vermindering 01-08-2026 "
         "ligt vóór de aanvangsdatum 01-09-2026."),
    ]
    for bad, message in cases:
        messages, uid, _ = upload_bus(db, csv(bad), "fout.csv")
        assert messages == [message] and uid is None
        _nothing_stored(db)
    # in a zip the message names the file
    files = bus_synth.bus_files(_row(r, r.height - 1, huisvesting="9"), GM)
    messages, uid, _ = upload_bus(db, bus_synth.zipped(files), "bus.zip")
    last, rows = list(files)[-1], r.filter(pl.col("maand") == "10").height
    assert messages[0].startswith(f"Bestand '{last}', rij {rows + 1}, kenmerk 21 (huisvesting), kolom '21 huisvesting': "
                                  "huisvesting '9' bestaat niet in de regeling")
    _nothing_stored(db)


# ---- disclosure: attacks on what the page shows ----------------------------------------------------------------------
PEIL = D(2026, 10, 31)


def attack_file() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(episodes, the page's kenmerken table) of a file whose small counts are known: 300 alleenstaanden since 2020 and
    4 paren (4 partners: a small count) since 2021; from November 2024 every month 20 begin (alleenstaanden) and 20 of
    the old ones end. Huisvesting: 3 persons in an inrichting (4), 15 adresloos (5), the rest huurder (1); kostendelers
    1 for all but 6 persons with 2."""
    rows, k = [], 0

    def spell(begin, einde, leefvorm, reden=None):
        nonlocal k
        k += 1
        rows.append({"gemeente": "GM9999", "upload_id": 1, "client": f"c{k}", "begin": begin, "einde": einde,
                     "reden": reden, "leefvorm": leefvorm, "geboortejaar": 1980, "geboortedatum": D(1980, 7, 1),
                     "geslacht": "vrouw", "fasering": None, "bedrag": None, "synthetisch": False})

    ending = []
    for y, m in [(2024, 11), (2024, 12)] + [(2025, i) for i in range(1, 13)] + [(2026, i) for i in range(1, 11)]:
        for _ in range(20):
            spell(D(y, m, 5), None, "alleenstaande")
        ending.append(D(y, m, 20))
    for i in range(300 + 20 * len(ending)):
        einde = ending[i // 20] if i < 20 * len(ending) else None
        spell(D(2020, 1, 15), einde, "alleenstaande", "overig" if einde else None)
    for _ in range(4):
        spell(D(2021, 3, 1), None, "paar")
    spells = pl.DataFrame(rows, schema=SPELLS)
    r = bus_synth.bus_records(spells, D(2024, 10, 1), PEIL, "GM9999")
    i = pl.int_range(pl.len()).over("jaar", "maand")  # the record's place in its month
    r = r.with_columns(huisvesting=pl.when(i < 3).then(pl.lit("4")).when(i < 18).then(pl.lit("5")).otherwise(pl.lit("1")),
                       kostendelers=pl.when(i.is_between(18, 23)).then(pl.lit("2")).otherwise(pl.lit("1")))
    counts = bus.indicatoren_uit_records(r)
    return episodes.merge(spells), kenmerken.tabel(counts, PEIL, suppress.PAGE_MONTHS)


def page_view(e: pl.DataFrame, t: pl.DataFrame, pattern) -> tuple[pl.DataFrame, pl.DataFrame, suppress.Pagina]:
    """What the page shows: the bestandsmonitor and the kenmerken table (counts and shares), under one pattern."""
    pagina = suppress.page(e, PEIL, maanden=suppress.PAGE_MONTHS, extra=pattern)
    monthly = pagina.monthly(monitors.monthly(e, D(2024, 10, 1), PEIL)).frame
    shown = kenmerken.aandelen(pagina.tabel(t, kenmerken.TABEL, "rij", ["aantal"]).frame)
    return monthly, shown, pagina


def attack(monthly: pl.DataFrame, shown: pl.DataFrame, truth: pl.DataFrame) -> list[tuple]:
    """Every small count (or small sum of hidden counts) a user derives by hand: (1) a month's personen minus the
    categories shown of huisvesting or kostendelers; (2) a share times the personen; (3) from two months of the
    bestandsmonitor: partners = personen − bestand of the month before − instroom (the uitkeringen of the month)."""
    found = []
    val = {(m, i, c): v for m, i, c, v in shown.select("maand", "indicator", "categorie", "aantal").iter_rows()}
    real = {(m, i, c): v for m, i, c, v in truth.select("maand", "indicator", "categorie", "aantal").iter_rows()}
    for m in sorted({k[0] for k in val}):
        n = val[(m, "personen", "totaal")]
        for ind in ("huisvesting", "kostendelers"):
            cats = [k for k in val if k[0] == m and k[1] == ind]
            hidden = [k for k in cats if val[k] is None]
            if n is not None and hidden:
                rest = n - sum(val[k] for k in cats if val[k] is not None)
                if rest < MIN_CELL:
                    found.append(("rest", m, ind, rest))
        for k in (k for k in val if k[0] == m and val[k] is None):
            a = shown.filter((pl.col("rij") == kenmerken.rij(*k)))["aandeel"][0]
            if a is not None and n is not None:
                found.append(("aandeel", *k, round(a * n / 100)))
        prev = monthly.filter(pl.col("maand") == D(m.year - (m.month == 1), (m.month - 2) % 12 + 1, 1))
        now = monthly.filter(pl.col("maand") == m)
        if n is not None and prev.height and prev["bestand"][0] is not None and now["instroom"][0] is not None:
            partners = n - prev["bestand"][0] - now["instroom"][0]
            if partners == real[(m, "personen", "totaal")] - real[(m, "uitkeringen", "totaal")] and partners < MIN_CELL:
                found.append(("partners", m, partners))
    return found


def test_no_hidden_count_follows_from_totals_shares_or_two_months():
    e, t = attack_file()
    months = sorted(set(t["maand"]))
    truth = t.select("maand", "indicator", "categorie", "aantal")
    assert len(months) == 25 and {truth.filter((pl.col("maand") == m) & (pl.col("indicator") == "personen"))["aantal"][0]
                                   - truth.filter((pl.col("maand") == m) & (pl.col("indicator") == "uitkeringen"))["aantal"][0]
                                   for m in months} == {4}  # 4 partners every month: a small count
    # the kenmerken suppressed with their own relations only: the partners follow from two months of the monitor; with
    # small cells hidden and nothing else, a huisvesting category follows from the personen minus the others
    own = kenmerken.pattern(t.filter(pl.col("indicator") != kenmerken.UITKERINGEN))
    monthly, shown, _ = page_view(e, t, own)
    kinds = {f[0] for f in attack(monthly, shown, truth)}
    assert "partners" in kinds  # personen − bestand(m − 1) − instroom(m) = the 4 partners
    primary_only = kenmerken.aandelen(t.with_columns(aantal=pl.when(pl.col("aantal") >= MIN_CELL).then(pl.col("aantal"))))
    assert {f[0] for f in attack(monthly, primary_only, truth)} >= {"rest", "partners"}
    # the page: one pattern over the bestandsmonitor and the kenmerken: nothing follows
    monthly, shown, pagina = page_view(e, t, kenmerken.pattern(t))
    assert attack(monthly, shown, truth) == []
    assert shown.filter(pl.col("aantal").is_null() & pl.col("aandeel").is_not_null()).is_empty()
    # what it costs: the personen of each month hide (they would give the partners), except in the first month: the
    # page does not show the bestand of the month before it (and its leefvormen hide the 4 paren)
    personen = shown.filter(pl.col("indicator") == "personen").sort("maand")["aantal"]
    assert personen[0] == 788 and personen[1:].is_null().all()
    assert shown.filter((pl.col("indicator") == "huisvesting") & (pl.col("categorie") == "4"))["aantal"].is_null().all()
    # ... and the bestandsmonitor keeps every cell it shows without the section (the personen go, not the monitor)
    assert monthly.equals(page_view(e, t, None)[0])


def test_no_small_count_follows_from_all_relations_together():
    """The attacker with linear algebra: every relation of the joint pattern at once, over every hidden or internal cell
    (without the solver's shortcuts): no count under MIN_CELL comes out exactly."""
    from tests.test_suppress_page import small_counts_determined

    e, t = attack_file()
    assert small_counts_determined(e, PEIL, extra=kenmerken.pattern(t)) == []


# ---- the participant benchmark -------------------------------------------------------------------------------------------
def _counts(werk: int, n: int = 100, maand: dt.date = OKT) -> pl.DataFrame:
    return pl.DataFrame([(maand, "personen", "totaal", n), (maand, "uitkeringen", "totaal", n), (maand, "werk", "ja", werk),
                         (maand, "werk", "vrijlating", None)], schema=bus.INDICATOR_SCHEMA, orient="row")


def test_benchmark_needs_five_others_and_rounds_to_whole_percents():
    others = {f"GM{i:04d}": _counts(w) for i, w in enumerate((10, 20, 31, 40, 50), start=1)}
    q = kenmerken.deelnemers(others, SEP, OKT)
    row = q.filter((pl.col("indicator") == "werk") & (pl.col("categorie") == "ja")).row(0, named=True)
    assert (row["gemeenten"], row["p25"], row["mediaan"], row["p75"]) == (5, 20, 31, 40)
    assert q.filter(pl.col("categorie") == "vrijlating").is_empty()  # not in their files: no benchmark, not 0
    four = dict(list(others.items())[:4])
    assert kenmerken.deelnemers(four, SEP, OKT).is_empty()
    # a gemeente with fewer than MIN_CELL persons does not count
    small = {**four, "GM0009": _counts(1, n=9)}
    assert kenmerken.deelnemers(small, SEP, OKT).is_empty()


def test_share_chart_has_the_band_the_median_and_the_law_dates():
    from portal import charts

    data = pl.DataFrame({"maand": [D(2025, 12, 1), D(2026, 1, 1)] * 2, "waarde": [8.1, 8.4, 7.0, 7.5],
                         "reeks": ["met inkomsten uit werk"] * 2 + ["alle andere deelnemers: mediaan"] * 2,
                         "periode": ["12-2025", "01-2026"] * 2, "bron": ["eigen BUS-bestand"] * 4, "peildatum": ["01-2026"] * 4})
    band = pl.DataFrame({"maand": [D(2025, 12, 1), D(2026, 1, 1)], "p25": [5.0, 5.0], "p75": [9.0, 10.0],
                         "groep": ["alle andere deelnemers: P25–P75"] * 2})
    rules = pl.DataFrame({"datum": [kenmerken.REGELS[0][0]], "reden": [kenmerken.REGELS[0][1]]})
    spec = charts.finish(charts.month_share_chart(data, order=["met inkomsten uit werk", "alle andere deelnemers: mediaan"],
                                                  y_title="% van de personen", band=band, rules=rules), "Inkomsten uit werk"
                         ).to_dict()  # validated against the Vega-Lite schema
    marks = [layer.get("mark", {}).get("type") if isinstance(layer.get("mark"), dict) else layer.get("mark")
             for layer in spec["layer"]]
    assert marks[0] == "area" and marks[-1] == "rule" and "layer" in spec["layer"][1]


# ---- the benchmark's frozen releases: attacks of a curious gemeente user (module note of portal.eigen.kenmerken) ----------
VIEWER, SECRET = "GM0001", b"test-key"


def _werk(werk: dict[str, int], ids: dict[str, int] | None = None, **extra: dict) -> tuple[dict, dict]:
    """(uploads, counts_of) for other gemeenten with these October shares of work income (of 100 persons); `extra`:
    more uploads as they come from the store (e.g. the viewer's own, a synthetic one)."""
    ids = ids or {}
    uploads = {g: {"id": ids.get(g, 1), "synthetisch": False} for g in werk} | extra
    table = {(g, ids.get(g, 1)): _counts(w) for g, w in werk.items()} | {(g, u["id"]): _counts(99) for g, u in extra.items()}
    return uploads, lambda g, u: table[(g, u)]


def _look(werk: dict[str, int], earlier: list, ids: dict[str, int] | None = None, tijd: str = "2026-12-01T10:00:00", **extra):
    """What the viewer is shown: (release, waits?, all releases stored so far), stored and read back as the page does."""
    uploads, counts_of = _werk(werk, ids, **extra)
    stand, wacht, nieuw = kenmerken.publiceer(uploads, VIEWER, SEP, OKT, earlier, counts_of, tijd, SECRET)
    if nieuw is not None:
        earlier = [*earlier, kenmerken.from_row({**kenmerken.to_row(nieuw), "ingetrokken": 0})]
        stand = earlier[-1]
    return stand, wacht, earlier


def _werk_row(stand) -> tuple:
    r = stand.cijfers.filter((pl.col("indicator") == "werk") & (pl.col("categorie") == "ja")).row(0, named=True)
    return r["gemeenten"], r["p25"], r["mediaan"], r["p75"]


SIX = {f"GM{i:04d}": w for i, w in enumerate((10, 20, 31, 40, 50, 60), start=2)}


def test_a_gemeente_that_joins_changes_nothing_until_five_have_changed():
    first, wacht, stored = _look(SIX, [])
    assert _werk_row(first) == (6, 23, 36, 48) and not wacht and len(stored) == 1
    # Without frozen releases 'after minus before' would narrow the newcomer's share: the quantiles move.
    seven = {**SIX, "GM0100": 90}
    live = kenmerken.deelnemers({g: _counts(w) for g, w in seven.items()}, SEP, OKT)
    assert live.filter(pl.col("categorie") == "ja").row(0, named=True)["mediaan"] != 36
    # The page keeps the stored release, and says nothing that tells someone joined.
    after, wacht, stored = _look(seven, stored, tijd="2026-12-02T10:00:00")
    assert after is stored[0] and after.cijfers.equals(first.cijfers) and not wacht and len(stored) == 1
    assert kenmerken.toelichting(after, wacht) == "Benchmark van 01-12-2026 (6 gemeenten)."
    # Three more join: four changed gemeenten in all, still not five.
    ten = {**seven, "GM0101": 70, "GM0102": 80, "GM0103": 85}
    still, _, stored = _look(ten, stored, tijd="2026-12-03T10:00:00")
    assert still is stored[0] and len(stored) == 1
    # The fifth: a new release over all eleven; its difference with the first mixes five gemeenten's shares.
    eleven = {**ten, "GM0104": 95}
    new, wacht, stored = _look(eleven, stored, tijd="2026-12-04T10:00:00")
    assert len(stored) == 2 and new.versie == 2 and _werk_row(new)[0] == 11 and not wacht
    assert set(pt.verschillen(stored[0].sporen, stored[1].sporen, kenmerken.getoond)) == {5}
    # Going back (one of them leaves) would differ from the second release in one gemeente: refused.
    back, wacht, stored = _look(ten, stored, tijd="2026-12-05T10:00:00")
    assert back is stored[1] and wacht and len(stored) == 2
    assert "Benchmark van 04-12-2026 (11 gemeenten, maanden 09-2026 t/m 10-2026); nieuwe deelnemers" in \
        kenmerken.toelichting(back, wacht)


def test_a_changed_month_of_one_participant_alone_changes_nothing():
    first, _, stored = _look(SIX, [])
    # GM0002 uploads its file again with the same counts: no change at all, no note.
    same, wacht, stored = _look(SIX, stored, ids={"GM0002": 2})
    assert same is first and not wacht and len(stored) == 1
    # GM0002 corrects its October month (10 % becomes 35 %): 'after minus before' would be its new share. Kept.
    fixed, wacht, stored = _look({**SIX, "GM0002": 35}, stored, ids={"GM0002": 3})
    assert fixed is first and wacht and len(stored) == 1
    note = kenmerken.toelichting(fixed, wacht)
    assert note.startswith("Benchmark van 01-12-2026 (6 gemeenten") and \
        "nieuwe deelnemers en gewijzigde bestanden worden meegenomen zodra minstens 5 gemeenten" in note
    # Four more gemeenten correct theirs: five changed, a new release.
    five = {**SIX, "GM0002": 35, "GM0003": 21, "GM0004": 32, "GM0005": 41, "GM0006": 51}
    new, wacht, stored = _look(five, stored, ids=dict.fromkeys(five, 3), tijd="2026-12-02T10:00:00")
    assert len(stored) == 2 and new.versie == 2 and not wacht


def test_the_viewers_own_and_synthetic_uploads_never_count():
    own = {VIEWER: {"id": 7, "synthetisch": False}, "GM0200": {"id": 8, "synthetisch": True}}
    stand, _, _ = _look(dict(list(SIX.items())[:5]), [], **own)
    assert {g for g, _ in stand.bijdragers} == set(list(SIX)[:5]) and _werk_row(stand)[0] == 5
    # four others and the viewer's own (or a synthetic) file are not five participants
    stand, wacht, stored = _look(dict(list(SIX.items())[:4]), [], **own)
    assert stand is None and not wacht and stored == []


def test_a_combination_of_quantile_releases_cannot_pin_one_share():
    """Five gemeenten P (10..50 %), then five others Q (12..52 %) instead, then P, Q and X together: each pair of releases
    differs in at least five gemeenten, yet the median of the eleven would be X's share. From P's release the user knows
    P's 2nd to 4th shares (20, 30, 40), from Q's release Q's (22, 32, 42); of the eleven, exactly five (P's and Q's
    lowest, 20, 22, 30) lie at or below 30 and the 7th is at most 32, so a median strictly between 30 and 32 is X's."""
    p = {f"GM{i:04d}": w for i, w in zip(range(10, 15), (10, 20, 30, 40, 50))}
    q = {f"GM{i:04d}": w for i, w in zip(range(20, 25), (12, 22, 32, 42, 52))}
    x = {"GM0099": 31}
    unprotected = kenmerken.deelnemers({g: _counts(w) for g, w in {**p, **q, **x}.items()}, SEP, OKT)
    assert unprotected.filter(pl.col("categorie") == "ja")["mediaan"].to_list() == [31]  # the attack works on live quantiles
    r1, _, stored = _look(p, [])
    r2, _, stored = _look(q, stored, tijd="2026-12-02T10:00:00")
    assert [_werk_row(r) for r in stored] == [(5, 20, 30, 40), (5, 22, 32, 42)]
    shown, _, stored = _look({**p, **q, **x}, stored, tijd="2026-12-03T10:00:00")
    assert shown is r2 and len(stored) == 2  # the three-way release is refused; Q's release stays
    # refused by the combination check (rule 3b), not by the pairwise one
    uploads, counts_of = _werk({**p, **q, **x})
    sp = {g: kenmerken.aandeel_sporen(counts_of(g, 1), SEP, OKT, SECRET) for g in uploads}
    assert not any(pt.botst(sp, r.sporen, kenmerken.getoond) for r in stored)
    assert pt.bepaald([*(r.sporen for r in stored), sp], kenmerken.getoond)


def test_releases_are_stored_read_back_and_withdrawn_with_a_deleted_upload(db):
    def participant(code: str, werk: int) -> int:
        own = pl.DataFrame([{"gemeente": code, "upload_id": 0, "client": "k", "begin": D(2025, 1, 15),
                             "leefvorm": "alleenstaande", "synthetisch": False}], schema=SPELLS)
        return db.save(code, "bus.zip", own, D(2026, 10, 31), "test",
                       extra=bus_store.bus_extra(pl.DataFrame(schema=bus.REGELING_SCHEMA), _counts(werk)))

    ids = {g: participant(g, w) for g, w in SIX.items()}
    uploads = {g: db.current(g, synthetisch=False) for g in SIX}
    stand, _, nieuw = kenmerken.publiceer(uploads, VIEWER, SEP, OKT, [], lambda g, u: bus_store.indicatoren(db, u),
                                          "2026-12-01T10:00:00", SECRET)
    assert nieuw is stand and bus_store.add_kenmerken_release(db, VIEWER, kenmerken.to_row(stand), None)
    # checked against an older state: not stored
    assert not bus_store.add_kenmerken_release(db, VIEWER, kenmerken.to_row(stand), None)
    rows = bus_store.kenmerken_releases(db, VIEWER)
    back = kenmerken.from_row(rows[0])
    assert len(rows) == 1 and back.cijfers.equals(stand.cijfers) and back.sporen == stand.sporen
    assert back.bijdragers == frozenset(ids.items()) and bus_store.kenmerken_releases(db, "GM0002") == []
    # replacing an upload (the same month again) does not withdraw the release; deleting one does
    ids["GM0003"] = participant("GM0003", 20)
    assert kenmerken.from_row(bus_store.kenmerken_releases(db, VIEWER)[0]).cijfers is not None
    db.delete("GM0002", ids["GM0002"], "test")
    withdrawn = kenmerken.from_row(bus_store.kenmerken_releases(db, VIEWER)[0])
    assert withdrawn.cijfers is None and withdrawn.sporen == stand.sporen  # still counts for the differencing check

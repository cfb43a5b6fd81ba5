"""Definitions as CBS and Divosa use them (issue 18, section 4), each with a file whose answer is known by construction:
uitstroom naar werk as cumulative incidence, herinstroom within 31 days as continuation and the herinstroom monitor,
cohorts from the months a file covers completely, the client-month layout, and the age from a date of birth."""

from __future__ import annotations

import math
from datetime import date as D
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from portal import visitatie_eigen as ve
from portal.eigen import episodes, mapping, monitors, suppress
from portal.eigen import survival as sv
from portal.eigen.schema import SPELLS
from portal.eigen.store import Eigenbestand
from portal.eigen.upload import read_file

KEY = b"k" * 32
GM = "GM0363"


def spells(rows: list[dict]) -> pl.DataFrame:
    """A SPELLS frame from short dicts; client defaults to a new one per row."""
    base = {"gemeente": GM, "upload_id": 1, "einde": None, "reden": None, "leefvorm": "alleenstaande",
            "geboortejaar": 1980, "geboortedatum": None, "geslacht": None, "fasering": None, "bedrag": None,
            "synthetisch": False}
    return pl.DataFrame([{**base, "client": f"c{i}", **r} for i, r in enumerate(rows)], schema=SPELLS)


def days(begin: D, t: int) -> D:
    """The einde of a spell of t days (einde is the last day with benefit)."""
    return begin + timedelta(days=t - 1)


# ---- 1. uitstroom naar werk: cumulative incidence -----------------------------------------------------------------------

B = D(2024, 1, 1)
PEIL = D(2025, 6, 30)


def test_werk_is_the_cumulative_incidence_with_other_exits_competing():
    """12 spells: 2 leave for work on day 10, 1 for another reason on day 20, 2 are censored on day 30 (they began a
    month before the peildatum), 1 leaves for work on day 40, 6 run on. By hand (Aalen–Johansen):
    F(10) = 1 · 2/12; S(20) = 10/12 · 9/10 = 0,75; F(40) = 2/12 + 0,75 · 1/7 = 23/84 = 27,4 %.
    1 − KM with the other exit censored would say 1 − 10/12 · 6/7 = 28,6 %."""
    late = D(2025, 6, 1)  # observed 30 days at the peildatum
    f = spells([{"begin": B, "einde": days(B, 10), "reden": "werk"}] * 2 + [{"begin": B, "einde": days(B, 20), "reden": "overig"}]
               + [{"begin": late}] * 2 + [{"begin": B, "einde": days(B, 40), "reden": "werk"}] + [{"begin": B}] * 6)
    werk = sv.uitstroomkans(f, PEIL, naar="werk", per="totaal", vanaf=D(2020, 1, 1)).row(0, named=True)
    assert werk["kans_6"] == pytest.approx(23 / 84) and werk["kans_12"] == pytest.approx(23 / 84)
    assert werk["uitstroom_6"] == 3 and werk["n"] == 12 and werk["n_risico_6"] == 6
    # the delta-method variance, summed by hand over the event times (t, n at risk, d any, d werk)
    table, s_prev, steps = [(10, 12, 2, 2), (20, 10, 1, 0), (40, 7, 1, 1)], 1.0, []
    for t, n, d, dk in table:
        steps.append((n, d, dk, s_prev))
        s_prev *= 1 - d / n
    fs = np.cumsum([s * dk / n for n, d, dk, s in steps])
    F = fs[-1]
    var = (sum((F - fj) ** 2 * d / (n * (n - d)) for fj, (n, d, dk, s) in zip(fs, steps))
           + sum(s ** 2 * dk * (n - dk) / n ** 3 for n, d, dk, s in steps)
           - 2 * sum((F - fj) * s * dk / n ** 2 for fj, (n, d, dk, s) in zip(fs, steps)))
    assert werk["se_6"] == pytest.approx(math.sqrt(var))
    assert werk["onder_6"] < 23 / 84 < werk["boven_6"]
    cur = sv.curve(f, PEIL, naar="werk", vanaf=D(2020, 1, 1))
    assert cur["kans"].to_list() == pytest.approx([2 / 12, 2 / 12, 2 / 12, 23 / 84, 23 / 84])  # t = 10, 20, 30, 40, 547
    assert sv.uitstroomkans(f, PEIL, naar="einde", per="totaal", vanaf=D(2020, 1, 1))["kans_6"][0] == pytest.approx(
        1 - 10 / 12 * 9 / 10 * 6 / 7)


def test_without_censoring_werk_is_the_plain_share_with_the_binomial_variance():
    """20 instromers followed for more than 12 months, nobody censored: 6 leave for work and 8 for another reason within
    6 months, 2 more for work by 12 months. The kans is the share: 6/20 and 8/20, se √(p(1 − p)/20)."""
    rows = ([{"begin": B, "einde": days(B, 15 * (i + 1)), "reden": "werk"} for i in range(6)]
            + [{"begin": B, "einde": days(B, 12 * (i + 1)), "reden": "overig"} for i in range(8)]
            + [{"begin": B, "einde": days(B, 250 + i), "reden": "werk"} for i in range(2)] + [{"begin": B}] * 4)
    k = sv.uitstroomkans(spells(rows), PEIL, naar="werk", per="totaal", vanaf=D(2020, 1, 1)).row(0, named=True)
    assert k["kans_6"] == pytest.approx(6 / 20) and k["kans_12"] == pytest.approx(8 / 20)
    assert k["se_6"] == pytest.approx(math.sqrt(0.3 * 0.7 / 20)) and k["se_12"] == pytest.approx(math.sqrt(0.4 * 0.6 / 20))


# ---- 2. herinstroom ---------------------------------------------------------------------------------------------------

def test_merge_joins_re_entries_within_31_days_and_keeps_the_last_attributes():
    a = D(2024, 1, 1)
    f = spells([{"client": "x", "begin": a, "einde": D(2024, 3, 31), "reden": "overig", "leefvorm": "paar"},
                {"client": "x", "begin": D(2024, 5, 1), "einde": D(2024, 6, 30), "reden": "werk", "leefvorm": "alleenstaande"},
                {"client": "x", "begin": D(2024, 8, 2)},  # 33 days after 30 June: a new episode
                {"client": "y", "begin": a, "einde": D(2024, 1, 31), "reden": "werk"},
                {"client": "y", "begin": D(2024, 2, 1), "einde": D(2024, 2, 10), "reden": "overig"}])
    got = episodes.merge(f).select("client", "begin", "einde", "reden", "leefvorm").rows()
    assert got == [("x", a, D(2024, 6, 30), "werk", "alleenstaande"), ("x", D(2024, 8, 2), None, None, "alleenstaande"),
                   ("y", a, D(2024, 2, 10), "overig", "alleenstaande")]
    # the rule's edge: 31 days after the einde continues, 32 days does not
    edge = spells([{"client": "z", "begin": a, "einde": D(2024, 1, 10), "reden": "werk"},
                   {"client": "z", "begin": D(2024, 2, 10), "einde": D(2024, 2, 20), "reden": "werk"},
                   {"client": "z", "begin": D(2024, 3, 23)}])
    assert episodes.merge(edge)["begin"].to_list() == [a, D(2024, 3, 23)]
    assert episodes.merge(f.clear()).is_empty()


def _herinstroom_file() -> pl.DataFrame:
    """30 persons leave for work on 15-1-2025: 12 are back on 1-4-2025 (76 days), 3 on 1-11-2025 (290 days). 25 leave for
    another reason on 20-1-2025: 10 are back the next day (a continuation, not uitstroom), 5 on 1-5-2025 (101 days)."""
    rows, start = [], D(2024, 1, 1)
    for i in range(30):
        rows.append({"client": f"w{i}", "begin": start, "einde": D(2025, 1, 15), "reden": "werk"})
        if i < 12:
            rows.append({"client": f"w{i}", "begin": D(2025, 4, 1)})
        elif i < 15:
            rows.append({"client": f"w{i}", "begin": D(2025, 11, 1)})
    for i in range(25):
        rows.append({"client": f"o{i}", "begin": start, "einde": D(2025, 1, 20), "reden": "overig"})
        if i < 10:
            rows.append({"client": f"o{i}", "begin": D(2025, 1, 21)})
        elif i < 15:
            rows.append({"client": f"o{i}", "begin": D(2025, 5, 1)})
    return spells(rows)


def test_a_next_day_re_entry_is_no_instroom_and_no_uitstroom():
    f = _herinstroom_file()
    raw = monitors.monthly(f, D(2025, 1, 1), D(2025, 1, 1)).row(0, named=True)
    merged = monitors.monthly(episodes.merge(f), D(2025, 1, 1), D(2025, 1, 1)).row(0, named=True)
    assert (raw["instroom"], raw["uitstroom"]) == (10, 55)  # as before: ten next-day re-entries raise both
    assert (merged["instroom"], merged["uitstroom"], merged["uitstroom_werk"], merged["bestand"]) == (0, 45, 30, 10)


def test_herinstroom_share_by_reden_with_suppression():
    """Of 30 werk-uitstromers 12 are back within 6 months and 15 within 12; of 15 other uitstromers 5 and 5. The 5 are
    under 10 and hidden; werk's count would then follow from the total, so it is hidden too, and so on: the totaal row
    stays (17 of 45 = 37,8 %; 20 of 45 = 44,4 %)."""
    t = monitors.herinstroom(_herinstroom_file(), D(2026, 6, 30))
    assert t["reden"].to_list() == ["werk", "overig", "totaal"]
    assert t["uitstromers_6"].to_list() == [30, 15, 45] and t["terug_6"].to_list() == [12, 5, 17]
    assert t["uitstromers_12"].to_list() == [30, 15, 45] and t["terug_12"].to_list() == [15, 5, 20]
    assert t["aandeel_12"].to_list() == pytest.approx([50.0, 100 / 3, 100 * 20 / 45])
    assert t["van"][0] == D(2025, 1, 1) and t["tot_6"][0] == D(2025, 12, 29)
    cols, rel, linked = monitors.herinstroom_relaties(t)
    shown = suppress.suppress(t, cols, rel, key="reden", linked=linked).frame
    for h in (6, 12):
        assert shown[f"terug_{h}"].to_list()[:2] == [None, None] and shown[f"aandeel_{h}"].to_list()[:2] == [None, None]
    assert shown.row(2, named=True)["aandeel_6"] == pytest.approx(100 * 17 / 45)
    assert shown.row(2, named=True)["terug_12"] == 20
    # only endings followed long enough: with the peildatum 30-4-2025 nobody is followed 6 months yet
    early = monitors.herinstroom(_herinstroom_file(), D(2025, 4, 30))
    assert early["uitstromers_6"].to_list() == [0, 0, 0] and early["tot_6"][0] is None


# ---- 3. cohorts from the covered months ------------------------------------------------------------------------------

def _file_from_2023(old: int = 40) -> pl.DataFrame:
    """A file complete from January 2023 to September 2026: 20 spells begin on the 1st of every month from 2021;
    10 of them end after 60 days, 10 after 400 days (or run on). Spells that ended before 2023 are not in the file,
    except `old` stray spells that ended 2018–2022 (0,4 % of the rows)."""
    rows = []
    m = D(2021, 1, 1)
    while m <= D(2026, 9, 1):
        for i in range(20):
            einde = days(m, 60 if i < 10 else 400)
            rows.append({"begin": m, "einde": einde if einde <= D(2026, 9, 30) else None, "reden": "werk" if i < 3 else "overig"})
        m = D(m.year + m.month // 12, m.month % 12 + 1, 1)
    rows = [r for r in rows if r["einde"] is None or r["einde"] >= D(2023, 1, 1)]
    rows += [{"begin": D(2018 + i % 5, 1 + i % 12, 1), "einde": D(2018 + i % 5, 1 + i % 12, 25), "reden": "overig"} for i in range(old)]
    return spells(rows)


def test_covered_months_ignore_a_few_old_spells(tmp_path):
    f = _file_from_2023()
    assert f.filter(pl.col("einde") < D(2023, 1, 1)).height == 40 and f["einde"].min() == D(2018, 1, 25)
    peil = D(2026, 9, 30)
    assert episodes.covered(f, peil) == (D(2023, 1, 1), D(2026, 9, 1))
    assert episodes.covered(_file_from_2023(old=0), peil) == (D(2023, 1, 1), D(2026, 9, 1))
    assert episodes.covered(f.filter(pl.col("einde").is_null()), peil) == (D(2026, 9, 1), D(2026, 9, 1))
    assert episodes.covered(f.clear(), peil) is None
    # the cohorts of the uitstroomkans start there: no cohorts 2018–2022 from the old spells
    k = sv.uitstroomkans(f, peil, per="cohort")
    assert k["groep"].to_list() == ["2023", "2024", "2025", "2026"]
    tot = sv.uitstroomkans(f, peil, per="totaal").row(0, named=True)
    assert tot["kans_6"] == pytest.approx(0.5)  # half of every cohort leaves after 60 days, the rest after 400
    # from the earliest einde instead: the old spells and the survivors of the 2021–2022 cohorts pull it down (as in the issue)
    assert sv.uitstroomkans(f, peil, per="totaal", vanaf=D(2018, 1, 1))["kans_6"][0] == pytest.approx(0.4619, abs=1e-4)
    # the upload records the covered months, the visitatie block uses the same start
    db = Eigenbestand(tmp_path / "eigen.db")
    up = db.save(GM, "a.csv", f, peil, "tester")
    assert (db.upload(GM, up)["maand_van"], db.upload(GM, up)["maand_tot"]) == ("2023-01", "2026-09")
    kans = {r["id"]: r for r in ve.make_block(db, GM)["cijfers"]}["uitstroomkans_6"]
    assert kans["periode"].startswith("instroom van 1 januari 2023 t/m 30 september 2026") and kans["waarde"] == pytest.approx(50.0)


# ---- 4. client-month layout -------------------------------------------------------------------------------------------

def _month_rows(client: str, first: D, last: D, reden: str | None) -> list[tuple]:
    out, m = [], first
    while m <= last:
        out.append((client, f"{m:%Y-%m}", reden if m == last else None, "alleenstaande", 1980))
        m = D(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def _csv(header: list[str], rows: list[tuple]) -> bytes:
    return ("\n".join([";".join(header)] + [";".join("" if v is None else str(v) for v in r) for r in rows]) + "\n").encode()


def test_client_months_and_spells_give_the_same_figures():
    """One data set in both layouts, in whole months (peildatum 30-9-2026): 20 clients leave end of June 2025 for work and
    are back on 1 August (July without benefit: 32 days, a new episode); 20 end in April 2025 and are back on 1 May (a
    continuation: one episode, in the client-month layout simply consecutive months); 15 end in the peildatum month,
    September 2026 (a reden in that month: ended, not running); 12 run on."""
    peil = D(2026, 9, 30)
    month_rows, spell_rows = [], []

    def add(c: str, first: D, last: D, reden: str | None, running: bool = False):
        month_rows.extend(_month_rows(c, first, last, reden))
        einde = None if running else D(last.year + last.month // 12, last.month % 12 + 1, 1) - timedelta(days=1)
        spell_rows.append((c, f"{first:%d-%m-%Y}", "" if einde is None else f"{einde:%d-%m-%Y}", reden or "", "alleenstaande", 1980))

    for i in range(20):
        add(f"a{i}", D(2025, 1, 1), D(2025, 6, 1), "werk")
        add(f"a{i}", D(2025, 8, 1), D(2026, 9, 1), None, running=True)
    for i in range(20):
        add(f"b{i}", D(2025, 1, 1), D(2025, 4, 1), "overig" if i % 2 else "werk")
        add(f"b{i}", D(2025, 5, 1), D(2025, 11, 1), "overig")  # next month again: one episode with the one before
    for i in range(15):
        add(f"p{i}", D(2026, 3, 1), D(2026, 9, 1), "werk")  # ended in the peildatum month
    for i in range(12):
        add(f"r{i}", D(2025, 9, 1), D(2026, 9, 1), None, running=True)

    raw_m = read_file(_csv(["Klantnummer", "Maand", "Reden", "Leefvorm", "Geboortejaar"], month_rows), "maanden.csv")
    mp_m = mapping.suggest(raw_m)
    assert mp_m["indeling"] == "maanden"
    by_month, problems = mapping.apply(raw_m, mp_m, GM, peil, KEY)
    assert not problems
    raw_s = read_file(_csv(["Klantnummer", "Ingangsdatum", "Einddatum", "Reden", "Leefvorm", "Geboortejaar"], spell_rows), "perioden.csv")
    by_spell, problems = mapping.apply(raw_s, mapping.suggest(raw_s), GM, peil, KEY)
    assert not problems
    a, b = episodes.merge(by_month), episodes.merge(by_spell)
    assert a.height == b.height == 20 * 2 + 20 + 15 + 12
    ta, tb = monitors.monthly(a, D(2025, 1, 1), peil), monitors.monthly(b, D(2025, 1, 1), peil)
    assert ta.equals(tb)
    sep = ta.filter(pl.col("maand") == D(2026, 9, 1)).row(0, named=True)
    assert (sep["bestand"], sep["uitstroom"], sep["uitstroom_werk"]) == (20 + 12, 15, 15)  # the 15 ended in September
    assert ta.filter(pl.col("maand") == D(2025, 5, 1))["instroom"][0] == 0  # the next-month return is no instroom
    assert ta.filter(pl.col("maand") == D(2025, 8, 1))["instroom"][0] == 20  # after a month without benefit it is
    for naar in ("einde", "werk"):
        ka = sv.uitstroomkans(a, peil, naar=naar, per="totaal")
        kb = sv.uitstroomkans(b, peil, naar=naar, per="totaal")
        assert ka.equals(kb)


# ---- 5. age from the date of birth ------------------------------------------------------------------------------------

def test_age_at_instroom_from_the_date_of_birth():
    """Born 15-10-1998, instroom 1-1-2025: 26 years old ("tot 27"); from the birth year alone 2025 − 1998 = 27. An age
    or a birth year in the file is still accepted (then the year rule)."""
    header = ["Klantnummer", "Ingangsdatum", "Einddatum", "Reden", "Leefvorm", "Geboortedatum"]
    rows = [(f"k{i}", "01-01-2025", "", "", "alleenstaande", "15-10-1998") for i in range(10)]
    rows += [(f"j{i}", "01-01-2025", "", "", "alleenstaande", "1998") for i in range(10)]
    rows += [(f"l{i}", "01-01-2025", "", "", "alleenstaande", "27") for i in range(10)]  # an age at the peildatum
    raw = read_file(_csv(header, rows), "geboorte.csv")
    mp = mapping.suggest(raw)
    assert mp["kolommen"]["geboortejaar"] == "Geboortedatum"
    f, problems = mapping.apply(raw, mp, GM, D(2025, 6, 30), KEY)
    assert not problems
    assert sorted(set(f.select("geboortejaar", "geboortedatum").rows()), key=str) == [
        (1998, None), (1998, D(1998, 10, 15))]
    k = sv.uitstroomkans(f, D(2025, 6, 30), per="leeftijd", vanaf=D(2025, 1, 1))
    assert dict(k.select("groep", "n").rows()) == {"tot 27": 10, "27 tot 45": 20}


# ---- on the page ------------------------------------------------------------------------------------------------------

PAGE_GM = "GM0268"  # Nijmegen: a gemeente no other page test uploads for (the upload history stays after a delete)


@pytest.fixture
def own_upload(built):
    from portal.eigen import store

    db = store.default()
    gone = lambda: [db.delete(PAGE_GM, u["id"], "test") for u in db.uploads(PAGE_GM) if not u["verwijderd"]]  # noqa: E731
    gone()
    yield db
    gone()


def test_page_shows_herinstroom_and_the_definitions(own_upload):
    from tests.pagetest import page, shown

    f = _herinstroom_file().with_columns(gemeente=pl.lit(PAGE_GM))
    own_upload.save(PAGE_GM, "herinstroom.csv", f, D(2026, 6, 30), "test")
    at = page("eigen_bestand", gemeente=PAGE_GM)
    i = next(i for i in range(len(at.dataframe)) if "Reden van uitstroom" in at.dataframe[i].value.columns)
    rows = {r["Reden van uitstroom"]: r for r in shown(at, i)}
    # One suppression with the other tables: every ending is in January 2025 (45, 30 to work), so the uitstromers are
    # that month's uitstroom plus the hidden months after it, which would then hold 0 together; on its own the table
    # showed the totaal row (17 of 45 = 37,8 %).
    assert [rows[k]["Uitstromers (6 mnd gevolgd)"] for k in ("naar werk", "andere reden", "totaal")] == ["–", "–", "–"]
    assert rows["totaal"]["Terug binnen 6 mnd (%)"] == "–" and rows["andere reden"]["Terug binnen 12 mnd (%)"] == "–"
    captions = " ".join(c.value for c in at.caption)
    assert "binnen 31 dagen na het einde van de vorige begint, telt als voortzetting" in captions
    assert "maanden 01-2025 t/m 06-2026" in captions  # the covered months of the upload
    assert "Herinstroom: van de personen die uitstroomden" in captions
    at = at.radio(key=f"naar-{PAGE_GM}").set_value("werk").run()
    assert "cumulatieve incidentie, Aalen–Johansen" in " ".join(c.value for c in at.caption)

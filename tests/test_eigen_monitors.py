"""Monitors over own client files (issue 13 part B): hand-made files and synthetic files whose answers are known by
construction; Kaplan–Meier against the Freireich 6-MP data; suppression; the participant aggregate; the generator."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from portal.eigen import monitors as mon
from portal.eigen import participants as pt
from portal.eigen import suppress as sp
from portal.eigen import survival as sv
from portal.eigen import synth
from portal.eigen.schema import LEEFVORMEN, SPELLS

D = dt.date


def spells(rows: list[dict]) -> pl.DataFrame:
    """A SPELLS frame from short dicts (client, begin, einde, reden, leefvorm, geboortejaar, fasering, bedrag)."""
    base = {"gemeente": "GM9999", "upload_id": 1, "einde": None, "reden": None, "leefvorm": "alleenstaande",
            "geboortejaar": 1980, "geslacht": None, "fasering": None, "bedrag": None, "synthetisch": False}
    return pl.DataFrame([{**base, "client": str(i), **r} for i, r in enumerate(rows)], schema=SPELLS)


TINY = [
    {"begin": D(2023, 11, 15), "leefvorm": "paar"},  # running throughout
    {"begin": D(2024, 1, 10), "einde": D(2024, 2, 29), "reden": "werk", "bedrag": 1000.0},
    {"begin": D(2024, 2, 1), "leefvorm": "alleenstaande_ouder", "bedrag": 1500.0},
    {"begin": D(2024, 3, 31), "einde": D(2024, 3, 31), "reden": "overig", "bedrag": 900.0},  # one day
    {"begin": D(2023, 5, 1), "einde": D(2023, 12, 31), "reden": "werk"},  # ended before the period
]


# ---- monthly monitor ------------------------------------------------------------------------------------------------
def test_monthly_counts_on_a_tiny_hand_made_file():
    t = mon.monthly(spells(TINY), D(2024, 1, 1), D(2024, 4, 30))
    assert t["maand"].to_list() == [D(2024, m, 1) for m in (1, 2, 3, 4)]
    # Jan: running 0 (paar) + 1 (from 10 Jan); the spell ending 31 Dec 2023 is gone. Feb: 1 ends on 29 Feb (uitstroom,
    # no longer in the stock at month end), 2 begins. Mar: 3 begins and ends on the 31st. Apr: nothing happens.
    assert t["bestand"].to_list() == [2, 2, 2, 2]
    assert t["instroom"].to_list() == [1, 1, 1, 0]
    assert t["uitstroom"].to_list() == [0, 1, 1, 0]
    assert t["uitstroom_werk"].to_list() == [0, 1, 0, 0]
    assert t["bestand_paar"].to_list() == [1, 1, 1, 1]
    prev = t["bestand"].shift(1)
    assert (t["bestand"] - prev - t["instroom"] + t["uitstroom"]).drop_nulls().to_list() == [0, 0, 0]


def test_trend_in_words():
    t = pl.DataFrame({"maand": [D(2024, m, 1) for m in (3, 4, 5, 6)], "bestand": [17735, 17500, 17300, 17150],
                      "instroom": [1, 1, 1, 1], "uitstroom": [1, 1, 1, 1], "uitstroom_werk": [0, 0, 0, 0]})
    tr = mon.trend(t)
    assert (tr.eerder, tr.bestand, tr.verschil, tr.richting) == (17735, 17150, -585, "dalend")
    assert tr.procent == pytest.approx(-3.2986, abs=1e-3)
    assert tr.tekst == "Dalend (−3,3 %): van 17.735 eind maart 2024 naar 17.150 eind juni 2024"
    assert mon.trend(t.head(3)) is None


def test_cbs_check_counts_both_partners_and_flags_a_large_gap():
    t = pl.DataFrame({"maand": [D(2024, 9, 1), D(2024, 12, 1)], "bestand": [1000, 800], "instroom": [0, 0],
                      "uitstroom": [0, 0], "uitstroom_werk": [0, 0], "bestand_paar": [100, 80]})
    public = pl.DataFrame({"indicator": ["bijstand_alg_personen_kwartaal", "bijstand_alg_personen_kwartaal",
                                         "bijstandsuitkeringen_maand", "onbekende_reeks"],
                           "periode": ["2024-09", "2024-12", "2024-12", "2024-09"], "waarde": [1080.0, 1000.0, 810.0, 5.0]})
    c = mon.cbs_check(t, public).sort("indicator", "maand")
    assert c["indicator"].to_list() == ["bijstand_alg_personen_kwartaal"] * 2 + ["bijstandsuitkeringen_maand"]
    # persons: 1000 + 100 paren = 1100 vs 1080 (+1,9 %); 800 + 80 = 880 vs 1000 (−12 %, flagged); uitkeringen 800 vs 810.
    assert c["eigen"].to_list() == [1100, 880, 800]
    assert c["verschil_pct"].to_list() == pytest.approx([100 * 20 / 1080, -12.0, 100 * -10 / 810])
    assert c["afwijkend"].to_list() == [False, True, False]
    # The yearly series of 2017 is compared with December 2017; no overlap -> empty.
    assert mon.cbs_check(t, public.with_columns(periode=pl.lit("2017"))).is_empty()


def test_leefvorm_mix_and_duration_profile():
    f = spells(TINY)
    mix = mon.leefvorm_mix(f, [D(2024, 1, 31), D(2024, 3, 31)])
    assert mix.filter(pl.col("peildatum") == D(2024, 1, 31))["aantal"].to_list() == [1, 0, 1]  # LEEFVORMEN order
    assert mix.filter(pl.col("peildatum") == D(2024, 3, 31))["aantal"].to_list() == [0, 1, 1]
    assert mix["aandeel"].to_list() == [50.0, 0.0, 50.0, 0.0, 50.0, 50.0]
    assert mix["leefvorm"].to_list()[:3] == list(LEEFVORMEN)
    # Completed months on 15 Nov 2024: 15 Nov 2023 -> exactly 12 (1–2 jaar), 1 Feb 2024 -> 9 (< 1 jaar).
    prof = mon.duration_profile(f, D(2024, 11, 15))
    assert dict(zip(prof["duurklasse"], prof["aantal"])) == {"< 1 jaar": 1, "1–2 jaar": 1, "2–5 jaar": 0, "5–10 jaar": 0,
                                                            "≥ 10 jaar": 0}
    old = spells([{"begin": D(2014, 11, 16)}, {"begin": D(2014, 11, 15)}, {"begin": D(2019, 12, 1)}])
    # 119, 120 and 59 completed months.
    assert mon.duration_profile(old, D(2024, 11, 15))["aantal"].to_list() == [0, 0, 1, 1, 1]


def test_public_leefvorm_mix_of_a_referentiegroep():
    rows = [("GM0001", "alleenstaande", 60), ("GM0001", "alleenstaande_ouder", 25), ("GM0001", "paar", 15),
            ("GM0002", "alleenstaande", 140), ("GM0002", "alleenstaande_ouder", 55), ("GM0002", "paar", 5),
            ("GM0003", "alleenstaande", 999)]  # incomplete: left out
    obs = pl.DataFrame({"gemeente_code": [r[0] for r in rows], "indicator": [f"bijstandsuitkeringen_{r[1]}_maand" for r in rows],
                        "periode": "2024-06", "waarde": [float(r[2]) for r in rows]})
    pub = mon.leefvorm_publiek(obs, ["GM0001", "GM0002", "GM0003"])
    assert pub["aantal"].to_list() == [200.0, 80.0, 20.0] and pub["aandeel"].to_list() == pytest.approx([200 / 3, 80 / 3, 20 / 3])
    assert pub["gemeenten"].to_list() == [2, 2, 2] and pub["maand"][0] == D(2024, 6, 1)
    assert mon.leefvorm_publiek(obs.filter(pl.col("gemeente_code") == "GM0003")).is_empty()


def test_budget_on_a_hand_made_file():
    b = mon.budget(spells(TINY), 50_000, 2024, D(2024, 4, 15))
    # Jan: 22 of 31 days × 1000; Feb: 1000 + 1500; Mar: 1500 + 1 of 31 days × 900; Apr 1–15: 15 of 30 days × 1500.
    jan, feb, mar, apr = 22 / 31 * 1000, 2500.0, 1500 + 900 / 31, 750.0
    assert b.per_maand["uitgaven"].to_list() == pytest.approx([jan, feb, mar, apr])
    assert b.gerealiseerd == pytest.approx(jan + feb + mar + apr)
    assert b.resterend == pytest.approx(8.5)
    assert b.gemiddelde == pytest.approx((jan + feb + mar) / 3)
    assert b.prognose == pytest.approx(b.gerealiseerd + (jan + feb + mar) / 3 * 8.5)
    assert b.saldo == pytest.approx(50_000 - b.prognose)
    assert b.zonder_bedrag == 1  # the paar spell has no amount
    assert "gemiddelde van januari, februari en maart 2024" in b.methode and "1 uitkering zonder bedrag" in b.methode
    assert mon.budget(spells([{"begin": D(2024, 1, 1)}]), 1000, 2024, D(2024, 6, 30)) is None


# ---- Kaplan–Meier -----------------------------------------------------------------------------------------------------
def test_kaplan_meier_against_the_freireich_6mp_data():
    """Freireich et al. (1963), Blood 21:699–716, 6-MP group (weeks; + = censored): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+
    20+ 22 23 25+ 32+ 32+ 34+ 35+ (data as listed in e.g. Le, Introductory Biostatistics, example 11.1). Expected
    product-limit estimates, Greenwood standard errors and 95 % log-log limits are the published textbook values for
    these data (e.g. R survival::survfit(..., conf.type = "log-log") on MASS::gehan, as printed in Venables & Ripley,
    MASS); each also follows by hand, e.g. S(6) = 18/21, SE = S·sqrt(3 / (21·18)) = 0.0764."""
    t = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    e = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    km = sv.kaplan_meier(t, [bool(x) for x in e]).filter(pl.col("d") > 0)
    assert km["t"].to_list() == [6, 7, 10, 13, 16, 22, 23]
    assert km["n"].to_list() == [21, 17, 15, 12, 11, 7, 6]
    assert km["s"].to_list() == pytest.approx([0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448], abs=5e-4)
    assert km["se"].to_list() == pytest.approx([0.0764, 0.0869, 0.0963, 0.1068, 0.1141, 0.1282, 0.1346], abs=5e-5)
    assert km["onder"].to_list() == pytest.approx([0.620, 0.563, 0.503, 0.432, 0.368, 0.268, 0.188], abs=5e-4)
    assert km["boven"].to_list() == pytest.approx([0.952, 0.923, 0.889, 0.849, 0.805, 0.747, 0.680], abs=5e-4)


def cohort(begin: D, n: int, leave: int, after_days: int, reden: str = "overig", **extra) -> list[dict]:
    """n spells beginning on `begin`, of which `leave` end after `after_days` days; the rest still running."""
    end = begin + dt.timedelta(days=after_days - 1)
    return ([{"begin": begin, "einde": end, "reden": reden, **extra}] * leave + [{"begin": begin, **extra}] * (n - leave))


def test_a_cohort_where_exactly_36_percent_leave_within_six_months():
    f = spells(cohort(D(2023, 3, 1), 100, 36, 90) + cohort(D(2023, 9, 1), 50, 20, 200))
    k = sv.uitstroomkans(f, D(2025, 6, 30), per="cohort", vanaf=D(2020, 1, 1))
    assert k["groep"].to_list() == ["2023"]
    row = k.row(0, named=True)
    # 150 spells; by 183 days only the 36 left (the 20 leave after 200 days): 36/150 = 24 %; by 365 days 56/150.
    assert row["kans_6"] == pytest.approx(36 / 150) and row["kans_12"] == pytest.approx(56 / 150)
    halves = sv.uitstroomkans(f, D(2025, 6, 30), per="halfjaar", vanaf=D(2020, 1, 1))
    assert halves["groep"].to_list() == ["2023 jan–jun", "2023 jul–dec"]
    assert halves["kans_6"].to_list() == pytest.approx([0.36, 0.0])
    assert halves["kans_12"].to_list() == pytest.approx([0.36, 0.40])
    assert halves["uitstroom_6"].to_list() == [36, 0] and halves["n_risico_6"].to_list() == [64, 50]
    # Binomial check of the interval: 36 % of 100 has Greenwood SE sqrt(.36 × .64 / 100) = 0.048.
    assert halves["se_6"][0] == pytest.approx(0.048)
    assert halves["onder_6"][0] < 0.36 < halves["boven_6"][0]


def test_censoring_of_running_and_late_starting_spells():
    """100 spells from 1 Jan 2024 (36 leave on day 90, 64 still running at the peildatum) and 50 that began on
    1 May 2025, two months before the peildatum 30 Jun 2025 (10 leave on day 30, 40 censored on day 61). Kaplan–Meier:
    S = 140/150 after day 30, the 40 leave the risk set on day 61, S = 140/150 × 64/100 after day 90."""
    late = D(2025, 5, 1)
    f = spells(cohort(D(2024, 1, 1), 100, 36, 90) + cohort(late, 50, 10, 30))
    k = sv.uitstroomkans(f, D(2025, 6, 30), per="totaal", vanaf=D(2020, 1, 1)).row(0, named=True)
    assert k["n"] == 150
    assert k["kans_6"] == pytest.approx(1 - 140 / 150 * 64 / 100)  # 0.4027, not the naive 46/150 = 0.3067
    assert k["kans_12"] == pytest.approx(k["kans_6"])
    assert k["uitstroom_6"] == 46 and k["n_risico_6"] == 64
    # A spell whose einde lies after the peildatum (should not pass the upload) is censored at the peildatum.
    later = spells(cohort(D(2024, 1, 1), 10, 10, 700))
    assert sv.uitstroomkans(later, D(2024, 12, 31), per="totaal", vanaf=D(2020, 1, 1))["kans_12"][0] == 0.0


def test_left_truncated_cohorts_are_left_out_by_default():
    """Spells that began before the file's period are present only if they survived into it: by default only spells
    that began on or after the first month the file covers completely count (portal.eigen.episodes.covered; six endings
    show no start, so the month of the earliest einde)."""
    f = spells(cohort(D(2010, 1, 1), 20, 0, 1) + [{"begin": D(2019, 6, 1), "einde": D(2020, 1, 15), "reden": "werk"}]
               + cohort(D(2020, 3, 1), 10, 5, 30))
    assert sv.file_start(f, D(2024, 12, 31)) == D(2020, 1, 1)
    k = sv.uitstroomkans(f, D(2024, 12, 31), per="cohort")
    assert k["groep"].to_list() == ["2020"] and k["n"][0] == 10 and k["kans_6"][0] == pytest.approx(0.5)
    everything = sv.uitstroomkans(f, D(2024, 12, 31), per="totaal", vanaf=D(2000, 1, 1))
    assert everything["kans_6"][0] == pytest.approx(5 / 31)  # the truncated cohorts pull it down


def test_uitstroom_naar_werk_treats_other_endings_as_competing():
    """10 leave for other reasons on day 20, then 10 leave for work on day 30 out of the remaining 90: the werk-kans is
    the share that left for work, 10/100 (cumulative incidence), not 10/90 (others censored); any kind is 20/100."""
    f = spells(cohort(D(2024, 1, 1), 10, 10, 20, "overig") + cohort(D(2024, 1, 1), 10, 10, 30, "werk")
               + cohort(D(2024, 1, 1), 80, 0, 1))
    werk = sv.uitstroomkans(f, D(2025, 6, 30), naar="werk", per="totaal", vanaf=D(2020, 1, 1))
    alle = sv.uitstroomkans(f, D(2025, 6, 30), naar="einde", per="totaal", vanaf=D(2020, 1, 1))
    assert werk["kans_6"][0] == pytest.approx(10 / 100) and alle["kans_6"][0] == pytest.approx(0.2)
    assert werk["uitstroom_6"][0] == 10


def test_groups_by_age_at_begin_and_fasering():
    f = spells(cohort(D(2024, 1, 1), 4, 2, 10, geboortejaar=1998, fasering="trede 1")  # 26 at begin
               + cohort(D(2024, 1, 1), 4, 1, 10, geboortejaar=1997)  # 27: second group, fasering unknown
               + cohort(D(2024, 1, 1), 5, 0, 10, geboortejaar=1979, fasering="trede 4"))  # 45
    age = sv.uitstroomkans(f, D(2024, 12, 31), per="leeftijd", vanaf=D(2020, 1, 1))
    assert dict(zip(age["groep"], age["kans_6"])) == {"tot 27": 0.5, "27 tot 45": 0.25, "45 tot AOW": 0.0}
    fas = sv.uitstroomkans(f, D(2024, 12, 31), per="fasering", vanaf=D(2020, 1, 1))
    assert dict(zip(fas["groep"], fas["n"])) == {"onbekend": 4, "trede 1": 4, "trede 4": 5}
    assert fas.filter(pl.col("groep") == "trede 4")["onder_6"][0] is None  # S = 1: no log-log interval
    cur = sv.curve(f, D(2024, 12, 31), vanaf=D(2020, 1, 1))
    assert cur["kans"].to_list() == pytest.approx([3 / 13, 3 / 13])  # day 10 event, day 366 censorings


# ---- suppression ------------------------------------------------------------------------------------------------------
def test_a_cell_of_seven_and_the_cell_that_would_reveal_it():
    mix = pl.DataFrame({"peildatum": [D(2024, 12, 31)] * 3, "leefvorm": list(LEEFVORMEN), "aantal": [53, 7, 40],
                        "aandeel": [53.0, 7.0, 40.0]})
    res = sp.shares(mix, "peildatum", "het bestand")
    assert res.frame["aantal"].to_list() == [53, None, None]
    assert res.frame["aandeel"].to_list() == [53.0, None, None]
    assert res.cellen.select("rij", "kolom", "reden").rows() == [(1, "aantal", "primair"), (2, "aantal", "secundair")]
    assert res.cellen["toelichting"].to_list() == ["minder dan 10 personen", "anders af te leiden uit het bestand op 2024-12-31"]


def test_secondary_suppression_iterates_until_stable():
    """Rows and columns with known totals: hiding 7 (row a, column x) forces 12 in column x and 40 in row a; 12 sits in
    row c, which forces 60 there; 40 sits in column y, which forces 50 in row b; row b then forces 30."""
    f = pl.DataFrame({"rij": ["a", "b", "c"], "x": [7, 30, 12], "y": [40, 50, 60]})
    rel = [(f"rij {r}", [(i, "x"), (i, "y")]) for i, r in enumerate("abc")]
    rel += [(f"kolom {c}", [(i, c) for i in range(3)]) for c in "xy"]
    res = sp.suppress(f, ["x", "y"], rel, key="rij")
    assert res.frame.select("x", "y").rows() == [(None, None), (None, None), (None, None)]
    assert sorted(res.hidden()) == [(r, c) for r in range(3) for c in "xy"]
    alone = sp.suppress(f, ["x", "y"], [], key="rij")  # no relations: only the primary cell
    assert alone.frame["x"].to_list() == [None, 30, 12]


def test_monthly_suppression_protects_the_stock_identity():
    t = pl.DataFrame({"maand": [D(2024, 1, 1), D(2024, 2, 1)], "bestand": [100, 105], "instroom": [20, 7],
                      "uitstroom": [15, 12], "uitstroom_werk": [11, 10], "bestand_paar": [5, 5]})
    res = sp.monthly(t)
    # instroom 7 in February = 105 − 100 + 12: the smallest other cell of that identity (uitstroom 12) goes too.
    assert res.frame.row(1) == (D(2024, 2, 1), 105, None, None, 10)
    assert "bestand_paar" not in res.frame.columns
    assert res.cellen.filter(pl.col("reden") == "secundair")["toelichting"][0] == (
        "anders af te leiden uit de stand, instroom en uitstroom van februari 2024")


def test_survival_suppression_hides_small_groups_and_their_complement():
    f = spells(cohort(D(2024, 1, 1), 8, 4, 10, fasering="a") + cohort(D(2024, 1, 1), 30, 12, 10, fasering="b")
               + cohort(D(2024, 1, 1), 40, 20, 10, fasering="c"))
    k = sv.uitstroomkans(f, D(2024, 12, 31), per="fasering", vanaf=D(2020, 1, 1))
    res = sp.survival(k)
    a, b, c = res.frame.rows(named=True)
    assert all(v is None for key, v in a.items() if key != "groep")  # n = 8: nothing of group a
    # b is the complement of a in every count column (n, uitstromers, still at risk), so its counts and its kans go too.
    assert b["n"] is None and b["uitstroom_6"] is None and b["kans_6"] is None
    assert c["n"] == 40 and c["kans_6"] == pytest.approx(0.5)


# ---- participants -----------------------------------------------------------------------------------------------------
def participants(codes: list[str], months: list[D], synthetisch: bool = False) -> pl.DataFrame:
    return pl.DataFrame([{"gemeente": g, "maand": m, "bestand": 100 + i, "instroom": 10, "uitstroom": 10 + i,
                          "uitstroom_werk": 5, "synthetisch": synthetisch} for i, g in enumerate(codes) for m in months])


def test_beheer_overview_per_participant():
    """Aggregates among participants: tests/test_participants.py. The beheer overview: months and latest figures."""
    months = [D(2024, 1, 1), D(2024, 2, 1)]
    f = pl.concat([participants([f"GM000{i}" for i in range(1, 7)], months), participants(["GM0007"], months[1:])])
    over = pt.beheer_overzicht(f)
    assert over.filter(pl.col("gemeente") == "GM0007")["maanden"][0] == 1
    assert over.filter(pl.col("gemeente") == "GM0003").row(0, named=True) == {
        "gemeente": "GM0003", "eerste_maand": D(2024, 1, 1), "laatste_maand": D(2024, 2, 1), "maanden": 2, "bestand": 102,
        "instroom": 10, "uitstroom": 12, "uitstroom_werk": 5}


# ---- synthetic files --------------------------------------------------------------------------------------------------
def test_synthetic_file_is_seeded_valid_and_has_the_requested_stock():
    p = D(2024, 12, 31)
    f = synth.generate("GM0153", 3000, 42, p)
    assert f.schema == pl.Schema(SPELLS)
    assert f.equals(synth.generate("GM0153", 3000, 42, p)) and not f.equals(synth.generate("GM0153", 3000, 43, p))
    assert f["synthetisch"].all() and (f["gemeente"] == "GM0153").all()
    stock = mon.monthly(f, D(2024, 12, 1), p)["bestand"][0]
    assert abs(stock - 3000) < 0.05 * 3000
    assert f.filter(pl.col("einde") < pl.col("begin")).is_empty() and f["einde"].max() <= p and f["begin"].max() <= p
    assert (f["einde"].is_null() == f["reden"].is_null()).all()
    assert set(f["leefvorm"].unique()) == set(LEEFVORMEN) and set(f["reden"].drop_nulls().unique()) == {"werk", "overig"}
    assert f["bedrag"].min() > 0 and f["bedrag"].max() <= max(synth.NORMEN_2024.values())
    # Every spell ran in the ten years before the peildatum.
    assert f.filter(pl.col("einde") < D(2014, 12, 31)).is_empty()
    k = sv.uitstroomkans(f, p, per="totaal").row(0, named=True)
    assert 0.2 < k["kans_6"] < 0.5 and k["kans_6"] < k["kans_12"] < 0.7  # plausible (the essay's Hollandstad: 36 %, 58 %)


def test_synthetic_marginals_come_from_the_gemeentes_public_figures(wh):
    m = synth.marginals(wh, "GM0153")
    obs = wh.observations("GM0153", ["bijstand_uitkeringen_algemeen", "cbs_instroom_pct_15_aow"], "nieuwste")
    assert m.bestand == round(obs.filter(pl.col("indicator") == "bijstand_uitkeringen_algemeen")["waarde"][-1])
    assert m.instroom_pct == pytest.approx(obs.filter(pl.col("indicator") == "cbs_instroom_pct_15_aow")["waarde"].mean())
    assert "CBS 85383NED" in m.bron and "aanname" in m.bron
    assert synth.marginals(wh, "GM9998") is None

"""One suppression over the whole page "Eigen bestand" (issue 18, section 1 "Within the page", and section 5): attacks
by a curious user who reads only what the page shows (every radio option and peildatum), on hand-made files whose
figures are known by construction. Each attack succeeds on the old per-table suppression (so the test can fail) and
reveals nothing on the joint one."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from portal.eigen import monitors as mon
from portal.eigen import suppress as sp
from portal.eigen import survival as sv
from portal.eigen import synth
from portal.eigen.schema import LEEFVORMEN, SPELLS

D = dt.date
CYCLE = list(LEEFVORMEN)


def spells(groups: list[tuple]) -> pl.DataFrame:
    """Per group (begin, einde, reden, leefvorm, number of clients) that many identical spells; leefvorm None cycles
    through alleenstaande, alleenstaande ouder, paar."""
    rows = []
    for begin, einde, reden, leefvorm, n in groups:
        for i in range(n):
            rows.append({"gemeente": "GM9999", "upload_id": 1, "client": f"c{len(rows)}", "begin": begin, "einde": einde,
                         "reden": reden, "leefvorm": leefvorm or CYCLE[i % 3], "geboortejaar": 1980, "geslacht": None,
                         "fasering": None, "bedrag": None, "synthetisch": False})
    return pl.DataFrame(rows, schema=SPELLS)


def months(a: tuple[int, int], b: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], a
    while (y, m) <= b:
        out.append((y, m))
        y, m = (y, m + 1) if m < 12 else (y + 1, 1)
    return out


class View:
    """What the page shows of a file: the bestandsmonitor, the leefvorm on every peildatum it offers, the duration
    profile, the uitstroomkans for every radio option and the herinstroom; `old` with each table suppressed on its own
    (before)."""

    def __init__(self, f: pl.DataFrame, peil: dt.date, old: bool = False) -> None:
        self.table = mon.monthly(f, D(peil.year - 2, peil.month, 1), peil)
        mix = mon.leefvorm_mix(f, sp.page_peildata(peil))
        prof = mon.duration_profile(f, peil)
        kans = {(per, naar): sv.uitstroomkans(f, peil, naar, per) for per in sp.PAGE_GROUPINGS for naar in sp.NAAR}
        her = mon.herinstroom(f, peil)
        if old:
            self.monthly = sp.monthly(self.table).frame
            self.leefvorm = sp.shares(mix, "peildatum", "de leefvormen").frame
            self.duur = sp.shares(prof, None, "de duurklassen").frame
            self.kans = {k: sp.survival(t).frame for k, t in kans.items()}
            cols, rel, linked = mon.herinstroom_relaties(her)
            self.herinstroom = sp.suppress(her, cols, rel, key="reden", linked=linked).frame
        else:
            self.pagina = sp.page(f, peil)
            self.monthly = self.pagina.monthly(self.table).frame
            self.leefvorm = self.pagina.leefvorm(mix).frame
            self.duur = self.pagina.duur(prof).frame
            self.kans = {(per, naar): self.pagina.survival(t, per, naar).frame for (per, naar), t in kans.items()}
            self.herinstroom = self.pagina.herinstroom(her).frame

    def month(self, y: int, m: int) -> dict:
        return self.monthly.filter(pl.col("maand") == D(y, m, 1)).row(0, named=True)

    def group(self, per: str, naar: str, groep: str) -> dict:
        return self.kans[(per, naar)].filter(pl.col("groep") == groep).row(0, named=True)


# ---- attack 1: "Instromers 2026" minus the months shown, then the stock identity -------------------------------------
PEIL = D(2026, 10, 31)


def cohort_file() -> pl.DataFrame:
    """600 uitkeringen since 2020 (200 of each leefvorm). Every month from October 2024: 20 begin on the 5th and 20 of
    the old ones end on the 20th (10 for work); March 2026 only 12 begin and 7 end (not for work)."""
    groups = [(D(2020, 1, 15), None, None, None, 600 - 24 * 20 - 7)]
    for y, m in months((2024, 10), (2026, 10)):
        march = (y, m) == (2026, 3)
        groups.append((D(y, m, 5), None, None, "alleenstaande", 12 if march else 20))
        if march:
            groups.append((D(2020, 1, 15), D(y, m, 20), "overig", None, 7))
        else:
            groups += [(D(2020, 1, 15), D(y, m, 20), "werk", None, 10), (D(2020, 1, 15), D(y, m, 20), "overig", None, 10)]
    return spells(groups)


def attack_cohort(v: View) -> tuple[int, int] | None:
    """(instroom, uitstroom) of the one hidden month of 2026, from the cohort table (any naar) and the stock identity."""
    for naar in sp.NAAR:
        n = v.group("cohort", naar, "2026")["n"]
        rows = [v.month(2026, m) for m in range(1, 11)]
        hidden = [i for i, r in enumerate(rows) if r["instroom"] is None]
        if n is None or len(hidden) != 1:
            continue
        k = hidden[0]
        instroom = n - sum(r["instroom"] for r in rows if r["instroom"] is not None)
        before = v.month(2026, k) if k else v.month(2025, 12)  # the month before (k is the 0-based index of month k + 1)
        if before["bestand"] is None or rows[k]["bestand"] is None:
            return instroom, None
        return instroom, before["bestand"] + instroom - rows[k]["bestand"]
    return None


def test_cohort_instromers_minus_the_months_shown() -> None:
    f = cohort_file()
    old = View(f, PEIL, old=True)
    assert old.month(2026, 3)["instroom"] is None and old.month(2026, 3)["uitstroom"] is None  # 12 and 7: hidden
    assert old.group("cohort", "einde", "2026")["n"] == 9 * 20 + 12
    assert attack_cohort(old) == (12, 7)  # the hidden instroom, and from it the hidden uitstroom of 7
    new = View(f, PEIL)
    assert new.month(2026, 3)["uitstroom"] is None
    assert attack_cohort(new) is None
    # The page still shows most of it: seven other months of 2026 and the bestand of every month (a third month goes
    # since the herinstroom's uitstromers within 6 months are the uitstroom of the months up to May 2026).
    assert [m for m in range(1, 11) if new.month(2026, m)["instroom"] is None] == [1, 3, 5]
    assert all(new.month(2026, m)["bestand"] is not None for m in range(1, 11))


# ---- attack 2: instromers × kans gives the uitstromers, and n − them the hidden "nog in de bijstand" ---------------------
PEIL_DEC = D(2026, 12, 31)


def kans_file() -> pl.DataFrame:
    """Cohort 2025: 30 begin on 10 June 2025, 21 leave on 1 September 2025 (11 to work), 9 are still in the bijstand
    after 12 months; everyone is followed for more than 12 months, so nobody is censored before 12 months. Cohort 2026:
    40 begin on 10 March 2026, 20 leave on 1 May 2026 (10 to work). The file is complete from 31 January 2025."""
    return spells([(D(2020, 1, 15), None, None, None, 30), (D(2020, 1, 15), D(2025, 1, 31), "overig", None, 10),
                   (D(2025, 6, 10), None, None, None, 9), (D(2025, 6, 10), D(2025, 9, 1), "werk", None, 11),
                   (D(2025, 6, 10), D(2025, 9, 1), "overig", None, 10), (D(2026, 3, 10), None, None, None, 20),
                   (D(2026, 3, 10), D(2026, 5, 1), "werk", None, 10), (D(2026, 3, 10), D(2026, 5, 1), "overig", None, 10)])


def attack_kans(v: View) -> int | None:
    """'Nog in de bijstand na 12 mnd' of cohort 2025 as n − n × kans (exact when nobody is censored before 12 months)."""
    g = v.group("cohort", "einde", "2025")
    if g["n_risico_12"] is not None or g["n"] is None or g["kans_12"] is None:
        return None
    return round(g["n"] - g["n"] * g["kans_12"])


def test_instromers_times_kans() -> None:
    f = kans_file()
    old = View(f, PEIL_DEC, old=True)
    assert attack_kans(old) == 9
    new = View(f, PEIL_DEC)
    assert attack_kans(new) is None
    assert new.pagina.hidden("kans:cohort:einde", "2025", "gecensureerd_12") is None  # 0 by definition: not a hidden cell


# ---- attack 3: the CBS comparison shows bestand + paren --------------------------------------------------------------
def test_cbs_comparison_does_not_reveal_the_paren() -> None:
    f = spells([(D(2020, 1, 15), None, None, "alleenstaande", 500), (D(2020, 1, 15), None, None, "alleenstaande_ouder", 496),
                (D(2020, 1, 15), None, None, "paar", 7)])
    public = pl.DataFrame({"indicator": ["bijstand_personen_tot_aow_maand", "bijstandsuitkeringen_maand"],
                           "periode": ["2026-10", "2026-10"], "waarde": [1000.0, 1000.0]})  # a stand-in for CBS (test input)
    v = View(f, PEIL)
    bestand = v.month(2026, 10)["bestand"]
    paar = v.leefvorm.filter((pl.col("peildatum") == PEIL) & (pl.col("leefvorm") == "paar"))["aantal"][0]
    assert (bestand, paar) == (1003, None)
    old = mon.cbs_check(v.table, public).filter(pl.col("eenheid") == "personen")["eigen"][0]
    assert old - bestand == 7  # before: the 7 hidden paren exactly
    check = mon.cbs_check(sp.cbs_input(v.table, v.pagina), public)
    assert check["eigen"].to_list() == [1010, 1000]  # personen 1.010 (1.003 + 7, rounded), uitkeringen 1.000
    eigen = check.filter(pl.col("eenheid") == "personen")["eigen"][0]
    candidates = [p for p in range(100) if (bestand + p + 5) // 10 * 10 == eigen]
    assert candidates == list(range(2, 12))  # ten values fit: the paren are not revealed
    assert check["verschil_pct"].to_list() == pytest.approx([1.0, 0.0])  # from the rounded figure, not the exact one


# ---- attack 4: the leefvormen on a peildatum add up to a bestand the monthly table hides -----------------------------
def test_leefvorm_adds_up_to_a_hidden_bestand() -> None:
    """End of July 2026 70 uitkeringen; in August 3 begin (paar) and 43 end: bestand 30, the smallest cell of August's
    stock identity, so the monthly table hides it to protect the instroom of 3. The leefvormen on 31-08-2026 are
    10 + 10 + 10."""
    f = spells([(D(2020, 1, 15), None, None, "alleenstaande", 10), (D(2020, 1, 15), None, None, "alleenstaande_ouder", 10),
                (D(2020, 1, 15), None, None, "paar", 7), (D(2026, 8, 10), None, None, "paar", 3),
                (D(2020, 1, 15), D(2026, 8, 20), "werk", "alleenstaande", 20),
                (D(2020, 1, 15), D(2026, 8, 20), "overig", "alleenstaande", 23)])

    def attack(v: View) -> int | None:
        aug, jul = v.month(2026, 8), v.month(2026, 7)
        lv = v.leefvorm.filter(pl.col("peildatum") == D(2026, 8, 31))["aantal"]
        if aug["instroom"] is not None or lv.null_count() or jul["bestand"] is None or aug["uitstroom"] is None:
            return None
        return int(lv.sum()) + aug["uitstroom"] - jul["bestand"]

    old = View(f, PEIL, old=True)
    assert old.month(2026, 8)["bestand"] is None and attack(old) == 3
    assert attack(View(f, PEIL)) is None


# ---- attack 5 (own design): uitstroom minus uitstroom naar werk, in a month and through the radio "Uitstroom" ---------
def test_other_endings_are_a_count_too() -> None:
    """Every month 24 of 300 old uitkeringen end (12 to work), June 2026 only 16 (12 to work, 4 otherwise). Of the
    20 instromers of January 2026, 12 leave to work and 3 otherwise on 1 March 2026: the tables "alle uitstroom" and
    "naar werk" (one radio apart) hold 15 and 12 uitstromers within 6 months."""
    groups = [(D(2020, 1, 15), None, None, None, 900)]
    for y, m in months((2024, 10), (2026, 10)):
        groups.append((D(y, m, 5), None, None, None, 20 if (y, m) != (2026, 1) else 5))
        groups += [(D(2020, 1, 15), D(y, m, 20), "werk", None, 12), (D(2020, 1, 15), D(y, m, 20), "overig", None, 4 if (y, m) == (2026, 6) else 12)]
    groups += [(D(2026, 1, 5), D(2026, 3, 1), "werk", None, 12), (D(2026, 1, 5), D(2026, 3, 1), "overig", None, 3)]
    f = spells(groups)

    def month_attack(v: View) -> int | None:
        r = v.month(2026, 6)
        return None if r["uitstroom"] is None or r["uitstroom_werk"] is None else r["uitstroom"] - r["uitstroom_werk"]

    def radio_attack(v: View) -> int | None:
        a, b = v.group("cohort", "einde", "2026")["uitstroom_6"], v.group("cohort", "werk", "2026")["uitstroom_6"]
        return None if a is None or b is None else a - b

    old = View(f, PEIL, old=True)
    assert (month_attack(old), radio_attack(old)) == (4, 3)
    new = View(f, PEIL)
    assert (month_attack(new), radio_attack(new)) == (None, None)
    assert new.group("cohort", "einde", "2026")["kans_6"] is None or new.group("cohort", "werk", "2026")["kans_6"] is None


# ---- section 5: one small month, and structural zeros -----------------------------------------------------------------
def test_one_small_month_hides_another_month_not_the_12_month_total() -> None:
    """Uitstroom naar werk over the last 12 months: 22 in ten months, 23 in one, 5 in April 2026 (243 + 5 = 248).
    The visitatie block's 12-month total stays visible; the page hides April and other months instead (two, since the
    herinstroom's uitstromers within 6 months minus those within 12 are the months November 2025 to April 2026)."""
    groups = [(D(2020, 1, 15), None, None, None, 1200)]
    for y, m in months((2024, 10), (2026, 10)):
        werk = 5 if (y, m) == (2026, 4) else 23 if (y, m) == (2026, 9) else 22
        groups += [(D(y, m, 5), None, None, None, 40), (D(2020, 1, 15), D(y, m, 20), "werk", None, werk),
                   (D(2020, 1, 15), D(y, m, 20), "overig", None, 15)]
    f = spells(groups)
    v = View(f, PEIL)
    assert v.pagina.hidden("visitatie", "12 maanden", "uitstroom_werk") is None
    assert int(v.table["uitstroom_werk"].tail(12).sum()) == 248
    last12 = v.monthly.tail(12)
    hidden = last12.filter(pl.col("uitstroom_werk").is_null())["maand"].to_list()
    assert hidden == [D(2025, 11, 1), D(2026, 4, 1), D(2026, 5, 1)]
    assert 248 - last12["uitstroom_werk"].sum() == 5 + 22 + 22  # the total reveals only three hidden months together


def structural_file() -> pl.DataFrame:
    """Peildatum 31-12-2026, history from January 2020 (83 months: no uitkering can be 10 years old). Running:
    30 since 2020 (5–10 jaar), 20 since June 2023 (2–5 jaar), 15 of cohort 2025 (1–2 jaar) and 30 of cohort 2026
    (< 1 jaar: 20 since March, 10 since October; nobody of them can be followed for 12 months). Of cohort 2025 12 left to work and 10 otherwise on
    1 September 2025, of cohort 2026 10 and 10 on 1 May 2026."""
    return spells([(D(2020, 1, 15), None, None, None, 30), (D(2020, 1, 15), D(2024, 12, 31), "overig", None, 10),
                   (D(2023, 6, 10), None, None, None, 20), (D(2025, 6, 10), None, None, None, 15),
                   (D(2025, 6, 10), D(2025, 9, 1), "werk", None, 12), (D(2025, 6, 10), D(2025, 9, 1), "overig", None, 10),
                   (D(2026, 3, 10), None, None, None, 20), (D(2026, 3, 10), D(2026, 5, 1), "werk", None, 10),
                   (D(2026, 3, 10), D(2026, 5, 1), "overig", None, 10), (D(2026, 10, 10), None, None, None, 10)])


def test_a_structural_zero_is_shown_and_forces_nothing() -> None:
    f = structural_file()
    old = View(f, PEIL_DEC, old=True)
    assert old.duur["aantal"].to_list() == [30, None, 20, 30, None]  # ≥ 10 jaar (0) hidden, and 15 with it
    assert old.group("cohort", "einde", "2025")["n_risico_12"] is None  # ... and 15 hidden for cohort 2026's 0
    new = View(f, PEIL_DEC)
    assert new.duur["aantal"].to_list() == [30, 15, 20, 30, 0]
    assert (new.group("cohort", "einde", "2025")["n_risico_12"], new.group("cohort", "einde", "2026")["n_risico_12"]) == (15, 0)
    assert new.pagina.cellen.filter(pl.col("tabel") == "duur")["reden"].null_count() == 5


# ---- the pattern does not depend on what the user picks; cost ------------------------------------------------------
def test_pattern_is_the_same_for_every_choice_and_matches_the_tables() -> None:
    peil = D(2024, 12, 31)
    f = synth.generate("GM0339", 120, 3, peil)  # synthetisch: a small gemeente (120 uitkeringen)
    pg = sp.page(f, peil)
    all_dates = sp.page_peildata(peil)
    full = pg.leefvorm(mon.leefvorm_mix(f, all_dates)).frame
    for pick in ([peil], all_dates[::7], all_dates[-3:]):
        part = pg.leefvorm(mon.leefvorm_mix(f, sorted(pick))).frame
        assert part.equals(full.filter(pl.col("peildatum").is_in(pick)))
    # The pattern's cells are the page's figures: leefvorm on all 60 peildata, the months, every kans table.
    cells = pg.cellen.filter(pl.col("tabel") == "leefvorm").select(pl.col("rij"), pl.col("waarde"))
    mix = mon.leefvorm_mix(f, all_dates).select(
        rij=pl.col("peildatum").cast(pl.String) + " " + pl.col("leefvorm"), waarde=pl.col("aantal"))
    assert cells.sort("rij").equals(mix.sort("rij"))
    by_month = pg.cellen.filter((pl.col("tabel") == "maand") & pl.col("getoond")).pivot("kolom", index="rij", values="waarde")
    table = mon.monthly(f, D(2022, 12, 1), peil)
    assert by_month.select(list(sp.FLOWS)).rows() == table.select(list(sp.FLOWS)).rows()
    assert pg.cost()["cellen"] == 100 + 3 + 180 + 5 + 12 + sum(  # 12: herinstroom (3 redenen, 2 counts, 2 horizons)
        5 * sv.uitstroomkans(f, peil, naar, per).height for per in sp.PAGE_GROUPINGS for naar in sp.NAAR)


def test_page_and_visitatie_block_use_the_page_layout() -> None:
    from portal import visitatie_eigen
    from portal.ui import eigen_bestand as eigen_ui

    assert tuple(eigen_ui.PER) == sp.PAGE_GROUPINGS
    assert eigen_ui.MONTHS_SHOWN == sp.PAGE_MONTHS == visitatie_eigen.PAGE_YEARS * 12


def small_counts_determined(f: pl.DataFrame, peil: dt.date, extra=None) -> list[tuple]:
    """An attacker with linear algebra: every relation of the pattern at once over every unknown (hidden or internal)
    cell, without the solver's shortcuts; the counts under 10 that come out exactly. extra: as suppress.page's."""
    import numpy as np

    grids = []
    real = sp._finish
    sp._finish = lambda g, m: (grids.append(g), real(g, m))[1]
    try:
        pg = sp.page(f, peil, extra=extra)
    finally:
        sp._finish = real
    g = grids[0]
    hidden = {g.index[k] for k in pg.hidden_keys}
    unknown = [i for i in range(len(g.keys)) if not g.structural[i] and (not g.shown[i] or i in hidden)]
    col = {c: j for j, c in enumerate(unknown)}
    rows = []
    for _, lhs, rhs in g.relations:
        row = np.zeros(len(unknown))
        for cells, sign in ((lhs, 1), (rhs, -1)):
            for c in cells:
                if c in col:
                    row[col[c]] += sign
        if row.any():
            rows.append(row)
    _, s, vt = np.linalg.svd(np.array(rows), full_matrices=False)
    vt = vt[: int((s > 1e-9 * s.max()).sum())]
    return [(g.keys[c], g.value[c]) for j, c in enumerate(unknown)
            if (vt[:, j] ** 2).sum() > 1 - 1e-9 and g.value[c] < 10]


def twelve_minus_eleven_file() -> pl.DataFrame:
    """Peildatum 30-11-2026: the last 12 months are December 2025 to November 2026, cohort 2026 is January to November.
    Every month 20 begin and 20 of 700 old uitkeringen end (10 to work); December 2025 only 3 begin."""
    groups = [(D(2020, 1, 15), None, None, None, 700 - 25 * 20)]
    for y, m in months((2024, 11), (2026, 11)):
        groups += [(D(y, m, 5), None, None, None, 3 if (y, m) == (2025, 12) else 20),
                   (D(2020, 1, 15), D(y, m, 20), "werk", None, 10), (D(2020, 1, 15), D(y, m, 20), "overig", None, 10)]
    return spells(groups)


@pytest.mark.parametrize("make, peil", [(cohort_file, PEIL), (kans_file, PEIL_DEC), (structural_file, PEIL_DEC),
                                        (twelve_minus_eleven_file, D(2026, 11, 30)),
                                        (lambda: herinstroom_file(), D(2026, 11, 30)),
                                        (lambda: synth.generate("GM0096", 10, 5, D(2026, 11, 30)), D(2026, 11, 30))])
def test_no_small_count_follows_from_all_relations_together(make, peil) -> None:
    """The cell-by-cell rule misses combinations (e.g. the 12-month total minus the instromers of the year that has
    eleven of those months gives the twelfth); the solver's exact check must leave none."""
    assert small_counts_determined(make(), peil) == []


# ---- attack 6: the herinstroom table's uitstromers are the monthly uitstroom of its period ----------------------------
PEIL_NOV = D(2026, 11, 30)  # followed 6 months: endings up to 31-05-2026; 12 months: up to 30-11-2025 (month ends)


def herinstroom_file() -> pl.DataFrame:
    """From November 2024 every month 20 begin and 20 of 700 old uitkeringen end on the 20th (10 to work, 10 otherwise);
    of those who left in December 2024, 10 of each reden are back on 5 March 2025 and stay, so nobody ends twice. To
    work: 12 a month from December 2025 to May 2026, but 4 in March 2026, and 3 in February 2025. The file covers
    November 2024 on (its first endings), as does the bestandsmonitor."""
    groups = [(D(2020, 1, 15), None, None, None, 700 - 25 * 20)]
    for y, m in months((2024, 11), (2026, 11)):
        werk = {(2025, 2): 3, (2026, 3): 4}.get((y, m), 12 if (2025, 12) <= (y, m) <= (2026, 5) else 10)
        groups += [(D(y, m, 5), None, None, None, 20), (D(2020, 1, 15), D(y, m, 20), "werk", None, werk),
                   (D(2020, 1, 15), D(y, m, 20), "overig", None, 10)]
    f = spells(groups)
    back = pl.concat([f.filter((pl.col("einde") == D(2024, 12, 20)) & (pl.col("reden") == r)).head(10) for r in ("werk", "overig")])
    return pl.concat([f, back.with_columns(begin=pl.lit(D(2025, 3, 5)), einde=pl.lit(None, dtype=pl.Date),
                                           reden=pl.lit(None, dtype=pl.String))]).sort("client", "begin")


def attack_herinstroom(v: View) -> dict[tuple[int, int], int]:
    """Hidden months of uitstroom naar werk that follow from the herinstroom table: uitstromers (werk) within 12 months
    are the endings from the first month covered up to tot_12; those within 6 months minus those within 12 the endings
    after tot_12 up to tot_6 (nobody ends twice). Reads the table, its caption's periods and the bestandsmonitor."""
    h = v.herinstroom.filter(pl.col("reden") == "werk").row(0, named=True)
    found = {}
    for total, lo, hi in ((h["uitstromers_12"], h["van"], h["tot_12"]),
                          (None if h["uitstromers_6"] is None or h["uitstromers_12"] is None else h["uitstromers_6"] - h["uitstromers_12"],
                           h["tot_12"], h["tot_6"])):
        rows = v.monthly.filter((pl.col("maand") >= lo.replace(day=1)) & (pl.col("maand") <= hi))
        rows = rows.filter(pl.col("maand") > lo) if lo == h["tot_12"] else rows
        hidden = rows.filter(pl.col("uitstroom_werk").is_null())["maand"].to_list()
        if total is not None and len(hidden) == 1:
            found[(hidden[0].year, hidden[0].month)] = total - int(rows["uitstroom_werk"].sum())
    return found


def test_herinstroom_uitstromers_are_a_sum_of_months() -> None:
    f = herinstroom_file()
    t = mon.herinstroom(f, PEIL_NOV)
    assert (t["van"][0], t["tot_6"][0], t["tot_12"][0]) == (D(2024, 11, 1), D(2026, 5, 31), D(2025, 11, 30))
    assert t["uitstromers_12"].to_list() == [12 * 10 + 3, 13 * 10, 13 * 10 + 12 * 10 + 3]
    assert t["uitstromers_6"].to_list() == [123 + 5 * 12 + 4, 130 + 60, 313 + 64]
    old = View(f, PEIL_NOV, old=True)
    assert attack_herinstroom(old) == {(2025, 2): 3, (2026, 3): 4}
    new = View(f, PEIL_NOV)
    assert new.month(2025, 2)["uitstroom_werk"] is None and new.month(2026, 3)["uitstroom_werk"] is None
    assert attack_herinstroom(new) == {}
    assert small_counts_determined(f, PEIL_NOV) == []

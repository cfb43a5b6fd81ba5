"""Disclosure control of the benchmark among participants (portal.eigen.participants, issue 18): releases with fixed
contributors, frozen until at least five gemeenten changed, files that do not cover the window left out, suppressed and
rounded cells. Each attack is played as a curious gemeente user would: combine what is shown, and fail to isolate."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from portal.eigen import participants as pt
from portal.eigen.schema import MIN_CELL

D = dt.date
VAN, TOT = D(2026, 1, 1), D(2026, 3, 1)
MONTHS = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
EIGEN = "GM0001"
SECRET = b"test-key"


def figures(g: str, u: int) -> pl.DataFrame:
    """A participant's monthly table, different per gemeente and per upload; stock identity holds. Upload 11 is the next
    month's file of upload 1: the same history (the same figures in these months)."""
    k = int(g[2:]) + 101 * (u % 10)  # another upload changes every count
    rows, stock = [], 200 + 7 * k
    for m in MONTHS:
        ins, outs = 20 + k % 9, 18 + k % 7
        stock += ins - outs
        rows.append({"maand": m, "bestand": stock, "instroom": ins, "uitstroom": outs, "uitstroom_werk": 4 + k % 5})
    return pl.DataFrame(rows)


def uploads(codes: list[str], ids: dict[str, int] | None = None, van: str = "2024-01", tot: str = "2026-03") -> dict[str, dict]:
    return {g: {"id": (ids or {}).get(g, 1), "maand_van": van, "maand_tot": tot} for g in codes}


def others(n: int, start: int = 2) -> list[str]:
    return [f"GM{i:04d}" for i in range(start, start + n)]


def run(ups: dict[str, dict], earlier: list[pt.Release], groepen=None, tijd: str = "2026-12-01T10:00:00"):
    groepen = groepen or {pt.ALLE: None}
    res, new = pt.publish(groepen, {EIGEN: {"id": 9, "maand_van": "2020-01", "maand_tot": "2026-03"}, **ups}, EIGEN, VAN, TOT,
                          earlier, figures, tijd, SECRET)
    # what is stored is read back the way the page reads it
    return res, earlier + [pt.from_row({**pt.to_row(r)}) for r in new]


def visible(res, groep: str = pt.ALLE) -> pl.DataFrame | None:
    rel, _ = res[groep]
    return None if rel is None else pt.shown(rel)[0]


def test_differencing_over_time_a_new_participant_changes_nothing_until_five_have_changed():
    six = others(6)
    first, stored = run(uploads(six), [])
    before = visible(first)
    assert before["gemeenten"].to_list() == [6, 6, 6]
    # A seventh gemeente uploads: 'after minus before' would be its figures. The page keeps the stored release.
    seventh, stored = run(uploads(others(7)), stored, tijd="2026-12-02T10:00:00")
    after = visible(seventh)
    assert after.equals(before) and len(stored) == 1
    assert seventh[pt.ALLE][1] is None  # the same six, the same figures: not even a sign that someone joined
    # Four of the first six replace their upload: with the seventh, five gemeenten differ from the first release.
    ids = {g: 2 for g in six[:4]}
    res, stored = run(uploads(others(7), ids), stored, tijd="2026-12-03T10:00:00")
    assert len(stored) == 2 and visible(res)["gemeenten"].to_list() == [7, 7, 7]
    # The difference of the two releases mixes five gemeenten's figures in every count: never one gemeente's.
    assert set(pt.verschillen(stored[0].sporen, stored[1].sporen)) == {5}
    # Going back (the seventh deletes its upload) would differ from the second release in one gemeente: refused.
    res, stored = run(uploads(six, ids), stored, tijd="2026-12-04T10:00:00")
    assert len(stored) == 2 and res[pt.ALLE][0].versie == 2


def test_a_group_that_differs_from_another_in_one_gemeente_is_not_shown():
    seven = others(7)
    groepen = {pt.ALLE: None, pt.KLASSE: seven[:6]}  # 'alle' minus 'klasse' would be GM0008 alone
    res, stored = run(uploads(seven), [], groepen)
    assert res[pt.ALLE][0] is not None and res[pt.KLASSE][0] is None and "geen stand" in res[pt.KLASSE][1]
    # Also later, in another order, and after 'alle' changed by one: the class total never appears next to a set one away.
    res, stored = run(uploads(seven), stored, {pt.KLASSE: seven[:6], pt.ALLE: None})
    assert res[pt.KLASSE][0] is None
    # A class of five of twelve: 'alle' minus 'klasse' covers seven gemeenten, both shown.
    twelve = others(12, start=20)
    res, _ = run(uploads(twelve), [], {pt.ALLE: None, pt.KLASSE: twelve[:5]})
    assert visible(res)["gemeenten"][0] == 12 and visible(res, pt.KLASSE)["gemeenten"][0] == 5


def test_a_file_that_does_not_cover_the_window_does_not_count():
    """A file ending before the window's last month would add a frozen stock without flows; one starting inside the
    window only its survivors before that month. Neither counts; the note says how many were left out."""
    ups = uploads(others(5))
    ups["GM0010"] = {"id": 1, "maand_van": "2024-01", "maand_tot": "2026-02"}  # ends before March 2026
    ups["GM0011"] = {"id": 1, "maand_van": "2026-02", "maand_tot": "2026-03"}  # complete only from February
    res, _ = run(ups, [])
    rel, note = res[pt.ALLE]
    assert {g for g, _ in rel.bijdragers} == set(others(5)) and note is None
    assert rel.cijfers["bestand"].to_list() == [sum(figures(g, 1)["bestand"][i] for g in others(5)) for i in range(3)]
    del ups["GM0002"]
    res, _ = run(ups, [])
    assert res[pt.ALLE][0] is None and res[pt.ALLE][1].startswith("Te weinig deelnemers: voor deze vergelijking hebben minder dan 5")


def test_shown_cells_are_suppressed_and_rounded_and_rates_come_from_the_rounded_counts():
    rel = pt.Release(pt.ALLE, 1, "2026-12-01T10:00:00", VAN, TOT, frozenset((g, 1) for g in others(6)), {}, pl.DataFrame({
        "maand": MONTHS, "bestand": [130, 135, 127], "instroom": [12, 11, 4], "uitstroom": [9, 6, 12],
        "uitstroom_werk": [3, 14, 2]}))
    frame, res = pt.shown(rel)
    assert frame["bestand"].to_list() == [130, 140, 130]
    # Under 10 (primary): uitstroom January 9 and February 6, instroom March 4, uitstroom naar werk 3 and 2. With the stock
    # identity the smallest other cell of February (instroom 11) and of March (uitstroom 12) goes too.
    assert frame["instroom"].to_list() == [10, None, None] and frame["uitstroom"].to_list() == [None, None, None]
    assert frame["uitstroom_werk"].to_list() == [None, 10, None]
    for c in pt.COUNTS:
        assert all(v % 10 == 0 and v >= MIN_CELL for v in frame[c].drop_nulls())
    # a rate needs every count of its denominator: none here
    assert frame["instroom_pct"].null_count() == 3
    # rates come from the shown (rounded) counts, so they add no precision
    big = run(uploads(others(6)), [])[0][pt.ALLE][0]
    shown = pt.shown(big)[0].row(1, named=True)
    begin = shown["bestand"] - shown["instroom"] + shown["uitstroom"]
    assert shown["uitstroom_werk_pct"] == pytest.approx(shown["uitstroom_werk"] / begin * 100)
    assert big.cijfers["uitstroom_werk"][1] % 10 != 0  # the exact sum is not a multiple of ten; what is shown is
    assert res.cellen.filter(pl.col("reden") == "primair").height == 5 and res.cellen.height == 7


def test_release_round_trip_through_the_table_row():
    rel = run(uploads(others(5)), [])[0][pt.ALLE][0]
    back = pt.from_row({**pt.to_row(rel)})
    assert (back.groep, back.versie, back.tijd, back.van, back.tot, back.bijdragers, back.sporen) == (
        rel.groep, rel.versie, rel.tijd, rel.van, rel.tot, rel.bijdragers, rel.sporen)
    assert back.cijfers.equals(rel.cijfers)


def test_deleting_an_upload_withdraws_the_totals_that_rest_on_it(tmp_path):
    """What a gemeente deletes leaves no figure behind; the withdrawn release still blocks a total one gemeente away."""
    from portal.eigen.store import Eigenbestand
    from tests.test_page_eigen import spells as made

    db = Eigenbestand(tmp_path / "eigen.db")
    ends = [(D(2023, 1, 5), D(2025 + m // 12, m % 12 + 1, 10), "overig", 1) for m in range(15)]  # one ending a month
    ids = {g: db.save(g, f"{g}.csv", made(g, [(D(2023, 1, 5), None, None, 12), *ends]), D(2026, 3, 31), "test")
           for g in others(6)}
    ups = {g: db.current(g) for g in ids}
    res, new = pt.publish({pt.ALLE: None}, ups, EIGEN, VAN, TOT, [], figures, "2026-12-01T10:00:00", SECRET)
    db.add_releases(EIGEN, [pt.to_row(r) for r in new])
    db.delete("GM0003", ids["GM0003"], "test")
    stored = [pt.from_row(r) for r in db.releases(EIGEN)]
    assert len(stored) == 1 and stored[0].cijfers is None and len(stored[0].sporen) == 6
    ups = {g: db.current(g) for g in ids if g != "GM0003"}
    res, new = pt.publish({pt.ALLE: None}, ups, EIGEN, VAN, TOT, stored, figures, "2026-12-02T10:00:00", SECRET)
    assert res[pt.ALLE][0] is None and not new and res[pt.ALLE][1].startswith("Er is nu geen stand te tonen.")


def test_monthly_refreshes_do_not_count_as_change_a_newcomer_or_leaver_stays_hidden():
    """The independent check's attack: four participants send their next monthly file (new upload, the same history)
    and one gemeente joins. By upload ids that is five changes; by figures it is one, so no release may show it."""
    six = others(6)
    _, stored = run(uploads(six), [])
    refreshed = {g: 11 for g in six[:4]}  # the next month's files: same figures for these months
    res, stored = run(uploads([*six, "GM0020"], refreshed), stored, tijd="2026-12-02T10:00:00")
    assert len(stored) == 1 and {g for g, _ in res[pt.ALLE][0].bijdragers} == set(six)
    # Over a later window the six get new months; the newcomer still waits (a release without it is shown).
    res, new = pt.publish({pt.ALLE: None}, uploads([*six, "GM0020"], refreshed, tot="2026-04"), EIGEN, D(2026, 2, 1),
                          D(2026, 4, 1), stored, figures, "2026-12-03T10:00:00", SECRET)
    assert len(new) == 1 and {g for g, _ in new[0].bijdragers} == set(six)
    # A leaver: the other five refresh, one stops. No release without it (old minus new would be its figures).
    res, new = pt.publish({pt.ALLE: None}, uploads(six[:5], {g: 11 for g in six[:5]}), EIGEN, VAN, TOT, stored, figures,
                          "2026-12-04T10:00:00", SECRET)
    assert not new and res[pt.ALLE][0] is stored[0]
    # Five newcomers at once: every shared count differs in five gemeenten, so the larger release is shown.
    newcomers = [f"GM{i:04d}" for i in range(20, 25)]
    res, new = pt.publish({pt.ALLE: None}, uploads([*six, *newcomers], refreshed), EIGEN, VAN, TOT, stored, figures,
                          "2026-12-05T10:00:00", SECRET)
    assert len(new) == 1 and len(new[0].bijdragers) == 11 and set(pt.verschillen(stored[0].sporen, new[0].sporen)) == {5}


def test_the_stock_before_a_later_window_is_compared_too():
    """A release over February–March shows the stock at the end of January through bestand − instroom + uitstroom of
    February; with one gemeente more than a release over January alone, that would give its January stock."""
    six = others(6)
    res, new = pt.publish({pt.ALLE: None}, uploads(six), EIGEN, VAN, VAN, [], figures, "2026-12-01T10:00:00", SECRET)
    res, new = pt.publish({pt.ALLE: None}, uploads(others(7)), EIGEN, D(2026, 2, 1), TOT, new, figures,
                          "2026-12-02T10:00:00", SECRET)
    assert len(new) == 1 and {g for g, _ in new[0].bijdragers} == set(six)  # without the newcomer
    keys = set(pt.sporen(figures("GM0002", 1).filter(pl.col("maand") >= D(2026, 2, 1)), SECRET))
    assert "2026-01/bestand" in keys and "2026-01/instroom" not in keys


def test_four_releases_that_differ_pairwise_in_five_cannot_be_combined_to_one_gemeente():
    """The second independent check's attack: B; B + P; B + Q (P deleted); B + P + Q + X. Every pair differs in at least
    five gemeenten, yet R3 − R1 − R2 + R0 = X. The last release is refused; the page keeps B + Q."""
    b, p, q = others(5), others(5, start=10), others(5, start=20)
    x = "GM0030"
    _, stored = run(uploads(b), [])
    _, stored = run(uploads([*b, *p]), stored, tijd="2026-12-02T10:00:00")
    withdrawn = pt.Release(**{**stored[-1].__dict__, "cijfers": None})  # P deleted its uploads: the release is withdrawn
    _, stored = run(uploads([*b, *q]), [*stored[:-1], withdrawn], tijd="2026-12-03T10:00:00")
    assert len(stored) == 3 and all(5 <= n for a in stored for c in stored if a is not c for n in pt.verschillen(a.sporen, c.sporen))
    res, after = run(uploads([*b, *p, *q, x]), stored, tijd="2026-12-04T10:00:00")
    assert len(after) == 3 and res[pt.ALLE][0] is stored[-1]
    # Pairwise it would have passed: every difference with the earlier three is five gemeenten or more ...
    four = {g: pt.sporen(figures(g, 1), SECRET) for g in [*b, *p, *q, x]}
    assert not any(pt.botst(four, r.sporen) for r in stored)
    # ... but the four together isolate X (and three of them do not).
    assert pt.bepaald([r.sporen for r in stored] + [four]) and not pt.bepaald([r.sporen for r in stored])

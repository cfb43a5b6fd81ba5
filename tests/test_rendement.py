"""Rendementmeters (issue 22 part 4, portal.eigen.rendement): a small file computed by hand, censoring, a simulated file
with a known effect (found within the interval) and one without (no verdict, while a naive comparison shows a
difference), the suppression of small groups, and the section on the page "Eigen bestand"."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from portal.eigen import episodes, rendement, rendement_sim, suppress
from portal.eigen.bus import VOORZIENING_SCHEMA
from portal.eigen.schema import SPELLS

D = dt.date
VAN, PEIL = D(2024, 1, 1), D(2024, 12, 31)
COLS = ("client", "begin", "einde", "reden", "leefvorm", "geboortejaar")


def _spells(rows: list[tuple]) -> pl.DataFrame:
    """(client, einde, reden): an alleenstaande born in 1990 in the bijstand since 1 September 2023."""
    return pl.DataFrame([{"client": c, "begin": D(2023, 9, 1), "einde": e, "reden": r, "leefvorm": "alleenstaande",
                          "geboortejaar": 1990} for c, e, r in rows], schema={k: SPELLS[k] for k in COLS})


def _vz(rows: list[tuple], ladder: int | None = None) -> pl.DataFrame:
    return pl.DataFrame([{"client": c, "type": t, "begin": b, "ladder": ladder} for c, t, b in rows],
                        schema={"client": pl.String, "type": pl.String, "begin": pl.Date, "ladder": pl.Int32}).with_columns(
        *[pl.lit(None).cast(t).alias(c) for c, t in VOORZIENING_SCHEMA.items() if c not in ("client", "type", "begin", "ladder")]
    ).select(list(VOORZIENING_SCHEMA)).cast(VOORZIENING_SCHEMA)


# Everybody in the same cell (duration 6–9 months, 27 tot 45, alleenstaande, trede onbekend) in March and April 2024.
HAND = _spells([("T1", D(2024, 5, 15), "werk"), ("T2", None, None), ("T3", D(2024, 6, 10), "overig"), ("C1", None, None),
                ("C2", D(2024, 7, 20), "werk"), ("C3", D(2024, 10, 5), "werk"), ("C4", D(2024, 3, 15), "werk"),
                ("C5", None, None), ("T5", None, None)])
HAND_VZ = _vz([("T1", "06", D(2024, 3, 10)), ("T2", "06", D(2024, 3, 20)), ("T3", "06", D(2024, 4, 5)),
               ("C5", "06", D(2024, 4, 10)), ("T5", "06", D(2024, 7, 10)), ("C1", "03", D(2024, 2, 1))])


def test_hand_computed_example() -> None:
    """March: deelnemers T1 (werk in May) and T2; controls everybody else in the bijstand at the end of March who had
    not started 06: C1, C2 (werk in July), C3 (werk in October: not within Apr–Sep), C5 (starts in April), T3 (starts
    in April), T5 (starts in July) -> 1 of 6 to work, p = 1/6. C4 left in March: no control. April: deelnemers T3 and
    C5; controls C1, C2, C3 (both to work within May–Oct), T5 -> p = 2/4. C1 has another voorziening (03): still a
    control (without THIS type). T5 starts in July: no 6 months to the peildatum (censored)."""
    r = rendement.rendementmeters(HAND, HAND_VZ, PEIL, VAN, types=("06",))
    row = r.meter("06", 6).row(0, named=True)
    assert (row["gestart"], row["vergeleken"], row["werk"]) == (4, 4, 1)
    assert (row["vergelijking"], row["vergelijking_werk"]) == (6, 2)  # C1, C2, C3, C5, T3, T5; C2 and C3 to work
    share_c = (2 * (1 / 6) + 2 * (2 / 4)) / 4
    assert row["aandeel"] == pytest.approx(25.0)
    assert row["aandeel_vergelijking"] == pytest.approx(share_c * 100)
    att = 0.25 - share_c
    assert row["verschil"] == pytest.approx(att * 100)
    # se by hand: per person (deelnemer term Y − p − att) minus (its control terms (n_t/N_c)(Y − p) over months)
    a = {"T1": 1 - 1 / 6 - att, "T2": -1 / 6 - att, "T3": -2 / 4 - att, "C5": -2 / 4 - att}
    g_mar, g_apr = 2 / 6, 2 / 4
    b = {"C1": g_mar * (0 - 1 / 6) + g_apr * (0 - 2 / 4), "C2": g_mar * (1 - 1 / 6) + g_apr * (1 - 2 / 4),
         "C3": g_mar * (0 - 1 / 6) + g_apr * (1 - 2 / 4), "C5": g_mar * (0 - 1 / 6), "T3": g_mar * (0 - 1 / 6),
         "T5": g_mar * (0 - 1 / 6) + g_apr * (0 - 2 / 4)}
    se = math.sqrt(sum((a.get(p, 0) - b.get(p, 0)) ** 2 for p in {*a, *b})) / 4
    assert row["se"] == pytest.approx(se * 100)
    assert row["onder"] == pytest.approx((att - 1.959963984540054 * se) * 100)
    assert rendement.oordeel(row["onder"], row["boven"]) == "geen aantoonbaar verschil"
    # every deelnemer is in the same client group; the other groups are empty
    duur = r.meter("06", 6, "duur")
    assert duur.filter(pl.col("groep") == "< 1 jaar")["verschil"][0] == pytest.approx(att * 100)
    assert duur.filter(pl.col("groep") != "< 1 jaar")["gestart"].sum() == 0
    assert r.meter("06", 6, "ladder").filter(pl.col("groep") == "onbekend")["vergeleken"][0] == 4


def test_censoring_only_starts_with_the_whole_horizon_before_the_peildatum() -> None:
    r = rendement.rendementmeters(HAND, HAND_VZ, PEIL, VAN, types=("06",))
    assert r.meter("06", 12)["gestart"][0] == 0  # no start in 2024 has 12 months to 31-12-2024
    later = rendement.rendementmeters(HAND, HAND_VZ, D(2025, 1, 31), VAN, types=("06",))
    assert later.meter("06", 6)["gestart"][0] == 5  # with one month more, T5 (July) counts as well
    # an ending in the start month itself is no outcome and the starter is no deelnemer (not in the bijstand at its end)
    same = _spells([("X", D(2024, 3, 25), "werk")])
    r2 = rendement.rendementmeters(pl.concat([HAND, same]), pl.concat([HAND_VZ, _vz([("X", "06", D(2024, 3, 5))])]), PEIL, VAN,
                                   types=("06",))
    assert r2.meter("06", 6)["gestart"][0] == 4


def test_ladder_is_matched_where_known_and_only_from_when_it_is_known() -> None:
    """A deelnemer on trede 3 is compared only with clients known to be on trede 3 in that month: a client whose
    position is known only from a voorziening that starts later is 'onbekend' until then."""
    spells = _spells([("A", None, None), ("B", D(2024, 6, 1), "werk"), ("C", D(2024, 6, 1), "werk")])
    vz = pl.concat([_vz([("A", "06", D(2024, 3, 10))], ladder=3), _vz([("B", "99", D(2024, 2, 1))], ladder=3),
                    _vz([("C", "99", D(2024, 5, 1))], ladder=3)])
    row = rendement.rendementmeters(spells, vz, PEIL, VAN, types=("06",)).meter("06", 6).row(0, named=True)
    assert (row["vergeleken"], row["vergelijking"], row["aandeel_vergelijking"]) == (1, 1, 100.0)  # B only, not C


def test_empty_files_and_windows_give_empty_meters() -> None:
    for spells, vz, peil, van in [(HAND, HAND_VZ.head(0), PEIL, VAN), (HAND.head(0), HAND_VZ, PEIL, VAN),
                                  (HAND.head(0), HAND_VZ.head(0), PEIL, VAN), (HAND, HAND_VZ, D(2030, 12, 31), D(2030, 1, 1)),
                                  (HAND, HAND_VZ, D(2024, 1, 31), VAN)]:
        t = rendement.rendementmeters(spells, vz, peil, van).tabel
        assert t.height and t["gestart"].sum() == 0 and t["verschil"].is_null().all()
    with pytest.raises(ValueError):
        rendement.rendementmeters(HAND, HAND_VZ, D(2023, 12, 31), VAN)


@pytest.fixture(scope="module")
def met_effect() -> rendement_sim.Simulatie:
    return rendement_sim.simuleer(40_000, {"06": (0.015, 2.0), "99": (0.03, 1.0)}, seed=1)


@pytest.fixture(scope="module")
def zonder_effect() -> rendement_sim.Simulatie:
    return rendement_sim.simuleer(40_000, {"06": (0.015, 1.0), "99": (0.03, 1.0)}, seed=1)


@pytest.mark.parametrize("h", [6, 12])
def test_a_known_effect_is_found_within_its_interval(met_effect, h: int) -> None:
    sim = met_effect
    r = rendement.rendementmeters(sim.spells, sim.voorzieningen, sim.peil, sim.van, types=("06",))
    row = r.meter("06", h).row(0, named=True)
    true = sim.waar[("06", h)]
    assert true > 8  # the werk hazard doubled after the start
    assert row["onder"] <= true <= row["boven"], (true, row)
    assert rendement.oordeel(row["onder"], row["boven"]) == "hoger dan vergelijkbare cliënten"
    assert row["vergeleken"] > 2000 and row["vergelijking"] > 4000


@pytest.mark.parametrize("h", [6, 12])
def test_no_effect_gives_no_verdict_although_a_naive_comparison_differs(zonder_effect, h: int) -> None:
    sim = zonder_effect
    r = rendement.rendementmeters(sim.spells, sim.voorzieningen, sim.peil, sim.van, types=("06",))
    row = r.meter("06", h).row(0, named=True)
    assert sim.waar[("06", h)] == 0
    assert sim.naief[("06", h)] > 5  # selection on the observables: deelnemers are the clients who leave sooner anyway
    assert row["onder"] <= 0 <= row["boven"], row
    assert rendement.oordeel(row["onder"], row["boven"]) == "geen aantoonbaar verschil"


def _page(spells: pl.DataFrame, r: rendement.Rendement, peil: dt.date) -> suppress.Pagina:
    s = spells.with_columns(synthetisch=pl.lit(False), fasering=pl.lit(None, pl.String), bedrag=pl.lit(None, pl.Float64),
                            geboortedatum=pl.lit(None, pl.Date), geslacht=pl.lit(None, pl.String))
    return suppress.page(episodes.merge(s.sort("client", "begin")), peil, extra=rendement.pattern(r))


def test_small_groups_are_hidden_with_the_note() -> None:
    r = rendement.rendementmeters(HAND, HAND_VZ, PEIL, VAN, types=("06", "03"))
    pagina = _page(HAND, r, PEIL)
    frame, note = rendement.toon(r, pagina, 6)
    assert frame["vergeleken"].is_null().all() and frame["verschil"].is_null().all() and frame["oordeel"].is_null().all()
    assert note and note[0].startswith("Onderdrukt:") and "minder dan 10 personen" in note[0]
    with pytest.raises(ValueError):  # a pattern without the rendementmeters would show them unsuppressed
        rendement.toon(r, suppress.page(episodes.merge(_page_spells()), PEIL), 6)


def _page_spells() -> pl.DataFrame:
    return HAND.with_columns(synthetisch=pl.lit(False), fasering=pl.lit(None, pl.String), bedrag=pl.lit(None, pl.Float64),
                             geboortedatum=pl.lit(None, pl.Date), geslacht=pl.lit(None, pl.String)).sort("client", "begin")


def test_a_large_meter_shows_and_its_small_groups_do_not() -> None:
    sim = rendement_sim.simuleer(6_000, {"06": (0.015, 2.0), "99": (0.03, 1.0)}, seed=3)
    r = rendement.rendementmeters(sim.spells, sim.voorzieningen, sim.peil, sim.van, types=("06", "99"))
    pagina = _page(sim.spells, r, sim.peil)
    frame, _ = rendement.toon(r, pagina, 6)
    big = frame.filter(pl.col("type") == "06").row(0, named=True)
    assert big["verschil"] is not None and big["vergeleken"] >= 10 and big["werk"] >= 10
    groups, note = rendement.toon(r, pagina, 6, "ladder", "06")
    raw = r.meter("06", 6, "ladder")
    for shown, orig in zip(groups.iter_rows(named=True), raw.iter_rows(named=True)):
        small = any(orig[c] < 10 for c in ("vergeleken", "werk", "vergelijking")) or orig["vergeleken"] - orig["werk"] < 10
        if small:
            assert shown["verschil"] is None  # a group under the threshold shows no rendementmeter
        if orig["vergeleken"] < 10:
            assert shown["vergeleken"] is None
    assert groups.filter(pl.col("groep") == "onbekend")["vergeleken"][0] is None  # every deelnemer has a known trede
    assert note


def test_page_shows_rendementmeters_on_the_synthetic_example(built) -> None:
    from tests.test_page_eigen import AMSTERDAM, eigen

    at = eigen(gemeente=AMSTERDAM)
    heads = [h.value for h in at.header]
    assert "Rendementmeters (SRG)" in heads
    assert any(m.value.startswith("**Een vergelijking, geen bewezen effect.**") for m in at.markdown)
    table = next(d.value for d in at.dataframe if "Voorziening (SRG-type)" in d.value.columns)
    assert len(table) == 9 and table["Voorziening (SRG-type)"].iloc[5] == "06 begeleiding op de werkplek/jobcoach"
    assert set(table["Uitkomst"]) <= {"hoger dan vergelijkbare cliënten", "lager dan vergelijkbare cliënten",
                                      "geen aantoonbaar verschil", "–"}
    assert "hoger dan vergelijkbare cliënten" in set(table["Uitkomst"])
    captions = " ".join(c.value for c in at.caption)
    assert "SYNTHETISCH BUS- en SRG-bestand" in captions and "WWB-kompas" in captions
    # the source and definition once (under the chart), not again as a "Bron: ..." paragraph with the anchors
    assert sum(c.value.count("Zo heetten ze in het WWB-kompas") for c in at.caption) == 1
    assert sum(c.value.count("Rendementmeter: van de cliënten die") for c in at.caption) == 1
    assert not any(c.value.startswith("Bron: SYNTHETISCH BUS- en SRG") for c in at.caption)
    at.radio(key=f"rendement-h-{AMSTERDAM}").set_value(12).run()
    at.radio(key=f"rendement-groep-{AMSTERDAM}").set_value("ladder").run()
    assert not at.exception
    groups = next(d.value for d in at.dataframe if "Participatieladder" in d.value.columns)
    assert list(groups["Participatieladder"]) == ["onbekend", *(f"trede {i}" for i in range(1, 7))]


def test_page_without_srg_says_what_is_needed(clean) -> None:  # noqa: F811
    from tests.test_page_bus import GM, _zip
    from tests.test_bus import PEIL as BUS_PEIL, VAN as BUS_VAN, known
    from tests.test_page_eigen import eigen, upload
    from portal.eigen import bus_synth

    s, bsns = known()
    at = upload(eigen(gemeente=GM), "bus.zip", _zip(bus_synth.bus_records(s, BUS_VAN, BUS_PEIL, GM, bsn={b: b for b in bsns})), GM)
    at.button(key=f"opslaan-{GM}").click().run()
    at.run()
    assert not at.exception
    assert any(i.value.startswith("Nog geen SRG-bestand (re-integratievoorzieningen)") for i in at.info)
    # with the SRG of the same persons (same BSN, so the same key) the meters are there: this small file hides them all
    from portal.eigen import bus, bus_store, store

    vz = bus_synth.demo_voorzieningen(s.filter(pl.col("regeling") == "01"), BUS_VAN, BUS_PEIL)
    srg = bus_synth.srg_records(vz, BUS_VAN, BUS_PEIL, GM, {b: b for b in bsns})
    got, problems = bus.lees_srg(bus.lees(bus_synth.zipped(bus_synth.srg_files(srg, GM)), "srg.zip"), GM)
    assert not problems.aantal
    uid = bus_store.save_srg(store.default(), GM, "srg.zip", got.voorzieningen, got.peildatum, "test")
    try:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        table = next(d.value for d in at.dataframe if "Voorziening (SRG-type)" in d.value.columns)
        assert table["Vergeleken deelnemers"].isna().all() and set(table["Uitkomst"]) == {"–"}
        captions = " ".join(c.value for c in at.caption)
        assert "eigen BUS- en SRG-bestand van" in captions and "Onderdrukt:" in captions
    finally:  # the other page tests of this gemeente expect no SRG upload
        bus_store.delete_srg(store.default(), GM, uid, "test")


from tests.test_page_eigen import clean  # noqa: E402,F401 - fixture


def test_a_file_too_short_for_the_12_month_meter_says_so_and_prints_no_empty_period() -> None:
    from portal.ui import rendement as ui

    r12 = rendement.rendementmeters(HAND, HAND_VZ, D(2024, 11, 30), D(2023, 12, 1))  # 12 months: 12-2023 t/m 11-2024
    assert ui.maanden(r12) == 12
    assert ui.te_kort(r12, 6) is None
    assert ui.te_kort(r12, 12).startswith("Het bestand beslaat 12 maanden; de meter over 12 maanden vraagt er minstens 13.")
    r13 = rendement.rendementmeters(HAND, HAND_VZ, D(2024, 12, 31), D(2023, 12, 1))
    assert ui.maanden(r13) == 13 and ui.te_kort(r13, 12) is None
    m = ui.Meters(r13, None, "bron", "key")
    assert "12-2023 t/m 12-2023" in ui._methode(m, 12)  # the one month of starts, never a period that ends before it begins


def test_example_files_round_trip_to_the_demo_voorzieningen_and_meters() -> None:
    """The page's synthetic BUS and SRG zips (bus_synth.voorbeeld, what the download buttons offer), read as an upload,
    give back the demo's voorzieningen (demo_voorzieningen, the frame of the demo's rendementmeters) and its meters, as
    far as twelve monthly files carry them. The differences with the page's meters, all from what the files leave out:
    - the page counts starts from demo_van (36 months); the files hold 12 months, so the meters of an upload of them
      count starts from the files' first month (and the 12-month meter, which needs 13 months, has no starts);
    - the BUS example puts about 5 % of the spells under IOAW, IOAZ or Bbz (with_regelingen): not algemene bijstand, so
      not in the spells read back, while the page counts every synthetic spell as algemene bijstand;
    - a voorziening that ended before the files' first month has no SRG record: it makes no later start of its type a
      non-first start and gives no ladder position, as it does on the page.
    Partners (paren's second persons) have no voorzieningen (the demo gives them to a spell's client, the uitkering's
    first person), so every voorziening read back is of a first person. With those restrictions applied to the page's
    inputs, the meters are the same: every count exactly, the estimates up to rounding (the order of the persons
    differs with their keys)."""
    from polars.testing import assert_frame_equal

    from portal.eigen import bus, bus_synth, pseudo, synth
    from portal.eigen.maanden import _idx, _month

    gm, peil, secret = "GM0363", D(2025, 6, 30), b"round trip test key 32 bytes ...."
    spells = synth.generate(gm, 3000, 1, peil)
    bus_zip, srg_zip = bus_synth.voorbeeld(spells, peil, gm)
    b, s = bus.lees(bus_zip, "SYNTHETISCH_BUS.zip"), bus.lees(srg_zip, "SYNTHETISCH_SRG.zip")
    assert bus.synthetisch(b) and bus.synthetisch(s)  # labelled: the page refuses to store them as real
    got, p_bus = bus.lees_bus(b, gm, secret)
    srg, p_srg = bus.lees_srg(s, gm, secret)
    assert not p_bus.aantal and not p_srg.aantal
    assert got.peildatum == srg.peildatum == peil
    van = _month(_idx(peil) - 11)
    lo = _idx(van)
    # the same fake BSN per client in both files, so one pseudonym per client
    bsn = bus_synth.bsn_per_client(spells)
    key = dict(zip(bsn, pseudo.pseudonymise(pl.Series(list(bsn.values())), secret).to_list()))
    month = lambda c: pl.col(c).dt.year().cast(pl.Int32) * 12 + pl.col(c).dt.month().cast(pl.Int32) - 1  # noqa: E731

    # (a) the voorzieningen read back are the demo's that run in the files' months
    vz = bus_synth.demo_voorzieningen(spells, bus_synth.demo_van(peil), peil)
    in_files = vz.filter(pl.col("einde").is_null() | (month("einde") >= lo)).with_columns(
        client=pl.col("client").replace_strict(key))
    assert vz.height > in_files.height > 300
    order = list(bus.VOORZIENING_SCHEMA)
    assert_frame_equal(srg.voorzieningen.sort(order), in_files.sort(order))
    assert srg.voorzieningen.filter(pl.col("type").is_in(["01", "04"]))["loonwaarde"].is_not_null().all()
    assert srg.voorzieningen.filter(~pl.col("type").is_in(["01", "04"]))["loonwaarde"].is_null().all()
    assert set(srg.voorzieningen["client"]) <= set(key.values())  # all of spells' clients: first persons

    # (b) the meters of the files read back = the meters of the page's inputs restricted as the files restrict them
    ref_spells = (bus_synth.with_regelingen(spells)
                  .filter((pl.col("regeling") == "01") & (pl.col("einde").is_null() | (month("einde") >= lo)))
                  .with_columns(client=pl.col("client").replace_strict(key)))
    read = rendement.rendementmeters(got.spells, srg.voorzieningen, min(got.peildatum, srg.peildatum), van)
    ref = rendement.rendementmeters(ref_spells, in_files, peil, van)
    assert (read.voorzieningen, read.gekoppeld) == (ref.voorzieningen, ref.gekoppeld)
    keys = ["type", "indeling", "groep", "h"]
    assert_frame_equal(read.tabel.sort(keys).select(*keys, *rendement.TELLINGEN),
                       ref.tabel.sort(keys).select(*keys, *rendement.TELLINGEN))
    assert_frame_equal(read.tabel.sort(keys), ref.tabel.sort(keys), check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    six = read.tabel.filter((pl.col("indeling") == "totaal") & (pl.col("h") == 6))
    assert six["gestart"].sum() > 100 and six["verschil"].is_not_null().sum() >= 5  # not an empty comparison
    assert read.tabel.filter(pl.col("h") == 12)["gestart"].sum() == 0  # twelve months: no start with 12 to follow
    # and the page's own meters differ only by those restrictions: the same inputs over the page's 36 months
    page = rendement.rendementmeters(spells, vz, peil, bus_synth.demo_van(peil))
    assert page.voorzieningen == vz.height and page.tabel.filter(pl.col("h") == 12)["gestart"].sum() > 0


def _spell(client: str, begin: dt.date, einde: dt.date | None, reden: str | None, leefvorm: str = "alleenstaande") -> dict:
    return {"client": client, "begin": begin, "einde": einde, "reden": reden, "leefvorm": leefvorm, "geboortejaar": 1990}


def test_a_person_back_in_a_group_is_one_cluster_of_that_group() -> None:
    """Control X is alleenstaande (episode Sep 2023 – Mar 2024, ends otherwise), then paar (April, ends otherwise),
    then alleenstaande again (from June, to work in October): in the leefvorm meter X is one cluster of the group
    alleenstaande (his terms of February and July added up) and one comparison person, not two.
    February (duration 5 months): deelnemer T1 (no work), controls X (0) and C1 (werk in May) -> p = 1/2, n_t/N_c = 1/2.
    April (paar, duration 0): deelnemer T3, control X. July (duration 1): deelnemer T2 (no work), controls X (werk in
    October) and C2 (0) -> p = 1/2, n_t/N_c = 1/2."""
    spells = pl.DataFrame([
        _spell("X", D(2023, 9, 1), D(2024, 3, 15), "overig"), _spell("X", D(2024, 4, 1), D(2024, 5, 15), "overig", "paar"),
        _spell("X", D(2024, 6, 1), D(2024, 10, 10), "werk"), _spell("C1", D(2023, 9, 1), D(2024, 5, 10), "werk"),
        _spell("C2", D(2024, 6, 1), None, None), _spell("T1", D(2023, 9, 1), None, None),
        _spell("T2", D(2024, 6, 1), None, None), _spell("T3", D(2024, 4, 1), None, None, "paar")],
        schema={k: SPELLS[k] for k in COLS})
    vz = _vz([("T1", "06", D(2024, 2, 10)), ("T3", "06", D(2024, 4, 10)), ("T2", "06", D(2024, 7, 10))])
    r = rendement.rendementmeters(spells, vz, D(2025, 6, 30), VAN, types=("06",))
    row = r.meter("06", 6, "leefvorm").filter(pl.col("groep") == "alleenstaande").row(0, named=True)
    assert (row["gestart"], row["vergeleken"], row["werk"]) == (2, 2, 0)
    assert (row["vergelijking"], row["vergelijking_werk"]) == (3, 2)  # X (once), C1, C2; X and C1 to work
    att = (0 - 1 / 2 + 0 - 1 / 2) / 2
    assert row["verschil"] == pytest.approx(att * 100)
    # deelnemer terms 0 − 1/2 − att = 0; X: 1/2 (0 − 1/2) + 1/2 (1 − 1/2) = 0 in one cluster (split: −1/4 and +1/4);
    # C1: 1/2 (1 − 1/2) = 1/4; C2: 1/2 (0 − 1/2) = −1/4
    se = math.sqrt(0 ** 2 + (1 / 4) ** 2 + (-1 / 4) ** 2) / 2
    assert row["se"] == pytest.approx(se * 100)
    # the total meter: X one cluster as before (his April term is 0: he is the only control then)
    tot = r.meter("06", 6).row(0, named=True)
    assert (tot["vergeleken"], tot["vergelijking"]) == (3, 3)


def test_the_latest_known_earlier_ladder_position_counts() -> None:
    """Clients with several ladder positions known before the first month: the latest (by the position's begindatum,
    then the voorziening's begin) counts, also when an older position is reported later. Deelnemer T on trede 4 starts
    in March 2024; 40 controls had trede 2, 5, 1 and last 4 (all known in 2023), one more has trede 4 (begindatum
    October 2023) and an older trede 2 (begindatum 2022) reported by a voorziening of December 2023."""
    n = 40
    spells = _spells([("T", None, None), *((f"C{i}", None, None) for i in range(n + 1))])
    rows = [{"client": "T", "type": "06", "begin": D(2024, 3, 10), "ladder": 4, "ladder_begin": D(2023, 12, 1)}]
    for i in range(n):
        for lad, lb, b in ((2, D(2023, 1, 1), D(2023, 2, 1)), (5, D(2023, 3, 1), D(2023, 4, 1)),
                           (1, D(2023, 5, 1), D(2023, 6, 1)), (4, D(2023, 10, 1), D(2023, 11, 1))):
            rows.append({"client": f"C{i}", "type": "99", "begin": b, "ladder": lad, "ladder_begin": lb})
    rows += [{"client": f"C{n}", "type": "99", "begin": D(2023, 11, 1), "ladder": 4, "ladder_begin": D(2023, 10, 1)},
             {"client": f"C{n}", "type": "99", "begin": D(2023, 12, 1), "ladder": 2, "ladder_begin": D(2022, 1, 1)}]
    vz = _vz([]).vstack(pl.DataFrame(rows).with_columns(
        *[pl.lit(None).alias(c) for c in VOORZIENING_SCHEMA if c not in rows[0]]).select(list(VOORZIENING_SCHEMA))
        .cast(VOORZIENING_SCHEMA))
    r = rendement.rendementmeters(spells, vz, PEIL, VAN, types=("06",))
    row = r.meter("06", 6, "ladder").filter(pl.col("groep") == "trede 4").row(0, named=True)
    assert (row["vergeleken"], row["vergelijking"]) == (1, n + 1)

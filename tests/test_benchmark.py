"""Referentiegroepen, the benchmark computations and the exports, on the real warehouse."""

from __future__ import annotations

import io
import math
import zipfile
from concurrent.futures import ThreadPoolExecutor

import polars as pl
import pytest

from portal import benchmark as bm
from portal import export, peers
from portal.userdata import UserData, UserDataError


@pytest.fixture(scope="module")
def fm(wh) -> peers.FeatureMatrix:
    return peers.FeatureMatrix.build(peers.feature_table(wh))


def test_feature_values_come_from_cbs(fm) -> None:
    ams = fm.raw.filter(pl.col("gemeentecode") == "GM0363").row(0, named=True)
    assert ams["inwoners"] == 931_298  # 85383NED inwoners 2024, Amsterdam incl. Weesp
    assert ams["stedelijkheid"] == 5 and ams["sociale_structuur"] == 4
    assert ams["centrumfunctie"] is None  # the G4 have no centrumfunctie class in the gemeentefonds file
    assert fm.raw.height == 342


def test_nearest_neighbours_of_amsterdam_and_groningen(fm) -> None:
    ams = peers.nearest(fm, "GM0363", 10, tuple(peers.FEATURES))
    assert ams["gemeentecode"].to_list()[:2] == ["GM0599", "GM0518"]  # Rotterdam, 's-Gravenhage
    assert "GM0363" not in ams["gemeentecode"].to_list()
    assert peers.nearest(fm, "GM0014", 1, tuple(peers.FEATURES))["gemeentecode"][0] == "GM0935"  # Groningen -> Maastricht


def test_distance_and_shares_by_hand(fm) -> None:
    """Recompute the Amsterdam–Rotterdam distance from the raw values: z-scores over all 342 gemeenten."""
    used = [f for f in peers.FEATURES if f != "centrumfunctie"]  # missing for Amsterdam, so it does not count
    total, parts = 0.0, {}
    for f in used:
        col = fm.raw[f].cast(pl.Float64)
        if peers.FEATURES[f].log:
            col = col.log10()
        z = (col - col.mean()) / col.std(ddof=0)
        codes = fm.raw["gemeentecode"].to_list()
        d = (z[codes.index("GM0363")] - z[codes.index("GM0599")]) ** 2
        parts[f] = d
        total += d
    row = peers.nearest(fm, "GM0363", 1, tuple(peers.FEATURES)).row(0, named=True)
    assert row["afstand"] == pytest.approx(math.sqrt(total))
    for f in used:
        assert row[f"aandeel_{f}"] == pytest.approx(parts[f] / total)
    assert "aandeel_centrumfunctie" not in row


def test_switching_features_changes_the_group(fm) -> None:
    all_f = peers.nearest(fm, "GM0014", 10, tuple(peers.FEATURES))["gemeentecode"].to_list()
    only_size = peers.nearest(fm, "GM0014", 10, ("inwoners",))
    inw = dict(fm.raw.select("gemeentecode", "inwoners").rows())
    assert only_size["gemeentecode"].to_list() != all_f
    by_size = sorted((c for c in inw if c != "GM0014"), key=lambda c: abs(math.log10(inw[c] / inw["GM0014"])))[:10]
    assert set(only_size["gemeentecode"]) == set(by_size)  # on size alone: the 10 closest in (log) population


def test_ready_made_groups(wh, fm) -> None:
    prov = peers.resolve(wh, fm, peers.GroupSpec(kind="kenmerk", kenmerk="provincie"), "GM0014")
    assert len(prov.members) == 9 and "GM0014" not in prov.members  # Groningen province: 10 gemeenten in 2025
    g4 = peers.resolve(wh, fm, peers.GroupSpec(kind="g4"), "GM0363")
    assert sorted(g4.members) == ["GM0344", "GM0518", "GM0599"]
    size = peers.resolve(wh, fm, peers.GroupSpec(kind="kenmerk", kenmerk="gemeentegrootte"), "GM0363")
    assert sorted(size.members) == ["GM0344", "GM0518", "GM0599"]  # the other gemeenten of 250 000+


def test_manual_edits_and_url_round_trip(wh, fm) -> None:
    spec = peers.with_change(peers.with_change(peers.GroupSpec(k=5), add="GM0080"), remove="GM0599")
    g = peers.resolve(wh, fm, spec, "GM0363")
    assert "GM0080" in g.members and "GM0599" not in g.members and len(g.members) == 5
    back, msgs = peers.spec_from_params(spec.to_params())
    assert back == spec and not msgs


def test_bad_group_parameters_give_dutch_messages() -> None:
    spec, msgs = peers.spec_from_params({"rg": "knn", "k": "duizend", "kenm": "inwoners,schoenmaat", "plus": "GM12,GM0080"})
    assert spec.k == peers.DEFAULT_K and spec.features == ("inwoners",) and spec.extra == ("GM0080",)
    assert any("geen geheel getal" in m for m in msgs) and any("schoenmaat" in m for m in msgs) and any("GM12" in m for m in msgs)


def test_saved_groups(tmp_path) -> None:
    ud = UserData(tmp_path / "user.db")
    gid = ud.save_group("  Grote steden  ", "GM0363", peers.GroupSpec(kind="g4"), ["GM0599", "GM0518"])
    naam, code, spec, leden = ud.group(gid)
    assert (naam, code, spec.kind, leden) == ("Grote steden", "GM0363", "g4", ["GM0599", "GM0518"])
    with pytest.raises(UserDataError, match="al een referentiegroep"):
        ud.save_group("Grote steden", "GM0363", peers.GroupSpec(), ["GM0599"])
    with pytest.raises(UserDataError, match="naam"):
        ud.save_group("   ", "GM0363", peers.GroupSpec(), ["GM0599"])
    with pytest.raises(UserDataError, match="lege referentiegroep"):
        ud.save_group("Leeg", "GM0363", peers.GroupSpec(), [])
    assert [g["naam"] for g in ud.groups()] == ["Grote steden"]
    assert ud.group(999) is None
    # Streamlit serves sessions from several threads: one UserData object must work from any of them.
    with ThreadPoolExecutor(2) as pool:
        ids = list(pool.map(lambda n: ud.save_group(n, "GM0014", peers.GroupSpec(), ["GM0935"]), ["Thread A", "Thread B"]))
    assert sorted(ud.group(i)[0] for i in ids) == ["Thread A", "Thread B"]


def test_decomposition_by_hand(wh) -> None:
    """Amsterdam 2016 against Rotterdam alone, from the raw CBS counts (83747NED, harmonised to 2025)."""
    harm = wh.all_observations("nieuwste")
    d = bm.decomposition(harm, "GM0363", ["GM0599"], "2016")
    v_a, v_r = 42_650 / 631_790 * 1000, 41_310 / 438_630 * 1000
    i_a, i_r = 10_780 / 631_790 * 1000, 10_450 / 438_630 * 1000
    u_a, u_r = 9_210 / 42_650 * 100, 9_510 / 41_310 * 100
    assert d["gemeente"]["V"] == pytest.approx(v_a) and d["groep"]["V"] == pytest.approx(v_r)
    assert d["gap"] == pytest.approx(math.log(v_a / v_r))
    assert d["instroom"] == pytest.approx(math.log(i_a / i_r))
    assert d["uitstroom"] == pytest.approx(-math.log(u_a / u_r))
    assert d["gap"] < 0 and d["instroom"] < 0  # Amsterdam has a lower dichtheid than Rotterdam, mainly by less instroom
    assert d["gap"] == pytest.approx(d["instroom"] + d["uitstroom"] + d["rest"])


def test_reduction_potential(wh) -> None:
    harm = wh.all_observations("nieuwste")
    rp = bm.reduction_potential(harm, "GM0363", ["GM0599", "GM0518", "GM0344"], "dichtheid_uitkeringen_totaal")
    assert rp["periode"] == "2024" and rp["werkelijk"] == 35_420 and rp["inwoners"] == 681_982
    assert rp["bij_gemiddelde"] == pytest.approx(max(0, 35_420 - rp["groep_gemiddelde"] * 681_982 / 1000))


def test_group_series_band(wh) -> None:
    harm, own = wh.all_observations("nieuwste"), wh.all_observations("jaar")
    s = bm.group_series(harm, own, "GM0363", ["GM0599", "GM0518", "GM0344"], ["dichtheid_uitkeringen_totaal"]).row(0, named=True)
    assert s["groep_n"] == 3 and s["groep_p25"] <= s["groep_gemiddelde"] <= s["groep_p75"]
    nl = wh.national(["bijstand_uitkeringen_totaal", "inwoners_15_65"]).filter(pl.col("periode") == "2024")
    count, pop = (nl.filter(pl.col("indicator") == i)["waarde"][0] for i in ("bijstand_uitkeringen_totaal", "inwoners_15_65"))
    assert count == 375_990 and s["nederland"] == pytest.approx(count / pop * 1000)


def test_top_decliners(wh) -> None:
    ch = bm.change(wh.all_observations("nieuwste"), "bijstand_personen_tot_aow_incl_gerelateerd", "2014", "2021", 100)
    top = ch.row(0, named=True)
    assert (top["gemeente_code"], top["van"], top["tot"]) == ("GM1955", 700, 470)  # Montferland: −32,9 %
    assert top["verschil_pct"] == pytest.approx(-32.857, abs=1e-3)
    assert ch["verschil_pct"].is_sorted()


def test_funnel_limits(wh) -> None:
    points, limits, info = bm.funnel(wh.all_observations("nieuwste"), "dichtheid_tot_aow_incl_gerelateerd", "2020")
    assert points.height == 342
    assert info["p"] == pytest.approx(points["teller"].sum() / points["n"].sum() * 1000)
    assert (limits["hi95"] < limits["hi998"]).all() and limits["hi95"].is_sorted(descending=True)  # narrows with size
    assert points.filter(pl.col("positie") == "binnen 95 %").height > 0.8 * 342


def test_exports_carry_source_lines() -> None:
    frame = pl.DataFrame({"gemeente": ["Amsterdam"], "waarde": [51.94]})
    lines = export.indicator_lines(["dichtheid_uitkeringen_totaal"])
    assert "85383NED" in lines[0]
    csv = export.table_csv(frame, lines).decode("utf-8-sig")
    assert csv.startswith("# Bijstandsuitkeringen per 1 000 inwoners 15–65") and "Amsterdam;51,94" in csv
    with zipfile.ZipFile(io.BytesIO(export.table_xlsx(frame, lines))) as z:
        assert any("85383NED" in z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    import altair as alt
    ch = alt.Chart(frame.to_pandas()).mark_bar().encode(x="waarde:Q", y="gemeente:N")
    assert export.chart_png(ch, "Titel", lines)[:4] == b"\x89PNG"
    assert "85383NED" in export.chart_svg(ch, "Titel", lines)


def test_volume_at_group_density(wh) -> None:
    harm = wh.all_observations("nieuwste")
    g4 = ["GM0599", "GM0518", "GM0344"]
    v = bm.volume_at_group_density(harm, "GM0363", g4).filter(
        (pl.col("indicator") == "bijstand_uitkeringen_totaal") & (pl.col("periode") == "2024")).row(0, named=True)
    dens = bm.group_series(harm, harm.head(0), "GM0363", g4, ["dichtheid_uitkeringen_totaal"]).row(0, named=True)
    assert v["gemeente"] == 35_420 and v["groep_gemiddelde"] == pytest.approx(dens["groep_gemiddelde"] * 681_982 / 1000)

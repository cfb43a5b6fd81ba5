"""Real numbers from the shipped sources, read back from the warehouse."""

from __future__ import annotations

import polars as pl
import pytest

from portal.store import Warehouse


def value(wh: Warehouse, code: str, indicator: str, periode: str, indeling: str | int = "jaar") -> float | None:
    obs = wh.observations(code, [indicator], indeling).filter(pl.col("periode") == periode)
    assert obs.height == 1, f"{code} {indicator} {periode}: {obs.height} rows"
    return obs["waarde"][0]


@pytest.mark.parametrize(
    ("code", "indicator", "periode", "expected"),
    [
        # CBS 83450NED, Amsterdam 2015, 15 jaar tot AOW (issue text)
        ("GM0363", "bijstand_alg_personen_15_aow", "2015", 41_740),
        ("GM0363", "bijstand_alg_instroom_15_aow", "2015", 10_470),
        ("GM0363", "bijstand_alg_uitstroom_15_aow", "2015", 9_750),
        ("GM0363", "bijstand_alg_uitstroom_werk_15_aow", "2015", 4_720),
        ("GM0363", "bijstand_alg_personen_15plus", "2016", 49_460),
        ("GM0363", "bijstand_alg_personen_aow_plus", "2017", 7_540),
        # maatstaven gemeentefonds, 31 December
        ("NL01", "bijstand_personen_tot_aow_incl_gerelateerd", "2014", 478_200),
        ("GM0363", "bijstand_personen_tot_aow_incl_gerelateerd", "2015", 46_570),
        ("GM0363", "bijstand_personen_tot_aow_incl_gerelateerd", "2018", 46_127),
        # 80860ned (indeling 2009), end of September
        ("NL01", "bijstand_personen_abw_wwb", "1999", 436_120),
        ("NL01", "bijstand_personen_abw_wwb", "2004", 398_270),
        ("NL01", "bijstand_personen_abw_wwb", "2008", 320_660),
        # 85383NED maatstafjaar 2024: uitkeringen (households)
        ("NL01", "bijstand_uitkeringen_totaal", "2024", 375_990),
        ("NL01", "bijstand_uitkeringen_algemeen", "2024", 339_480),
        ("GM0363", "bijstand_uitkeringen_totaal", "2024", 35_420),
        ("GM0363", "inwoners_totaal", "2024", 931_298),
        # 37789ksz national monthly, published in thousands
        ("NL01", "bijstand_uitkeringen_tot_aow_nl", "1998-01", 435_100),
        # 70072ned 2015
        ("GM0363", "inwoners_totaal", "2015", 821_752),
        # Iv3 (x 1 000 euro in the source) and the integratie-uitkering Participatie (euro)
        ("GM0363", "iv3_63_baten_jaarrekening", "2023", 700_112_000),
        ("GM0363", "iv3_63_lasten_jaarrekening", "2023", 944_545_000),
        ("GM0363", "iu_participatie", "2024", 80_056_564),
    ],
)
def test_source_figures(wh: Warehouse, code: str, indicator: str, periode: str, expected: float) -> None:
    if code == "NL01":
        got = wh.national([indicator]).filter(pl.col("periode") == periode)["waarde"][0]
    else:
        got = value(wh, code, indicator, periode)
    assert got == pytest.approx(expected)


def test_derived_density_matches_cbs_published(wh: Warehouse) -> None:
    # CBS publishes Bijstandsdichtheid_3 = 68.5 for Amsterdam 2015 (15 tot AOW), rounded to 0.5
    assert value(wh, "GM0363", "dichtheid_alg_15_aow", "2015") == pytest.approx(41_740 / 609_570 * 1000)
    assert value(wh, "GM0363", "dichtheid_alg_15_aow", "2015") == pytest.approx(68.5, abs=0.25)
    assert value(wh, "GM0363", "instroom_pct_15_aow", "2015") == pytest.approx(10_470 / 41_740 * 100)


def test_wdeel_and_ideel_proxies(wh: Warehouse) -> None:
    obs = wh.observations("GM0363", ["iu_participatie", "iv3_64_lasten_begroting", "iv3_65_lasten_begroting",
                                     "wdeel_onderbesteding_proxy_begroting", "ideel_resultaat_proxy_jaarrekening",
                                     "iv3_63_baten_jaarrekening", "iv3_63_lasten_jaarrekening"], "jaar")
    v = {(r["indicator"], r["periode"]): r["waarde"] for r in obs.iter_rows(named=True)}
    iu, l64, l65 = v[("iu_participatie", "2024")], v[("iv3_64_lasten_begroting", "2024")], v[("iv3_65_lasten_begroting", "2024")]
    assert v[("wdeel_onderbesteding_proxy_begroting", "2024")] == pytest.approx((iu - l64 - l65) / iu * 100)
    assert v[("ideel_resultaat_proxy_jaarrekening", "2023")] == pytest.approx((700_112 - 944_545) / 700_112 * 100)


def test_definitions_never_share_an_indicator(wh: Warehouse) -> None:
    dup = wh.query("""select gemeente_code, indeling, periode, indicator, count(*) n from observaties
                      group by gemeente_code, indeling, periode, indicator, geharmoniseerd having n > 1""")
    assert dup.is_empty()


def test_harmonised_totals_equal_own_totals_and_national(wh: Warehouse) -> None:
    q = """select indicator, periode, geharmoniseerd, sum(waarde) s, sum(onderdrukt) o from observaties
           where gemeente_code != 'NL01' and indicator in ({}) group by 1, 2, 3"""
    additive = ["bijstand_personen_abw_wwb", "bijstand_personen_tot_aow_incl_gerelateerd", "bijstand_alg_personen_15_aow",
                "bijstand_alg_instroom_15_aow", "bijstand_uitkeringen_totaal", "inwoners_totaal", "iu_participatie"]
    sums = wh.query(q.format(",".join("?" * len(additive))), tuple(additive))
    own = sums.filter(pl.col("geharmoniseerd") == 0).drop("geharmoniseerd")
    harm = sums.filter(pl.col("geharmoniseerd") == 1).drop("geharmoniseerd")
    both = own.join(harm, on=["indicator", "periode"], suffix="_h")
    assert both.height >= 30
    clean = both.filter((pl.col("o") == 0) & (pl.col("o_h") == 0))
    assert clean.height == both.height  # Weesp 31-12-2021 is in Amsterdam's row (85309NED), not a suppressed gap
    for r in clean.iter_rows(named=True):
        assert r["s_h"] == pytest.approx(r["s"], rel=1e-9), r
    nl = wh.national(additive).select("indicator", "periode", pl.col("waarde").alias("nl"))
    checked = clean.join(nl, on=["indicator", "periode"])
    for r in checked.filter(pl.col("indicator").is_in(additive[:3] + ["bijstand_uitkeringen_totaal"])).iter_rows(named=True):
        # CBS rounds each gemeente to tens: the harmonised sum stays within 0.5 % of the national total
        assert r["s_h"] == pytest.approx(r["nl"], rel=0.005), r


def test_merger_sums_predecessors(wh: Warehouse) -> None:
    # Eemsdelta (2021) = Appingedam + Delfzijl + Loppersum
    parts = [value(wh, c, "bijstand_alg_personen_15_aow", "2016") for c in ("GM0003", "GM0010", "GM0024")]
    assert parts == [500, 1_060, 240]
    assert value(wh, "GM1979", "bijstand_alg_personen_15_aow", "2016", "nieuwste") == 1_800


def test_split_weights_follow_cbs_population(wh: Warehouse) -> None:
    """Haaren (2021) was split over Boxtel, Oisterwijk, Tilburg and Vught, village by village (CBS KWB 2020 wijken)."""
    got = {r[0]: r[1] for r in wh.query("select nieuwe_code, gewicht from herindelingen where oude_code = 'GM0788'").rows()}
    villages = {"GM0824": 5_875, "GM0865": 4_865, "GM0757": 2_155, "GM0855": 1_465}  # Haaren, Helvoirt, Esch, Biezenmortel
    assert set(got) == set(villages)
    for c, n in villages.items():
        assert got[c] == pytest.approx(n / 14_360)
    assert got["GM0855"] == pytest.approx(0.102, abs=0.001)  # Tilburg got Biezenmortel only (was 0,133 from a noisy residual)
    # and the harmonised Oisterwijk figure carries its share of Haaren
    own = value(wh, "GM0824", "bijstand_alg_personen_15_aow", "2016")
    haaren = value(wh, "GM0788", "bijstand_alg_personen_15_aow", "2016")
    assert value(wh, "GM0824", "bijstand_alg_personen_15_aow", "2016", "nieuwste") == pytest.approx(own + got["GM0824"] * haaren)


def test_every_split_weight_set_sums_to_one(wh: Warehouse) -> None:
    sums = wh.query("select oude_code, sum(gewicht) s, count(*) n, min(gewicht) m from herindelingen where soort = 'splitsing' group by 1")
    # Menameradiel (GM1908) went whole into Waadhoeke in 2018; Littenseradiel (GM0140) was split three ways
    assert set(sums["oude_code"]) == {"GM0055", "GM1671", "GM0140", "GM0053", "GM0788"}
    assert all(abs(s - 1) < 1e-9 for s in sums["s"])
    assert all(m > 0.04 for m in sums["m"])  # every successor really received people (De Friese Meren was 0 before)


def test_harmonise_onto_an_older_indeling(wh: Warehouse) -> None:
    """On indeling 2019, Haaren still exists; the 2015 figures of Appingedam etc. stay separate."""
    obs = wh.observations("GM0788", ["bijstand_alg_personen_15_aow"], 2019)
    assert obs.filter(pl.col("periode") == "2016")["waarde"][0] == value(wh, "GM0788", "bijstand_alg_personen_15_aow", "2016")
    # Leeuwarden on indeling 2019 includes Leeuwarderadeel (merged 2018)
    lw = wh.observations("GM0080", ["bijstand_alg_personen_15_aow"], 2019).filter(pl.col("periode") == "2015")["waarde"][0]
    assert lw > value(wh, "GM0080", "bijstand_alg_personen_15_aow", "2015") + value(wh, "GM0081", "bijstand_alg_personen_15_aow", "2015") - 1


def test_code_checks(wh: Warehouse) -> None:
    assert wh.check_code("GM0363").ok
    weesp = wh.check_code("GM0457")
    assert not weesp.ok and weesp.successors == ("GM0363",) and "Amsterdam" in weesp.message
    assert "onbekend" in wh.check_code("GM9999").message
    assert "geen geldige gemeentecode" in wh.check_code("'; drop table x").message


def test_reference_tables(wh: Warehouse) -> None:
    assert wh.gemeenten(2025).height == 342 and wh.gemeenten(2015).height == 393 and wh.gemeenten(2009).height == 441
    k = wh.query("select kenmerk, waarde from gemeente_kenmerken where gemeentecode = 'GM0363' and jaar = 2025")
    got = dict(k.rows())
    assert got["arbeidsmarktregio"] == "Groot Amsterdam" and got["provincie"] == "Noord-Holland"
    assert got["gemeentegrootte"] == "250 000 inwoners of meer" and got["stedelijkheid"] == "Zeer sterk stedelijk"
    src = wh.sources()
    assert {"83450NED", "80860ned", "85383NED", "37789ksz", "45063NED"} <= set(src["id"])
    assert src.filter(pl.col("id") == "83450NED")["snapshot_sha256"][0]

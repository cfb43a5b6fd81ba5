"""Issue 9 (parts 2, 5, 6): CBS's own rates and the new real sources, read back from the warehouse.

Every expected figure names the snapshot file and row it comes from.
"""

from __future__ import annotations

import polars as pl
import pytest

from etl.paths import SNAPSHOTS
from portal import metrics
from portal.indeling import harmonise
from portal.store import Warehouse

B8345 = SNAPSHOTS / "cbs_bijstand_gemeenten_2015_2017" / "bijstand_reintegratie_wsw_gemeenten_2015_2017_long.csv"


def nl(wh: Warehouse, indicator: str, periode: str) -> float | None:
    obs = wh.national([indicator]).filter(pl.col("periode") == periode)
    assert obs.height == 1, f"NL01 {indicator} {periode}: {obs.height} rows"
    return obs["waarde"][0]


def value(wh: Warehouse, code: str, indicator: str, periode: str, indeling: str | int = "eigen") -> float | None:
    obs = wh.observations(code, [indicator], indeling).filter(pl.col("periode") == periode)
    assert obs.height == 1, f"{code} {indicator} {periode}: {obs.height} rows"
    return obs["waarde"][0]


# ---- A. CBS's own rates (83450/83747/84066NED) ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("indicator", "periode", "expected"),
    [
        # B8345, row "2015,83450NED,20150,NL01": 20150 = 15 jaar of ouder, the table's total
        ("cbs_instroom_pct_15plus", "2015", 24.5),  # Instroom_5
        ("cbs_uitstroom_pct_15plus", "2015", 22.0),  # Uitstroom_7
        ("cbs_uitstroom_werk_pct_15plus", "2015", 10.5),  # UitstroomNaarWerk_9
        ("cbs_dichtheid_15plus", "2015", 35.0),  # Bijstandsdichtheid_3
        ("werk_na_reintegratie_15plus", "2015", 43_480),  # WerkNaReIntegratie_11
        ("cbs_werk_na_reintegratie_pct_15plus", "2015", 17.0),  # WerkNaReIntegratie_12
        ("bijstand_met_reintegratie_15plus", "2015", 126_710),  # PersonenMetBijstandEnReIntegratie_13
        ("cbs_bijstand_met_reintegratie_pct_15plus", "2015", 28.0),  # BijstandsontvangersMetReIntegratie_14
        ("cbs_reintegratie_met_bijstand_pct_15plus", "2015", 76.5),  # ReIntegratieontvangersMetBijstand_15
        ("wsw_werknemers_15plus", "2015", 96_370),  # WSWWerknemers_16
        ("cbs_wsw_dichtheid_15plus", "2015", 7.0),  # WSWDichtheid_17
        # B8345, row "2015,83450NED,90100,NL01" (15 jaar tot AOW-leeftijd)
        ("cbs_instroom_pct_15_aow", "2015", 25.5),
        ("cbs_wsw_dichtheid_15_aow", "2015", 8.5),
        # B8345, row "2015,83450NED,90200,NL01" (AOW-leeftijd of ouder)
        ("cbs_uitstroom_pct_aow_plus", "2015", 25.5),
        # B8345, row "2017,84066NED,20150,NL01"
        ("cbs_instroom_pct_15plus", "2017", 19.5),
    ],
)
def test_cbs_rates_national(wh: Warehouse, indicator: str, periode: str, expected: float) -> None:
    assert nl(wh, indicator, periode) == pytest.approx(expected)


def test_cbs_rate_differs_from_own_calculation(wh: Warehouse) -> None:
    # Own instroom_pct divides by the stock at the peildatum (155 440 / 496 600); CBS by everyone with bijstand in the year
    own = nl(wh, "instroom_pct_15plus", "2015")
    assert own == pytest.approx(155_440 / 496_600 * 100)
    assert round(own, 1) == 31.3 and nl(wh, "cbs_instroom_pct_15plus", "2015") == 24.5


def test_cbs_rates_per_gemeente_and_not_published_years(wh: Warehouse) -> None:
    # B8345, row "2015,83450NED,90100,GM0363" (Amsterdam, 15 jaar tot AOW-leeftijd): Instroom_5 and Bijstandsdichtheid_3
    row = pl.read_csv(B8345, infer_schema_length=0).filter(
        (pl.col("jaar") == "2015") & (pl.col("leeftijd_code") == "90100") & (pl.col("regiocode") == "GM0363")).row(0, named=True)
    assert value(wh, "GM0363", "cbs_instroom_pct_15_aow", "2015") == float(row["Instroom_5"])
    assert value(wh, "GM0363", "cbs_dichtheid_15_aow", "2015") == 68.5
    # WerkNaReIntegratie is empty for every region in 84066NED (2017): no rows, rather than 'onderdrukt' rows
    assert wh.national(["werk_na_reintegratie_15plus"]).filter(pl.col("periode") == "2017").is_empty()
    assert "cbs_uitstroom_werk_pct_aow_plus" not in metrics.REGISTRY


def test_rates_are_never_summed_or_derived(wh: Warehouse) -> None:
    rates = [i for i in metrics.REGISTRY.values() if i.rate]
    assert {f"cbs_{k}_{lg}" for k in ("dichtheid", "instroom_pct", "uitstroom_pct") for lg in metrics.AGE_GROUPS} <= {i.id for i in rates}
    assert all(not i.additive and i.base for i in rates)
    for d in metrics.DERIVED:
        assert not set(d.formula.inputs()) & {i.id for i in rates}
    # Amsterdam took in Weesp (2022) and Eemsdelta is a merger (2021): no CBS rate on the 2025 indeling
    assert wh.observations("GM0363", ["cbs_instroom_pct_15_aow"], "nieuwste").is_empty()
    assert wh.observations("GM1979", ["cbs_instroom_pct_15_aow"], "nieuwste").is_empty()
    # Rotterdam did not change between 2015 and 2025: the value passes through unchanged
    assert value(wh, "GM0599", "cbs_instroom_pct_15_aow", "2016", "nieuwste") == value(wh, "GM0599", "cbs_instroom_pct_15_aow", "2016")
    # Groningen is unchanged up to indeling 2018 (merger 2019): passes on 2018, missing on 2019
    assert value(wh, "GM0014", "cbs_instroom_pct_15_aow", "2015", 2018) == value(wh, "GM0014", "cbs_instroom_pct_15_aow", "2015")
    assert wh.observations("GM0014", ["cbs_instroom_pct_15_aow"], 2019).is_empty()


def test_harmonise_rate_rules() -> None:
    rows = [("A", 2020, "2020", "x", "r", 10.0), ("B", 2020, "2020", "x", "r", 20.0), ("C", 2020, "2020", "x", "r", 30.0),
            ("D", 2020, "2020", "x", "r", 40.0), ("A", 2020, "2020", "x", "n", 1.0), ("B", 2020, "2020", "x", "n", 2.0)]
    obs = pl.DataFrame(rows, schema=["gemeente_code", "indeling", "periode", "peildatum", "indicator", "waarde"], orient="row").with_columns(
        pl.col("indeling").cast(pl.Int32), pl.lit("t").alias("bron"), *[pl.lit(False).alias(f) for f in
                                                                          ("afgerond", "onderdrukt", "voorlopig", "synthetisch")])
    # A+B merge into AB; C is renamed to C2; D is split over C2 and E
    mapping = pl.DataFrame({"van_code": ["A", "B", "C", "D", "D"], "naar_code": ["AB", "AB", "C2", "E", "F"],
                            "gewicht": [1.0, 1.0, 1.0, 0.5, 0.5]})
    out = harmonise(obs, {2020: mapping}, 2025, rates=["r"])
    got = {(r["gemeente_code"], r["indicator"]): r["waarde"] for r in out.iter_rows(named=True)}
    assert got == {("AB", "n"): 3.0, ("C2", "r"): 30.0}
    assert not out["onderdrukt"].any()

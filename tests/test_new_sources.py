"""Issue 9 (parts 2, 5, 6): CBS's own rates and the new real sources, read back from the warehouse.

Every expected figure names the snapshot file and row it comes from.
"""

from __future__ import annotations

import polars as pl
import pytest

from portal.paths import SNAPSHOTS
from portal import metrics
from portal.indeling import harmonise
from portal.store import Warehouse

B8345 = SNAPSHOTS / "cbs_bijstand_gemeenten_2015_2017" / "bijstand_reintegratie_wsw_gemeenten_2015_2017_long.csv"


def nl(wh: Warehouse, indicator: str, periode: str) -> float | None:
    obs = wh.national([indicator]).filter(pl.col("periode") == periode)
    assert obs.height == 1, f"NL01 {indicator} {periode}: {obs.height} rows"
    return obs["waarde"][0]


def value(wh: Warehouse, code: str, indicator: str, periode: str, indeling: str | int = "jaar") -> float | None:
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


# ---- C. re-integratie-/participatievoorzieningen (85588NED, 82342NED) ---------------------------------------------------
REINT = SNAPSHOTS / "cbs_reintegratie_voorzieningen_gemeenten"


def test_reintegratie_voorzieningen(wh: Warehouse) -> None:
    # 85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv, row "85588NED,2023 januari,GM0363,Amsterdam,13670"
    assert value(wh, "GM0363", "reintegratie_voorz_lopend_maand", "2023-01") == 13_670
    assert nl(wh, "reintegratie_voorz_lopend_maand", "2023-01") == 219_870  # row "2023 januari,NL01"
    months = wh.observations("GM0363", ["reintegratie_voorz_lopend_maand"], "jaar")["periode"].to_list()
    assert months[0] == "2023-01" and months[-1] == "2024-09" and len(months) == 21
    n_gm = wh.query("select count(distinct gemeente_code) n from observaties where indicator = 'reintegratie_voorz_lopend_maand' "
                    "and geharmoniseerd = 0 and gemeente_code != 'NL01'")["n"][0]
    assert n_gm == 342
    # December 2023 as the annual figure, divided by inwoners 15 t/m 64 of 85383NED maatstafjaar 2023 (670 673, row
    # "Definitief,2023,GM0363" of 85383NED_gemeenten_bijstand_inwoners.csv)
    dec = pl.read_csv(REINT / "85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv", infer_schema_length=0).filter(
        (pl.col("regiocode") == "GM0363") & (pl.col("Perioden") == "2023 december"))["ReIntegratieParticipatievoorzieningen_1"][0]
    assert value(wh, "GM0363", "reintegratie_voorz_lopend_dec", "2023") == float(dec)
    assert value(wh, "GM0363", "reintegratie_voorz_per_1000_inw_15_65", "2023") == pytest.approx(float(dec) / 670_673 * 1000)
    # 82342NED_totaal_halfjaar_2013_2014_nl_gemeenten.csv: Amsterdam eind 22 130, 21 930, 23 240, 17 980 (PROVENANCE)
    halves = wh.observations("GM0363", ["reintegratie_voorz_eind_halfjaar"], "jaar")
    assert dict(halves.select("periode", "waarde").rows()) == {"2013-06": 22_130, "2013-12": 21_930, "2014-06": 23_240,
                                                                "2014-12": 17_980}
    assert nl(wh, "reintegratie_voorz_eind_dec_srg", "2014") == 214_270  # NL 2014 2e halfjaar, confirmed on cbs.nl
    assert value(wh, "GM0363", "reintegratie_voorz_nieuw_halfjaar", "2013-H1") == 14_730


def test_reintegratie_per_bijstand_on_common_indeling(wh: Warehouse) -> None:
    # 82342NED (indeling 2014) and 83440NED (indeling 2016) meet only on a common indeling: Rotterdam did not change
    srg = value(wh, "GM0599", "reintegratie_voorz_eind_dec_srg", "2014")
    bijstand = value(wh, "GM0599", "bijstand_personen_tot_aow_incl_gerelateerd", "2014")
    assert value(wh, "GM0599", "reintegratie_voorz_srg_per_100_bijstand", "2014", "nieuwste") == pytest.approx(srg / bijstand * 100)
    assert wh.observations("GM0599", ["reintegratie_voorz_srg_per_100_bijstand"], "jaar").is_empty()


def test_71062ned_not_shipped() -> None:
    assert not list(REINT.glob("71062*"))
    assert "71062ned" in (REINT / "EXTRACT.md").read_text(encoding="utf-8")


# ---- B. Kerncijfers wijken en buurten 2020 (84799NED) -------------------------------------------------------------------

def test_kwb_2020(wh: Warehouse) -> None:
    # kwb2020_84799NED_nl_gemeenten_bijstand_bevolking.csv, row "Gemeente,GM0363,Amsterdam,872757,...,39780"
    assert value(wh, "GM0363", "bijstand_alg_personen_kwb", "2020") == 39_780
    assert nl(wh, "bijstand_alg_personen_kwb", "2020") == 421_110  # row "Land,NL00" -> NL01
    inw = value(wh, "GM0363", "inwoners_15_65_kwb", "2020")
    assert inw == 108_636 + 317_667 + 210_376  # k_15Tot25Jaar_9 + k_25Tot45Jaar_10 + k_45Tot65Jaar_11
    assert value(wh, "GM0363", "dichtheid_alg_kwb", "2020") == pytest.approx(39_780 / inw * 1000)
    assert value(wh, "GM0363", "inwoners_kwb", "2020") == 872_757
    obs = wh.observations("GM0363", ["bijstand_alg_personen_kwb"], "jaar").row(0, named=True)
    assert obs["voorlopig"] and obs["indeling"] == 2020 and "afgeleid" in obs["peildatum"]
    n = wh.query("select count(*) n from observaties where indicator = 'bijstand_alg_personen_kwb' and geharmoniseerd = 0 "
                 "and gemeente_code != 'NL01'")["n"][0]
    assert n == 355
    # on the 2025 indeling Amsterdam includes Weesp (merged 2022)
    assert value(wh, "GM0363", "bijstand_alg_personen_kwb", "2020", "nieuwste") > 39_780


# ---- D. G40-stedennetwerk -----------------------------------------------------------------------------------------------

def test_g40_group(wh: Warehouse) -> None:
    from portal import peers

    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    g = peers.resolve(wh, fm, peers.GroupSpec(kind="g40"), "GM0363")  # Amsterdam is G4, not G40
    assert len(g.members) == 41
    assert "GM0362" in g.members and "GM0153" in g.members  # Amstelveen (since 1 July 2022), Enschede
    assert not set(g.members) & set(peers.G4)
    assert "41 gemeenten" in g.label() and "1 juli 2022" in " ".join(g.notes)
    own = peers.resolve(wh, fm, peers.GroupSpec(kind="g40"), "GM0153")  # a member: the other 40
    assert len(own.members) == 40 and "GM0153" not in own.members
    spec, msgs = peers.spec_from_params({"rg": "g40"})
    assert spec.kind == "g40" and not msgs


# ---- E. national quarterly persons with bijstand (83618NED … 86003NED) --------------------------------------------------

def test_national_quarterly_bijstand(wh: Warehouse) -> None:
    # uitkeringen_soort_nederland_kwartaal_2013_2024.csv, Bijstandsuitkering_6 of the rows "83618NED,2013,2013 maart",
    # "83577NED,2016,2016 december" (= 80794ned per PROVENANCE) and "86003NED,2024,2024 september"
    assert nl(wh, "bijstand_alg_personen_nl_kwartaal", "2013-03") == 395_350
    assert nl(wh, "bijstand_alg_personen_nl_kwartaal", "2016-12") == 464_490
    assert nl(wh, "bijstand_alg_personen_nl_kwartaal", "2024-09") == 403_070
    series = wh.national(["bijstand_alg_personen_nl_kwartaal"])
    assert series.height == 47 and series["bron"][0] == "83618NED"
    assert series.filter(pl.col("periode") == "2016-12")["peildatum"][0] == "eind december 2016"
    # never per gemeente, and never spliced into the 37789ksz monthly series (a different indicator, uitkeringen)
    assert wh.query("select count(*) n from observaties where indicator = 'bijstand_alg_personen_nl_kwartaal' "
                    "and gemeente_code != 'NL01'")["n"][0] == 0
    assert set(wh.national(["bijstand_uitkeringen_tot_aow_nl"])["bron"]) == {"37789ksz"}


# ---- F. columns shipped but unused until now ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "indicator", "periode", "expected"),
    [
        # 85383NED_gemeenten_bijstand_inwoners.csv, row "Definitief,2024,GM0363,Amsterdam"
        ("GM0363", "bijstand_uitkeringen_bbz", "2024", 410),
        ("GM0363", "bijstand_uitkeringen_ioaw", "2024", 1_060),
        ("GM0363", "bijstand_uitkeringen_ioaz", "2024", 130),
        ("GM0363", "bijstand_uitkeringen_adreslozen", "2024", 1_520),
        ("GM0363", "bijstand_uitkeringen_overig_adreslozen", "2024", 820),
        ("GM0363", "bijstand_uitkeringen_elders_verzorgden", "2024", 950),
        ("GM0363", "wajong_uitkeringen_fvw", "2024", 8_423),
        ("GM0363", "eenouderhuishoudens", "2024", 41_111),
        # row "Definitief,2023,GM0363" (definitief wins over "Voorlopig,2023,GM0363" = 1 290)
        ("GM0363", "eenouderhuishoudens", "2023", 40_935),
        ("GM0363", "loonkostensubsidie_personen_fvw", "2023", 1_300),
        # row "Voorlopig,2024,GM0363" (no definitive 2024 figure)
        ("GM0363", "loonkostensubsidie_personen_fvw", "2024", 1_420),
        # 84860NED_gemeenten_regio2020.csv, GM0363: WajongUitkeringen31122019_27, PersonenMetLoonkostensubs31122019_28
        ("GM0363", "wajong_uitkeringen_maatstaf", "2019", 8_430),
        ("GM0363", "loonkostensubsidie_personen_maatstaf", "2019", 780),
        # 84590NED_gemeenten_regio2019.csv, NL01: WajongUitkeringen31122017_27, PersonenMetLoonkostensubs31122018_31
        ("NL01", "wajong_uitkeringen_maatstaf", "2017", 245_790),
        ("NL01", "loonkostensubsidie_personen_maatstaf", "2018", 15_310),
        # michielsd_iv3_gemeentefonds/GF_S2024_2024_Volumina.csv "363 Amsterdam ... 38.660,00" and GF_S2024_2025 "38916,00599"
        ("GM0363", "bijstandsontvangers_gf_maatstaf", "2024", 38_660.00),
        ("GM0363", "bijstandsontvangers_gf_maatstaf", "2025", 38_916.00599),
        ("GM1979", "bijstandsontvangers_gf_maatstaf", "2024", 1_275.67),
        # social_security_37789ksz_1998_2017.csv, row "260","2018MM01": 434.2, 23.9, 1.9 and 3408.0 (x 1 000)
        ("NL01", "bijstand_uitkeringen_totaal_nl", "2018-01", 434_200),
        ("NL01", "ioaw_uitkeringen_nl", "2018-01", 23_900),
        ("NL01", "ioaz_uitkeringen_nl", "2018-01", 1_900),
        ("NL01", "aow_uitkeringen_nl", "2018-01", 3_408_000),
    ],
)
def test_unused_columns_now_indicators(wh: Warehouse, code: str, indicator: str, periode: str, expected: float) -> None:
    got = nl(wh, indicator, periode) if code == "NL01" else value(wh, code, indicator, periode)
    assert got == pytest.approx(expected)


def test_unused_columns_flags(wh: Warehouse) -> None:
    lks = wh.observations("GM0363", ["loonkostensubsidie_personen_fvw"], "jaar")
    assert dict(lks.select("periode", "voorlopig").rows()) == {"2023": False, "2024": True}
    # Adreslozen_27 is filled for 43 gemeenten only: the others get no row, not a 'suppressed' one
    assert wh.observations("GM1979", ["bijstand_uitkeringen_adreslozen"], "jaar").is_empty()
    n = wh.query("select count(*) n from observaties where indicator = 'bijstand_uitkeringen_adreslozen' and geharmoniseerd = 0 "
                 "and gemeente_code != 'NL01'")["n"][0]
    assert n == 43
    # the 37789ksz AO columns are empty in 2018: no rows rather than suppressed ones
    assert wh.national(["ao_uitkeringen_nl"]).filter(pl.col("periode") == "2018-01").is_empty()
    # totaal = the seven types, within rounding to tens (Amsterdam 2024: 35 420)
    parts = ["bijstand_uitkeringen_algemeen", "bijstand_uitkeringen_bbz", "bijstand_uitkeringen_ioaw", "bijstand_uitkeringen_ioaz",
             "bijstand_uitkeringen_adreslozen", "bijstand_uitkeringen_overig_adreslozen", "bijstand_uitkeringen_elders_verzorgden"]
    assert sum(value(wh, "GM0363", p, "2024") for p in parts) == value(wh, "GM0363", "bijstand_uitkeringen_totaal", "2024")


# ---- F. national instroom, herinstroom and uitstroom per quarter (85615NED, issue 19) -----------------------------------

def test_national_flows_with_herinstroom(wh: Warehouse) -> None:
    # cbs_85615NED_stromen_nationaal/85615NED_nederland_totaal_kwartaal_2012_2024.csv, rows 2012KW01 and 2024KW03
    assert nl(wh, "bijstand_instromers_nl_kwartaal", "2012-Q1") == 32_290
    assert nl(wh, "bijstand_herinstromers_nl_kwartaal", "2012-Q1") == 9_830
    assert nl(wh, "bijstand_uitstromers_nl_kwartaal", "2024-Q3") == 20_420
    flows = wh.national(["bijstand_herinstromers_nl_kwartaal"])
    assert flows.height == 51 and set(flows["bron"]) == {"85615NED"}
    assert flows.filter(pl.col("periode") == "2024-Q3")["peildatum"][0] == "3e kwartaal 2024"
    # herinstromers are a part of the instromers in every quarter
    both = wh.national(["bijstand_instromers_nl_kwartaal", "bijstand_herinstromers_nl_kwartaal"]).pivot(
        on="indicator", index="periode", values="waarde")
    assert (both["bijstand_herinstromers_nl_kwartaal"] < both["bijstand_instromers_nl_kwartaal"]).all()
    assert wh.query("select count(*) n from observaties where indicator like 'bijstand_%stromers_nl_kwartaal' "
                    "and gemeente_code != 'NL01'")["n"][0] == 0

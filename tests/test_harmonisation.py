"""Figures a user can trust: herindelingen, harmonised sums, flags and a reproducible build, on the shipped data."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from etl.build import collect, content_checksum, sanity
from etl.herindeling import SPLITS, split_weight_table
from portal.paths import ROOT, SNAPSHOTS
from portal.store import Warehouse

from test_warehouse_numbers import value  # tests/ is on sys.path (pytest rootdir conftest)


def _build_in_process(target: Path, seed: str) -> str:
    code = ("import sys; from pathlib import Path; from etl.build import build; "
            "print(build(Path(sys.argv[1]), log=lambda _: None).content_sha256)")
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(target.parent)}
    out = subprocess.run([sys.executable, "-c", code, str(target)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_rebuild_in_other_processes_gives_the_same_content(tmp_path: Path, built: Path) -> None:
    """Two builds in separate processes with different hash seeds (set and dict order) give identical content."""
    a = _build_in_process(tmp_path / "a" / "warehouse.db", "1")
    b = _build_in_process(tmp_path / "b" / "warehouse.db", "4242")
    assert a == b
    assert content_checksum(built) == a  # and the test session's own build (a third seed) agrees


def test_split_table_is_complete_and_plausible(wh: Warehouse) -> None:
    declared = set(wh.query("select oude_code, nieuwe_code from herindelingen where soort = 'splitsing'").rows())
    assert declared == set(split_weight_table())
    w = split_weight_table()
    # Littenseradiel (GM0140, not Menameradiel GM1908) went to Súdwest-Fryslân, Leeuwarden and Waadhoeke
    assert w[("GM0140", "GM1900")] == pytest.approx(5_485 / 10_710)
    assert w[("GM0140", "GM0080")] == pytest.approx(3_340 / 10_710)
    assert w[("GM0140", "GM1949")] == pytest.approx(1_885 / 10_710)
    assert w[("GM1671", "GM0796")] == pytest.approx(7_130 / 12_100)  # Maasdonk: Nuland + Vinkel to 's-Hertogenbosch
    assert w[("GM0055", "GM1921")] == pytest.approx(915 / 20_830)  # Boarnsterhim: Terherne, Akmarijp, Snikzwaag
    assert w[("GM0053", "GM1969")] == pytest.approx(1_550 / 13_515)  # Winsum: Ezinge, Feerwerd, Garnwerd
    # the 2020 parts add up to within 10 % of the last shipped CBS count of the whole gemeente before the split
    last = {"GM0055": ("80860ned", "2009"), "GM1671": ("80860ned", "2009"), "GM0140": ("70072ned", "2015"),
            "GM0053": ("70072ned", "2015"), "GM0788": ("70072ned", "2015")}
    for old, parts in SPLITS.items():
        assert len(parts) >= 2, old
        before = wh.query("""select waarde from observaties where geharmoniseerd = 0 and indicator = 'inwoners_totaal'
                             and gemeente_code = ? and bron = ? and periode = ?""", (old, *last[old]))["waarde"][0]
        assert sum(n for n, _ in parts.values()) == pytest.approx(before, rel=0.10), old
    menameradiel = wh.query("select nieuwe_code, soort, gewicht from herindelingen where oude_code = 'GM1908' and indeling_jaar = 2018")
    assert menameradiel.rows() == [("GM1949", "samenvoeging", 1.0)]


def test_de_friese_meren_date_follows_the_cbs_list(wh: Warehouse) -> None:
    row = wh.query("select datum from herindelingen where oude_code = 'GM1921' and nieuwe_code = 'GM1940'")
    begin = wh.query("select distinct begindatum from gemeente_jaar where gemeentecode = 'GM1940'")
    assert row["datum"][0] == begin["begindatum"][0] == "2015-07-01"


def test_weesp_2021_is_in_amsterdam_not_suppressed(wh: Warehouse) -> None:
    """85309NED (31-12-2021) is published after Weesp joined Amsterdam: Amsterdam's row includes Weesp."""
    for indicator, amsterdam in (("bijstand_personen_tot_aow_incl_gerelateerd", 50_490), ("inwoners_15_65", 657_980)):
        assert value(wh, "GM0363", indicator, "2021") == amsterdam
        assert value(wh, "GM0363", indicator, "2021", "nieuwste") == amsterdam
        weesp = wh.observations("GM0457", [indicator], "jaar").filter(pl.col("periode") == "2021")
        assert weesp.is_empty()  # no empty "onderdrukt" cell for a gemeente that no longer existed
    assert value(wh, "GM0363", "bijstand_personen_tot_aow_incl_gerelateerd", "2020") == 46_650  # Weesp 2020: 470
    sums = wh.query("""select geharmoniseerd, sum(waarde) s, sum(onderdrukt) o from observaties where periode = '2021'
                       and indicator = 'bijstand_personen_tot_aow_incl_gerelateerd' and gemeente_code != 'NL01' group by 1""")
    assert dict(zip(sums["geharmoniseerd"], sums["s"])) == {0: 471_420, 1: 471_420}  # was 420 930 on indeling 2025
    assert sums["o"].sum() == 0
    assert wh.query("select count(*) n from observaties where bron = '85309NED' and onderdrukt = 1")["n"][0] == 0


def _raw_rows(name: str, sep: str) -> list[dict[str, str]]:
    path = SNAPSHOTS / "michielsd_iv3_gemeentefonds" / name
    return list(csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=sep))


def test_wdeel_proxy_2023_on_own_boundaries(wh: Warehouse) -> None:
    """The May 2022 circulaire (2022 code list without Weesp) is put on indeling 2023, where Iv3 2023 is."""
    gf = {int(r["CBS"]): float(r["Participatie"]) for r in _raw_rows("GF_M2022_2023_SIUDU.csv", ",")}
    assert len(gf) == 344 and 457 not in gf and 1992 not in gf
    iv3 = {r["Taakveld"][:3]: float(r["Lasten"]) * 1000 for r in _raw_rows("iv3_2023_jaarrekening_taakveld_6_3_6_4_6_5.csv", ";")
           if r["Gemeenten"] == "Rotterdam"}
    iu = gf[599]
    assert iu == 48_472_227 and iv3["6.4"] == 106_431_000 and iv3["6.5"] == 105_338_000
    expected = (iu - iv3["6.4"] - iv3["6.5"]) / iu * 100  # about −337 %: Rotterdam spends far more on 6.4/6.5 than the IU
    assert value(wh, "GM0599", "wdeel_onderbesteding_proxy_jaarrekening", "2023") == pytest.approx(expected)
    # Voorne aan Zee (1-1-2023) = Brielle + Hellevoetsluis + Westvoorne in the circulaire
    assert value(wh, "GM1992", "iu_participatie", "2023") == gf[501] + gf[530] + gf[614] == 187_078
    n = wh.query("""select count(*) n from observaties where geharmoniseerd = 0 and periode = '2023' and waarde is not null
                    and indicator = 'wdeel_onderbesteding_proxy_jaarrekening' and gemeente_code != 'NL01'""")["n"][0]
    assert n == 342  # was 0: every gemeente had the IU on indeling 2022 and Iv3 on indeling 2023


def _flags(wh: Warehouse, code: str, indicator: str, bron: str) -> list[tuple]:
    return wh.query("""select periode, waarde, afgerond, onderdrukt from observaties where geharmoniseerd = 0
                       and gemeente_code = ? and indicator = ? and bron = ?""", (code, indicator, bron)).rows()


def test_afgerond_only_where_the_source_rounds(wh: Warehouse) -> None:
    # 84590NED (31-12-2018) is published unrounded: Amsterdam 46 127
    assert _flags(wh, "GM0363", "bijstand_personen_tot_aow_incl_gerelateerd", "84590NED") == [("2018", 46_127, 0, 0)]
    # the rounded tables keep their flag
    assert _flags(wh, "GM0363", "bijstand_personen_tot_aow_incl_gerelateerd", "85052NED") == [("2020", 46_650, 1, 0)]
    assert _flags(wh, "GM0363", "bijstand_alg_personen_15_aow", "83450NED") == [("2015", 41_740, 1, 0)]
    assert _flags(wh, "GM0363", "bijstand_uitkeringen_totaal", "85383NED") == [("2024", 35_420, 1, 0)]
    # unrounded columns next to rounded ones: maatstaven inwoners 15–65 2014–2016, 85383NED eenpersoonshuishoudens
    assert all(r[2] == 0 for t in ("83440NED", "83718NED", "83997NED") for r in _flags(wh, "GM0363", "inwoners_15_65", t))
    assert all(r[2] == 0 for r in _flags(wh, "GM0363", "eenpersoonshuishoudens", "85383NED"))
    # every flagged source value is a multiple of ten (harmonised split shares of rounded figures keep the flag)
    odd = wh.query("""select count(*) n from observaties where afgerond = 1 and geharmoniseerd = 0 and waarde % 10 != 0
                      and indicator in (select id from indicatoren where formule is null)""")["n"][0]
    assert odd == 0
    # suppressed ("onderdrukt") only where CBS left a cell empty: Haarlem and Zandvoort re-integratie 2016
    # (CBS also leaves its own percentages empty where a count is too small: those are empty cells too, kept apart here)
    sup = wh.query("""select distinct gemeente_code, bron from observaties where onderdrukt = 1
                      and geharmoniseerd = 0 and indicator not like 'cbs%pct%' and indicator not like 'cbs_%dichtheid%'""")
    # Haarlem and Zandvoort 2016 (83747NED); Schijndel and Veghel 2013-H1 (82342NED): cells CBS left empty
    assert set(sup.iter_rows()) == {("GM0392", "83747NED"), ("GM0473", "83747NED"), ("GM0870", "82342NED"),
                                    ("GM0874", "82342NED")}


def test_definitions_say_what_is_counted(wh: Warehouse) -> None:
    path = SNAPSHOTS / "cbs_85383NED_maatstaven_fvw_2023_2025" / "85383NED_gemeenten_bijstand_inwoners.csv"
    nl = next(r for r in csv.DictReader(path.open(encoding="utf-8")) if r["gemeentecode"] == "NL01"
              and r["uitkeringsjaar"] == "2024" and r["statuscijfer"] == "Definitief")
    parts = ["AlgemeneBijstand_23", "BBZ_24", "IOAW_25", "IOAZ_26", "Adreslozen_27", "OverigAdreslozen_28", "EldersVerzorgden_29"]
    total = float(nl["TotaalBijstandsuitkeringen_22"])
    assert sum(float(nl[p]) for p in parts) == total == 375_990
    share = (float(nl["OverigAdreslozen_28"]) + float(nl["EldersVerzorgden_29"])) / total
    assert round(share * 100, 1) == 4.3
    ind = wh.query("select * from indicatoren where id = 'bijstand_uitkeringen_totaal'").row(0, named=True)
    assert "elders verzorgden" in ind["definitie"] and "overig adreslozen" in ind["definitie"] and "4,3 %" in ind["kanttekeningen"]
    dens = wh.query("select definitie, peildatum from indicatoren where id = 'dichtheid_tot_aow_incl_gerelateerd'").row(0)
    assert "AOW-leeftijd" in dens[0] and "15 tot en met 64" in dens[0] and "niet in de bron" in dens[1]
    # no peildatum claimed that a PROVENANCE file does not back
    peil = dict(wh.query("select id, peildatum from indicatoren").rows())
    assert peil["bijstand_uitkeringen_totaal"] == "maatstafjaar 2024 (peildatum niet in de bron)"
    assert "afgeleid" in peil["bijstand_personen_abw_wwb"] and "afgeleid" in peil["bijstand_personen_tot_aow_incl_gerelateerd"]
    ams = wh.query("""select peildatum from observaties where gemeente_code = 'GM0363' and indicator = 'inwoners_15_65'
                      and bron = '85309NED' and geharmoniseerd = 0""")["peildatum"][0]
    assert ams == "inwoners: peildatum niet in de bron"  # was 2021-12-31, the date of the bijstand column


def test_sanity_check_reports_gaps_and_partial_sums() -> None:
    data = collect(log=lambda _: None)
    warnings = sanity(data, log=lambda _: None)
    # every harmonised total equals its own-boundary total, except where a part was suppressed by CBS (82342NED 2013:
    # Schijndel and Veghel empty, so Meierijstad gets no sum and Sint-Oedenrode's part is not counted on indeling 2025)
    assert [w for w in warnings if "eigen grenzen" in w and not w.startswith("reintegratie_voorz_")] == []
    assert "reintegratie_personen_15_aow 2016 (83747NED): som gemeenten 172.130 ≠ Nederland 173.940 (-1,0 %, " \
           "2 gemeente(n) zonder cijfer)" in warnings
    # a harmonised figure that lost a part (as Amsterdam 2021 did before Weesp was handled) is reported
    obs = data["observaties"]
    data["observaties"] = obs.filter(~(pl.col("geharmoniseerd") & (pl.col("gemeente_code") == "GM0363")
                                       & (pl.col("periode") == "2021")))
    warnings = sanity(data, log=lambda _: None)
    assert ("bijstand_personen_tot_aow_incl_gerelateerd 2021 (85309NED): som op indeling 2025 420.930 ≠ som op eigen grenzen "
            "471.420: niet elk deel is omgerekend (onderdrukt of ontbrekend)") in warnings

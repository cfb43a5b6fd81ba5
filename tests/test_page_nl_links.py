"""Issue 24: proxies say what they measure and cannot be indexed; bad link values get a Dutch message naming the
parameter; every choice is kept in the link; exports carry the gemeentecode. Real numbers from the shipped data."""

from __future__ import annotations

from pathlib import Path

from portal import benchmark as bm
from portal import metrics
from tests.pagetest import frame, page, shown

WDEEL = "wdeel_onderbesteding_proxy_jaarrekening"


def test_proxies_are_labelled_by_what_they_measure() -> None:
    for i in metrics.REGISTRY.values():
        if "proxy" in i.id:
            assert i.proxy and "Onderbesteding" not in i.label and "proxy" in i.label, i.id
    w = metrics.get(WDEEL)
    assert w.label.startswith("IU Participatie min Iv3-lasten 6.4 + 6.5, in % van de IU") and w.unit == "% van de IU Participatie"
    assert metrics.get("ideel_resultaat_proxy_jaarrekening").label.startswith("Saldo taakveld 6.3 Inkomensregelingen")
    assert not metrics.get("dichtheid_uitkeringen_totaal").proxy


def test_a_proxy_cannot_be_indexed(built: Path) -> None:
    """Alkmaar's W-deel proxy indexed on 2023 was −12.011,8; now the toggle is disabled and the link gets a message."""
    at = page("vergelijken", gemeente="GM0361", vergelijk="GM0363", indicator="wdeel_onderbesteding_proxy_begroting",
              index="1", basis="2023")
    assert any("parameter index in de link" in w.value and "proxy" in w.value for w in at.warning)
    toggle = at.toggle[0]
    assert toggle.label == "Index (basisjaar = 100)" and toggle.proto.disabled and not toggle.value
    assert "Niet bij deze proxy" in toggle.proto.help
    assert at.query_params["index"] in ("0", ["0"])
    rows = {r["Gemeente"]: r for r in frame(at)}
    assert round(rows["Alkmaar"]["2023"], 1) == -105.1  # the figure itself, in % of the IU, not an index
    assert shown(at)[0]["2023"] == "-105,1"


def test_a_base_year_without_figures_is_named(built: Path) -> None:
    at = page("vergelijken", gemeente="GM0363", vergelijk="GM0599", indicator="bijstand_personen_tot_aow_incl_gerelateerd",
              index="1", basis="1800")
    msg = " ".join(w.value for w in at.warning)
    assert "Basisjaar '1800' (parameter basis in de link) heeft hier geen cijfers" in msg and "Getoond wordt basisjaar 2014" in msg
    assert at.query_params["basis"] in ("2014", ["2014"])
    assert all(r["2014"] == "100,0" for r in shown(at))
    assert bm.base_period(None, ["2014", "2015"]) == ("2014", "") and bm.base_period("2015", ["2014", "2015"]) == ("2015", "")


def test_vergelijken_table_and_export_carry_the_gemeentecode(built: Path) -> None:
    at = page("vergelijken", gemeente="GM0363", vergelijk="GM0599,GM0014", indicator="bijstand_personen_tot_aow_incl_gerelateerd")
    assert [(r["Gemeente"], r["Gemeentecode"]) for r in frame(at)] == [("Amsterdam", "GM0363"), ("Rotterdam", "GM0599"),
                                                                      ("Groningen", "GM0014")]


def test_the_ontleding_year_is_kept_in_the_link(built: Path) -> None:
    at = page("profiel", gemeente="GM0363", rg="g4", ontleding="2016")
    assert at.query_params["ontleding"] in ("2016", ["2016"])
    assert any("**2016:**" in m.value for m in at.markdown)
    bad = page("profiel", gemeente="GM0363", rg="g4", ontleding="1900")
    assert any("(parameter ontleding in de link) is hier niet beschikbaar" in w.value for w in bad.warning)
    assert bad.query_params["ontleding"] in ("2017", ["2017"])

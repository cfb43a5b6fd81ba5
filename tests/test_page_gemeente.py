"""The gemeente page with Streamlit's AppTest, on the real warehouse."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.pagetest import chart_specs, page, shown

def run(built: Path, **params: str) -> AppTest:
    return page("gemeente", timeout=30, **params)


def table_rows(at: AppTest) -> list[dict]:
    return shown(at)  # as the user reads them


def test_amsterdam_own_boundaries(built: Path) -> None:
    at = run(built, gemeente="GM0363", indeling="eigen")
    assert not at.exception
    assert at.title[0].value == "Bijstand in Amsterdam"
    rows = table_rows(at)
    r2015 = [r for r in rows if r["Jaar"] == "2015" and r["Bron"] == "CBS 83450NED"]
    assert r2015 and r2015[0]["Waarde"] == "41.740" and r2015[0]["Indeling"] == "2015"
    assert {r["Bron"] for r in rows} >= {"CBS 80860ned", "CBS 83450NED", "CBS 83440NED", "CBS 85383NED"}
    assert any("Bron: CBS, tabel" in m.value for m in at.markdown)


def test_harmonised_view_includes_weesp(built: Path) -> None:
    at = run(built, gemeente="GM0363", indeling="nieuwste")
    rows = table_rows(at)
    r2015 = [r for r in rows if r["Jaar"] == "2015" and r["Bron"] == "CBS 83450NED"][0]
    assert r2015["Waarde"] == "42.160" and r2015["Indeling"] == "2025"  # 41 740 + Weesp 420
    r2021 = [r for r in rows if r["Jaar"] == "2021"][0]
    assert r2021["Waarde"] == "50.490"  # 85309NED already counts Weesp in Amsterdam (was "geen cijfer")


def test_density_toggle(built: Path) -> None:
    at = run(built, gemeente="GM0363", indeling="eigen", maat="dichtheid")
    r = [r for r in table_rows(at) if r["Jaar"] == "2015" and r["Bron"] == "CBS 83450NED"][0]
    assert r["Waarde"] == "68,5"  # 41 740 / 609 570 × 1 000


def test_boundary_change_is_marked(built: Path) -> None:
    at = run(built, gemeente="GM0080", indeling="eigen")  # Leeuwarden: 2014 Boarnsterhim (part), 2018 Leeuwarderadeel
    captions = " ".join(c.value for c in at.caption)
    assert "Grenswijzigingen van Leeuwarden" in captions and "2018: " in captions and "Leeuwarderadeel" in captions


def test_breaks_follow_the_data_indeling(wh) -> None:
    from portal.benchmark import boundary_breaks, volume_series

    series = volume_series(wh, "GM0080", "jaar")
    # 83997NED (regio 2018) carries 31-12-2016 on the 2018 boundaries (with Leeuwarderadeel): the break is at 2016;
    # 83440NED (regio 2016) already has the 2014 merger of Boarnsterhim in its 2014 figure, 80860ned (indeling 2009) does not.
    assert boundary_breaks(series, [2014, 2018]) == [2016]


def test_picker_changes_gemeente_and_url(built: Path) -> None:
    at = run(built, gemeente="GM0363")
    at.sidebar.selectbox[0].set_value("GM0014").run()
    assert at.title[0].value == "Bijstand in Groningen"
    assert at.query_params["gemeente"] == ["GM0014"] or at.query_params["gemeente"] == "GM0014"


def test_unknown_code_in_url(built: Path) -> None:
    at = run(built, gemeente="GM9999")
    assert not at.exception
    assert "Gemeentecode GM9999 is onbekend" in at.error[0].value
    assert at.title[0].value == "Bijstand in Amsterdam"


def test_merged_code_offers_successor(built: Path) -> None:
    at = run(built, gemeente="GM0788")  # Haaren, split in 2021
    assert "Haaren (GM0788) bestaat niet meer" in at.warning[0].value
    vught = [b for b in at.button if "Vught" in b.label][0]
    vught.click().run()
    assert at.title[0].value == "Bijstand in Vught"


def test_break_lines_are_drawn(built: Path) -> None:
    """Leeuwarden on own boundaries: the chart itself carries a dashed rule at 2016 (fails when boundary_breaks is
    stubbed out or the rule layer goes missing)."""
    spec = chart_specs(run(built, gemeente="GM0080", indeling="eigen"))[0]
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert len(rules) == 1 and rules[0]["mark"]["strokeDash"] == [4, 4]
    assert [r["jaar"] for r in spec["datasets"][rules[0]["data"]["name"]]] == [2016]
    assert spec["title"]["text"] == "Bijstandsvolume Leeuwarden, per CBS-definitie" and spec["title"]["subtitle"] == ["aantal"]

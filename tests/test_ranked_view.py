"""Vergelijken's ranked view of one period (portal.ui.rangschikking): the G40 in order with real shipped numbers, the
chosen gemeente highlighted, the group's median, rounding ranges, places only where the signal rules allow, gemeenten
without a figure listed as "geen cijfer", the period kept in the link, and the gemeentecode in the export."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from portal import benchmark as bm
from portal import export
from tests.pagetest import chart_specs, frame, page, shown

G40 = dict(gemeente="GM0193", rg="g40")  # Zwolle with the G40 (41 gemeenten with Zwolle)


def ranked_spec(at) -> dict:
    return next(s for s in chart_specs(at) if "op volgorde" in " ".join(s["title"]["text"] if isinstance(s["title"]["text"], list)
                                                                       else [s["title"]["text"]]))


def ranked_table(at) -> list[dict]:
    i = next(i for i, d in enumerate(at.dataframe) if "Plaats" in d.value.columns)
    return frame(at, i)


def bars(spec: dict) -> list[dict]:
    """The rows behind the bars, in the order of the y-axis."""
    rows = next(v for v in spec["datasets"].values() if v and "label" in v[0])
    return rows


def test_g40_dichtheid_2024_in_order_with_places(built: Path) -> None:
    at = page("vergelijken", indicator="dichtheid_uitkeringen_totaal", jaar="2024", **G40)
    rows = ranked_table(at)
    assert len(rows) == 41 and [r["Gemeentecode"] for r in rows[:3]] == ["GM0917", "GM0080", "GM0202"]
    assert [r["Gemeente"] for r in rows[:3]] == ["Heerlen", "Leeuwarden", "Arnhem"] and rows[-1]["Gemeente"] == "Amstelveen"
    assert rows[0]["Cijfer"] == 66.2 and rows[0]["Plaats"] == "1"  # 85383NED, uitkeringen per 1 000 inwoners 15–65
    zwolle = next(r for r in rows if r["Gemeentecode"] == "GM0193")
    assert zwolle["Cijfer"] == 41.3 and zwolle["Plaats"] == "12" and zwolle["Bereik"] == "afronding door CBS"
    assert zwolle["Ondergrens afronding"] < 41.26 < zwolle["Bovengrens afronding"]
    values = [r["Cijfer"] for r in rows]
    assert values == sorted(values, reverse=True)
    # where rounding lets two gemeenten swap, the place is a range (Emmen 43,3 and Assen 43,2)
    assert {r["Gemeente"]: r["Plaats"] for r in rows[8:10]} == {"Emmen": "9–10", "Assen": "9–10"}
    assert any("Zwolle: plaats 12 van 41" in m.value for m in at.markdown)

    spec = ranked_spec(at)
    assert spec["title"]["text"] == "Bijstandsuitkeringen per 1 000 inwoners 15–65, 2024: op volgorde"
    labels = [r["label"] for r in bars(spec)]
    assert labels[:3] == ["1. Heerlen", "2. Leeuwarden", "3. Arnhem"] and "12. Zwolle" in labels
    median = next(v[0]["mediaan"] for v in spec["datasets"].values() if v and "mediaan" in v[0])
    assert round(median, 1) == 36.4  # the median of the 41 (Maastricht 39,5 … Gouda 36,4)
    assert spec["height"] >= 41 * 24 and spec["autosize"]["type"] == "fit-x"  # grows with the bars
    text = " ".join(c.value for c in at.caption)
    assert "85383NED" in text and "Peildatum" in text and "maatstafjaar 2024" in text
    assert at.query_params["jaar"] in ("2024", ["2024"])


def test_stale_year_gives_no_places_and_lists_missing_figures(built: Path) -> None:
    at = page("vergelijken", indicator="cbs_dichtheid_15_aow", jaar="2017", **G40)
    rows = ranked_table(at)
    assert len(rows) == 41 and all(r["Plaats"] == "" for r in rows)
    assert any("Geen plaatsen" in m.value and "2017, meer dan 3 jaar oud" in m.value for m in at.markdown)
    missing = [r for r in rows if r["Cijfer"] != r["Cijfer"]]  # (an empty cell reads as NaN)
    assert missing and rows[-len(missing):] == missing  # at the bottom, not left out
    assert {"Groningen", "Leeuwarden"} <= {r["Gemeente"] for r in missing}  # merged since 2017: no CBS figure on 2025's map
    assert all(r["Opmerking"].startswith("geen cijfer") for r in missing)
    spec = ranked_spec(at)
    shown_bars = bars(spec)
    assert [r["label"] for r in shown_bars] == [r["Gemeente"] for r in rows]  # no place numbers in the labels either


def test_proxy_gets_no_places(built: Path) -> None:
    at = page("vergelijken", indicator="wdeel_onderbesteding_proxy_jaarrekening", **G40)
    rows = ranked_table(at)
    assert rows and all(r["Plaats"] == "" for r in rows)
    assert any("Geen plaatsen" in m.value for m in at.markdown)


def test_bad_year_in_the_link_gets_a_dutch_message(built: Path) -> None:
    at = page("vergelijken", indicator="dichtheid_uitkeringen_totaal", jaar="1800", **G40)
    assert any("1800" in w.value and "parameter jaar in de link" in w.value for w in at.warning)
    assert ranked_table(at)[0]["Gemeente"] == "Heerlen"  # the newest period instead


def test_ranking_export_carries_gemeentecode_and_sources(wh) -> None:
    names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
    prep = bm.Prepared(wh.all_observations("nieuwste"), bm.rounding_parts(wh))
    ranked = bm.ranking(prep, "dichtheid_uitkeringen_totaal", "2024", ["GM0193", "GM0917", "GM0362", "GM9999"], names)
    assert ranked["gemeente_code"].to_list() == ["GM0917", "GM0193", "GM0362", "GM9999"]  # no figure last
    assert ranked.filter(pl.col("gemeente_code") == "GM9999")["bereik"][0] == bm.GEEN_CIJFER
    csv = export.table_csv(ranked.select("gemeente_code", "gemeente", "waarde"), ["Bron: 85383NED."]).decode("utf-8-sig")
    assert csv.startswith("# Bron: 85383NED.") and "GM0917;Heerlen;66,16" in csv

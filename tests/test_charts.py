"""The chart layer: every chart on screen has a title, a subtitle with unit or definition and Dutch number format;
exports carry the source lines under a full-width chart; Vergelijken tells twelve and more gemeenten apart."""

from __future__ import annotations

import io
from pathlib import Path

import altair as alt
import jsonschema
import pytest
from PIL import Image

from portal import benchmark as bm
from portal import charts, export, views
from portal.export import indicator_lines
from tests.pagetest import chart_specs, page


@pytest.mark.parametrize("name,params", [
    ("profiel", {"gemeente": "GM0153"}), ("landelijk", {"gemeente": "GM0153"}), ("kaart", {"gemeente": "GM0153"}),
    ("vergelijken", {"gemeente": "GM0153"}), ("gemeente", {"gemeente": "GM0153"}), ("referentiegroep", {"gemeente": "GM0153"}),
])
def test_every_chart_is_finished(built: Path, name: str, params: dict) -> None:
    specs = chart_specs(page(name, **params))
    assert specs
    schema = alt.vegalite.load_schema()
    for spec in specs:
        assert spec["title"]["text"] and spec["title"]["subtitle"]
        assert spec["config"]["locale"]["number"]["decimal"] == ","
        jsonschema.validate(spec, schema)  # the page skips Altair's validation on each rerun; the test does it


def test_vergelijken_twelve_series_and_index_axis(built: Path) -> None:
    others = "GM0599,GM0518,GM0344,GM0014,GM0080,GM0193,GM0772,GM0855,GM0758,GM0796,GM0202,GM0268"
    spec = chart_specs(page("vergelijken", gemeente="GM0153", vergelijk=others, index="1", basis="2015",
                            indicator="bijstand_personen_tot_aow_incl_gerelateerd"))[0]
    enc = spec["layer"][0]["encoding"]
    assert len(enc["color"]["scale"]["domain"]) == 13 and len(set(enc["color"]["scale"]["range"][:12])) == 12
    pattern = list(zip(enc["color"]["scale"]["range"], map(tuple, enc["strokeDash"]["scale"]["range"])))
    assert len(set(pattern)) == 13  # colour and line pattern together tell all thirteen apart
    assert enc["y"]["scale"]["zero"] is False  # an index axis does not start at zero


def test_export_has_full_width_chart_and_source_lines(wh) -> None:
    yearly = views.yearly_volume(wh.all_observations("jaar"))
    c = charts.lines_chart(yearly, x="jaar", series="definitie", y_title="aantal", dash_by="soort")
    lines = indicator_lines(bm.VOLUME)
    png = Image.open(io.BytesIO(export.chart_png(c, "Bijstandsvolume per jaar", lines, "per CBS-definitie")))
    assert png.width >= 2 * export.EXPORT_WIDTH and png.height < 2 * png.width  # the chart fills the width
    svg = export.chart_svg(c, "Bijstandsvolume per jaar", lines, "per CBS-definitie")
    assert "80860ned" in svg and "Bijstandsvolume per jaar" in svg


def test_kept_chart_specs_follow_the_chosen_gemeente(built: Path) -> None:
    """A rerun reuses a finished chart spec only for the same inputs: the funnel rings the gemeente of the link."""
    def ringed(code: str) -> list[str]:
        spec = next(s for s in chart_specs(page("landelijk", gemeente=code)) if s["title"]["text"].startswith("Trechterplot"))
        ring = spec["layer"][-1]
        return [r["gemeente_code"] for r in spec["datasets"][ring["data"]["name"]]]

    assert ringed("GM0153") == ["GM0153"] and ringed("GM0363") == ["GM0363"] and ringed("GM0153") == ["GM0153"]


def test_benchmark_spec_from_a_template_is_altairs_own(wh) -> None:
    """The profile's trend chart filled into a template per shape is exactly the spec Altair builds, for gemeenten with
    and without herindelingen, in density and in counts."""
    from portal import peers

    po, pe = bm.Prepared(wh.all_observations("nieuwste")), bm.Prepared(wh.all_observations("jaar"))
    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    charts._TEMPLATES.clear()
    made = 0
    for i, code in enumerate(["GM0363", "GM0080", "GM0014", "GM1979", "GM0153", "GM0088", "GM0599", "GM1900"]):
        group = peers.resolve(wh, fm, peers.GroupSpec(k=5 + i), code)
        for density in (True, False):
            frame = (bm.group_series(po, pe, code, group.members, bm.DENSITY) if density
                     else bm.volume_at_group_density(po, code, group.members))
            t = views.profile_trend(frame, wh.name(code), density, None, {})
            args = dict(reeksen=t.series, y_title="eenheid", decimals=1 if density else 0, breaks=t.definition_breaks)
            title = f"Bijstand {wh.name(code)}"
            want = charts.finish(charts.benchmark_chart(t.lines, t.band, **args), title, "eenheid").to_dict(validate=False)
            assert charts.benchmark_spec(t.lines, t.band, title=title, subtitle="eenheid", **args) == want
            made += 1
    assert made == 16 and len(charts._TEMPLATES) <= 4  # templates were reused, not rebuilt per gemeente


def _rendement_data(n: int):
    import polars as pl
    from portal.ui.rendement import OORDELEN

    return pl.DataFrame({"label": [f"{i:02d} een voorziening met een lange naam {i}" for i in range(1, n + 1)],
                         "verschil": [float(i) - 3 for i in range(n)], "onder": [float(i) - 6 for i in range(n)],
                         "boven": [float(i) for i in range(n)], "oordeel": [OORDELEN[i % 3] for i in range(n)]}), OORDELEN


@pytest.mark.parametrize("n", [1, 5, 9])
def test_rendement_chart_has_a_row_per_type_a_zero_line_and_a_legend(n: int) -> None:
    data, oordelen = _rendement_data(n)
    spec = charts.finish(charts.rendement_chart(data, oordelen), "Rendementmeters: uitstroom naar werk binnen 6 maanden").to_dict()
    ys = [layer["encoding"]["y"] for layer in spec["layer"] if "y" in layer.get("encoding", {})]
    assert ys and all(y["scale"]["domain"] == data["label"].to_list() for y in ys)  # one row per type, in order
    assert all(y["axis"]["labelLimit"] == 0 for y in ys)  # whole names
    assert any(layer["encoding"]["x"].get("field") == "nul" for layer in spec["layer"])  # the zero line
    legends = [layer["encoding"]["color"]["legend"] for layer in spec["layer"] if "color" in layer.get("encoding", {})]
    assert legends and all(lg["orient"] == "bottom" for lg in legends)
    assert spec["height"] >= charts.ROW * max(n, 3)
    # the height is the plot's: Streamlit's theme autosize ("fit") would give the legend and axes the plot's room
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    import vl_convert as vlc

    assert Image.open(io.BytesIO(vlc.vegalite_to_png(spec, scale=1))).size[1] > spec["height"]  # title, axis, legend on top


def test_rendement_chart_height_grows_with_the_number_of_types() -> None:
    heights = [charts.rendement_chart(*_rendement_data(n)).to_dict()["height"] for n in (3, 5, 9)]
    assert heights[0] < heights[1] < heights[2]


def test_share_chart_keeps_its_plot_height_with_four_series_under_it() -> None:
    import datetime as dt

    import polars as pl

    names = ["0 kostendelers", "1 kostendeler", "2 kostendelers", "3 of meer kostendelers"]
    data = pl.DataFrame([{"maand": dt.date(2026, m, 1), "waarde": v, "reeks": r, "periode": "x", "bron": "b", "peildatum": "p"}
                         for m in range(1, 12) for r, v in zip(names, [80.0, 12.0, 5.0, 3.0])])
    spec = charts.finish(charts.month_share_chart(data, order=names, y_title="% van de personen"), "Kostendelers").to_dict()
    assert spec["height"] >= 250 and spec["autosize"]["type"] == "fit-x"
    legend = spec["layer"][0]["layer"][0]["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["columns"] >= 2


def test_vergelijken_g40_grey_lines_with_the_chosen_gemeente_median_and_hover(built: Path) -> None:
    """41 gemeenten: no legend of 41 names but the chosen gemeente, the median and the rest; pointing at a line picks it."""
    spec = chart_specs(page("vergelijken", gemeente="GM0193", rg="g40", indicator="cbs_instroom_pct_15plus"))[0]
    colours = [layer["encoding"]["color"] for layer in spec["layer"] if "color" in layer.get("encoding", {})]
    domains = {tuple(c.get("scale", {}).get("domain", ())) for c in colours if "field" in c}
    assert domains == {("Zwolle", charts.MEDIAN, charts.OTHERS)}
    params = spec["params"]  # (Altair lifts a layer's selection to the top, naming its view)
    assert [(p["name"], p["select"]["on"], p["select"]["nearest"]) for p in params] == [("aanwijzen", "pointerover", True)]
    median = next(layer for layer in spec["layer"] if layer["encoding"].get("y", {}).get("field") == "mediaan")
    rows = spec["datasets"][median["data"]["name"]]
    assert [(r["jaar"], r["mediaan"], r["n"]) for r in rows] == [(2015, 24.5, 37), (2016, 22.5, 37), (2017, 19.0, 37)]
    assert spec["height"] >= charts.MIN_PLOT and spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["config"]["legend"]["symbolLimit"] == 0


def test_exported_legends_are_never_cut_short(wh) -> None:
    """Vega shortens a legend of more than 30 entries to "…12 entries"; the portal's legends are whole (symbolLimit 0)."""
    from portal import peers

    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    g40 = peers.resolve(wh, fm, peers.spec_from_params({"rg": "g40"})[0], "GM0193")
    names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
    data = bm.compare_values(wh.all_observations("nieuwste"), "cbs_instroom_pct_15plus", ["GM0193", *g40.members], names)
    order = [names[c] for c in ["GM0193", *g40.members]]
    every = export.chart_svg(charts.lines_chart(data, x="jaar", series="gemeente", y_title="%", order=order, many=True), "G40", ["Bron"])
    assert "entries" not in every and "Sittard-Geleen" in every  # all 41 names, the last one too
    from portal import signals

    spread = bm.spread_by_period(data, signals.implausible(wh.all_observations("nieuwste")))
    grey = export.chart_svg(charts.group_lines_chart(data, spread, chosen="Zwolle", x="jaar", y_title="%"), "G40", ["Bron"])
    assert "entries" not in grey and charts.MEDIAN in grey and charts.OTHERS in grey


def test_on_screen_specs_keep_a_plot_of_at_least_250_px() -> None:
    import polars as pl

    small = charts.finish(alt.Chart(pl.DataFrame({"a": [1, 2]}).to_pandas()).mark_bar().encode(x="a:Q").properties(height=120),
                          "Een titel die zo lang is dat hij op een scherm van 1 280 pixels niet op één regel past, en dus breekt")
    spec = charts.on_screen(small.to_dict())
    assert spec["height"] == charts.MIN_PLOT and spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert isinstance(spec["title"]["text"], list) and all(len(t) <= charts.TITLE_CHARS for t in spec["title"]["text"])
    assert "expr" in spec["config"]["legend"]["layout"]  # legends under the plot stacked, not past the right edge
    jsonschema.validate(spec, alt.vegalite.load_schema())


def test_on_screen_small_multiples_get_a_plot_of_250_px(foto) -> None:
    """The visitatie's cijfermatige foto (small multiples, 120 px high in the PDF) on screen: each plot at least 250 px."""
    from portal import rapport

    spec = charts.on_screen(rapport.foto_chart(foto).to_dict())
    assert spec["concat"] and all(c["height"] >= charts.MIN_PLOT for c in spec["concat"])
    assert all(c["height"] == 120 for c in rapport.foto_chart(foto).to_dict()["concat"])  # the PDF keeps its own
def test_kept_specs_send_tables_as_arrow_and_leave_geometry_in_the_spec(built: Path) -> None:
    """render.chart converts a kept spec's tables to Arrow once (issue 24: no conversion on every rerun); the Kaart's
    geometry must stay in the spec, where Vega-Lite reads it (converted, the map was never drawn)."""
    import json

    def charts(at) -> list:
        found = []

        def walk(node) -> None:
            kids = getattr(node, "children", None)
            for child in (kids.values() if isinstance(kids, dict) else kids or []):
                if getattr(child, "type", None) == "vega_lite_chart":
                    found.append(child.proto)
                walk(child)

        walk(at._tree)
        return found

    kaart = charts(page("kaart", gemeente="GM0153"))
    assert any(d.get("type") == "FeatureCollection" or "arcs" in d for p in kaart
               for d in json.loads(p.spec).get("datasets", {}).values() if isinstance(d, dict))
    trend = charts(page("profiel", gemeente="GM0153"))[0]
    assert trend.datasets and "datasets" not in json.loads(trend.spec)  # the rows went as Arrow

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

"""Every chart and table of the portal: finished once, with title, definition and source lines, the Dutch way, and
downloads (PNG, SVG, CSV, Excel) that carry the same lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

import altair as alt
import polars as pl
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes

try:  # Streamlit's own test for geometry, which it keeps in the spec instead of sending as Arrow
    from streamlit.elements.vega_charts import _is_geojson_or_topojson_payload as _geo
except ImportError:  # another Streamlit: treat every dataset as geometry, i.e. leave all of them to Streamlit
    def _geo(_data) -> bool:  # noqa: ANN001
        return True

from portal import export
from portal.charts import finish, on_screen
from portal.nl import nl_number
from portal.tekst import literal
from portal.ui.cache import build_key, register

_TAG: ContextVar[str] = ContextVar("file_tag", default="")


@contextmanager
def file_tag(tag: str) -> Iterator[None]:
    """Every download made inside gets `tag` in its file name (e.g. "synthetisch" on the synthetic example of Eigen
    bestand, so a file on disk says what it is)."""
    token = _TAG.set(tag)
    try:
        yield
    finally:
        _TAG.reset(token)


def file_name(key: str, ext: str) -> str:
    """A download's file name: its key, the file tag of the moment (file_tag) and the extension."""
    tag = _TAG.get()
    return f"{key}-{tag}.{ext}" if tag and tag not in key else f"{key}.{ext}"


_SPECS: dict[tuple, dict] = {}  # finished chart specs per data build, chart key and the inputs that shape the chart
_SPEC_LIMIT = 512
register(_SPECS)


def definition(*texts: str) -> None:
    """Definitions and sources one click away, in an expander "Definitie en bron" (the exports carry them in full)."""
    with st.expander("Definitie en bron", icon=":material/info:"):
        for t in texts:
            st.caption(literal(t))


def chart(c: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin], title: str, lines: list[str], key: str, subtitle: str = "",
          inputs: tuple | None = None, spec: Callable[[], dict] | None = None, select: str | None = None,
          short: str | None = None, notes: list[str] | None = None, widget: str | None = None) -> dict | None:
    """Every chart of the portal: finished once (title, subtitle with unit and definition, Dutch locale), its source and
    definition lines under it, and PNG and SVG downloads that carry the same title and lines under the chart.

    `c` may be a function that builds the chart; with `inputs` (the scalars that fully determine the chart, besides the
    data build) the finished spec is kept, so a rerun neither builds nor converts it again. `spec`, if given, makes the
    same finished spec faster (e.g. charts.benchmark_spec); the downloads still use `c`. `select`: the name of the chart's
    selection parameter; a click reruns the page and the selection is returned ({field: value} rows), else None;
    `widget` names the selection (default chart-`key`): a new name gives a new chart in the browser, without a selection.

    `short`: one line (source and peildatum) shown under the chart instead of the full lines, which then sit one click away
    in an expander "Definitie en bron", with `notes` (how to read the chart) after them. The downloads always carry the
    full lines and the notes."""
    make = c if callable(c) and not isinstance(c, alt.TopLevelMixin) else (lambda: c)
    cache_key = None if inputs is None else (build_key(), key, inputs, title, subtitle)
    finished = _SPECS.get(cache_key) if cache_key else None
    if finished is None:
        # Altair validates a spec against the Vega-Lite schema on every conversion, about half of a chart's time; the
        # builders in portal.charts are validated by the tests (and exports convert with validation).
        finished = on_screen(spec() if spec else finish(make(), title, subtitle).to_dict(validate=False))
        if "datasets" in finished:
            # Streamlit sends named datasets as Arrow and converts rows to Arrow on every call unless they are bytes
            # already: convert once, with its own function, so a kept spec costs no conversion on a rerun.
            # GeoJSON/TopoJSON stays as it is: Streamlit leaves it in the spec for Vega-Lite (the Kaart).
            finished = dict(finished, datasets={k: v if isinstance(v, bytes) or _geo(v) else convert_anything_to_arrow_bytes(v)
                                                for k, v in finished["datasets"].items()})
        if cache_key:
            if len(_SPECS) >= _SPEC_LIMIT:
                _SPECS.pop(next(iter(_SPECS)))
            _SPECS[cache_key] = finished
    if select:
        if widget:  # (the browser keeps a chart whose spec did not change, and with it the selection it holds)
            finished = dict(finished, usermeta={**finished.get("usermeta", {}), "widget": widget})
        event = st.vega_lite_chart(finished, width="stretch", on_select="rerun", selection_mode=select,
                                   key=widget or f"chart-{key}")
        picked = (event.get("selection") or {}).get(select) or None
    else:
        st.vega_lite_chart(finished, width="stretch")
        picked = None
    full = " ".join(f"Bron en definitie: {line}" if i == 0 else line for i, line in enumerate(lines))
    if short is None:
        st.caption(literal(full))
    else:
        st.caption(literal(short))
        definition(full, *(notes or []))
    lines = lines + (notes or [])
    row = st.container(horizontal=True)
    row.download_button("PNG", lambda: export.chart_png(make(), title, lines, subtitle), file_name=file_name(key, "png"), mime="image/png",
                        key=f"png-{key}", on_click="ignore", icon=":material/download:")
    row.download_button("SVG", lambda: export.chart_svg(make(), title, lines, subtitle), file_name=file_name(key, "svg"),
                        mime="image/svg+xml", key=f"svg-{key}", on_click="ignore", icon=":material/download:")
    return picked


def data_table(frame: pl.DataFrame, lines: list[str], key: str, decimals: dict[str, int] | None = None) -> None:
    """A table whose numbers stay numbers (so sorting works), shown the Dutch way (1.234,5) with '–' for an empty cell,
    and CSV/Excel downloads of the same columns rounded as shown, with the source and definition lines.

    `frame` has the Dutch column headers the user reads; `decimals` per numeric column (default 0 for integers, 1 else).
    """
    rounded = export.rounded(frame, decimals or {})
    numeric = [c for c, t in rounded.schema.items() if t.is_numeric()]
    dec = {c: (decimals or {}).get(c, 0 if rounded.schema[c].is_integer() else 1) for c in numeric}
    styler = rounded.to_pandas().style.format(
        {c: (lambda v, d=d: nl_number(v, d)) for c, d in dec.items()}, na_rep="–")
    st.dataframe(styler, hide_index=True, width="stretch", placeholder="–")  # Streamlit shows a null as "None" otherwise
    downloads(rounded, lines, key)


def downloads(frame: pl.DataFrame, lines: list[str], key: str) -> None:
    """CSV and Excel downloads of `frame` with the source and definition lines."""
    row = st.container(horizontal=True)
    row.download_button("CSV", partial(export.table_csv, frame, lines), file_name=file_name(key, "csv"), mime="text/csv",
                        key=f"csv-{key}", on_click="ignore", icon=":material/download:")
    row.download_button("Excel", partial(export.table_xlsx, frame, lines), file_name=file_name(key, "xlsx"),
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx-{key}",
                        on_click="ignore", icon=":material/download:")

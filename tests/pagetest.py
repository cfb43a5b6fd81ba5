"""The one helper every page test uses: open a page of the real portal with AppTest and read what it shows."""

from __future__ import annotations

from pathlib import Path

import json

import pyarrow as pa
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "pages" / "app.py")


def page(name: str, timeout: int = 90, **params: str) -> AppTest:
    """Run pages/app.py on page `name` (file stem) with the given query parameters; fail on any exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, naam: str) -> AppTest:
    """Log in on a page that shows the login form, with the tests' password convention "<naam>-wachtwoord"."""
    assert at.title[0].value == "Inloggen"
    at.text_input[0].input(naam)
    at.text_input[1].input(f"{naam}-wachtwoord")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, i: int = 0) -> list[dict]:
    """The rows of the i-th table as its data (numbers stay numbers)."""
    return at.dataframe[i].value.to_dict("records")


def shown(at: AppTest, i: int = 0) -> list[dict]:
    """The rows of the i-th table as the user reads them (Dutch number format, '–' for empty)."""
    styler = at.dataframe[i].proto.arrow_data.styler
    table = pa.ipc.open_stream(styler.display_values).read_all().to_pandas()
    return table.drop(columns=[c for c in table.columns if str(c).startswith("__")], errors="ignore").to_dict("records")


def chart_specs(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the charts on the page, in order, with their named datasets as row lists under
    spec["datasets"] (Streamlit sends those apart from the spec)."""
    found: list[dict] = []

    def walk(node) -> None:
        kids = getattr(node, "children", None)
        for child in (kids.values() if isinstance(kids, dict) else kids or []):
            if getattr(child, "type", None) == "vega_lite_chart":
                spec = json.loads(child.proto.spec)
                spec.setdefault("datasets", {}).update(
                    {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in child.proto.datasets})
                found.append(spec)
            walk(child)

    walk(at._tree)
    return found

"""The only Streamlit importer in portal/: cached warehouse access, the gemeente picker with URL sync, error display."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from etl.paths import WAREHOUSE
from portal.store import Warehouse, WarehouseMissing


@st.cache_resource(show_spinner=False)
def _warehouse(path: str, mtime: float) -> Warehouse:
    return Warehouse(Path(path))


def warehouse() -> Warehouse:
    """The read-only warehouse; reopened when a new build has replaced the file. Stops the page with a Dutch message if missing."""
    try:
        return _warehouse(str(WAREHOUSE), WAREHOUSE.stat().st_mtime)
    except (FileNotFoundError, WarehouseMissing):
        st.error("Er is nog geen datawarehouse. Bouw het eerst met `python3 dev.py etl build` (of start het portaal met "
                 "`python3 dev.py start`, dat het warehouse bouwt als het ontbreekt).")
        st.stop()
        raise  # unreachable; keeps type checkers happy


def gemeente_picker(wh: Warehouse, default: str = "GM0363") -> str:
    """Sidebar selectbox of the newest indeling's gemeenten, kept in the URL as ?gemeente=GMxxxx.

    An unknown code in the URL gives a Dutch message; a merged-away code offers its successor(s).
    """
    gm = wh.gemeenten()
    codes = gm["gemeentecode"].to_list()
    labels = dict(zip(codes, gm["gemeentenaam"].to_list()))
    asked = st.query_params.get("gemeente", default)
    if asked not in labels:
        check = wh.check_code(asked)
        if check.successors:
            st.warning(check.message)
            for s in check.successors:
                st.button(f"Toon {labels.get(s, s)} ({s})", key=f"opvolger-{s}", on_click=st.query_params.update,
                          kwargs={"gemeente": s})
        else:
            st.error(check.message + f" Getoond wordt {labels[default]}.")
        asked = default
    # The URL is the source of truth at the start of a run; a choice in the widget writes itself back to the URL.
    st.session_state["gemeente_keuze"] = asked
    st.query_params["gemeente"] = asked
    st.sidebar.selectbox("Gemeente", codes, format_func=lambda c: f"{labels[c]} ({c})", key="gemeente_keuze",
                         on_change=lambda: st.query_params.update(gemeente=st.session_state["gemeente_keuze"]))
    return asked

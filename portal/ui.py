"""The only Streamlit importer in portal/: cached warehouse access, the gemeente picker with URL sync, error display."""

from __future__ import annotations

import streamlit as st

from etl.paths import WAREHOUSE
from portal.store import Warehouse, WarehouseMissing


@st.cache_resource(show_spinner=False)
def _warehouse(path: str, mtime: float) -> Warehouse:
    return Warehouse(WAREHOUSE)


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
                if st.button(f"Toon {labels.get(s, s)} ({s})", key=f"opvolger-{s}"):
                    st.query_params["gemeente"] = s
                    st.rerun()
        else:
            st.error(check.message + f" Getoond wordt {labels[default]}.")
        asked = default
    code = st.sidebar.selectbox("Gemeente", codes, index=codes.index(asked), format_func=lambda c: f"{labels[c]} ({c})")
    if st.query_params.get("gemeente") != code:
        st.query_params["gemeente"] = code
    return code

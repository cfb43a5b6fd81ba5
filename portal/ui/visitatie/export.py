"""Tab 'Exporteren': the PDF report and the whole visitatie as JSON (the foto's Excel and CSV sit under its table)."""

from __future__ import annotations

import json
import time

import streamlit as st

from portal import rapport
from portal import visitatie_eigen as ve
from portal.eigen import store
from portal.nl import nl_number
from portal.ui.visitatie.common import Ctx, Dossier


def render(ctx: Ctx, d: Dossier) -> None:
    v = d.v
    key = f"pdf-{v['id']}"
    if st.button("PDF-rapport maken", type="primary", key="pdf-maken"):
        t = time.perf_counter()
        gone = ve.upload_status(d.foto["eigen"], store.default()) if d.foto.get("eigen") and v["foto_bevroren"] else None
        st.session_state[key] = rapport.build_pdf(v, d.foto, d.items, ctx.names, eigen_status=gone)
        st.session_state[key + "-tijd"] = time.perf_counter() - t
    if key in st.session_state:
        st.download_button("PDF downloaden", st.session_state[key], file_name=f"visitatie-{v['gemeente_code']}-{v['id']}.pdf",
                           mime="application/pdf", icon=":material/download:", on_click="ignore")
        st.caption(f"Gemaakt in {nl_number(st.session_state[key + '-tijd'], 1)} s.")

    def doc() -> str:
        return json.dumps(ctx.ud.export_visitatie(v["id"]), ensure_ascii=False, indent=1)

    st.download_button("Exporteren als JSON (inleesbaar op een andere installatie)", doc, mime="application/json",
                       file_name=f"visitatie-{v['gemeente_code']}-{v['id']}.json", icon=":material/download:", on_click="ignore")
    st.caption("De cijfers van de foto als Excel of CSV: zie de knoppen onder de tabel op het tabblad 'Cijfermatige foto'.")

"""Tab 'Geschiedenis': every version with who, when and what changed in words; any version can be put back."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.tekst import literal
from portal.userdata import UserDataError
from portal.ui.visitatie.common import Ctx, Dossier, forget_forms

Col = st.column_config.TextColumn


def render(ctx: Ctx, d: Dossier) -> None:
    hist = {h["id"]: h for h in ctx.ud.history(d.v["id"], ctx.user)}
    rows = {r["id"]: r for r in vt.readable_history(list(hist.values()))}
    st.dataframe([{k: r[k] for k in ("Wanneer", "Wie", "Onderdeel", "Versie", "Wat")} for r in rows.values()],
                 hide_index=True, width="stretch", row_height=70, column_config={  # rows this high wrap their text
                     "Wanneer": Col(width=160), "Wie": Col(width=90), "Onderdeel": Col(width=100),
                     "Versie": st.column_config.NumberColumn(width=60), "Wat": Col(width="large")})
    pick = st.selectbox("Versie bekijken", list(rows), key=f"versie-{d.v['id']}", format_func=lambda i: (
        f"{rows[i]['Wanneer']} · {rows[i]['Wie']} · {rows[i]['Onderdeel']}, versie {rows[i]['Versie']}"))
    st.dataframe([{"Veld": k, "Inhoud": x} for k, x in vt.version_content(hist[pick]["onderdeel"], hist[pick]["inhoud"])],
                 hide_index=True, width="stretch", row_height=70, column_config={"Veld": Col(width=150), "Inhoud": Col(width="large")})
    if d.edit and st.button("Deze versie terugzetten", help="Wordt een nieuwe versie; niets verdwijnt uit de geschiedenis. "
                            "Status en bevroren foto blijven zoals ze zijn."):
        try:
            ctx.ud.restore(pick, ctx.user.naam)
        except UserDataError as e:
            st.error(literal(e.dutch()))
        else:
            forget_forms(d.v["id"])  # the forms start again from the version put back
            st.rerun()

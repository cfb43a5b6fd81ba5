"""Tab 'Thema's en notities': notes per theme (a note at a key indicator under that indicator's theme), and the themes."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.tekst import literal
from portal.userdata.checks import MAX_THEMA, MAX_THEMAS
from portal.ui.visitatie.common import Ctx, Dossier, conflict_panel, opened, save_visitatie, stale_notice
from portal.ui.visitatie.items import add_form, item_editor


def render(ctx: Ctx, d: Dossier) -> None:
    v = d.v
    notes = [i for i in d.items if i["soort"] in vt.NOTITIE_SOORTEN]
    filed = {i["id"]: vt.item_thema(i["soort"], i["thema"], i["indicator"]) for i in notes}
    if d.edit:
        st.markdown("**Notitie toevoegen**: waarnemingen, het verhaal achter de cijfers, sterke punten en verbeterpunten. "
                    "Een notitie bij een indicator komt onder het thema van die indicator.")
        add_form(ctx, v, f"notitie-{v['id']}", vt.NOTITIE_SOORTEN, finding=False)
    for thema in v["themas"] + sorted(set(filed.values()) - set(v["themas"])):
        mine = [i for i in notes if filed[i["id"]] == thema]
        with st.expander(f"{literal(thema)} ({len(mine)})", expanded=bool(mine)):
            for i in mine:
                item_editor(ctx, i, d.edit)
    if d.edit:
        with st.expander("Thema's aanpassen", expanded=f"kopconflict-themas-{v['id']}" in st.session_state):
            if conflict_panel(ctx, v, "themas"):
                return
            stale_notice(v, "themas", ("themas",))
            shown = opened(v, "themas", ("themas",))["waarden"]
            with st.form(f"themas-{v['id']}"):
                current = "\n".join(shown["themas"])
                text = st.text_area("Eén thema per regel", value=current, height=300, max_chars=max(MAX_THEMAS * (MAX_THEMA + 1), len(current)))
                if st.form_submit_button("Thema's opslaan"):
                    save_visitatie(ctx, v, {"themas": text.splitlines()}, "themas")

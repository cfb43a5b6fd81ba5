"""Tab 'Bevindingen en aanbevelingen': each with a priority and the theme or indicator it rests on."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.ui.visitatie.common import Ctx, Dossier
from portal.ui.visitatie.items import add_form, item_editor


def render(ctx: Ctx, d: Dossier) -> None:
    if d.edit:
        st.markdown("**Bevinding of aanbeveling toevoegen** (met prioriteit en het thema of de indicator waarop zij rust).")
        add_form(ctx, d.v, f"bevinding-{d.v['id']}", vt.BEVINDING_SOORTEN, finding=True)
    order = {p: n for n, p in enumerate(vt.PRIORITEITEN)}
    found = sorted((i for i in d.items if i["soort"] in vt.BEVINDING_SOORTEN), key=lambda i: (i["soort"], order[i["prioriteit"]]))
    if not found:
        st.caption("Nog geen bevindingen of aanbevelingen.")
    for i in found:
        item_editor(ctx, i, d.edit)

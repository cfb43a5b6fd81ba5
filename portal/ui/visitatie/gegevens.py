"""Tab 'Gegevens': title, period, team, contacts, dates and (before the foto is frozen) the referentiegroep."""

from __future__ import annotations

from datetime import date

import streamlit as st

from portal import visitatie as vt
from portal.ui.widgets import current_group
from portal.tekst import literal
from portal.userdata.checks import MAX_PERIODE, MAX_TITEL
from portal.ui.visitatie.common import (CONTACT, TEAM, Ctx, Dossier, conflict_panel, frame, opened, records, save_visitatie,
                                       stale_notice)

GEGEVENS = ("titel", "periode", "team", "contacten", "datums")


def render(ctx: Ctx, d: Dossier) -> None:
    v = d.v
    st.markdown(f"**Referentiegroep**: {literal(v['groep']['naam'])} — "
                + literal(", ".join(ctx.names.get(m, m) for m in v["groep"]["leden"])))
    if not d.edit:
        st.markdown("**Team**: " + literal(", ".join(m["naam"] for m in v["team"])))
        return
    # The form shows the values it was opened on (kept until saved or reloaded), so what the user types survives reruns
    # and a save is compared per field with exactly what the user saw: a field someone else changed meanwhile is never
    # overwritten unseen (conflict_panel shows both). Inputs without a key: their identity includes the shown value, so
    # a saved or reloaded version shows up, while a refused save (an empty title) leaves everything typed in place.
    if conflict_panel(ctx, v, "gegevens"):
        return
    stale_notice(v, "gegevens", GEGEVENS)
    base = opened(v, "gegevens", GEGEVENS)
    shown, gen = base["waarden"], base["versie"]
    with st.form(f"gegevens-{v['id']}"):
        titel = st.text_input("Titel", value=shown["titel"], max_chars=max(MAX_TITEL, len(shown["titel"])))
        periode = st.text_input("Periode", value=shown["periode"], max_chars=max(MAX_PERIODE, len(shown["periode"])))
        st.markdown("**Visitatieteam**")
        team = st.data_editor(frame(shown["team"], TEAM), num_rows="dynamic", key=f"team-{v['id']}-{gen}", width="stretch")
        st.markdown("**Contactpersonen van de gemeente**")
        contacten = st.data_editor(frame(shown["contacten"], CONTACT), num_rows="dynamic", key=f"contacten-{v['id']}-{gen}",
                                   width="stretch")
        datums = dict(shown["datums"])
        for col, (k, lab) in zip(st.columns(len(vt.DATUMS)), vt.DATUMS.items()):
            day = col.date_input(lab, value=date.fromisoformat(shown["datums"][k]) if shown["datums"].get(k) else None,
                                 format="DD-MM-YYYY")
            datums[k] = day.isoformat() if day else None
        if st.form_submit_button("Gegevens opslaan"):
            save_visitatie(ctx, v, {"titel": titel, "periode": periode, "team": records(team),
                                    "contacten": records(contacten), "datums": datums}, "gegevens")
    if v["foto"] is None:
        group = current_group(ctx.wh, v["gemeente_code"], show_notes=False)
        st.caption(f"Groep in de link (pagina Referentiegroep): {literal(group.label())}, {len(group.members)} gemeenten.")
        if st.button("Referentiegroep vervangen door de groep uit de link", help="Kan alleen zolang de foto niet bevroren is.",
                     disabled=not group.members):
            save_visitatie(ctx, v, {"groep": {"naam": group.label(), "leden": group.members}}, "groep", basis={"groep": v["groep"]})

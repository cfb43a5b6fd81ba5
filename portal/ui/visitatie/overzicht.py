"""The overview: the visitaties this user may open, a new visitatie, and reading one in from an exported file."""

from __future__ import annotations

import streamlit as st

from portal.nl import nl_datetime
from portal.tekst import literal
from portal.userdata.checks import MAX_PERIODE
from portal.access import may_create, may_open
from portal.ui.widgets import current_group, gemeente_picker
from portal.userdata import MAX_TITEL, UserDataError
from portal.ui.visitatie.common import CONTACT, TEAM, Ctx, frame, open_link, records


def render(ctx: Ctx) -> None:
    st.title("Visitaties")
    st.caption("Collegiale toetsing van een sociale dienst: een cijfermatige foto van de gemeente naast haar referentiegroep, "
               "met de eigen waarnemingen, bevindingen en aanbevelingen van het team. De cijfers openen het gesprek; ze zijn "
               "geen oordeel.")
    mine = [v for v in ctx.ud.visitaties() if may_open(ctx.user, v)]
    if mine:
        for v in mine:
            st.page_link("visitatie.py", label=literal(
                f"{v['titel']} — {ctx.names.get(v['gemeente_code'], v['gemeente_code'])}, {v['periode']} ({v['status']}; "
                f"gewijzigd {nl_datetime(v['gewijzigd'])} door {v['door']})"),
                         query_params=open_link(v["id"]), icon=":material/folder_open:")
    else:
        st.info("Er zijn (nog) geen visitaties die u kunt openen.")
    if may_create(ctx.user):
        new(ctx)
        read_in(ctx)


def new(ctx: Ctx) -> None:
    st.header("Nieuwe visitatie")
    code = gemeente_picker(ctx.wh)
    group = current_group(ctx.wh, code, show_notes=False)
    st.markdown(f"Gemeente **{ctx.names[code]}** (kies een andere links). Referentiegroep: **{literal(group.label())}** "
                f"({len(group.members)} gemeenten).")
    st.page_link("referentiegroep.py", label="Referentiegroep samenstellen of een opgeslagen groep kiezen",
                 query_params=st.query_params.to_dict(), icon=":material/group:")
    with st.form("nieuw"):
        titel = st.text_input("Titel", placeholder=f"Visitatie sociale dienst {ctx.names[code]}", max_chars=MAX_TITEL, key="nieuw-titel")
        periode = st.text_input("Periode", placeholder="bijvoorbeeld najaar 2026", max_chars=MAX_PERIODE, key="nieuw-periode")
        st.markdown("**Visitatieteam** (gebruikersnaam alleen nodig als er accounts zijn)")
        team = st.data_editor(frame([{"naam": ctx.user.naam, "gebruiker": ctx.user.naam, "rol": "voorzitter"}], TEAM),
                              num_rows="dynamic", key="nieuw-team", width="stretch")
        st.markdown("**Contactpersonen van de gemeente**")
        contacten = st.data_editor(frame([], CONTACT), num_rows="dynamic", key="nieuw-contacten", width="stretch")
        if st.form_submit_button("Visitatie aanmaken", type="primary", key="aanmaken"):
            if not group.members:
                st.error("De referentiegroep is leeg: kies eerst een groep met minstens één gemeente.")
                return
            try:
                vid = ctx.ud.create_visitatie(ctx.user.naam, code, titel, periode, {"naam": group.label(), "leden": group.members},
                                              team=records(team), contacten=records(contacten))
            except UserDataError as e:
                st.error(literal(e.dutch()))
            else:
                st.query_params.from_dict(open_link(vid))
                st.rerun()


def read_in(ctx: Ctx) -> None:
    st.header("Visitatie inlezen")
    up = st.file_uploader("JSON-bestand (gemaakt met 'Exporteren als JSON' op deze of een andere installatie)", type=["json"])
    if up is not None and st.button("Inlezen als nieuwe visitatie"):
        try:
            vid = ctx.ud.import_visitatie(up.getvalue(), ctx.user, known_codes=set(ctx.names))
        except UserDataError as e:
            st.error(literal(e.dutch()))
        else:
            st.success("Ingelezen als nieuwe visitatie; bestaande visitaties zijn niet veranderd.")
            st.page_link("visitatie.py", label="Openen", query_params=open_link(vid))

"""The Visitaties page while the warehouse is missing or damaged: user data stays reachable, read-only. The overview lists
the dossiers this user may open and a dossier shows its notes and findings; the figures (foto, groups) say they are
unavailable. Nothing can be changed here, so nothing can be lost before the warehouse is rebuilt."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.nl import nl_datetime
from portal.tekst import literal
from portal.access import may_open
from portal.ui.data import userdata
from portal.ui.login import current_user
from portal.ui.widgets import parse_id

UNAVAILABLE = "De cijfermatige foto en de referentiegroepen zijn niet beschikbaar tot het warehouse opnieuw is gebouwd."


def render(problem: str) -> None:
    st.title("Visitaties")
    st.error(problem)
    st.info("Uw visitaties, notities en bevindingen zijn veilig: ze staan apart van de cijfers. U kunt ze hieronder lezen; "
            "wijzigen kan weer zodra het warehouse opnieuw is gebouwd. " + UNAVAILABLE)
    ud, user = userdata(), current_user()
    asked = st.query_params.get("visitatie")
    vid = parse_id(asked) if asked is not None else None
    v = ud.visitatie(vid) if vid is not None else None
    if asked is not None:
        if v is None or not may_open(user, v):
            st.warning("Deze visitatie bestaat niet, of u heeft er geen toegang toe.")
        else:
            dossier(ud, v)
        st.page_link("visitatie.py", label="Alle visitaties", query_params={}, icon=":material/arrow_back:")
        return
    mine = [v for v in ud.visitaties() if may_open(user, v)]
    if not mine:
        st.info("Er zijn (nog) geen visitaties die u kunt openen.")
    for v in mine:
        st.page_link("visitatie.py", label=literal(f"{v['titel']} — {v['gemeente_code']}, {v['periode']} ({v['status']}; "
                                                   f"gewijzigd {nl_datetime(v['gewijzigd'])} door {v['door']})"), query_params={"visitatie": str(v["id"])},
                     icon=":material/folder_open:")


def dossier(ud, v: dict) -> None:
    st.header(literal(v["titel"]))
    st.text(f"Gemeente {v['gemeente_code']} · periode {v['periode']} · status {v['status']}")
    st.caption(UNAVAILABLE)
    items = ud.items(v["id"])
    for heading, kinds in (("Notities", vt.NOTITIE_SOORTEN), ("Bevindingen en aanbevelingen", vt.BEVINDING_SOORTEN)):
        st.subheader(heading)
        mine = [i for i in items if i["soort"] in kinds]
        if not mine:
            st.caption("Geen.")
        for i in mine:
            with st.container(border=True):
                st.caption(literal(f"{i['soort']} · {i['thema'] or 'zonder thema'} · {nl_datetime(i['gewijzigd'])} door "
                                   f"{i['door']}"))
                st.text(i["tekst"])

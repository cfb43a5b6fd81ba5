"""Visitaties: the overview (open, create, import) and the dossier of one visitatie (?visitatie=<id>), one module per tab
in portal/ui/visitatie/."""

import streamlit as st

from portal.ui.visitatie import bevindingen, dossier, export, foto, geschiedenis, gegevens, notities, overzicht
from portal.tekst import quoted
from portal.ui import parse_id, warehouse_problem
from portal.ui.visitatie.common import NO_ACCESS, context, refuse
from portal.ui.einde import stop_page

if problem := warehouse_problem():  # missing or damaged: the dossiers stay readable, the figures say they are unavailable
    from portal.ui.visitatie import nood

    nood.render(problem)
    stop_page()
ctx = context()
asked = st.query_params.get("visitatie")
if asked is None:
    overzicht.render(ctx)
elif (vid := parse_id(asked)) is None:
    refuse(f"{quoted(asked)} (parameter visitatie in de link) is geen visitatienummer. {NO_ACCESS}")
elif (d := dossier.render(ctx, vid)) is None:
    refuse()
else:
    for tab, part in zip(st.tabs(dossier.TABS), (foto, notities, bevindingen, gegevens, geschiedenis, export)):
        with tab:
            part.render(ctx, d)

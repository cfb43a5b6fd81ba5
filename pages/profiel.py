"""Gemeenteprofiel: one gemeente against its referentiegroep, Nederland and its size class.

The first screen leads with what is current: the key figures with a verdict, then the trend chart, the place in the
national picture and the reductiepotentieel. The sections below sit in expanders that are built only when opened (which
are open is kept in the link), as do the older key figures and the explanation of the verdict, so the browser draws
the first screen without their tables and cards.

The trend chart is sent first (issue 24): the choices in the sidebar, the link to the group and the key-figure cards
have their place reserved above it and are drawn right after it, so the page looks the same. The browser loads the
code for each kind of element when it first meets one, a few files at a time from the server; sent first, the chart's
files no longer queue behind those of the gemeente list and the cards. Time to the first chart against a bare page with
one Altair chart (`dev.py bench eerste-grafiek`, 12 interleaved rounds at load 8,5–13,3): 1,40, was 1,49 (a second
run, 9 rounds at load 2,6–16,9: 1,42, was 1,71); the target of 1,2 is not met (README, "Tijd tot eerste grafiek").
"""

import streamlit as st

from portal.ui import profiel as sections
from portal import views
from portal.tekst import literal
from portal.ui import current_group, density_toggle, gemeente_picker, indeling_picker, warehouse

wh = warehouse()
pickers = st.sidebar.container()  # drawn after the trend chart, in their place in the sidebar
later: list = []
code = gemeente_picker(wh, later=later)
naam = wh.name(code)
indeling, indeling_label = indeling_picker(wh, later=later)
density = density_toggle(default=True, later=later)

st.title(f"Gemeenteprofiel {naam}")
group = current_group(wh, code)
top = st.container()  # the link to the group and the key figures, drawn after the trend chart
st.header("Bijstandsdichtheid" if density else "Bijstandsvolume")
sections.trend(wh, code, naam, group, indeling, indeling_label[indeling], density)
with pickers:
    for draw in later:
        draw()
with top:
    st.page_link("referentiegroep.py", label=f"Referentiegroep: {literal(group.label())} ({len(group.members)} gemeenten) — aanpassen",
                 query_params=st.query_params.to_dict(), icon=":material/group:")
    if not group.members:
        st.warning("De referentiegroep is leeg: er valt niets te vergelijken. Kies of maak een groep op de pagina Referentiegroep.")
    st.header("Kerncijfers")
    notes = views.ProfileNotes(wh, code, naam)  # boundary notes and missing-figure reasons, shared by two sections
    sections.key_figures(wh, code, group, notes)
sections.national_position(code, naam)
st.header("Reductiepotentieel")
sections.reduction(wh, code, naam, group)

st.header("Meer over " + naam)
sections.lower_sections(wh, code, naam, group, notes)

"""Gemeenteprofiel: one gemeente against its referentiegroep, Nederland and its size class.

The first screen leads with what is current: the key figures with a verdict, then the trend chart, the place in the
national picture and the reductiepotentieel. The sections below sit in expanders that are built only when opened (which
are open is kept in the link), as do the older key figures and the explanation of the verdict, so the browser draws
the first screen without their tables and cards. Time to the first chart against a bare page with one Altair chart:
README, "Tijd tot eerste grafiek" (the target of 1,2 is not met)."""

import streamlit as st

from portal.ui import profiel as sections
from portal import views
from portal.tekst import literal
from portal.ui import current_group, density_toggle, gemeente_picker, indeling_picker, warehouse

wh = warehouse()
code = gemeente_picker(wh)
naam = wh.name(code)
indeling, indeling_label = indeling_picker(wh)
density = density_toggle(default=True)

st.title(f"Gemeenteprofiel {naam}")
group = current_group(wh, code)
st.page_link("referentiegroep.py", label=f"Referentiegroep: {literal(group.label())} ({len(group.members)} gemeenten) — aanpassen",
             query_params=st.query_params.to_dict(), icon=":material/group:")
if not group.members:
    st.warning("De referentiegroep is leeg: er valt niets te vergelijken. Kies of maak een groep op de pagina Referentiegroep.")

st.header("Kerncijfers")
notes = views.ProfileNotes(wh, code, naam)  # boundary notes and missing-figure reasons, shared by two sections
sections.key_figures(wh, code, group, notes)
st.header("Bijstandsdichtheid" if density else "Bijstandsvolume")
sections.trend(wh, code, naam, group, indeling, indeling_label[indeling], density)
sections.national_position(code, naam)
st.header("Reductiepotentieel")
sections.reduction(wh, code, naam, group)

st.header("Meer over " + naam)
sections.lower_sections(wh, code, naam, group, notes)

"""The frame around every page: the page list, the menu that carries the link's choices to the next page, and the last
resort for an unexpected error."""

from __future__ import annotations

import logging
import re
import secrets

import streamlit as st

from portal.tekst import quoted
from portal.ui.data import build_id, through_line

# Every page, in menu order: (file, menu title, url path). The menu carries the URL's query string to the next page.
# File names are relative to pages/app.py, the entry point. It sits inside pages/ on purpose: a "pages" folder next to
# the entry script would switch Streamlit to its old folder-based navigation for a first visit to a deep link.
PAGES = [
    ("profiel.py", "Gemeenteprofiel", "profiel"),
    ("referentiegroep.py", "Referentiegroep", "referentiegroep"),
    ("gemeente.py", "Reeksen per definitie", "gemeente"),
    ("vergelijken.py", "Vergelijken", "vergelijken"),
    ("landelijk.py", "Landelijk overzicht", "landelijk"),
    ("kaart.py", "Kaart", "kaart"),
    ("visitatie.py", "Visitaties", "visitatie"),
    ("eigen_bestand.py", "Eigen bestand", "eigen_bestand"),
    ("bronnen.py", "Bronnen en definities", "bronnen"),
]
BUILD_RE = re.compile(r"[0-9a-f]{1,64}")
LOG = logging.getLogger("portal")


def menu(pages: dict[str, st.Page]) -> None:
    """Sidebar links to every page, carrying the current query string (Streamlit's own menu drops it)."""
    params = st.query_params.to_dict()
    st.markdown("**Bijstandsportaal**")
    for file, title, _ in PAGES:
        st.page_link(pages[file], label=title, query_params=params)
    made_on = params.get("bouw")
    if made_on and not BUILD_RE.fullmatch(made_on):
        st.warning(f"De databouw in de link (parameter bouw, {quoted(made_on)}) is geen geldige bouwcode en wordt genegeerd.")
        made_on = None
    current = build_id() if made_on else ""
    if made_on and current and made_on != current:
        st.info(f"Deze link is gemaakt op een eerdere databouw ({made_on}); de cijfers zijn sindsdien bijgewerkt (nu {current}). "
                "Wat u ziet kan afwijken van wat de afzender zag.")
    line = through_line()
    if line:
        st.caption(line)


def failure(page: str) -> None:
    """The last resort for an unexpected error in a page: a Dutch message with a short code for the user, the whole
    traceback in the log under that code for the maintainer."""
    code = secrets.token_hex(3).upper()
    LOG.exception("Foutcode %s op pagina %s, parameters %s", code, page, st.query_params.to_dict())
    st.error("Er ging iets mis bij het tonen van deze pagina. Probeer het opnieuw of kies een andere pagina in het menu; "
             f"blijft het misgaan, dan kan de beheerder dit terugvinden onder foutcode {code}.")

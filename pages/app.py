"""Entry point: `streamlit run pages/app.py`. The page list lives in portal.ui.PAGES; pages only orchestrate."""

import streamlit as st

from portal.ui.theme import apply_theme, set_document_language
from portal.ui import PAGES, failure, menu
from portal.ui import login
from portal.ui.einde import PaginaKlaar
from portal.ui.verbinding import notice as connection_notice

SITE = "Bijstandsportaal"

st.set_page_config(page_title=f"{SITE} Werk & Inkomen", page_icon="📊", layout="wide")
pages = {file: st.Page(file, title=title, url_path=path) for file, title, path in PAGES}


def _start() -> None:
    """The root URL opens the first page under its own path, with the query string of the link.

    Streamlit serves its default page at "/" only: a default st.Page("profiel.py", url_path="profiel") cannot be
    opened as /profiel (English "Page not found" dialog). So the default page is this hidden redirect and every page
    in PAGES keeps its own path.
    """
    st.switch_page(pages[PAGES[0][0]], query_params=st.query_params.to_dict())


start = st.Page(_start, title=PAGES[0][1], url_path="start", default=True, visibility="hidden")
current = st.navigation([start, *pages.values()], position="hidden")
# A browser-tab title per page, e.g. "Gemeenteprofiel · Bijstandsportaal".
st.set_page_config(page_title=f"{current.title} · {SITE}")
apply_theme()
set_document_language()  # before the page runs, so it also covers a page that stops early or switches
nav = st.sidebar.container()
try:
    login.restore(current.url_path)  # the login of this browser (its cookie), checked again on every run; before the notice below
    connection_notice(current.url_path)  # after a server process failed: say that the connection was renewed (and log in again)
    current.run()
except PaginaKlaar:
    pass  # the page ended early and said why (or showed the login form instead of itself); the menu follows
except Exception:  # noqa: BLE001
    # The last resort: a Dutch message with a code, the traceback in the log. Streamlit's st.rerun, st.stop and
    # st.switch_page raise ScriptControlException, a BaseException, so they pass through untouched.
    failure(current.url_path or current.title)
finally:
    # Drawn after the page ran, so the links carry what the page wrote into the URL in this run.
    with nav:
        menu(pages)
        login.status()  # who is logged in, the logout button; writes or removes the login cookie when due

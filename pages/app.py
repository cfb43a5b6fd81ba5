"""Entry point: `streamlit run pages/app.py`. The page list lives in portal.ui.PAGES; pages only orchestrate."""

import streamlit as st

from portal.ui import PAGES, menu

st.set_page_config(page_title="Bijstandsportaal Werk & Inkomen", page_icon="📊", layout="wide")
pages = {file: st.Page(file, title=title, url_path=path, default=i == 0) for i, (file, title, path) in enumerate(PAGES)}
current = st.navigation(list(pages.values()), position="hidden")
nav = st.sidebar.container()
try:
    current.run()
finally:
    # Drawn after the page ran, so the links carry what the page wrote into the URL in this run.
    with nav:
        menu(pages)

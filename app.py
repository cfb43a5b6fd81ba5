"""Entry point: `streamlit run app.py`. The page list lives here; pages only orchestrate."""

import streamlit as st

st.set_page_config(page_title="Bijstandsportaal Werk & Inkomen", page_icon="📊", layout="wide")
pages = [st.Page("pages/gemeente.py", title="Bijstandsvolume per gemeente", url_path="gemeente", default=True)]
st.navigation(pages).run()

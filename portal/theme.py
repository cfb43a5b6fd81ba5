"""Accessibility fixes that Streamlit's theme options (.streamlit/config.toml) cannot express: injected CSS and the
document language. Called from pages/app.py on every run, so every page gets them.

Colours are checked against WCAG 2.1 AA on Streamlit's light theme (white main area, #f8f8f7 sidebar), which
config.toml fixes with base = "light".
"""

from __future__ import annotations

import streamlit as st

TEXT_MUTED = "#5c5b59"  # 6.8:1 on white, 6.3:1 on the sidebar; Streamlit's caption grey #828180 is 3.9:1 on white
FOCUS = "#154273"  # the theme's primaryColor: 10.2:1 on white, 9.1:1 on the sidebar (WCAG 1.4.11 asks 3:1)

# Streamlit draws captions in textColor at opacity 0.6, #828180 on white: 3.9:1; WCAG 1.4.3 asks 4.5:1 for text this size. Keyboard focus: a solid outline on every link and control
# (WCAG 2.4.7), shown only when focus comes from the keyboard (:focus-visible), so mouse users see no change.
CSS = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, .stMarkdown small {{
    color: {TEXT_MUTED} !important;
    opacity: 1 !important;
}}
a:focus-visible, button:focus-visible, summary:focus-visible, [role="tab"]:focus-visible,
[role="button"]:focus-visible, [role="link"]:focus-visible, [tabindex]:not([tabindex="-1"]):not(input):focus-visible {{
    outline: 3px solid {FOCUS} !important;
    outline-offset: 2px !important;
}}
div:has(> input:focus-visible:not([type="checkbox"]):not([type="radio"])), div:has(> textarea:focus-visible) {{
    outline: 3px solid {FOCUS} !important;  /* on the box around a text field or combobox */
    outline-offset: 1px !important;
}}
label:has(input[type="checkbox"]:focus-visible), label:has(input[type="radio"]:focus-visible) {{
    outline: 3px solid {FOCUS} !important;
    outline-offset: 2px !important;
    border-radius: 4px;
}}
</style>
"""

# Streamlit's index.html declares <html lang="en">; the portal is Dutch, and screen readers pick their voice from it
# (WCAG 3.1.1). Static script, no user input.
LANG_SCRIPT = '<script>document.documentElement.lang = "nl";</script>'


def apply_theme() -> None:
    """Inject the CSS (a style-only st.html takes no room on the page)."""
    st.html(CSS)


def set_document_language() -> None:
    """Set the page language to Dutch; drawn at the bottom of the sidebar, where it takes no visible room."""
    st.sidebar.html(LANG_SCRIPT, unsafe_allow_javascript=True)

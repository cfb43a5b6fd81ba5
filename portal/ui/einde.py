"""Ending a page run early without losing the frame around it (the menu and the login status in the sidebar)."""

from __future__ import annotations

from typing import NoReturn


class PaginaKlaar(BaseException):
    """Ends a page's run here: the page has said why (no figures for this choice, no warehouse, the login form).
    pages/app.py catches it and still draws the sidebar. st.stop() cannot be used for this: every element a run adds after
    it is dropped, so the sidebar stayed empty. A BaseException, like Streamlit's own st.stop and st.rerun, so a page's
    `except Exception` lets it pass."""


def stop_page() -> NoReturn:
    """End this page's run; the sidebar is still drawn (see PaginaKlaar)."""
    raise PaginaKlaar

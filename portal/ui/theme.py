"""Accessibility fixes that Streamlit's theme options (.streamlit/config.toml) cannot express: injected CSS, the
document language and Dutch for Streamlit's own interface words. Called from pages/app.py on every run, so every page
gets them.

Colours are checked against WCAG 2.1 AA on Streamlit's light theme (white main area, #f8f8f7 sidebar), which
config.toml fixes with base = "light".
"""

from __future__ import annotations

import json

import streamlit as st

TEXT_MUTED = "#5c5b59"  # 6.8:1 on white, 6.3:1 on the sidebar; Streamlit's caption grey #828180 is 3.9:1 on white
CHART_GREY = "#808495"  # Streamlit's Vega-Lite theme for axis and legend labels and titles: 3.7:1 on white
FOCUS = "#154273"  # the theme's primaryColor: 10.2:1 on white, 9.1:1 on the sidebar (WCAG 1.4.11 asks 3:1)

# Streamlit draws captions in textColor at opacity 0.6, #828180 on white: 3.9:1; WCAG 1.4.3 asks 4.5:1 for text this
# size. Keyboard focus: a solid outline on every link and control (WCAG 2.4.7), shown only when focus comes from the
# keyboard (:focus-visible), so mouse users see no change.
CSS = f"""
<style>
[data-testid="stHeading"] h2 {{
    font-size: 1.5rem !important;  /* section headings are h2 (headings in order, no h1 -> h3 jump) at the former h3 size */
}}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p, .stMarkdown small {{
    color: {TEXT_MUTED} !important;
    opacity: 1 !important;
}}
.vega-embed svg text[fill="{CHART_GREY}"] {{
    fill: {TEXT_MUTED} !important;  /* axis and legend text of charts, drawn by Vega in a 3.7:1 grey */
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
[data-testid="stSidebar"] .stElementContainer:has(> [data-testid="stHtml"] > script:only-child) {{
    display: none;  /* the element that carries LANG_SCRIPT: no gap in the sidebar */
}}
label:has(input[type="checkbox"]:focus-visible), label:has(input[type="radio"]:focus-visible) {{
    outline: 3px solid {FOCUS} !important;
    outline-offset: 2px !important;
    border-radius: 4px;
}}
</style>
"""

# Words of Streamlit's own interface (skip link, labels for screen readers, placeholders, hints, the dialog for an
# unknown address) in Dutch. Streamlit has no setting for its interface language, so a small script replaces these exact
# strings in text and in the attributes screen readers and tooltips read, also when Streamlit draws them later. It only
# changes a text node's value or an attribute, never the DOM structure, so React keeps working with the same nodes.
NL_TEXT = {  # exact English text (text nodes and the attributes below) -> Dutch
    "Skip to main content": "Naar de hoofdinhoud",
    "Link to heading": "Link naar deze kop",
    "Choose an option": "Kies een optie",
    "Choose options": "Kies een of meer opties",
    "No results": "Geen resultaten",
    "Press Enter to apply": "Druk op Enter om toe te passen",
    "Press Enter to submit form": "Druk op Enter om het formulier te verzenden",
    "Press Ctrl+Enter to apply": "Druk op Ctrl+Enter om toe te passen",
    "Press Ctrl+Enter to submit form": "Druk op Ctrl+Enter om het formulier te verzenden",
    "Press ⌘+Enter to apply": "Druk op ⌘+Enter om toe te passen",
    "Press ⌘+Enter to submit form": "Druk op ⌘+Enter om het formulier te verzenden",
    "Download as CSV": "Downloaden als CSV",
    "Search": "Zoeken",
    "Fullscreen": "Volledig scherm",
    "Close fullscreen": "Volledig scherm sluiten",
    "Exit fullscreen": "Volledig scherm sluiten",
    "Clear all": "Alles wissen",
    "Clear value": "Waarde wissen",
    "Collapse sidebar": "Zijbalk inklappen",
    "Expand sidebar": "Zijbalk uitklappen",
    "Show password": "Wachtwoord tonen",
    "Hide password": "Wachtwoord verbergen",
    "Running...": "Bezig...",
    "Sidebar": "Zijbalk",
    "Show data": "Gegevens tonen",
    "Download as PNG": "Downloaden als PNG",
    "Download as SVG": "Downloaden als SVG",
    "Copy Vega-Lite spec": "Vega-Lite-specificatie kopiëren",
    "Add row": "Rij toevoegen",
    "Show/hide columns": "Kolommen tonen of verbergen",
    "Clear selection": "Selectie wissen",
    "file upload": "bestand uploaden",
    "Drag and drop file here": "Sleep een bestand hierheen",
    "Drag and drop files here": "Sleep bestanden hierheen",
    "Upload": "Uploaden",
    "Add files": "Bestanden toevoegen",
    "Add file": "Bestand toevoegen",
    "add icon": "pictogram toevoegen",
    "dd-mm-yyyy": "dd-mm-jjjj",
    "yyyy": "jjjj",  # the empty year part of a date field ("dd - mm - yyyy", three text nodes)
    "DD-MM-YYYY": "DD-MM-JJJJ",
    "Uploading...": "Bezig met uploaden...",
    "Copy to clipboard": "Kopiëren naar klembord",  # the button of st.code (the share link)
    "Copied to clipboard": "Gekopieerd naar klembord",
    "Copied!": "Gekopieerd!",
    "Selected values": "Gekozen waarden",  # st.multiselect's label for screen readers
    "Choose date": "Kies een datum",  # the calendar of st.date_input
    "Previous month": "Vorige maand",
    "Next month": "Volgende maand",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Kies een dag met de pijltjestoetsen, bevestig met Enter, sluit met Escape.",
    "Page not found": "Pagina niet gevonden",
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "Deze pagina bestaat niet. U ziet de startpagina.",
}
NL_ATTRIBUTE_ONLY = {"Open": "Openen", "Close": "Sluiten", "Increment": "Verhogen", "Decrement": "Verlagen"}
NL_PATTERNS = [  # (regular expression on the whole string, Dutch replacement)
    (r"^Help for (.+)$", "Uitleg bij $1"),
    (r"^(\d+)([KMG]?B) per file$", "$1 $2 per bestand"),  # the uploader's limit, "100MB per file"
    (r"^(\S+) per file$", "$1 per bestand"),
    (r"^(\d+)\.(\d+) ?([KMG]?B)$", "$1,$2 $3"),  # an uploaded file's size, "0.7MB"
    (r"^(\d+) ?([KMG]B)$", "$1 $2"),
    (r"^File must be (\S+) or smaller\.$", "Het bestand mag hoogstens $1 zijn."),
    (r"^Remove (.+)$", "$1 verwijderen"),
    (r"^Choose date, (.+)$", "Kies een datum, $1"),  # the calendar button, "Choose date, december 2026"
    (r"^day, (.+)$", "dag, $1"),  # the parts of a date field for screen readers, "day, Peildatum"
    (r"^month, (.+)$", "maand, $1"),
    (r"^year, (.+)$", "jaar, $1"),
]
NL_ATTRIBUTES = ("aria-label", "placeholder", "title")

# Streamlit's index.html also declares <html lang="en">; screen readers pick their voice from it (WCAG 3.1.1).
# Static script, no user input.
LANG_SCRIPT = """<script>
(() => {
  document.documentElement.lang = "nl";
  // Streamlit gives its date picker the browser's language (navigator.language, read when its app redraws): Dutch it
  // names the months and days in Dutch and starts the week on Monday. So the page says the browser speaks Dutch.
  try {
    if (!/^nl\\b/.test(navigator.language)) {
      Object.defineProperty(Navigator.prototype, "language", {get: () => "nl-NL", configurable: true});
      Object.defineProperty(Navigator.prototype, "languages", {get: () => ["nl-NL", "nl"], configurable: true});
    }
  } catch (e) {}
  if (window.__portalNl) return;
  const text = %(text)s, attrOnly = %(attr_only)s, attrs = %(attrs)s;
  const patterns = %(patterns)s.map(([re, nl]) => [new RegExp(re), nl]);
  const dutch = v => {
    if (text[v]) return text[v];
    for (const [re, nl] of patterns) if (re.test(v)) return v.replace(re, nl);
    return null;
  };
  const fixAttrs = el => {
    for (const a of attrs) {
      const v = el.getAttribute && el.getAttribute(a);
      const nl = v && (dutch(v) || attrOnly[v]);
      if (nl) el.setAttribute(a, nl);
    }
  };
  const fixText = node => {
    const nl = dutch(node.nodeValue.trim());
    if (nl) node.nodeValue = nl;
  };
  const fix = root => {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixAttrs(root);
    root.querySelectorAll("[aria-label], [placeholder], [title]").forEach(fixAttrs);
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) fixText(walk.currentNode);
  };
  // Changed nodes are collected and translated when the browser is idle (at most 300 ms later), not inside every
  // mutation: on a long page the translation then does not hold up the first drawing of the page and its charts.
  const pending = new Set();
  const later = window.requestIdleCallback ? f => requestIdleCallback(f, {timeout: 300}) : f => setTimeout(f, 50);
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const nodes = [...pending];
    pending.clear();
    nodes.forEach(fix);
  };
  window.__portalNl = new MutationObserver(records => {
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(n => pending.add(n));
      else pending.add(r.target);
    }
    if (!scheduled && pending.size) { scheduled = true; later(flush); }
  });
  window.__portalNl.observe(document.body, {subtree: true, childList: true, characterData: true,
                                            attributes: true, attributeFilter: attrs});
  document.documentElement.lang = "nl";
  fix(document.body);
})();
</script>""" % {"text": json.dumps(NL_TEXT, ensure_ascii=False), "attr_only": json.dumps(NL_ATTRIBUTE_ONLY),
               "attrs": json.dumps(list(NL_ATTRIBUTES)), "patterns": json.dumps(NL_PATTERNS)}


def apply_theme() -> None:
    """Inject the CSS (a style-only st.html takes no room on the page)."""
    st.html(CSS)


def set_document_language() -> None:
    """Set the page language to Dutch and translate Streamlit's own words; an element in the sidebar that CSS hides."""
    st.sidebar.html(LANG_SCRIPT, unsafe_allow_javascript=True)

"""User and link text shown as text: the one escape for everything Streamlit renders as Markdown (st.markdown, st.caption,
st.error/warning/info, titles, and widget, expander, tab and page-link labels), and the input limits of the forms.

Streamlit's Markdown turns `[x](url)` into a live link, `![x](url)` into an image every reader's browser fetches,
`https://…`, `www.…` and `naam@domein.nl` into links, `:red[…]` into coloured text, `:smile:` into an emoji and `$…$`
into a formula. Text a user typed or a link carried must show as typed. `literal` backslash-escapes the characters that
start markup anywhere and a colon before a letter (a Streamlit directive); CommonMark shows an escaped character as
itself. It escapes list, heading and rule markers at the start of a line, and puts a zero-width space inside what GFM
and Streamlit recognise in plain text after parsing (autolinks, emoji and icon codes). Sentence punctuation stays as it
is, so "Zwolle 2024: 12,5% (voorlopig)." is its own Markdown source.

Verified in headless Chromium (Streamlit 1.67): no link, image, heading, list, code, emphasis, table, quote, formula,
emoji or icon from any of the cases in tests/test_inputs.py, and the text reads as typed."""

from __future__ import annotations

import re

ZWSP = "\u200b"
# Emphasis, code, links and images, HTML and entities, tables, strikethrough, math, and Streamlit's :name directives
# (":red[…]"; an unknown ":naam" in running text vanishes).
_ANYWHERE = re.compile(r"([\\`*_\[\]<>&|~$!#]|:(?=[A-Za-z]))")
_ORDERED = re.compile(r"^([0-9]{1,9})([.)])")  # at the start of a line: an ordered list item
_MARKER = re.compile(r"^([-+=])")  # at the start of a line: a list item, a rule or a heading underline
# Recognised in the text after escapes are resolved, so escaping does not stop them; a zero-width space does:
# https://… (and any scheme://), www.…, naam@domein.nl, and :smile: or :material/home: codes.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=\bwww)(?=\.))|(?<=@)(?=[-\w])")
_SHORTCODE = re.compile(r":(?=[A-Za-z_+-][\w+/-]*:)")
_LEADING = re.compile(r"^[ \t]+")

SHORT = 80  # a link value quoted in a message


def literal(text: object) -> str:
    """`text` as Markdown that renders exactly as `text`: no links, images, emphasis, headings, lists, HTML, colour, math,
    emoji or icons. Line breaks are kept (as hard breaks) and leading spaces do not turn a line into a code block."""
    lines = []
    for line in str(text if text is not None else "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lead = _LEADING.match(line)
        pad = lead.group(0).replace("\t", "    ").replace(" ", "\u00a0") if lead else ""
        body = _SHORTCODE.sub(":" + ZWSP, _AUTOLINK.sub(ZWSP, line[lead.end():] if lead else line))
        body = _ANYWHERE.sub(r"\\\1", body)
        body = _ORDERED.sub(r"\1\\\2", body) if _ORDERED.match(body) else _MARKER.sub(r"\\\1", body)
        lines.append(pad + body.rstrip())
    return "  \n".join(lines)


def quoted(value: object, limit: int = SHORT) -> str:
    """A value from a link or a form inside a Dutch message: shortened to `limit` characters, in quotes, escaped."""
    text = str(value)
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return "'" + literal(text.replace("\n", " ")) + "'"

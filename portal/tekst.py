"""User and link text shown as text: the one escape for everything Streamlit renders as Markdown (st.markdown, st.caption,
st.error/warning/info, titles, and widget, expander, tab and page-link labels), and the input limits of the forms.

Streamlit's Markdown turns `[x](url)` into a live link, `![x](url)` into an image every reader's browser fetches,
`https://…` and `www.…` into links, `:red[…]` into coloured text and `$…$` into formulas. Text a user typed or a link
carried must show as typed: `literal` backslash-escapes every ASCII punctuation character that CommonMark, GFM or
Streamlit give a meaning (CommonMark renders an escaped one as the character itself), so "Zwolle 2024: 12,5%" still
reads "Zwolle 2024: 12,5%"."""

from __future__ import annotations

import re

# Never special in CommonMark/GFM/Streamlit once the characters below are escaped: left as they are, so the Markdown
# source stays readable (12,5%; 'naam'; a/b; vraag?).
_PLAIN = set(",;?\"'%/")
_SPECIAL = re.compile("([" + re.escape("".join(c for c in map(chr, range(33, 127)) if not c.isalnum() and c not in _PLAIN))
                      + "])")
# remark-emoji and Streamlit's icon plugin work on the text after escapes are resolved (":smile:", ":material/home:"):
# a zero-width space after the colon keeps such a code as typed.
_SHORTCODE = re.compile(r"\\:(?=[A-Za-z_+-][\w+/-]*\\:)")
_LEADING = re.compile(r"^[ \t]+")

# Input limits of the forms (characters). The storage limits of names and titles are portal.userdata.MAX_NAME and
# MAX_TITEL; these are the limits of the other free-text inputs.
MAX_PERIODE = 80
MAX_TEKST = 10_000  # one note, finding or recommendation
MAX_THEMAS = 5_000  # all themes together, one per line
SHORT = 80  # a link value quoted in a message


def literal(text: object) -> str:
    """`text` as Markdown that renders exactly as `text`: no links, images, emphasis, headings, lists, HTML, colour, math,
    emoji or icons. Line breaks are kept (as hard breaks) and leading spaces do not turn a line into a code block."""
    lines = []
    for line in str(text if text is not None else "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lead = _LEADING.match(line)
        pad = lead.group(0).replace("\t", "    ").replace(" ", "\u00a0") if lead else ""
        body = _SHORTCODE.sub("\\:\u200b", _SPECIAL.sub(r"\\\1", line[lead.end():] if lead else line))
        lines.append(pad + body.rstrip())
    return "  \n".join(lines)


def quoted(value: object, limit: int = SHORT) -> str:
    """A value from a link or a form inside a Dutch message: shortened to `limit` characters, in quotes, escaped."""
    text = str(value)
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return "'" + literal(text.replace("\n", " ")) + "'"

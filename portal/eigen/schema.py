"""The canonical fields of an own client file, shared by upload, storage, monitors and the page.

One row per uitkering spell (bijstandsperiode) of one client. A file with one row per client-month is turned into spells
at upload. Codes are the portal's own; the mapping step translates a file's codes into these.
"""

from __future__ import annotations

import polars as pl

# field -> (Dutch label, required)
FIELDS: dict[str, tuple[str, bool]] = {
    "client": ("Cliëntnummer (wordt gepseudonimiseerd)", True),
    "begin": ("Begindatum uitkering", True),
    "einde": ("Einddatum uitkering (leeg = lopend)", True),
    "reden": ("Reden beëindiging", False),
    "leefvorm": ("Leefvorm", True),
    "geboortejaar": ("Geboortejaar of leeftijd", True),
    "geslacht": ("Geslacht", False),
    "fasering": ("Fasering / participatieladder", False),
    "bedrag": ("Uitkeringsbedrag per maand (euro)", False),
}
REDENEN = ("werk", "overig")  # reason for ending; empty while running
LEEFVORMEN = ("alleenstaande", "alleenstaande_ouder", "paar")
GESLACHTEN = ("man", "vrouw", "onbekend")
LEEFTIJDSGROEPEN = ("tot 27", "27 tot 45", "45 tot AOW")  # age at instroom: from geboortedatum, else geboortejaar

# The stored and computed frame: one row per spell. `client` is the keyed hash (hex), never the given identifier.
SPELLS = {
    "gemeente": pl.String,  # GMxxxx
    "upload_id": pl.Int64,
    "client": pl.String,
    "begin": pl.Date,
    "einde": pl.Date,  # null = still running at the file's peildatum
    "reden": pl.String,  # "werk" | "overig" | null
    "leefvorm": pl.String,  # LEEFVORMEN
    "geboortejaar": pl.Int32,
    "geboortedatum": pl.Date,  # when the file gives a date of birth (then the age at instroom is exact), else null
    "geslacht": pl.String,  # GESLACHTEN, null when not supplied
    "fasering": pl.String,  # the gemeente's own category after mapping (e.g. "trede 1"), null when not supplied
    "bedrag": pl.Float64,  # euro per month, null when not supplied
    "synthetisch": pl.Boolean,
}
MIN_CELL = 10  # every displayed or exported cell with fewer persons is suppressed
MIN_PARTICIPANTS = 5  # aggregates over other gemeenten only with at least this many

# ---- added for the monitors (issue 13 part B); existing constants above are unchanged ----------------------------------
# Duration classes of the zittend bestand: (label, lower bound in completed months, upper bound exclusive or None).
DUURKLASSEN = (("< 1 jaar", 0, 12), ("1–2 jaar", 12, 24), ("2–5 jaar", 24, 60), ("5–10 jaar", 60, 120), ("≥ 10 jaar", 120, None))
# Upper age bounds (exclusive) of LEEFTIJDSGROEPEN, in years of age; the last group runs to the AOW-leeftijd.
LEEFTIJDSGRENZEN = (27, 45)
ONBEKEND = "onbekend"  # group label for a missing fasering (or any missing grouping value)


def empty_spells() -> pl.DataFrame:
    """A SPELLS frame without rows (for tests and for a gemeente without uploads)."""
    return pl.DataFrame(schema=SPELLS)

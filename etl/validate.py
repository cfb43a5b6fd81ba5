"""Reading snapshot files with validation at the boundary: every problem is collected, then raised as one Dutch message.

A problem names the file, the row (line number in the file, header = 1) and the column, so an analyst can open the
file and find it.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from portal.fouten import DutchError

MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"bestand {self.file}"]
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column is not None:
            where.append(f"kolom '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class BuildError(DutchError):
    """A data build that must stop; carries every problem found so far (`message`: another reason than problems)."""

    def __init__(self, problems: list[Problem], message: str | None = None):
        self.problems = problems
        super().__init__(message or _listing(problems))


def _listing(problems: list[Problem]) -> str:
    lines = [f"De databouw is gestopt: {len(problems)} probleem/problemen gevonden."]
    lines += [f"- {p}" for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"- ... en nog {len(problems) - MAX_LISTED} andere")
    lines.append("Het bestaande warehouse is niet gewijzigd.")
    return "\n".join(lines)


@dataclass
class Collector:
    """Gathers problems across all sources so one build run reports them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise BuildError(self.problems)


def verify_checksums(folder: Path, col: Collector) -> dict[str, str]:
    """Check every file against the folder's SHA256SUMS (written next to PROVENANCE.md); return name -> sha256."""
    sums_file = folder / "SHA256SUMS"
    if not sums_file.exists():
        col.add(f"{folder.name}/SHA256SUMS", None, None, "checksumbestand ontbreekt; de herkomst van de snapshot is niet vast te stellen")
        return {}
    found: dict[str, str] = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if len(line.split(maxsplit=1)) != 2:
            col.add(f"{folder.name}/SHA256SUMS", None, None, f"onleesbare regel '{line[:40]}'")
            continue
        expected, name = line.split(maxsplit=1)
        path = folder / name
        if not path.exists():
            col.add(f"{folder.name}/{name}", None, None, "bestand uit SHA256SUMS ontbreekt")
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            col.add(
                f"{folder.name}/{name}",
                None,
                None,
                f"checksum klopt niet met de herkomst (SHA256SUMS {expected[:12]}…, bestand {actual[:12]}…): "
                "de snapshot is gewijzigd of beschadigd",
            )
        found[name] = actual
    return found


def read_table(
    path: Path,
    col: Collector,
    *,
    required: list[str],
    counts: list[str] = (),  # type: ignore[assignment]
    numbers: list[str] = (),  # type: ignore[assignment]
    key: list[str] = (),  # type: ignore[assignment]
    sep: str | None = None,
    decimal_comma: bool = False,
    encoding: str = "utf-8-sig",
    missing: tuple[str, ...] = ("", "."),
) -> pl.DataFrame:
    """Read a delimited file strictly.

    - every row must have as many fields as the header (a truncated file is caught here, and by a missing final newline);
    - `required` columns must exist;
    - `counts` must be non-negative numbers, `numbers` any number (`.` and empty mean: no value / suppressed);
    - `key` must be unique.
    Returns all columns as strings plus the numeric columns as Float64, and `_rij` (the line number).
    """
    name = f"{path.parent.name}/{path.name}"
    try:
        raw = path.read_bytes()
        text = raw.decode(encoding)
    except FileNotFoundError:
        col.add(name, None, None, "bestand ontbreekt")
        return pl.DataFrame()
    except UnicodeDecodeError as exc:
        col.add(name, None, None, f"bestand is geen geldige {encoding}-tekst (byte {exc.start})")
        return pl.DataFrame()
    if not text.strip():
        col.add(name, None, None, "bestand is leeg")
        return pl.DataFrame()
    if sep is None:
        first = text.splitlines()[0]
        sep = "\t" if "\t" in first else ("," if first.count(",") >= first.count(";") else ";")
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    header = [h.strip() for h in rows[0]]
    before = len(col.problems)
    for c in required:
        if c not in header:
            col.add(name, 1, c, "verplichte kolom ontbreekt")
    if len(col.problems) > before:
        return pl.DataFrame()
    body = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(header):
            missing_col = header[len(r)] if len(r) < len(header) else None
            col.add(name, i, missing_col, f"rij heeft {len(r)} velden, verwacht {len(header)} (afgekapt of verschoven bestand)")
            continue
        body.append((i, r))
    data: dict[str, list] = {"_rij": [i for i, _ in body]}
    for j, h in enumerate(header):
        if h in data:  # duplicated header names: keep the first
            continue
        data[h] = [r[j].strip() for _, r in body]
    numeric = {**{c: True for c in counts}, **{c: False for c in numbers if c not in counts}}
    for c, must_be_count in numeric.items():
        if c not in data:
            continue
        values: list[float | None] = []
        for rij, v in zip(data["_rij"], data[c]):
            if v in missing:
                values.append(None)
                continue
            s = v.replace(".", "").replace(",", ".") if decimal_comma else v
            try:
                x = float(s)
            except ValueError:
                col.add(name, rij, c, f"waarde '{v}' is geen getal")
                values.append(None)
                continue
            if must_be_count and x < 0:
                col.add(name, rij, c, f"negatief aantal ({v}) is onmogelijk")
            values.append(x)
        data[c] = values
    frame = pl.DataFrame(data, schema_overrides={c: pl.Float64 for c in numeric if c in data}, strict=False)
    if key and frame.height:
        dup = frame.filter(pl.struct(list(key)).is_duplicated())
        for r in dup.select(["_rij", *key]).iter_rows():
            col.add(name, r[0], ", ".join(key), f"dubbele sleutel ({', '.join(str(x) for x in r[1:])})")
    return frame

"""Reading an uploaded client file (CSV, XLSX or Parquet) into strings with the row numbers the user sees.

Every value becomes a trimmed string (empty -> null); the header is row 1, so the first data row is row 2, as in a
spreadsheet. A CSV may use any of the delimiters and encodings Dutch benefit systems produce; a spreadsheet must hold
plain values on one sheet. What cannot be read gets an `UploadFout` with a Dutch message; nothing is stored here.
(A quoted CSV value that spans several lines shifts the row numbers after it by the extra lines.)
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time

import polars as pl

from portal.nl import nl_number
from portal.userdata.errors import UserDataError

MAX_BYTES = 100 * 1024 * 1024  # the largest file accepted (100 MB)
DELIMITERS = {";": "puntkomma (;)", ",": "komma (,)", "\t": "tab", "|": "verticale streep (|)"}
ENCODINGS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (met BOM)", "utf-16": "UTF-16", "cp1252": "Windows-1252",
             "latin-1": "Latin-1"}
FIRST_DATA_ROW = 2

# Limits per upload (issue 18): what one file can make the process do is bounded before and while it is read, never
# taken from what the file says about itself (an XLSX's <dimension>, a zip entry's declared size).
MAX_COLUMNS = 1_000  # columns with a value; a cell further right is refused
MAX_CELLS = 50_000_000  # CSV and Parquet: rows x columns (a 100 MB CSV holds at most about that many)
MAX_XLSX_CELLS = 2_000_000  # XLSX cells; openpyxl reads about 100 000 a second here, so at most about 20 s
MAX_XLSX_ROWS = 1_048_576  # XLSX rows: Excel's own maximum
MAX_UNZIPPED = 256 * 2**20  # XLSX: all zip entries together, inflated (2 000 000 cells take about 100 MB of XML)
MAX_RATIO = 200  # XLSX: inflated / compressed size of an entry over 1 MiB; DEFLATE reaches at most 1032 (a bomb)
MAX_ENTRIES = 10_000  # XLSX: zip entries
MAX_PARQUET_BYTES = 2 * 2**30  # Parquet: uncompressed size of the column data


class UploadFout(UserDataError):
    """A file that cannot be read; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class Raw:
    """The file's columns as strings. `rij` holds, per row of `frame`, the row number the user sees."""

    frame: pl.DataFrame  # the file's own column names, all pl.String, null for empty cells
    rij: pl.Series  # Int64, same length as frame
    bestandsnaam: str
    soort: str  # "csv" | "xlsx" | "parquet"
    scheidingsteken: str | None = None  # CSV only
    codering: str | None = None  # CSV only

    @property
    def kolommen(self) -> list[str]:
        return self.frame.columns

    def beschrijving(self) -> str:
        """How the file was read, in Dutch, for the screen."""
        n = nl_number(self.frame.height)
        if self.soort == "csv":
            return (f"CSV-bestand, scheidingsteken {DELIMITERS[self.scheidingsteken]}, tekencodering "
                    f"{ENCODINGS[self.codering]}: {n} rijen, {len(self.kolommen)} kolommen")
        return f"{'Excel-bestand' if self.soort == 'xlsx' else 'Parquet-bestand'}: {n} rijen, {len(self.kolommen)} kolommen"


def read_file(data: bytes, filename: str) -> Raw:
    """The file's values as strings with their row numbers; `UploadFout` (Dutch) when it cannot be read."""
    if len(data) > MAX_BYTES:
        raise UploadFout(f"Het bestand is te groot ({nl_number(len(data) / 2**20, 1)} MB; maximaal {nl_number(MAX_BYTES / 2**20, 1)} MB). "
                         f"{SPLITS}")
    if not data.strip(b"\x00\t\r\n \xef\xbb\xbf\xff\xfe"):
        raise UploadFout("Het bestand is leeg. Kies het exportbestand met de uitkeringen.")
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        raw = _xlsx(data, filename)
    elif data[:4] == b"PAR1" or name.endswith(".parquet"):
        raw = _parquet(data, filename)
    elif name.endswith(".xls"):
        raise UploadFout("Het oude Excel-formaat (.xls) wordt niet gelezen. Sla het bestand op als .xlsx of als CSV.")
    else:
        raw = _csv(data, filename)
    return _finish(raw)


def _finish(raw: Raw) -> Raw:
    """Trim values, empty -> null, drop rows without any value; check the header."""
    cols = raw.frame.columns
    _check_header(cols)
    frame = raw.frame.rename({c: c.strip() for c in cols}).select(
        pl.col(c.strip()).cast(pl.String).str.strip_chars().replace("", None) for c in cols)
    keep = ~pl.all_horizontal(pl.exclude("\x00rij").is_null())
    both = frame.with_columns(raw.rij.alias("\x00rij")).filter(keep)
    if both.height == 0:
        raise UploadFout("Het bestand bevat alleen een kopregel en geen gegevens.")
    return Raw(both.drop("\x00rij"), both["\x00rij"].alias("rij"), raw.bestandsnaam, raw.soort, raw.scheidingsteken,
               raw.codering)


def _check_header(cols: list[str | None]) -> None:
    blank = [i + 1 for i, c in enumerate(cols) if c is None or not c.strip()]
    if blank:
        raise UploadFout(f"Kolom {_letters(blank[0])} heeft geen naam in de kopregel (rij 1). Geef elke kolom een naam "
                         "in de eerste rij.")
    seen: dict[str, int] = {}
    for i, c in enumerate(cols):
        key = c.strip().lower()
        if key in seen:
            raise UploadFout(f"De kolomnaam '{c.strip()}' staat twee keer in de kopregel (kolom {_letters(seen[key] + 1)} "
                             f"en {_letters(i + 1)}). Geef elke kolom een eigen naam.")
        seen[key] = i


SPLITS = "Splits het bestand of laat kolommen weg die niet nodig zijn."


def _letters(n: int) -> str:
    """Spreadsheet column letters for a 1-based column number (1 -> A, 27 -> AA)."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


# --- CSV ---------------------------------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[bytes, str]:
    """(UTF-8 bytes without BOM, encoding found)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").encode("utf-8"), "utf-16"
        except UnicodeDecodeError:
            raise UploadFout("Het bestand begint als UTF-16 maar kan zo niet worden gelezen. Exporteer het opnieuw als "
                             "CSV in UTF-8.") from None
    if b"\x00" in data[:4096]:
        raise UploadFout("Dit lijkt geen tekstbestand (CSV). Kies een CSV-, Excel- (.xlsx) of Parquet-bestand.")
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined
        return data.decode("latin-1").encode("utf-8"), "latin-1"


def _delimiter(text: bytes) -> str:
    """The delimiter of the header line: the candidate it holds most often (outside quotes)."""
    header = text.split(b"\n", 1)[0]
    header = re.sub(rb'"[^"]*"', b"", header)
    counts = {d: header.count(d.encode()) for d in DELIMITERS}
    best = max(counts.values())
    if best == 0:
        raise UploadFout("In de kopregel (rij 1) is geen scheidingsteken gevonden (puntkomma, komma, tab of verticale "
                         "streep): het bestand heeft zo maar één kolom. Controleer of dit de export met de uitkeringen is.")
    winners = [d for d, n in counts.items() if n == best]
    if len(winners) > 1:
        raise UploadFout("Het scheidingsteken is niet eenduidig: de kopregel (rij 1) bevat even vaak "
                         + " als ".join(DELIMITERS[d] for d in winners) + ". Exporteer het bestand met puntkomma's.")
    return winners[0]


def _csv(data: bytes, filename: str) -> Raw:
    text, encoding = _decode(data)
    text = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    sep = _delimiter(text)
    header = next(csv.reader([text.split(b"\n", 1)[0].decode()], delimiter=sep))
    if len(header) > MAX_COLUMNS:
        raise UploadFout(f"De kopregel (rij 1) heeft {nl_number(len(header))} kolommen; het portaal leest er hoogstens "
                         f"{nl_number(MAX_COLUMNS)}. {SPLITS}")
    _check_header(header)  # polars would silently rename a repeated name
    try:
        frame = pl.read_csv(io.BytesIO(text), separator=sep, infer_schema=False, quote_char='"', has_header=True,
                            raise_if_empty=True)
    except pl.exceptions.NoDataError:
        raise UploadFout("Het bestand is leeg. Kies het exportbestand met de uitkeringen.") from None
    except pl.exceptions.PolarsError:
        raise UploadFout(_ragged(text, sep, len(header))) from None
    rij = pl.int_range(FIRST_DATA_ROW, FIRST_DATA_ROW + frame.height, dtype=pl.Int64, eager=True)
    return Raw(frame, rij, filename, "csv", sep, encoding)


def _ragged(text: bytes, sep: str, width: int) -> str:
    """Why polars could not read the file, with the row (only on this error path, so a Python loop is fine)."""
    reader = csv.reader(io.StringIO(text.decode()), delimiter=sep)
    try:
        for row in reader:
            if len(row) > width:
                return (f"Rij {reader.line_num} heeft {len(row)} kolommen, de kopregel (rij 1) {width}, met "
                        f"{DELIMITERS[sep]} als scheidingsteken. Staat er een scheidingsteken in een waarde zonder "
                        "aanhalingstekens eromheen?")
    except csv.Error:
        pass
    return (f"Het CSV-bestand is niet te lezen met {DELIMITERS[sep]} als scheidingsteken: een aanhalingsteken is niet "
            "afgesloten, of een rij heeft meer kolommen dan de kopregel.")


# --- XLSX --------------------------------------------------------------------------------------------------------

def _cell(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return "WAAR" if v else "ONWAAR"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _merged(data: bytes) -> str | None:
    """The first merged range in any worksheet (read-only openpyxl does not report them), e.g. 'B1:C1'."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                continue
            tail = b""
            with z.open(name) as f:
                while chunk := f.read(1 << 20):
                    m = re.search(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"', tail + chunk)
                    if m:
                        return m.group(1).decode()
                    tail = chunk[-200:]
    return None


BESCHADIGD = ("Het Excel-bestand kan niet worden geopend: het is beschadigd of geen .xlsx-bestand. Sla het opnieuw op als "
              ".xlsx of exporteer het als CSV.")


def _te_groot_xlsx() -> str:
    return (f"Een Excel-bestand mag uitgepakt hoogstens {nl_number(MAX_UNZIPPED // 2**20)} MB zijn en {nl_number(MAX_XLSX_CELLS)} "
            "cellen hebben (bijvoorbeeld 200.000 rijen van 10 kolommen). Exporteer een groter bestand als CSV (tot "
            f"{nl_number(MAX_BYTES // 2**20)} MB), of laat kolommen en rijen weg die niet nodig zijn.")


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # zip local file header (APPNOTE.TXT 4.3.7), 30 bytes


def _check_zip(data: bytes) -> None:
    """Refuse a zip (XLSX) that would inflate to more than the limits, without trusting its headers.

    The declared sizes are checked first (their sum, and per entry the ratio: DEFLATE expands at most 1032 to 1, so a
    higher ratio is a bomb; entries that share compressed data are the 'overlapping files' bomb; see D. Fifield, "A
    better zip bomb", https://www.bamsoftware.com/hacks/zipbomb/). Then every entry is inflated in 1 MiB steps and
    discarded, stopping as soon as it yields more than its declared size: Python's zipfile (and so openpyxl) stops
    reading an entry at its declared size, so a header that understates it would otherwise cut the sheet off without a
    word. Memory stays at a few MiB, time at one inflate of at most MAX_UNZIPPED bytes.

    On the way the cells and rows of the worksheets and the XML tags of all parts are counted, so openpyxl's work (it
    parses every part it reads completely, a sheet without <dimension> twice, and keeps a stub of every row of a sheet
    until its end) is bounded before it starts."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise UploadFout(BESCHADIGD) from None
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNZIPPED:
        raise UploadFout(f"Het Excel-bestand is uitgepakt te groot. {_te_groot_xlsx()}")
    end, cells, rows, tags = 0, 0, 0, 0
    for i in sorted(infos, key=lambda i: i.header_offset):
        if i.flag_bits & 0x1:
            raise UploadFout("Het Excel-bestand is met een wachtwoord beveiligd. Sla het op zonder wachtwoord, of "
                             "exporteer het als CSV.")
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or i.header_offset < end:
            raise UploadFout(BESCHADIGD)  # Excel only deflates; entries must not overlap
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise UploadFout(f"Het Excel-bestand is verdacht sterk gecomprimeerd (onderdeel '{i.filename}' wordt "
                             f"{nl_number(i.file_size // max(i.compress_size, 1))} keer zo groot) en wordt niet gelezen. "
                             "Sla het opnieuw op in Excel of exporteer het als CSV.")
        end, counts = _inflate(data, i)
        cells, rows, tags = cells + counts[0], rows + counts[1], tags + counts[2]
        if cells > MAX_XLSX_CELLS:
            raise UploadFout(f"Het Excel-bestand heeft te veel cellen. {_te_groot_xlsx()}")
        if tags > 8 * MAX_XLSX_CELLS:  # a legitimate file has at most about 6 per cell
            raise UploadFout(f"Het Excel-bestand bevat meer dan {nl_number(8 * MAX_XLSX_CELLS)} XML-elementen en wordt niet "
                             f"gelezen. {_te_groot_xlsx()}")
        if rows > MAX_XLSX_ROWS:
            raise UploadFout(f"Het Excel-bestand heeft meer dan {nl_number(MAX_XLSX_ROWS)} rijen, meer dan Excel toestaat. "
                             "Het is beschadigd of niet met Excel gemaakt; exporteer het als CSV.")


_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")


def _inflate(data: bytes, info: zipfile.ZipInfo) -> tuple[int, tuple[int, int, int]]:
    """Inflate one entry from its raw bytes, checking the real size and CRC against the declared ones: the offset where
    its compressed data ends, and (cells, rows, tags) in it (cells and rows only in a worksheet)."""
    try:
        sig, *_, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    except struct.error:
        raise UploadFout(BESCHADIGD) from None
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    comp = memoryview(data)[start:start + info.compress_size]
    if sig != b"PK\x03\x04" or len(comp) < info.compress_size:
        raise UploadFout(BESCHADIGD)
    sheet = info.filename.startswith("xl/worksheets/")
    size, crc, pos, tail = 0, 0, 0, b""
    counts = [0, 0, 0]

    def count(out: bytes) -> None:
        nonlocal tail
        counts[2] += out.count(b"<")
        if sheet:  # a tag split over two pieces is counted once: the tail before this piece holds no complete tag
            both = tail + out
            counts[0] += len(_CELL.findall(both)) - len(_CELL.findall(tail))
            counts[1] += len(_ROW.findall(both)) - len(_ROW.findall(tail))
            tail = out[-64:]

    if info.compress_type == zipfile.ZIP_STORED:
        size, crc = len(comp), zlib.crc32(comp)
        count(bytes(comp))
    else:
        d = zlib.decompressobj(-zlib.MAX_WBITS)
        todo = b""
        while not d.eof:
            if not todo:
                if pos >= len(comp):
                    break
                todo, pos = comp[pos:pos + (1 << 20)], pos + (1 << 20)
            try:
                out = d.decompress(todo, 1 << 20)
            except zlib.error:
                raise UploadFout(BESCHADIGD) from None
            todo = d.unconsumed_tail
            size += len(out)
            if size > info.file_size:
                raise UploadFout(f"Het Excel-bestand is beschadigd: onderdeel '{info.filename}' is groter dan de "
                                 "inhoudsopgave van het bestand zegt, en zou maar voor een deel worden gelezen. Sla het "
                                 "opnieuw op in Excel of exporteer het als CSV.")
            crc = zlib.crc32(out, crc)
            count(out)
        if not d.eof:
            raise UploadFout(BESCHADIGD)
    if size != info.file_size or crc != info.CRC:
        raise UploadFout(BESCHADIGD)
    return start + info.compress_size, (counts[0], counts[1], counts[2])


def _where(cell: dict) -> str:
    """'B7' for a cell as openpyxl's sheet parser gives it."""
    return f"{_letters(cell['column'])}{cell['row']}"


def _rows(wb, ws) -> list[tuple[int, list]]:
    """(row number, values) of the rows of a read-only sheet that hold a value. Reads only the cells the XML holds: the
    sheet's declared <dimension> is not used (read-only openpyxl pads every row to it and adds every empty row up to it,
    so a 7 KiB file declaring A1:XFD1048576 with one cell there means 17 billion cells, about 30 minutes of CPU)."""
    from openpyxl.worksheet._reader import WorkSheetParser  # what ReadOnlyWorksheet reads with (openpyxl 3.1)

    rows = []
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for r, cells in parser.parse():
            vals: dict[int, str] = {}
            for c in cells:
                if c["data_type"] == "f":
                    raise UploadFout(f"Werkblad '{ws.title}' bevat formules (bijvoorbeeld in cel {_where(c)}). Het "
                                     "portaal leest alleen vaste waarden: kopieer het blad en plak het als waarden, "
                                     "of exporteer het als CSV.")
                v = _cell(c["value"])
                if v is None:
                    continue
                if c["column"] > MAX_COLUMNS:
                    raise UploadFout(f"Werkblad '{ws.title}' heeft een waarde in cel {_where(c)}, voorbij de "
                                     f"{nl_number(MAX_COLUMNS)} kolommen die het portaal leest. Verwijder wat rechts van de "
                                     "gegevens staat, of exporteer het blad als CSV.")
                vals[c["column"]] = v
            if vals:
                rows.append((r, [vals.get(i) for i in range(1, max(vals) + 1)]))
    return rows


def _xlsx(data: bytes, filename: str) -> Raw:
    import openpyxl

    _check_zip(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise UploadFout(BESCHADIGD) from None
    try:
        sheets = []
        for ws in wb.worksheets:
            try:
                rows = _rows(wb, ws)
            except UploadFout:
                raise
            except Exception:  # broken XML inside a sound zip
                raise UploadFout(BESCHADIGD) from None
            if rows:
                sheets.append((ws.title, rows))
    finally:
        wb.close()
    if not sheets:
        raise UploadFout("Het Excel-bestand is leeg. Kies het exportbestand met de uitkeringen.")
    if len(sheets) > 1:
        raise UploadFout("Het Excel-bestand heeft gegevens op meer dan één werkblad ("
                         + ", ".join(f"'{t}'" for t, _ in sheets)
                         + "). Laat alleen het blad met de uitkeringen staan, of exporteer dat blad als CSV.")
    merged = _merged(data)
    if merged:
        raise UploadFout(f"Het werkblad heeft samengevoegde cellen ({merged}). Maak de samenvoeging ongedaan zodat elke "
                         "kolom een eigen kop in rij 1 heeft en elke cel een eigen waarde.")
    title, rows = sheets[0]
    header_row, header = rows[0]
    width = max(len(v) for _, v in rows)
    header = (header + [None] * width)[:width]
    if header_row != 1:
        raise UploadFout(f"Rij 1 van werkblad '{title}' is leeg: de kopregel met kolomnamen moet in rij 1 staan.")
    if len(rows) == 1:
        raise UploadFout(f"Werkblad '{title}' heeft alleen een kopregel (rij 1) en geen rijen met gegevens.")
    _check_header(header)
    body = rows[1:]
    frame = pl.DataFrame({h: [(v + [None] * width)[i] for _, v in body] for i, h in enumerate(header)},
                         schema={h: pl.String for h in header})
    rij = pl.Series("rij", [r for r, _ in body], dtype=pl.Int64)
    return Raw(frame, rij, filename, "xlsx")


# --- Parquet -----------------------------------------------------------------------------------------------------

_PARQUET_SOORTEN = {pl.Duration: "tijdsduren (duration)", pl.List: "lijsten", pl.Array: "lijsten",
                    pl.Struct: "samengestelde waarden (struct)", pl.Binary: "binaire gegevens", pl.Object: "objecten"}


def _parquet_limits(data: bytes) -> None:
    """Refuse a Parquet file over the limits from its footer, before any column data is read, and a column type the
    portal cannot turn into text, naming the column."""
    import pyarrow.parquet as pq  # installed with streamlit; polars does not expose the row groups' sizes

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
        schema = pl.read_parquet_schema(io.BytesIO(data))
    except Exception:  # arrow raises several kinds for a damaged file
        raise UploadFout("Het Parquet-bestand kan niet worden gelezen: het is beschadigd of geen Parquet-bestand.") from None
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if len(schema) > MAX_COLUMNS or meta.num_rows * len(schema) > MAX_CELLS or unpacked > MAX_PARQUET_BYTES:
        raise UploadFout(f"Het Parquet-bestand is te groot om te lezen ({nl_number(meta.num_rows)} rijen, {nl_number(len(schema))} "
                         f"kolommen, uitgepakt {nl_number(unpacked // 2**20)} MB). Het portaal leest hoogstens "
                         f"{nl_number(MAX_COLUMNS)} kolommen, {nl_number(MAX_CELLS)} cellen en {nl_number(MAX_PARQUET_BYTES // 2**20)} MB. "
                         + SPLITS)
    for c, t in schema.items():
        soort = next((v for k, v in _PARQUET_SOORTEN.items() if isinstance(t, k) or t == k), None)
        if soort is None and not (t.is_numeric() or t.is_temporal() or t in (pl.String, pl.Boolean, pl.Null)
                                  or isinstance(t, (pl.Categorical, pl.Enum))):
            soort = f"waarden van het type {t}"
        if soort:
            raise UploadFout(f"Kolom '{c}' bevat {soort}; die kan het portaal niet als tekst, getal of datum lezen. "
                             "Laat die kolom weg of exporteer haar als tekst of getal.")


def _parquet(data: bytes, filename: str) -> Raw:
    _parquet_limits(data)
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception:  # polars/arrow raise several kinds for a damaged file
        raise UploadFout("Het Parquet-bestand kan niet worden gelezen: het is beschadigd of geen Parquet-bestand.") from None
    if frame.width == 0:
        raise UploadFout("Het Parquet-bestand is leeg. Kies het exportbestand met de uitkeringen.")
    casts = []
    for c, t in frame.schema.items():
        if t == pl.Datetime or isinstance(t, pl.Datetime):
            col = pl.col(c)
            casts.append(pl.when(col.dt.time() == time(0)).then(col.dt.date().cast(pl.String))
                         .otherwise(col.dt.to_string("%Y-%m-%d %H:%M:%S")).alias(c))
        elif t.is_float():
            col = pl.col(c)
            casts.append(pl.when(col == col.round()).then(col.cast(pl.Int64, strict=False).cast(pl.String))
                         .otherwise(col.cast(pl.String)).alias(c))
        else:
            casts.append(pl.col(c).cast(pl.String).alias(c))
    frame = frame.select(casts)
    rij = pl.int_range(FIRST_DATA_ROW, FIRST_DATA_ROW + frame.height, dtype=pl.Int64, eager=True)
    return Raw(frame, rij, filename, "parquet")

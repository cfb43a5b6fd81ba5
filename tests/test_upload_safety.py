"""Files that cannot hurt (issue 18, section 3): crafted XLSX, zip and Parquet files get a Dutch message within seconds
and store nothing; exports never carry a live formula; the own-file databases and the key are the owner's only.

Every file here is built byte by byte in the test and goes through the real reader (portal.eigen.upload.read_file)."""

from __future__ import annotations

import csv
import io
import os
import re
import sqlite3
import stat
import struct
import time
import tracemalloc
import zipfile
import zlib
from datetime import date, timedelta

import openpyxl
import polars as pl
import pytest

from portal import export
from portal.eigen import pseudo, upload
from portal.eigen.store import Eigenbestand
from portal.eigen.upload import UploadFout, read_file
from portal.userdata.db import Store
from tests.test_eigen_upload import GM, _attempt, _nothing_stored, _xlsx

N_ROWS = 86
ROWS = [(str(5000 + i), date(2020, 1, 1) + timedelta(days=i), None, None, "ALL", 1980, "M", None, None)
        for i in range(N_ROWS)]


@pytest.fixture
def db(tmp_path) -> Eigenbestand:
    return Eigenbestand(tmp_path / "eigenbestand.db")


def _entries(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _deflate(b: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(b) + c.flush()


def _zip(entries: list[tuple[str, bytes | None, int, int]]) -> bytes:
    """A zip written byte by byte: per entry (name, deflated data, CRC-32, declared size) as the headers say them. An
    entry with data None points at the previous entry's data (overlapping entries, as in Fifield's zip bomb)."""
    out, central, offset = bytearray(), bytearray(), 0
    for name, comp, crc, size in entries:
        raw = name.encode()
        if comp is not None:
            offset, csize = len(out), len(comp)
            out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, size, len(raw), 0) + raw + comp
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, csize, size, len(raw), 0, 0,
                               0, 0, 0, offset) + raw
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + eocd)


def _honest(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes, int, int]]:
    return [(n, _deflate(b), zlib.crc32(b), len(b)) for n, b in entries]


def _with_sheet(data: bytes, change) -> bytes:
    """The XLSX with its sheet XML changed by `change` (bytes -> bytes), zipped again with true headers."""
    return _zip(_honest([(n, change(b) if n == "xl/worksheets/sheet1.xml" else b) for n, b in _entries(data)]))


def _dimension(ref: bytes):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="' + ref + b'"/>', xml)


def _timed(data: bytes, name: str = "export.xlsx"):
    """(Raw or the UploadFout, seconds)."""
    t = time.perf_counter()
    try:
        out = read_file(data, name)
    except UploadFout as e:
        out = e
    return out, time.perf_counter() - t


@pytest.fixture(scope="module")
def rows86() -> bytes:
    return _xlsx(rows=ROWS)


# ---- 1. a sheet that declares more than it holds ---------------------------------------------------------------------

def test_sheet_declaring_the_largest_range_is_read_as_it_is_in_seconds(db, rows86):
    """The 7 KiB file of the issue: it declares A1:XFD1048576 and holds a formatted empty cell there. Read-only openpyxl
    padded every row to the declared width and added every empty row up to it: 17 billion cells, about 30 minutes."""
    styled = rb'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'  # formatted, no value: as Excel saves it
    data = _with_sheet(rows86, lambda x: _dimension(b"A1:XFD1048576")(x).replace(b"</sheetData>", styled))
    assert len(data) < 8 * 1024
    raw, seconds = _timed(data)
    assert seconds < 5
    assert raw.frame.shape == (N_ROWS, 9) and raw.rij.to_list() == list(range(2, N_ROWS + 2))
    assert raw.frame["Klantnummer"].to_list() == [str(5000 + i) for i in range(N_ROWS)]
    messages, uid = _attempt(db, data, "export.xlsx")
    assert messages == [] and db.uploads(GM)[0]["rijen"] == N_ROWS


def test_sheet_declaring_only_a1_is_read_whole(rows86):
    """Read-only openpyxl believed the dimension: only A1 came through ('alleen een kopregel en geen gegevens')."""
    raw, _ = _timed(_with_sheet(rows86, _dimension(b"A1")))
    assert raw.frame.shape == (N_ROWS, 9) and raw.frame["Geboortejaar"].to_list() == ["1980"] * N_ROWS


def test_sheet_with_only_cell_a1_says_it_has_no_data_rows(db):
    wb = openpyxl.Workbook()
    wb.active.title = "Blad1"
    wb.active["A1"] = "Klantnummer"
    buf = io.BytesIO()
    wb.save(buf)
    messages, uid = _attempt(db, buf.getvalue(), "leeg.xlsx")
    assert messages == ["Werkblad 'Blad1' heeft alleen een kopregel (rij 1) en geen rijen met gegevens."] and uid is None
    _nothing_stored(db)


def test_value_far_away_is_refused_in_seconds(db, rows86):
    far = rb'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    data = _with_sheet(rows86, lambda x: _dimension(b"A1:XFD1048576")(x).replace(b"</sheetData>", far))
    err, seconds = _timed(data)
    assert seconds < 5
    assert str(err) == ("Werkblad 'Uitkeringen' heeft een waarde in cel XFD1048576, voorbij de 1.000 kolommen die het "
                        "portaal leest. Verwijder wat rechts van de gegevens staat, of exporteer het blad als CSV.")
    assert _attempt(db, data, "ver.xlsx")[1] is None
    _nothing_stored(db)


def test_cells_rows_and_tags_are_counted_before_parsing_also_inside_one_row(db, rows86, monkeypatch):
    monkeypatch.setattr(upload, "MAX_XLSX_CELLS", 438)
    err, _ = _timed(rows86)  # 439 cells: 9 in the header, 5 with a value in each of the 86 rows
    assert str(err).startswith("Het Excel-bestand heeft te veel cellen. Een Excel-bestand mag uitgepakt hoogstens "
                               "256 MB zijn en 438 cellen hebben")
    wide = b"<row r=\"2\">" + b"<c/>" * 200_000 + b"</row></sheetData>"  # one row, 200 000 cells, no r attributes
    err, seconds = _timed(_with_sheet(_xlsx(rows=ROWS[:1]), lambda x: x.replace(b"</sheetData>", wide)))
    assert "te veel cellen" in str(err) and seconds < 5
    monkeypatch.setattr(upload, "MAX_XLSX_CELLS", 439)
    assert read_file(rows86, "a.xlsx").frame.height == N_ROWS  # exactly at the limit
    bloat = _zip(_honest(_entries(rows86) + [("xl/extra.xml", b"<a>" + b"<b/>" * 3600 + b"</a>")]))
    assert str(_timed(bloat)[0]).startswith("Het Excel-bestand bevat meer dan 3.512 XML-elementen en wordt niet gelezen.")
    monkeypatch.setattr(upload, "MAX_XLSX_ROWS", 86)  # the sheet has 87 rows
    assert str(_timed(rows86)[0]) == ("Het Excel-bestand heeft meer dan 86 rijen, meer dan Excel toestaat. Het is "
                                      "beschadigd of niet met Excel gemaakt; exporteer het als CSV.")


# ---- 2. zip bombs and understated headers ------------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def bomb(rows86) -> tuple[bytes, int, int]:
    """The 86-row sheet with 256 MiB of spaces between its rows (valid XML), deflated to about 260 KiB: (deflated data,
    CRC-32, size)."""
    sheet = dict(_entries(rows86))[SHEET]
    cut = sheet.index(b"</sheetData>")
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = b" " * 2**20
    comp, crc = c.compress(sheet[:cut]), zlib.crc32(sheet[:cut])
    for _ in range(256):
        comp += c.compress(block)
        crc = zlib.crc32(block, crc)
    comp += c.compress(sheet[cut:]) + c.flush()
    return comp, zlib.crc32(sheet[cut:], crc), len(sheet) + 256 * 2**20


def _bomb(base: bytes, sheet: tuple[bytes, int, int] | None, extra: list | None = None) -> bytes:
    """`base` with its sheet replaced by (deflated data, CRC-32, declared size), and `extra` entries after it."""
    entries = [(n, *sheet) if n == SHEET and sheet else (n, _deflate(b), zlib.crc32(b), len(b))
               for n, b in _entries(base)]
    return _zip(entries + (extra or []))


def _refused_fast_and_small(db, data: bytes, expected: str) -> None:
    tracemalloc.start()
    try:
        err, seconds = _timed(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(err, UploadFout) and expected in str(err)
    assert seconds < 5 and peak < 24 * 2**20, (seconds, peak)  # was 7,0 GB and 61 s, then accepted
    assert _attempt(db, data, "bom.xlsx")[1] is None
    _nothing_stored(db)


def test_zip_bomb_with_true_headers_is_refused(db, rows86, bomb):
    data = _bomb(rows86, bomb)
    assert len(data) < 270 * 1024
    _refused_fast_and_small(db, data, "Het Excel-bestand is uitgepakt te groot. Een Excel-bestand mag uitgepakt "
                                      "hoogstens 256 MB zijn en 2.000.000 cellen hebben")


def test_zip_entry_over_the_ratio_is_refused(db, rows86):
    block = bytes(64 * 2**20)  # 64 MiB of zeros: within the size limit, but 1 000 times its deflated size
    data = _bomb(rows86, None, [("xl/media/image1.bin", _deflate(block), zlib.crc32(block), len(block))])
    _refused_fast_and_small(db, data, "Het Excel-bestand is verdacht sterk gecomprimeerd (onderdeel "
                                      "'xl/media/image1.bin' wordt 1.0")


def test_overlapping_entries_inflating_to_gigabytes_are_refused(db, rows86, bomb):
    comp, crc, size = bomb
    data = _bomb(rows86, None, [("xl/media/a.bin", comp, crc, size)] + [(f"xl/media/{i}.bin", None, crc, size)
                                                                       for i in range(19)])
    assert len(data) < 270 * 1024 and sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 5e9
    _refused_fast_and_small(db, data, "uitgepakt te groot")
    small = [("xl/media/a.bin", _deflate(b"x" * 100), zlib.crc32(b"x" * 100), 100)] + [
        ("xl/media/b.bin", None, zlib.crc32(b"x" * 100), 100)]  # the same data under two names, however small
    err, _ = _timed(_bomb(rows86, None, small))
    assert str(err) == upload.BESCHADIGD


def test_zip_bomb_whose_header_understates_it_is_caught_while_inflating(db, rows86, bomb):
    comp, crc, _ = bomb
    data = _bomb(rows86, (comp, crc, 2 * 2**20))  # says 2 MiB: ratio 8, the header passes
    _refused_fast_and_small(db, data, "Het Excel-bestand is beschadigd: onderdeel 'xl/worksheets/sheet1.xml' is groter "
                                      "dan de inhoudsopgave van het bestand zegt")


def test_sheet_whose_header_understates_it_is_not_stored_truncated(db, rows86):
    entries = _entries(rows86)
    sheet = dict(entries)[SHEET]
    cut = [m.start() for m in re.finditer(rb"<row ", sheet)][10]  # the header and 9 data rows
    crafted = _bomb(rows86, (_deflate(sheet), zlib.crc32(sheet[:cut]), cut))
    with zipfile.ZipFile(io.BytesIO(crafted)) as z:  # what openpyxl would get: the first 9 rows, and no error here
        assert z.read(SHEET) == sheet[:cut]
    messages, uid = _attempt(db, crafted, "afgekapt.xlsx")
    assert messages == ["Het Excel-bestand is beschadigd: onderdeel 'xl/worksheets/sheet1.xml' is groter dan de "
                        "inhoudsopgave van het bestand zegt, en zou maar voor een deel worden gelezen. Sla het opnieuw "
                        "op in Excel of exporteer het als CSV."] and uid is None
    _nothing_stored(db)


def test_damaged_or_encrypted_zip_gets_a_dutch_message(rows86):
    entries = _honest(_entries(rows86))
    bad_crc = [(n, c, crc ^ 1 if n == SHEET else crc, s) for n, c, crc, s in entries]
    assert str(_timed(_zip(bad_crc))[0]) == upload.BESCHADIGD
    locked = bytearray(rows86)
    for m in re.finditer(rb"PK\x01\x02", locked):  # the encryption flag in every central directory entry
        locked[m.start() + 8] |= 1
    assert "met een wachtwoord beveiligd" in str(_timed(bytes(locked))[0])


# ---- 3. CSV and Parquet limits, Parquet types --------------------------------------------------------------------------

def test_csv_with_too_many_columns_is_refused_before_parsing(db):
    data = (";".join(f"k{i}" for i in range(1001)) + "\n" + ";".join("1" for _ in range(1001)) + "\n").encode()
    messages, uid = _attempt(db, data, "breed.csv")
    assert messages == ["De kopregel (rij 1) heeft 1.001 kolommen; het portaal leest er hoogstens 1.000. Splits het "
                        "bestand of laat kolommen weg die niet nodig zijn."] and uid is None


def _parquet(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_parquet(buf)
    return buf.getvalue()


@pytest.mark.parametrize("column, values, soort", [
    ("Duur", [timedelta(days=30), timedelta(days=61)], "tijdsduren (duration)"),
    ("Perioden", [[1, 2], [3]], "lijsten"),
    ("Adres", [{"straat": "Markt", "nr": 1}, {"straat": "Dam", "nr": 2}], "samengestelde waarden (struct)"),
])
def test_parquet_column_of_an_unsupported_type_is_named(db, column, values, soort):
    data = _parquet(pl.DataFrame({"Klantnummer": ["1", "2"], column: values}))
    messages, uid = _attempt(db, data, "export.parquet")
    assert messages == [f"Kolom '{column}' bevat {soort}; die kan het portaal niet als tekst, getal of datum lezen. "
                        "Laat die kolom weg of exporteer haar als tekst of getal."] and uid is None
    _nothing_stored(db)


def test_parquet_over_the_cell_limit_is_refused_from_its_footer(monkeypatch):
    monkeypatch.setattr(upload, "MAX_CELLS", 1_000)
    data = _parquet(pl.DataFrame({"a": range(600), "b": range(600)}))
    with pytest.raises(UploadFout, match=r"^Het Parquet-bestand is te groot om te lezen \(600 rijen, 2 kolommen, "
                                         r"uitgepakt 0 MB\)\. Het portaal leest hoogstens 1\.000 kolommen, 1\.000 cellen"):
        read_file(data, "a.parquet")
    assert read_file(_parquet(pl.DataFrame({"a": range(500), "b": range(500)})), "a.parquet").frame.height == 500


# ---- 4. exports never carry a live formula -----------------------------------------------------------------------------

HOSTILE = ["=HYPERLINK(\"http://x\";\"klik\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "gewoon", "-3", None]
FRAME = pl.DataFrame({"Bestand": HOSTILE, "Aantal": [-5, -1, 0, 1, 2, 3, 4, 5, None],
                      "Kans": [-1.5, 0.25, None, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "=kolom": ["a"] * 9})
LINES = ["Upload: =cmd|' /C calc'!A0;=HYPERLINK(\"http://x\") van 01-12-2026", "Bron: eigen bestand; CBS 85383NED"]


def test_csv_export_neutralises_formula_text_and_keeps_numbers():
    text = export.table_csv(FRAME, LINES).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["# " + LINES[0]]  # one cell: the ';' cannot split a formula off
    assert text.splitlines()[1] == "# Bron: eigen bestand; CBS 85383NED"  # a harmless line stays as it was
    assert rows[2] == ["Bestand", "Aantal", "Kans", "'=kolom"]
    assert [r[0] for r in rows[3:]] == ["'=HYPERLINK(\"http://x\";\"klik\")", "'+1+1", "'-2+3", "'@SUM(A1)", "'\t=1+1",
                                        "'\r=1+1", "gewoon", "-3", ""]
    assert [r[1] for r in rows[3:]] == ["-5", "-1", "0", "1", "2", "3", "4", "5", ""]
    assert [r[2] for r in rows[3:6]] == ["-1,5", "0,25", ""]


def test_excel_export_has_no_formula_and_numbers_stay_numbers():
    data = export.table_xlsx(FRAME, LINES)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets"))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Gegevens"]
    assert [c.value for c in ws[1]] == ["Bestand", "Aantal", "Kans", "=kolom"]
    assert [c.data_type for c in ws[1]] == ["s"] * 4
    col = [ws.cell(r, 1) for r in range(2, 11)]
    assert [c.value for c in col[:4]] == HOSTILE[:4] and all(c.data_type == "s" for c in col[:8])
    assert [ws.cell(r, 2).value for r in range(2, 5)] == [-5, -1, 0] and ws.cell(2, 2).data_type == "n"
    assert ws.cell(2, 3).value == -1.5 and ws.cell(2, 3).data_type == "n"
    src = wb["Bron en definities"]
    assert src["A1"].value == LINES[0] and src["A1"].data_type == "s"


# ---- 5. the own-file databases and the key are the owner's only --------------------------------------------------------

@pytest.fixture
def umask022():
    old = os.umask(0o022)  # the usual umask: a file made without an explicit mode would be readable by everyone
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("kind", [Store, Eigenbestand])
def test_databases_and_their_wal_files_are_created_for_the_owner_only(tmp_path, umask022, kind):
    path = tmp_path / "nieuw" / "data" / "x.db"
    store = kind(path)
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700  # (missing parents above it: as `mkdir -p` makes them)
    conn = store._connect()  # open while another writes: the -wal and -shm files exist
    try:
        with store._db(write=True) as db:
            db.execute("create table t (x)")
        assert _mode(f"{path}-wal") == 0o600 and _mode(f"{path}-shm") == 0o600
    finally:
        conn.close()


def test_existing_database_files_with_looser_modes_are_tightened(tmp_path, umask022):
    path = tmp_path / "userdata.db"
    files = (path, tmp_path / "userdata.db-wal", tmp_path / "userdata.db-shm")
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))  # as an older portal (or sqlite3) made it
    other = sqlite3.connect(path)  # another process with the database open: its -wal and -shm files exist
    try:
        other.execute("pragma journal_mode=wal")
        other.execute("create table t (x)")
        assert [_mode(p) for p in files] == [0o644] * 3
        Store(path)
        assert [_mode(p) for p in files] == [0o600] * 3
    finally:
        other.close()


def test_key_is_created_for_the_owner_only_and_tightened(tmp_path, umask022):
    path = tmp_path / "data" / "eigen_sleutel"
    secret = pseudo.key(path)
    assert len(secret) == pseudo.KEY_BYTES and _mode(path) == 0o600 and _mode(path.parent) == 0o700
    path.chmod(0o644)
    assert pseudo.key(path) == secret and _mode(path) == 0o600

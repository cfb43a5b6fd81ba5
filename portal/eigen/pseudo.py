"""Pseudonymisation of client identifiers: HMAC-SHA256 with a key kept per installation in the data folder
(eigen_sleutel).

The key is created on first use (32 random bytes, file mode 0600), is listed in .gitignore and is never logged or
shown. The same identifier gives the same pseudonym on every upload of this installation, so spells of one client
can be linked across months; without the key the pseudonym cannot be traced back.

Identifiers are normalised before hashing (trimmed; an all-digit identifier loses its leading zeros, because a
spreadsheet stores 012345678 as the number 12345678), so CSV, XLSX and Parquet exports of one file agree.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import polars as pl

from portal.paths import settings

KEY_BYTES = 32


def key(path: Path | None = None) -> bytes:
    """The installation key; created (0600) when there is none yet, tightened to 0600 when it is readable by others.
    Two processes starting at once agree on one."""
    path = path or settings.pseudo_key
    try:
        text = path.read_text()
    except FileNotFoundError:
        pass
    else:
        try:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        except OSError:  # another owner's file: leave it
            pass
        return bytes.fromhex(text.strip())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now
        return bytes.fromhex(path.read_text().strip())
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(KEY_BYTES))
    return bytes.fromhex(path.read_text().strip())


def normalised(ids: pl.Expr) -> pl.Expr:
    """Trimmed; leading zeros dropped from an all-digit identifier."""
    s = ids.cast(pl.String).str.strip_chars()
    digits = s.str.contains(r"^\d+$")
    return pl.when(digits).then(s.str.strip_chars_start("0").replace("", "0")).otherwise(s)


def pseudonymise(ids: pl.Series, secret: bytes) -> pl.Series:
    """HMAC-SHA256 (hex) of each normalised identifier; null stays null. Each distinct identifier is hashed once,
    with the key's inner and outer hash states prepared once (RFC 2104), so a million rows take about a second."""
    norm = pl.select(normalised(pl.lit(ids))).to_series()
    uniq = norm.drop_nulls().unique()
    block = 64
    k = hashlib.sha256(secret).digest() if len(secret) > block else secret
    k = k.ljust(block, b"\0")
    inner0 = hashlib.sha256(bytes(b ^ 0x36 for b in k))
    outer0 = hashlib.sha256(bytes(b ^ 0x5C for b in k))
    out = []
    for v in uniq.to_list():
        i = inner0.copy()
        i.update(v.encode())
        o = outer0.copy()
        o.update(i.digest())
        out.append(o.hexdigest())
    table = pl.DataFrame({"id": uniq, "hash": pl.Series(out, dtype=pl.String)})
    return pl.DataFrame({"id": norm}).join(table, on="id", how="left", maintain_order="left")["hash"].alias(ids.name)


def bsn_like(ids: pl.Series) -> int:
    """How many values look like a BSN (9 digits, or 8 with the leading zero lost, passing the 11-proef). Only to say so
    on screen; every identifier is pseudonymised either way."""
    s = ids.cast(pl.String).str.strip_chars()
    s = s.filter(s.str.contains(r"^\d{8,9}$")).str.zfill(9)
    if s.len() == 0:
        return 0
    digits = [s.str.slice(i, 1).cast(pl.Int64) for i in range(9)]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1))) - digits[8]
    return int(((total % 11 == 0) & (s != "000000000")).sum())

#!/usr/bin/env python3
"""Writes a table of fixed-size binary records, the kind of file a database or a market-data feed dumps.

    python3 bench/make-record-table.py [--force] OUT [RECORDS=100000] [SEED=1]

Each record is 24 bytes, little-endian (struct format '<IIiH4sBBf'):

    offset size field
    0      4    time in milliseconds, increasing by 0–2,000 per record
    4      4    trade id, increasing by 1 (a gap of 1–3 now and then)
    8      4    price in hundredths, a random walk per symbol
    12     2    quantity: round lots mostly, odd lots sometimes
    14     4    symbol, ASCII, one of 12 (a few trade far more often than the rest)
    18     1    side (0 buy, 1 sell)
    19     1    venue (0–5, skewed)
    20     4    price as float32 (the same price in another column, as exports often carry)

Generated, so no licence applies. The same RECORDS and SEED give the same file on every machine with the same Python
version; Python promises that only for random() itself, so randint and choices may differ between versions, and the
reports give the sha256 and the Python version they used (docs/bench/cm-records-*.md, which compares cm with xz, zstd
and zpaq on fixed-record data).
"""
import os
import random
import struct
import sys

SYMBOLS = [b"AAPL", b"MSFT", b"AMZN", b"GOOG", b"META", b"NVDA", b"TSLA", b"INTC", b"ORCL", b"CSCO", b"IBM ", b"SAP "]
WEIGHTS = [30, 22, 14, 10, 8, 6, 4, 2, 1, 1, 1, 1]
VENUES = [0, 1, 2, 3, 4, 5]
VENUE_WEIGHTS = [40, 25, 15, 10, 6, 4]


def fail(message):
    sys.exit(f"make-record-table.py: {message}")


def main():
    args = sys.argv[1:]
    force = "--force" in args
    args = [a for a in args if a != "--force"]
    if not 1 <= len(args) <= 3:
        fail("usage: make-record-table.py [--force] OUT [RECORDS=100000] [SEED=1]")
    out = args[0]
    try:
        records = int(args[1]) if len(args) > 1 else 100_000
        seed = int(args[2]) if len(args) > 2 else 1
    except ValueError:
        fail("RECORDS and SEED must be whole numbers")
    if records < 0:
        fail("RECORDS must be 0 or more")
    if os.path.exists(out) and not force:
        fail(f"{out} exists (--force to overwrite)")
    rng = random.Random(seed)
    price = {s: rng.randint(2_000, 60_000) for s in SYMBOLS}
    t, trade = 34_200_000, 1_000_000   # 9:30 in milliseconds of the day
    rows = bytearray()
    for _ in range(records):
        t += rng.randint(0, 2_000)
        trade += 1 if rng.random() < 0.97 else rng.randint(2, 4)
        sym = rng.choices(SYMBOLS, WEIGHTS)[0]
        price[sym] = max(100, price[sym] + rng.choice((-3, -2, -1, -1, 0, 0, 0, 1, 1, 2, 3)))
        qty = rng.choice((100, 100, 100, 200, 300, 500, 1000)) if rng.random() < 0.85 else rng.randint(1, 99)
        side = rng.randint(0, 1)
        venue = rng.choices(VENUES, VENUE_WEIGHTS)[0]
        rows += struct.pack("<IIiH4sBBf", t, trade, price[sym], qty, sym, side, venue, price[sym] / 100)
    # written beside the target and renamed onto it: an interrupted or failed write leaves no partial table
    tmp = f"{out}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(rows)
        os.replace(tmp, out)
    except OSError as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        fail(f"cannot write {out}: {e.strerror}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Changes 1 % of the rows of a demo (astrology) database, for `make bench`'s incremental cases.

Usage: bench_change.py DB scattered|recent SEED [PERCENT]

scattered: rows picked at random across the tables (what a sync of edits all over does);
recent:    the newest rows of each table (what an app that mostly edits recent data does).
Each picked row gets a small change of one value: a number nudged in place, or a note's title
edited (a character longer), which the full-text index re-indexes as an app's trigger does. What
changes is the pages holding those rows, their index entries, and the full-text index.
"""
import random
import sqlite3
import sys

# table, the column changed, how
CHANGES = [
    ("users", "latitude", "latitude + 0.0001"),
    ("birth_charts", "ascendant", "ascendant + 0.0001"),
    ("planetary_positions", "speed", "speed + 0.0001"),
    ("notes", "title", "title || '.'"),
]


def main() -> None:
    path, mode, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    percent = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("BEGIN")
    changed = 0
    for table, column, expr in CHANGES:
        ids = [r[0] for r in db.execute(f"SELECT rowid FROM {table} ORDER BY rowid")]
        n = max(1, int(len(ids) * percent / 100))
        picked = rng.sample(ids, n) if mode == "scattered" else ids[-n:]
        db.executemany(f"UPDATE {table} SET {column} = {expr} WHERE rowid = ?", [(i,) for i in picked])
        changed += n
    db.commit()
    db.close()
    print(changed)


if __name__ == "__main__":
    main()

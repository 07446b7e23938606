#!/usr/bin/env python3
"""Times rapidfuzz's process.extractOne over the names sco-bot's index searches, for the queries
of tests/fixtures/lookup-queries.tsv: the baseline README compares lookups with.

    SCO_LOOKUP_NAMES=/tmp/names.txt cargo bench --bench lookup -- lookup_wide   # writes the names
    python3 tools/rapidfuzz-baseline.py /tmp/names.txt

Needs `pip install rapidfuzz`. Each query is matched against every name (rapidfuzz knows no
kinds), names processed once up front with rapidfuzz's default processor (lower case,
punctuation to spaces), with its default scorer (WRatio: what a typical fuzzy lookup with it
looks like) and with its cheapest (ratio, a normalised Indel distance), the lower bound.
"""

import pathlib
import sys
import time

from rapidfuzz import fuzz, process, utils

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    names_path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/names.txt"
    names = [n for n in pathlib.Path(names_path).read_text().splitlines() if n]
    queries = []
    for line in (ROOT / "tests/fixtures/lookup-queries.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        queries.append(line.split("\t", 1)[1])
    # Names processed once up front, as a careful user of rapidfuzz would.
    processed = [utils.default_process(n) for n in names]
    for label, scorer in [("WRatio (default)", fuzz.WRatio), ("ratio", fuzz.ratio)]:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for q in queries:
                process.extractOne(
                    utils.default_process(q), processed, scorer=scorer, processor=None
                )
            best = min(best, time.perf_counter() - start)
        mean = best / len(queries)
        print(
            f"rapidfuzz {__import__('rapidfuzz').__version__} extractOne, {label}: "
            f"{len(queries)} queries over {len(names)} names, best of 5 runs: "
            f"{mean * 1e6:.1f} µs per query"
        )


if __name__ == "__main__":
    main()

"""Prints the table of bench/encryption/run.sh: the Rust medians from criterion's estimates, and
the ``RESULT <lang> <lib> <op> <us> <ops/s>`` lines of python_bench.py and node_bench.js, with
the ratio finauth / official (as a speed-up: official time / finauth time).
Usage: python3 report.py CRITERION_DIR RESULTS_FILE"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OPS = ["jwe_encrypt_1k", "jwe_encrypt_1m", "jwe_decrypt_1k", "jwe_decrypt_1m", "fle_decrypt_1k"]
CRITERION = {
    "jwe_encrypt_1k": "jwe_encrypt/1KiB",
    "jwe_encrypt_1m": "jwe_encrypt/1MiB",
    "jwe_decrypt_1k": "jwe_decrypt/1KiB",
    "jwe_decrypt_1m": "jwe_decrypt/1MiB",
    "fle_decrypt_1k": "fle_decrypt/1KiB",
}


def fmt_us(us: float | None) -> str:
    if us is None:
        return "–"
    return f"{us:,.1f} µs" if us < 10_000 else f"{us / 1000:,.2f} ms"


def fmt_ops(us: float | None) -> str:
    return "–" if us is None else f"{1e6 / us:,.1f}"


def main() -> None:
    criterion, results = Path(sys.argv[1]), Path(sys.argv[2])
    figures: dict[tuple[str, str, str], float] = {}
    for op, bench in CRITERION.items():
        est = criterion / "encryption" / bench / "new" / "estimates.json"
        if est.exists():
            figures[("rust", "finauth", op)] = json.loads(est.read_text())["median"]["point_estimate"] / 1000
    for line in results.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0] == "RESULT":
            figures[(parts[1], parts[2], parts[3])] = float(parts[4])

    print("| language | operation | finauth | official | finauth ops/s | official ops/s | finauth / official |")
    print("|---|---|---|---|---|---|---|")
    for lang in ("rust", "python", "node", "java"):
        for op in OPS:
            fa = figures.get((lang, "finauth", op))
            of = figures.get((lang, "official", op))
            if fa is None and of is None:
                continue
            ratio = f"{of / fa:,.1f}×" if fa and of else "–"
            print(f"| {lang} | {op} | {fmt_us(fa)} | {fmt_us(of)} | {fmt_ops(fa)} | {fmt_ops(of)} | {ratio} |")
    extra = sorted(k for k in figures if k[1] not in ("finauth", "official"))
    if extra:
        print()
        print("| language | variant | operation | time | ops/s |")
        print("|---|---|---|---|---|")
        for lang, lib, op in extra:
            us = figures[(lang, lib, op)]
            print(f"| {lang} | {lib} | {op} | {fmt_us(us)} | {fmt_ops(us)} |")


if __name__ == "__main__":
    main()

"""Looks for the tests' secrets, App Keys and tokens in clear in logs and test files.

Run by scripts/secret-scan.sh (see there for the inputs). What counts as a secret:

- string literals the test sources and scripts assign to a name that says secret, password,
  passphrase, App Key or client secret (8 characters or more, no interpolation), and the
  sandbox's fixed demo credentials (sandbox/src: DEMO_SECRET, DEMO_APP_KEY, DEMO_CLIENT_SECRET);
- every body line of a private-key PEM file tracked in the repository (the tests' keys);
- every token listed in the sandbox's token log (FINAUTH_SANDBOX_TOKEN_LOG): the sandbox issues
  random tokens, so it writes each one there for this scan.

The test sources themselves are not scanned (they hold the secrets by design), and neither is the
token log. One exception inside the scanned files, on purpose: a FileStore state file
(finauth-<digest>.json) keeps the current token in clear at `token.token`, by design
(core/src/store/file.rs and state.rs: the file is the token's cache, mode 0600 in a 0700
directory). That one field is blanked before the file is scanned; anything else in it (a secret,
an App Key, a token elsewhere) is still reported.

A finding is printed as `path:line: what (redacted)`: never the secret itself. Exit 1 if any.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]

# Where test sources live (path prefixes): literals are collected from them, and they are never
# scanned.
SOURCE_PREFIXES = (
    "bindings-python/tests/",
    "bindings-node/test/",
    "bindings-kotlin/src/test/",
    "bindings-c/tests/",
    "core/tests/",
    "sandbox/tests/",
    "cli/tests/",
    "scripts/",
    "examples/",
)

NAME = r"(?:secret|password|passphrase|passwd|app_?key|client_?secret)"
# name = "literal", name: 'literal', "name": "literal", \"name\":\"literal\" (JSON in C) ...
QUOTED = re.compile(
    r"""(?i)\b[\w.]*""" + NAME + r"""\w*\\?["']?\s*(?:=|:|\bto\b)\s*[a-z]?\\?["']([^"'\s$`{}\\]{8,200})\\?["']"""
)
# NAME=literal in shell scripts.
SHELL = re.compile(r"""(?i)\b\w*""" + NAME + r"""\w*=([A-Za-z0-9][^\s"'$`{}\\;]{7,200})""")
# Secrets the tests make at run time, by their shape (bindings-c/tests/c/harness.c: new_partner).
SHAPES = (
    (re.compile(rb"Secret[0-9]+x2026"), "a C test partner's secret (bindings-c/tests/c/harness.c)"),
)
# Values that a secret-named variable may hold which are not secrets (names, placeholders).
NOT_SECRETS = re.compile(r"(?i)^(finicity-app-(key|token)|authorization|content-type|redacted|<redacted>|changeme)$")
SANDBOX_CONSTANT = re.compile(r"""DEMO_(?:SECRET|APP_KEY|CLIENT_SECRET)\b[^=]*=\s*"([^"]{4,})\"""")
PEM = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----(.*?)-----END", re.S)


@dataclass(frozen=True)
class Needle:
    value: str
    what: str


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True
        ).stdout
        return [ROOT / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*") if p.is_file() and ".git" not in p.parts and "target" not in p.parts]


def is_source(path: Path) -> bool:
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return False
    if "node_modules" in rel.parts:
        return False
    return rel.as_posix().startswith(SOURCE_PREFIXES)


def source_needles(files: list[Path]) -> list[Needle]:
    found: dict[str, Needle] = {}
    for src in sorted((ROOT / "sandbox" / "src").rglob("*.rs")):
        for m in SANDBOX_CONSTANT.finditer(src.read_text(errors="replace")):
            found.setdefault(m.group(1), Needle(m.group(1), f"a sandbox demo credential ({src.relative_to(ROOT)})"))
    for path in files:
        if not is_source(path) or path.suffix in (".p12", ".der", ".bin", ".png"):
            continue
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        rel = path.relative_to(ROOT)
        for n, line in enumerate(text.splitlines(), 1):
            matches = list(QUOTED.finditer(line))
            if path.suffix == ".sh":
                matches += SHELL.finditer(line)
            for m in matches:
                value = m.group(1)
                # A printf format (bindings-c/tests) is a template, not a value: see SHAPES.
                if re.search(r"%[-0-9.]*[a-z]", value) or NOT_SECRETS.match(value) or value in found:
                    continue
                if value:
                    found[value] = Needle(value, f"a test secret (from {rel}:{n})")
    return list(found.values())


def pem_needles(files: list[Path]) -> list[Needle]:
    needles = []
    for path in files:
        if path.suffix not in (".pem", ".key", ".txt", "") or not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for m in PEM.finditer(data):
            for line in m.group(2).split(b"\n"):
                line = line.strip()
                # Whole base64 lines only (the last, short one could be anything).
                if len(line) >= 40 and re.fullmatch(rb"[A-Za-z0-9+/=]+", line):
                    needles.append(Needle(line.decode(), f"a private-key PEM line ({path.relative_to(ROOT)})"))
    return needles


def token_needles(token_log: Optional[Path]) -> list[Needle]:
    if token_log is None or not token_log.is_file():
        return []
    lines = token_log.read_text(errors="replace").split()
    return [Needle(t, f"a token the sandbox issued ({token_log.name})") for t in dict.fromkeys(lines) if len(t) >= 16]


def redact(value: str) -> str:
    return f"{value[:2]}{'*' * 6}({len(value)} chars)"


def blank_store_token(path: Path, data: bytes) -> bytes:
    """A FileStore state file: its `token.token` is the cached token, in clear by design."""
    if not (path.name.startswith("finauth-") and path.suffix == ".json"):
        return data
    try:
        doc = json.loads(data)
    except ValueError:
        return data
    token = doc.get("token") if isinstance(doc, dict) else None
    if isinstance(token, dict) and isinstance(token.get("token"), str):
        token["token"] = "<cached token: in clear by design>"
        # Pretty-printed so that line numbers stay meaningful for the other fields.
        return json.dumps(doc, indent=1).encode()
    return data


def walk(paths: Iterable[Path], skip: set[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if sub.is_file() and sub.resolve() not in skip and not is_source(sub):
                    yield sub
        elif p.is_file() and p.resolve() not in skip:
            yield p


def scan(paths: list[Path], needles: list[Needle], skip: set[Path]) -> int:
    by_value = {n.value.encode(): n for n in needles}
    # Longest first, so a secret that contains another is named as itself.
    pattern = re.compile(b"|".join(re.escape(v) for v in sorted(by_value, key=len, reverse=True)) or b"(?!)")
    findings = 0
    scanned = 0
    for path in walk(paths, skip):
        try:
            data = path.read_bytes()
        except OSError as e:
            print(f"secret-scan: cannot read {path}: {e.strerror}", file=sys.stderr)
            continue
        scanned += 1
        data = blank_store_token(path, data)
        for n, line in enumerate(data.split(b"\n"), 1):
            hits = [(m.group(0), by_value[m.group(0)].what) for m in pattern.finditer(line)]
            hits += [(m.group(0), what) for shape, what in SHAPES for m in shape.finditer(line)]
            for value, what in hits:
                findings += 1
                print(f"{path}:{n}: {what} in clear: {redact(value.decode(errors='replace'))}")
    print(
        f"secret-scan: {scanned} files, {len(by_value)} secrets/tokens looked for, {findings} found",
        file=sys.stderr,
    )
    return findings


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: secret_scan.py PATH...", file=sys.stderr)
        return 2
    token_log_env = os.environ.get("FINAUTH_SANDBOX_TOKEN_LOG")
    token_log = Path(token_log_env) if token_log_env else None
    files = tracked_files()
    needles = source_needles(files) + pem_needles(files) + token_needles(token_log)
    skip = {token_log.resolve()} if token_log else set()
    paths = [Path(a) for a in argv]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"secret-scan: no such file or directory: {' '.join(missing)}", file=sys.stderr)
        return 2
    return 1 if scan(paths, needles, skip) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

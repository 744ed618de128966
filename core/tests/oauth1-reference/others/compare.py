"""Compares other signers' output (mastercard_python.py, mastercard_node.js) with expected.json.

Usage: python compare.py expected.json NAME=out.json [NAME=out.json ...]
Prints a Markdown section: the summary counts and one table row per corpus entry where any
signer differs from the reference (base string, header values, or an error). Standard library
only. Run by compare-others.sh.
"""

import base64
import hashlib
import json
import sys
from collections import Counter
from urllib.parse import unquote


def ref_header_items(expected, case):
    """The reference's header items: its fixed values, body hash and percent-encoded signature."""
    body_hash = base64.b64encode(hashlib.sha256(case["body"].encode("utf-8")).digest()).decode()
    sig = case["signature"].replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    values = {
        "oauth_body_hash": body_hash,
        "oauth_nonce": expected["nonce"],
        "oauth_signature": sig,
        "oauth_consumer_key": expected["consumer_key"],
        "oauth_signature_method": "RSA-SHA256",
        "oauth_timestamp": str(expected["timestamp"]),
        "oauth_version": "1.0",
    }
    return [(k, values[k]) for k in expected["header_order"]]


def header_items(header):
    items = []
    for part in header[len("OAuth "):].split(","):
        k, _, v = part.partition("=")
        items.append((k, v.strip('"')))
    return items


def split_sbs(sbs):
    method, _, rest = sbs.partition("&")
    uri, _, params = rest.partition("&")
    return method, uri, params.split("%26")


def shown(tokens, other):
    """Tokens decoded for reading, except where decoding would hide a difference from `other`."""
    decoded_other = {unquote(t) for t in other}
    return [t if unquote(t) in decoded_other else unquote(t) for t in tokens]


def code(s):
    s = s.replace("|", "\\|").replace("\n", "\\n").replace("\t", "\\t")
    return "``" + s + "``" if "`" in s else "`" + s + "`"


def diff(ref_sbs, sbs):
    """What differs between two base strings: {part: (reference side, other side)}."""
    rm, ru, rp = split_sbs(ref_sbs)
    om, ou, op = split_sbs(sbs)
    parts = {}
    if rm != om:
        parts["method"] = ([rm], [om])
    if ru != ou:
        parts["base URI"] = (shown([ru], [ou]), shown([ou], [ru]))
    only_ref = list((Counter(rp) - Counter(op)).elements())
    only_other = list((Counter(op) - Counter(rp)).elements())
    if only_ref or only_other:
        parts["items"] = (shown(only_ref, only_other), shown(only_other, only_ref))
    elif rp != op:
        ref_q = [t for t in rp if not t.startswith("oauth_")]
        other_q = [t for t in op if not t.startswith("oauth_")]
        plain = [unquote(t) for t in ref_q] != [unquote(t) for t in other_q]
        parts["order"] = tuple([unquote(t) for t in q] if plain else q for q in (ref_q, other_q))
    return parts


def render(part, tokens):
    if part == "order":
        return "order " + code("&".join(tokens))
    if not tokens:
        return "—"
    prefix = "" if part == "items" else part + " "
    return prefix + " ".join(code(t) for t in tokens)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        expected = json.load(f)
    others = []
    for arg in sys.argv[2:]:
        name, _, path = arg.partition("=")
        with open(path, encoding="utf-8") as f:
            others.append((name, json.load(f)))
    cases = expected["cases"]
    counts = {name: Counter() for name, _ in others}
    rows = []
    for i, ref in enumerate(cases):
        ref_parts, cells, differs = {}, [], False
        ref_items = ref_header_items(expected, ref)
        for name, out in others:
            c = out["cases"][i]
            if (c["method"], c["uri"]) != (ref["method"], ref["uri"]):
                sys.exit(f"{name}: entry {i + 1} is {c['method']} {c['uri']}, expected {ref['uri']}")
            n = counts[name]
            if "error" in c:
                n["error"] += 1
                cells.append("fails: " + code(c["error"][:80]))
                differs = True
                continue
            if c["base_string"] != ref["base_string"]:
                n["base string"] += 1
                parts = diff(ref["base_string"], c["base_string"])
                for part, (left, _) in parts.items():
                    have = ref_parts.setdefault(part, [])
                    have.extend(t for t in left if t not in have)
                cells.append("; ".join(render(p, right) for p, (_, right) in parts.items()))
                differs = True
                continue
            items = header_items(c["header"])
            if dict(items) != dict(ref_items):
                n["header values"] += 1
                bad = sorted(k for k, v in items if dict(ref_items).get(k) != v)
                cells.append("header " + ", ".join(code(k) for k in bad))
                differs = True
                continue
            n["same"] += 1
            if [k for k, _ in items] != [k for k, _ in ref_items]:
                n["item order"] += 1
            cells.append("same")
        if differs:
            request = code(f"{ref['method']} {ref['uri']}")
            if ref["body"]:
                request += " body " + code(ref["body"])
            reference = "; ".join(render(p, t) for p, t in ref_parts.items()) or "signs it"
            rows.append(f"| {i + 1} | {request} | {reference} | " + " | ".join(cells) + " |")

    print(f"Corpus: {len(cases)} entries (`corpus.tsv`); reference: `{expected['reference']}`.\n")
    print("| signer | same base string and header values | differs: base string | differs: header values only | fails |")
    print("|---|---:|---:|---:|---:|")
    for name, out in others:
        n = counts[name]
        print(f"| {name}: {out['signer']} | {n['same']} | {n['base string']} | {n['header values']} | {n['error']} |")
    print()
    for name, _ in others:
        n = counts[name]
        print(f"- {name}: differs on **{n['base string'] + n['header values'] + n['error']}** of {len(cases)} entries; "
              f"header items in a different order from the reference's on {n['item order']} of the {n['same']} others.")
    either = len(rows)
    print(f"- either differs: {either} entries.\n")
    names = " | ".join(name for name, _ in others)
    print(f"| # | request | reference (what differs) | {names} |")
    print("|---|---|---|" + "---|" * len(others))
    for row in rows:
        print(row)


main()

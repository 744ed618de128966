#!/usr/bin/env python3
"""Writes the payload-encryption interoperability cases as a tab-separated file the C suite reads
(C has no JSON parser): one line per case with its name, scheme, the options JSON core reads,
the Java-encrypted payload, its header block, and the expected plaintext as finauth writes JSON
(compact, keys sorted). Usage: encryption_cases.py > cases.tsv"""

import json
import sys
from pathlib import Path

ref = Path(__file__).resolve().parents[2] / "core" / "tests" / "encryption-reference"
for case in json.loads((ref / "cases.json").read_text()):
    options = {"encryptionPaths": case["encryptionPaths"], "decryptionPaths": case["decryptionPaths"]}
    if case.get("encryptedValueFieldName"):
        options["encryptedValueFieldName"] = case["encryptedValueFieldName"]
    if case["scheme"] == "fle":
        fle = case["fle"]
        options.update(fieldEncoding=fle["encoding"].lower(), oaep=fle["oaep"], headerMode=fle["headerMode"])
    vector = json.loads((ref / "vectors" / f"{case['name']}.json").read_text())
    block = "".join(f"{k}: {v}\\r\\n" for k, v in vector["headers"].items())
    compact = dict(separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    fields = [case["name"], case["scheme"], json.dumps(options), json.dumps(vector["payload"], **compact), block, json.dumps(case["payload"], **compact)]
    assert all("\t" not in f and "\n" not in f for f in fields), case["name"]
    sys.stdout.write("\t".join(fields) + "\n")

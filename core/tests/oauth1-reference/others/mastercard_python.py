"""Runs Mastercard's Python signer (PyPI mastercard-oauth1-signer) over the conformance corpus.

Usage: python mastercard_python.py corpus.tsv key.pem > out.json
The nonce, timestamp and consumer key are those of Reference.java: the library's own
get_nonce/get_timestamp are replaced, and OAuth.get_base_string is wrapped to record the base
string it signs. One JSON object per corpus entry: base_string, header, or error.
"""

import json
import sys

import oauth1.coreutils as coreutils
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from oauth1.oauth import OAuth
from oauth1.version import __version__

CONSUMER_KEY = "Xyz-consumer_KEY!0123456789abcdefABCDEF"
NONCE = "aB3dE6gH9jK2mN5p"
TIMESTAMP = 1764100000


def corpus(path):
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            body = fields[2] if len(fields) > 2 else ""
            yield fields[0], fields[1], body.replace("\\t", "\t").replace("\\n", "\n")


def main():
    with open(sys.argv[2], "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    coreutils.get_nonce = lambda length=16: NONCE
    coreutils.get_timestamp = lambda: TIMESTAMP
    seen = []
    original = OAuth.get_base_string

    def recording(url, method, params):
        sbs = original(url, method, params)
        seen.append(sbs)
        return sbs

    OAuth.get_base_string = staticmethod(recording)
    cases = []
    for method, uri, body in corpus(sys.argv[1]):
        seen.clear()
        case = {"method": method, "uri": uri}
        try:
            case["header"] = OAuth.get_authorization_header(
                uri, method, body or None, CONSUMER_KEY, key
            )
            case["base_string"] = seen[-1]
        except Exception as e:  # the comparison records any failure as a difference
            case["error"] = f"{type(e).__name__}: {e}"
            if seen:
                case["base_string"] = seen[-1]
        cases.append(case)
    json.dump(
        {"signer": f"mastercard-oauth1-signer {__version__} (PyPI)", "cases": cases},
        sys.stdout,
        ensure_ascii=False,
        indent=1,
    )
    sys.stdout.write("\n")


main()

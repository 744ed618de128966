"""OAuth 1.0a signing throughput in Python: finauth's OAuth1Signer and Mastercard's signer
(PyPI mastercard-oauth1-signer, its key loaded once with `cryptography` as its README shows), on
1 and 2 threads sharing one signer, for a fixed time each. Prints `RESULT <name> <threads>
<signs/s> <signs per CPU-second of the signing threads>` lines for run.sh; asserts nothing.

Usage: python bench_sign.py KEY.pem SECONDS
"""

import sys
import threading
import time

CONSUMER_KEY = "Xyz-consumer_KEY!0123456789abcdefABCDEF"
URI = (
    "https://sandbox.api.mastercard.com/fraud/merchant/v3/termination-inquiry"
    "?Format=JSON&PageOffset=0&PageLength=10"
)
BODY = (
    '{"terminationInquiryRequest":{"acquirerId":"1996","merchant":{"name":"TEST",'
    '"address":{"city":"O\'Fallon","country":"USA"}}}}'
)


def throughput(sign, threads, seconds):
    barrier = threading.Barrier(threads + 1)
    rates, signs, cpu = [], [], []

    def worker():
        barrier.wait()
        start, start_cpu, n = time.perf_counter(), time.thread_time(), 0
        while time.perf_counter() - start < seconds:
            sign()
            n += 1
        rates.append(n / (time.perf_counter() - start))
        signs.append(n)
        cpu.append(time.thread_time() - start_cpu)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    for w in workers:
        w.join()
    return sum(rates), sum(signs) / sum(cpu)


def measure(name, sign, seconds):
    throughput(sign, 1, 0.3)  # warm-up
    for threads in (1, 2):
        rate, per_cpu = throughput(sign, threads, seconds)
        print(f"RESULT {name} {threads} {rate:.1f} {per_cpu:.1f}", flush=True)


def main():
    key_path, seconds = sys.argv[1], float(sys.argv[2])
    with open(key_path, "rb") as f:
        pem = f.read()

    import finauth

    signer = finauth.OAuth1Signer(CONSUMER_KEY, finauth.load_pem(pem))
    body = BODY.encode()
    measure("python-finauth", lambda: signer.authorization_header("POST", URI, body), seconds)

    try:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from oauth1.oauth import OAuth
    except ImportError:
        print("note: mastercard-oauth1-signer is not installed; its rows are skipped", file=sys.stderr)
        return
    key = load_pem_private_key(pem, password=None)
    measure(
        "python-mastercard",
        lambda: OAuth.get_authorization_header(URI, "POST", BODY, CONSUMER_KEY, key),
        seconds,
    )


main()

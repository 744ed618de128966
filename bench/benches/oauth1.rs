//! OAuth 1.0a signing throughput of the Rust core: `OAuth1Signer::authorization_header` (nonce,
//! clock, base string, RSA-SHA256 with a 2048-bit key, header; `rust`) and the RSA signature
//! alone (`OAuth1Signer::sign` of a base string: aws-lc's share, `rust-rsa-only`), on 1 and 2
//! threads sharing one signer, for a fixed time each. Prints `RESULT rust <threads> <signs/s> <signs per CPU-second>`
//! lines for `bench/oauth1/run.sh` (the second rate divides by the signing threads' CPU time, as
//! `openssl speed` does, so it holds on a busy machine); asserts nothing.
//! `FINAUTH_BENCH_SECONDS` sets the time (default 3).

use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const CONSUMER_KEY: &str = "Xyz-consumer_KEY!0123456789abcdefABCDEF";
const URI: &str = "https://sandbox.api.mastercard.com/fraud/merchant/v3/termination-inquiry?Format=JSON&PageOffset=0&PageLength=10";
const BASE_STRING: &str = "POST&https%3A%2F%2Fsandbox.api.mastercard.com%2Ffraud%2Fmerchant%2Fv3%2Ftermination-inquiry&Format%3DJSON%26PageLength%3D10%26PageOffset%3D0%26oauth_body_hash%3Dx%26oauth_consumer_key%3Dy%26oauth_nonce%3Dz%26oauth_signature_method%3DRSA-SHA256%26oauth_timestamp%3D1764100000%26oauth_version%3D1.0";
const BODY: &[u8] = br#"{"terminationInquiryRequest":{"acquirerId":"1996","merchant":{"name":"TEST","address":{"city":"O'Fallon","country":"USA"}}}}"#;

/// This thread's CPU time (Linux `/proc/thread-self/schedstat`, nanoseconds on the CPU).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// Signs on `threads` threads for `time`; returns signatures per second (all threads) and per
/// CPU-second of the signing threads.
fn throughput(
    signer: &Arc<OAuth1Signer>,
    rsa_only: bool,
    threads: usize,
    time: Duration,
) -> (f64, f64) {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (signer, barrier) = (Arc::clone(signer), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                let (start, cpu, mut n) = (Instant::now(), thread_cpu(), 0u64);
                while start.elapsed() < time {
                    let signed = if rsa_only {
                        signer.sign(BASE_STRING.as_bytes())
                    } else {
                        signer.authorization_header("POST", URI, BODY)
                    };
                    assert!(signed.is_ok(), "signing failed");
                    n += 1;
                }
                (n, start.elapsed(), thread_cpu().saturating_sub(cpu))
            })
        })
        .collect();
    barrier.wait();
    let (mut rate, mut signs, mut cpu) = (0.0, 0.0, 0.0);
    for w in workers {
        if let Ok((n, wall, used)) = w.join() {
            rate += n as f64 / wall.as_secs_f64();
            signs += n as f64;
            cpu += used.as_secs_f64();
        }
    }
    (rate, signs / cpu)
}

fn main() {
    let seconds: f64 = std::env::var("FINAUTH_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/tests/oauth1-keys/pkcs8.pem"
    );
    let key = SigningKey::from_file(path, None, None).expect("the test key loads");
    let signer = Arc::new(
        OAuth1Signer::new(CONSUMER_KEY, key, SignatureMethod::RsaSha256).expect("a valid signer"),
    );
    // Warm-up.
    throughput(&signer, false, 1, Duration::from_millis(300));
    // The part of a signature that is not RSA: body hash and base string.
    let (start, calls) = (thread_cpu(), 100_000u32);
    for _ in 0..calls {
        let sbs = signer.signature_base_string_with("POST", URI, BODY, "aB3dE6gH9jK2mN5p", 1);
        assert!(sbs.is_ok(), "base string failed");
    }
    let us = (thread_cpu().saturating_sub(start) / calls).as_secs_f64() * 1e6;
    println!("NOTE rust: body hash + base string {us:.2} us of CPU per call");
    for (name, rsa_only) in [("rust", false), ("rust-rsa-only", true)] {
        for threads in [1, 2] {
            let time = Duration::from_secs_f64(seconds);
            let (rate, per_cpu) = throughput(&signer, rsa_only, threads, time);
            println!("RESULT {name} {threads} {rate:.1} {per_cpu:.1}");
        }
    }
}

//! Text encodings of binary values: base64 as Mastercard's libraries write it (both alphabets,
//! with or without padding, read alike; written strictly) and hex.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_ANY: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, INDIFFERENT);
const URL_SAFE_ANY: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, INDIFFERENT);
const STANDARD_PADDED: GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Strict base64url without padding (RFC 7515 §2), as every JWE part is written.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard base64 with padding (the field-level scheme's BASE64 encoding).
pub(crate) fn b64(bytes: &[u8]) -> String {
    STANDARD_PADDED.encode(bytes)
}

/// Base64 in either alphabet, padded or not, and in a mix of both: Mastercard's Node library
/// writes "base64url" that still holds `/`. The two alphabets differ only in the characters for
/// 62 and 63, so reading them alike is never ambiguous.
pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let url = text.contains(['-', '_']);
    if !url {
        return STANDARD_ANY.decode(text).ok();
    }
    if !text.contains(['+', '/']) {
        return URL_SAFE_ANY.decode(text).ok();
    }
    // Only the mixed form pays for a translated copy.
    let standard: Vec<u8> = text
        .bytes()
        .map(|c| match c {
            b'-' => b'+',
            b'_' => b'/',
            c => c,
        })
        .collect();
    STANDARD_ANY.decode(standard).ok()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_alphabets_with_or_without_padding_decode_alike() {
        let bytes = [0xfbu8, 0xff, 0xfe, 0x00, 0x10];
        for text in ["-__-ABA", "-__-ABA=", "+//+ABA", "+//+ABA="] {
            assert_eq!(b64_decode(text).as_deref(), Some(&bytes[..]), "{text}");
        }
        assert_eq!(b64url(&bytes), "-__-ABA");
        assert_eq!(b64(&bytes), "+//+ABA=");
        assert_eq!(
            b64_decode("-/_+").as_deref(),
            Some(&[0xfb, 0xff, 0xfe][..]),
            "mixed alphabets"
        );
        assert!(b64_decode("a").is_none());
        assert!(b64_decode("!!!!").is_none());
    }

    #[test]
    fn hex_round_trips_and_refuses_damage() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(
            hex_decode("00ABff").as_deref(),
            Some(&[0x00, 0xab, 0xff][..])
        );
        assert!(hex_decode("abc").is_none());
        assert!(hex_decode("zz").is_none());
    }
}

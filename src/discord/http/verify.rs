//! Discord's request signatures: every interaction Discord POSTs carries an Ed25519 signature
//! (`X-Signature-Ed25519`, hex) over `X-Signature-Timestamp` followed by the raw body, made with
//! the application's key; its public half is on the application's General Information page.

use ed25519_dalek::{Signature, VerifyingKey};

/// How far a request's timestamp may be from now, either way, before it counts as a replay.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// The application's public key, parsed once.
#[derive(Clone, Debug)]
pub struct PublicKey(VerifyingKey);

/// Why a public key given on the command line or in the environment cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not 64 hexadecimal digits.
    #[error(
        "the public key must be 64 hexadecimal digits (32 bytes); copy it again from the General Information page of the application in the developer portal"
    )]
    NotHex,
    /// 32 bytes, but not a point on the curve.
    #[error(
        "the public key is not a valid Ed25519 key; copy it again from the General Information page of the application in the developer portal"
    )]
    NotAKey,
}

/// Why a request was refused before its body was parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A signature or timestamp header is missing or unreadable.
    Unsigned,
    /// The timestamp is more than [`MAX_SKEW_SECS`] from now.
    Stale,
    /// The signature does not verify.
    Forged,
}

impl PublicKey {
    /// Parses a key written as 64 hexadecimal digits.
    pub fn from_hex(hex: &str) -> Result<PublicKey, KeyError> {
        let bytes: [u8; 32] = decode_hex(hex.trim())
            .and_then(|b| b.try_into().ok())
            .ok_or(KeyError::NotHex)?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| KeyError::NotAKey)
    }

    /// Checks the timestamp's freshness (against `now_secs`, Unix seconds) and the signature
    /// over timestamp + body.
    pub fn check(
        &self,
        signature: Option<&[u8]>,
        timestamp: Option<&[u8]>,
        body: &[u8],
        now_secs: i64,
    ) -> Result<(), Refusal> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(Refusal::Unsigned);
        };
        let signature: [u8; 64] = std::str::from_utf8(signature)
            .ok()
            .and_then(decode_hex)
            .and_then(|b| b.try_into().ok())
            .ok_or(Refusal::Unsigned)?;
        check_fresh(timestamp, now_secs)?;
        // Timestamp and body are short: one buffer is cheaper than a streaming digest.
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        self.0
            .verify_strict(&message, &Signature::from_bytes(&signature))
            .map_err(|_| Refusal::Forged)
    }
}

/// Whether a timestamp header (Unix seconds) is within [`MAX_SKEW_SECS`] of `now_secs`.
pub fn check_fresh(timestamp: &[u8], now_secs: i64) -> Result<(), Refusal> {
    let secs: i64 = std::str::from_utf8(timestamp)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(Refusal::Unsigned)?;
    if (secs - now_secs).abs() > MAX_SKEW_SECS {
        return Err(Refusal::Stale);
    }
    Ok(())
}

/// Hexadecimal digits (either case) to bytes; `None` for anything else or an odd count.
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Bytes as lower-case hexadecimal digits.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const NOW: i64 = 1_700_000_000;

    fn key() -> (SigningKey, PublicKey) {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let public = PublicKey::from_hex(&encode_hex(signing.verifying_key().as_bytes()))
            .expect("a valid key");
        (signing, public)
    }

    fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        let mut m = timestamp.as_bytes().to_vec();
        m.extend_from_slice(body);
        encode_hex(&key.sign(&m).to_bytes())
    }

    #[test]
    fn a_signed_fresh_request_passes_and_anything_else_is_refused() {
        let (signing, public) = key();
        let body = br#"{"type":1}"#;
        let ts = NOW.to_string();
        let sig = sign(&signing, &ts, body);
        let check = |sig: Option<&str>, ts: Option<&str>, body: &[u8], now| {
            public.check(sig.map(str::as_bytes), ts.map(str::as_bytes), body, now)
        };
        assert_eq!(check(Some(&sig), Some(&ts), body, NOW), Ok(()));
        assert_eq!(check(Some(&sig), Some(&ts), body, NOW + 300), Ok(()));
        assert_eq!(check(None, Some(&ts), body, NOW), Err(Refusal::Unsigned));
        assert_eq!(check(Some(&sig), None, body, NOW), Err(Refusal::Unsigned));
        assert_eq!(
            check(Some("zz"), Some(&ts), body, NOW),
            Err(Refusal::Unsigned)
        );
        assert_eq!(
            check(Some(&sig), Some(&ts), br#"{"type":2}"#, NOW),
            Err(Refusal::Forged)
        );
        let other = (NOW + 1).to_string();
        assert_eq!(
            check(Some(&sig), Some(&other), body, NOW),
            Err(Refusal::Forged)
        );
        assert_eq!(
            check(Some(&sig), Some(&ts), body, NOW + 301),
            Err(Refusal::Stale)
        );
        assert_eq!(
            check(Some(&sig), Some(&ts), body, NOW - 301),
            Err(Refusal::Stale)
        );
        let forged = sign(&SigningKey::from_bytes(&[8; 32]), &ts, body);
        assert_eq!(
            check(Some(&forged), Some(&ts), body, NOW),
            Err(Refusal::Forged)
        );
    }

    #[test]
    fn keys_must_be_64_hex_digits() {
        assert_eq!(PublicKey::from_hex("abc").err(), Some(KeyError::NotHex));
        assert_eq!(
            PublicKey::from_hex(&"g".repeat(64)).err(),
            Some(KeyError::NotHex)
        );
        assert!(PublicKey::from_hex(&format!(" {} ", "00".repeat(32))).is_ok());
        assert_eq!(decode_hex("0aFf"), Some(vec![10, 255]));
        assert_eq!(encode_hex(&[10, 255]), "0aff");
    }
}

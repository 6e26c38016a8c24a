//! JSON Web Tokens: Label Studio's HS256 tokens (verified here, HMAC-SHA256 with the
//! server's `SECRET_KEY`) and the claims of Cloudflare Access's RS256 assertions (whose
//! signature WebCrypto checks, see `access.rs`). The algorithm is pinned by the caller:
//! `alg` must equal it exactly, so `none` and HS/RS confusion are refused.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// Why a token was refused (HTTP 401).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts of JSON.
    Malformed,
    /// `alg` is not the pinned algorithm (`none`, HS/RS confusion, ...).
    Algorithm(String),
    /// The signature does not verify.
    Signature,
    /// `exp` is missing or past.
    Expired,
    /// `nbf` is in the future.
    NotYetValid,
    /// A claim is missing or wrong.
    Claim(&'static str),
    /// No key with the token's `kid`.
    UnknownKey,
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwtError::Malformed => f.write_str("the token is malformed"),
            JwtError::Algorithm(a) => write!(f, "the token's algorithm `{a}` is not accepted"),
            JwtError::Signature => f.write_str("the token's signature does not verify"),
            JwtError::Expired => f.write_str("the token has expired"),
            JwtError::NotYetValid => f.write_str("the token is not valid yet"),
            JwtError::Claim(c) => write!(f, "the token's `{c}` claim is missing or wrong"),
            JwtError::UnknownKey => f.write_str("the token's key is not known"),
        }
    }
}

/// base64url without padding (RFC 7515), strict: no padding, no stray bits.
pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6 && acc == 0).then_some(out)
}

/// A token split and decoded, not yet verified.
#[derive(Clone, Debug)]
pub struct Parts<'a> {
    /// The header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// `header.payload`, the signed bytes.
    pub signed: &'a str,
    /// The signature.
    pub signature: Vec<u8>,
}

fn json_object(part: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = b64url_decode(part).ok_or(JwtError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(JwtError::Malformed),
    }
}

/// Splits `token` and checks that its `alg` is exactly `alg`. A `crit` header is refused.
pub fn split<'a>(token: &'a str, alg: &str) -> Result<Parts<'a>, JwtError> {
    let (signed, sig) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (head, payload) = signed.split_once('.').ok_or(JwtError::Malformed)?;
    let header = json_object(head)?;
    match header.get("alg") {
        Some(Value::String(a)) if a == alg => {}
        Some(Value::String(a)) => return Err(JwtError::Algorithm(a.clone())),
        _ => return Err(JwtError::Algorithm(String::from("?"))),
    }
    if header.contains_key("crit") {
        return Err(JwtError::Malformed);
    }
    let claims = json_object(payload)?;
    let signature = b64url_decode(sig).ok_or(JwtError::Malformed)?;
    Ok(Parts {
        header,
        claims,
        signed,
        signature,
    })
}

/// Checks `exp` (required) and `nbf` (if present) against `now` (seconds).
pub fn check_times(claims: &Map<String, Value>, now: f64) -> Result<(), JwtError> {
    match claims.get("exp").and_then(Value::as_f64) {
        Some(exp) if exp > now => {}
        _ => return Err(JwtError::Expired),
    }
    match claims.get("nbf") {
        None => Ok(()),
        Some(v) => match v.as_f64() {
            Some(nbf) if nbf <= now => Ok(()),
            _ => Err(JwtError::NotYetValid),
        },
    }
}

/// Verifies a Label Studio token (HS256 with `secret`) of `token_type` (`access`, or
/// `refresh` for the token-refresh routes) and returns its `user_id`.
pub fn verify_label_studio(
    token: &str,
    secret: &[u8],
    token_type: &str,
    now: f64,
) -> Result<u64, JwtError> {
    let parts = split(token, "HS256")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| JwtError::Signature)?;
    mac.update(parts.signed.as_bytes());
    mac.verify_slice(&parts.signature)
        .map_err(|_| JwtError::Signature)?;
    check_times(&parts.claims, now)?;
    match parts.claims.get("token_type") {
        Some(Value::String(t)) if t == token_type => {}
        _ => return Err(JwtError::Claim("token_type")),
    }
    match parts.claims.get("user_id") {
        Some(Value::String(s)) => crate::http::path::parse_id(s),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
    .ok_or(JwtError::Claim("user_id"))
}

/// The claims of a Cloudflare Access assertion, once its signature verified: `aud`
/// (string or list) holds `audience`, `iss` equals `issuer`, `exp`/`nbf` hold. Returns the
/// email and the groups (an optional `groups` claim of strings).
pub fn access_identity(
    claims: &Map<String, Value>,
    audience: &str,
    issuer: &str,
    now: f64,
) -> Result<(String, Vec<String>), JwtError> {
    check_times(claims, now)?;
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(JwtError::Claim("aud"));
    }
    if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(JwtError::Claim("iss"));
    }
    let email = claims
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
        .ok_or(JwtError::Claim("email"))?;
    let groups = match claims.get("groups") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    Ok((email.to_owned(), groups))
}

/// One RSA key of a JWKS, as WebCrypto imports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsaJwk {
    /// `kid`
    pub kid: String,
    /// The key as a minimal JWK (`kty`, `n`, `e`, `alg`), ready for `importKey("jwk")`.
    pub jwk: String,
}

/// The RSA keys of a JWKS document (`{"keys": [...]}`) usable for RS256 signatures. Keys
/// without a `kid`, of another type, or for another algorithm or use are left out.
pub fn rsa_keys(jwks: &str) -> Result<Vec<RsaJwk>, String> {
    let doc: Value = serde_json::from_str(jwks).map_err(|e| format!("jwks is not json: {e}"))?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| String::from("jwks has no `keys` list"))?;
    let mut out = Vec::new();
    for k in keys {
        let s = |name: &str| k.get(name).and_then(Value::as_str);
        let usable = s("kty") == Some("RSA")
            && matches!(s("alg"), None | Some("RS256"))
            && matches!(s("use"), None | Some("sig"));
        if let (true, Some(kid), Some(n), Some(e)) = (usable, s("kid"), s("n"), s("e")) {
            let jwk =
                serde_json::json!({"kty": "RSA", "n": n, "e": e, "alg": "RS256", "ext": true});
            out.push(RsaJwk {
                kid: kid.to_owned(),
                jwk: jwk.to_string(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn hs256(header: &str, claims: &str, key: &[u8]) -> String {
        let signed = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(signed.as_bytes());
        format!("{signed}.{}", b64(&mac.finalize().into_bytes()))
    }

    const H: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

    #[test]
    fn base64url_round_trips() {
        for v in [&b""[..], b"f", b"fo", b"foo", b"foob", b"\xff\xfe\x00"] {
            assert_eq!(b64url_decode(&b64(v)).unwrap(), v);
        }
        assert!(b64url_decode("Zg==").is_none());
        assert!(b64url_decode("Zh").is_none(), "stray bits");
        assert!(b64url_decode("a+/b").is_none());
    }

    #[test]
    fn label_studio_tokens() {
        let c = r#"{"token_type":"access","exp":2000,"user_id":"14","jti":"x"}"#;
        let t = hs256(H, c, b"k");
        assert_eq!(verify_label_studio(&t, b"k", "access", 1000.0), Ok(14));
        assert_eq!(
            verify_label_studio(&t, b"other", "access", 1000.0),
            Err(JwtError::Signature)
        );
        assert_eq!(
            verify_label_studio(&t, b"k", "access", 2000.0),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify_label_studio(&t, b"k", "refresh", 1000.0),
            Err(JwtError::Claim("token_type"))
        );
        let none = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(c.as_bytes()));
        assert_eq!(
            verify_label_studio(&none, b"k", "access", 1000.0),
            Err(JwtError::Algorithm("none".into()))
        );
        let rs = hs256(r#"{"alg":"RS256"}"#, c, b"k");
        assert_eq!(
            verify_label_studio(&rs, b"k", "access", 1000.0),
            Err(JwtError::Algorithm("RS256".into()))
        );
        let no_exp = hs256(H, r#"{"token_type":"access","user_id":"14"}"#, b"k");
        assert_eq!(
            verify_label_studio(&no_exp, b"k", "access", 1.0),
            Err(JwtError::Expired)
        );
        let bad_user = hs256(
            H,
            r#"{"token_type":"access","exp":9e9,"user_id":"a"}"#,
            b"k",
        );
        assert_eq!(
            verify_label_studio(&bad_user, b"k", "access", 1.0),
            Err(JwtError::Claim("user_id"))
        );
        assert_eq!(
            verify_label_studio("a.b", b"k", "access", 1.0),
            Err(JwtError::Malformed)
        );
        let tampered = t.replacen('.', ".e", 1);
        assert!(verify_label_studio(&tampered, b"k", "access", 1000.0).is_err());
    }

    #[test]
    fn access_claims() {
        let claims = |s: &str| match serde_json::from_str(s).unwrap() {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let ok =
            claims(r#"{"aud":["a","b"],"iss":"https://t","exp":10,"email":"x@y","groups":["g"]}"#);
        assert_eq!(
            access_identity(&ok, "b", "https://t", 5.0),
            Ok(("x@y".into(), vec!["g".into()]))
        );
        assert_eq!(
            access_identity(&ok, "c", "https://t", 5.0),
            Err(JwtError::Claim("aud"))
        );
        assert_eq!(
            access_identity(&ok, "a", "https://u", 5.0),
            Err(JwtError::Claim("iss"))
        );
        assert_eq!(
            access_identity(&ok, "a", "https://t", 10.0),
            Err(JwtError::Expired)
        );
        let keys = rsa_keys(r#"{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"},{"kty":"EC","kid":"k2"},{"kty":"RSA","kid":"k3","alg":"HS256","n":"a","e":"b"}]}"#).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].kid, "k1");
    }
}

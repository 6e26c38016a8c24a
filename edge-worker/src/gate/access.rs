//! Cloudflare Access assertions (RS256): the signature is checked by the runtime's
//! WebCrypto (`crypto.subtle.verify`, RSASSA-PKCS1-v1_5 with SHA-256) against the key of
//! the configured JWKS that the token's `kid` names. WebCrypto adds nothing to the bundle,
//! where a pure-Rust RSA would, and it is the runtime's audited constant-time code.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::futures::JsFuture;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde_json::Value;
use worker::wasm_bindgen::{JsCast, JsValue};

use crate::config::Access;
use crate::gate::jwt::{self, JwtError};
use crate::http::fetch::js_error;

const RSA: &str = "RSASSA-PKCS1-v1_5";

thread_local! {
    /// Imported keys by (JWKS hash, kid).
    static KEYS: RefCell<HashMap<([u8; 32], String), JsValue>> = RefCell::new(HashMap::new());
}

fn get(obj: &JsValue, name: &str) -> Result<JsValue, String> {
    Reflect::get(obj, &JsValue::from_str(name)).map_err(|e| js_error(&e))
}

async fn call(subtle: &JsValue, method: &str, args: &Array) -> Result<JsValue, String> {
    let f: Function = get(subtle, method)?
        .dyn_into()
        .map_err(|_| format!("crypto.subtle.{method} is missing"))?;
    let promise: Promise = f
        .apply(subtle, args)
        .map_err(|e| js_error(&e))?
        .dyn_into()
        .map_err(|_| format!("crypto.subtle.{method} returned no promise"))?;
    JsFuture::from(promise).await.map_err(|e| js_error(&e))
}

fn algorithm() -> Result<Object, String> {
    let algo = Object::new();
    Reflect::set(&algo, &"name".into(), &RSA.into()).map_err(|e| js_error(&e))?;
    Reflect::set(&algo, &"hash".into(), &"SHA-256".into()).map_err(|e| js_error(&e))?;
    Ok(algo)
}

async fn key(subtle: &JsValue, jwks_hash: [u8; 32], key: &jwt::RsaJwk) -> Result<JsValue, String> {
    let id = (jwks_hash, key.kid.clone());
    if let Some(k) = KEYS.with_borrow(|m| m.get(&id).cloned()) {
        return Ok(k);
    }
    let jwk = js_sys::JSON::parse(&key.jwk).map_err(|e| js_error(&e))?;
    let usages = Array::of1(&"verify".into());
    let algo: JsValue = algorithm()?.into();
    let args = Array::of5(&"jwk".into(), &jwk, &algo, &JsValue::FALSE, &usages);
    let imported = call(subtle, "importKey", &args).await?;
    KEYS.with_borrow_mut(|m| m.insert(id, imported.clone()));
    Ok(imported)
}

/// Verifies an assertion and returns its email and groups.
pub async fn verify(
    token: &str,
    access: &Access,
    now: f64,
) -> Result<(String, Vec<String>), JwtError> {
    let parts = jwt::split(token, "RS256")?;
    let kid = parts
        .header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(JwtError::UnknownKey)?;
    let keys = jwt::rsa_keys(&access.jwks).map_err(|e| {
        worker::console_error!("labelgate: ACCESS_JWKS: {e}");
        JwtError::UnknownKey
    })?;
    let jwk = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(JwtError::UnknownKey)?;
    let verified = async {
        let subtle = get(&get(&js_sys::global().into(), "crypto")?, "subtle")?;
        let imported = key(&subtle, crate::cache::key(&[access.jwks.as_bytes()]), jwk).await?;
        let args = Array::of4(
            &RSA.into(),
            &imported,
            &Uint8Array::from(parts.signature.as_slice()),
            &Uint8Array::from(parts.signed.as_bytes()),
        );
        Ok::<bool, String>(call(&subtle, "verify", &args).await?.as_bool() == Some(true))
    }
    .await;
    match verified {
        Ok(true) => jwt::access_identity(
            &parts.claims,
            &access.audience,
            &access.issuer,
            now / 1000.0,
        ),
        Ok(false) => Err(JwtError::Signature),
        Err(e) => {
            worker::console_error!("labelgate: webcrypto: {e}");
            Err(JwtError::Signature)
        }
    }
}

//! The JavaScript side: headers, bodies and `fetch` through `web_sys`, with every failure
//! as a value.

use js_sys::futures::JsFuture;
use js_sys::{Array, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::web_sys::{self, Headers, RequestInit, RequestRedirect, Response};

/// The headers of a request, read out of JavaScript once: names lowercase, repeated
/// headers combined as the runtime combines them.
#[derive(Clone, Debug, Default)]
pub struct Incoming(Vec<(String, String)>);

impl Incoming {
    /// Every header of `h`.
    pub fn of(h: &Headers) -> Incoming {
        let mut out = Vec::new();
        for entry in h.entries().into_iter().flatten() {
            let pair: Array = entry.unchecked_into();
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((k, v));
            }
        }
        Incoming(out)
    }

    /// Headers given as pairs (lowercase names).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Incoming {
        Incoming(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    /// The value of `name` (lowercase).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every header.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A `JsValue` error as a short string.
pub fn js_error(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| String::from("javascript error"))
}

/// The whole body of `req` (at most `max` bytes: `Err(None)` when larger).
pub async fn body_bytes(req: &web_sys::Request, max: usize) -> Result<Vec<u8>, Option<String>> {
    let promise = req.array_buffer().map_err(|e| Some(js_error(&e)))?;
    let buf = JsFuture::from(promise)
        .await
        .map_err(|e| Some(js_error(&e)))?;
    let bytes = Uint8Array::new(&buf);
    if bytes.length() as usize > max {
        return Err(None);
    }
    Ok(bytes.to_vec())
}

/// `fetch(url, {method, headers, body, redirect: "manual"})`. `Err`: the origin is
/// unreachable.
pub async fn send(
    url: &str,
    method: &str,
    headers: &Headers,
    body: Option<&JsValue>,
) -> Result<Response, String> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(headers);
    init.set_redirect(RequestRedirect::Manual);
    if let Some(body) = body {
        init.set_body(body);
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| js_error(&e))?;
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response = JsFuture::from(global.fetch_with_request(&request))
        .await
        .map_err(|e| js_error(&e))?;
    response
        .dyn_into::<Response>()
        .map_err(|_| String::from("fetch returned no response"))
}

/// The bytes as a JavaScript body.
pub fn bytes_body(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

/// The text of a response (`None` if it cannot be read).
pub async fn text(resp: &Response) -> Option<String> {
    let promise = resp.text().ok()?;
    JsFuture::from(promise).await.ok()?.as_string()
}

/// `resp` with a new body: its status and headers, less the length and the encoding.
pub fn with_body(resp: &Response, body: &str) -> Result<Response, JsValue> {
    let headers = web_sys::Headers::new_with_headers(&resp.headers())?;
    headers.delete("content-length")?;
    headers.delete("content-encoding")?;
    let init = web_sys::ResponseInit::new();
    init.set_status(resp.status());
    init.set_headers(&headers);
    Response::new_with_opt_str_and_init(Some(body), &init)
}

/// `resp` with one more header: its body (or `text`, when the body was read), status and
/// headers.
pub fn with_header(
    resp: &Response,
    text: Option<&str>,
    name: &str,
    value: &str,
) -> Result<Response, JsValue> {
    let headers = web_sys::Headers::new_with_headers(&resp.headers())?;
    headers.set(name, value)?;
    let init = web_sys::ResponseInit::new();
    init.set_status(resp.status());
    init.set_headers(&headers);
    match text {
        Some(t) => {
            headers.delete("content-length")?;
            headers.delete("content-encoding")?;
            Response::new_with_opt_str_and_init(Some(t), &init)
        }
        None => Response::new_with_opt_readable_stream_and_init(resp.body().as_ref(), &init),
    }
}

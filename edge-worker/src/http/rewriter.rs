//! The runtime's `HTMLRewriter`, bound through wasm-bindgen (workers-rs has no binding): one
//! streaming pass over an HTML answer that appends markup to its `<head>`.

use worker::wasm_bindgen::prelude::*;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::web_sys::Response;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = HTMLRewriter)]
    type HtmlRewriter;

    #[wasm_bindgen(constructor, js_class = "HTMLRewriter", catch)]
    fn new() -> Result<HtmlRewriter, JsValue>;

    #[wasm_bindgen(method, js_class = "HTMLRewriter", catch)]
    fn on(
        this: &HtmlRewriter,
        selector: &str,
        handlers: &js_sys::Object,
    ) -> Result<HtmlRewriter, JsValue>;

    #[wasm_bindgen(method, js_class = "HTMLRewriter", catch)]
    fn transform(this: &HtmlRewriter, response: &Response) -> Result<Response, JsValue>;
}

/// `resp` with `markup` appended to its `<head>` (as HTML), streamed.
pub fn append_to_head(resp: &Response, markup: String) -> Result<Response, JsValue> {
    // Called once, for the one `<head>`; freed by JavaScript after that call.
    let element = Closure::once_into_js(move |el: JsValue| {
        let append = js_sys::Reflect::get(&el, &JsValue::from_str("append"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let opts = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&opts, &JsValue::from_str("html"), &JsValue::TRUE);
        if let Some(f) = append {
            let _ = f.call2(&el, &JsValue::from_str(&markup), &opts);
        }
    });
    let handlers = js_sys::Object::new();
    js_sys::Reflect::set(&handlers, &JsValue::from_str("element"), &element)?;
    HtmlRewriter::new()?.on("head", &handlers)?.transform(resp)
}

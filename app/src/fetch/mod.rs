//! The islands' calls to server functions, made with the browser's own `fetch`, the
//! answer parsed by the browser and read with `crate::wire::FromJs`. It speaks what the
//! server-function client speaks (arguments form-encoded, in the body or the query;
//! `Accept: application/json`; the answer as JSON; a 4xx or 5xx status carrying the
//! function's error as JSON), so the server side is the same `#[server]` function, and a
//! page without JavaScript posts the same form to it.
//!
//! Why not the client Leptos gives: its codecs, its form decoding (serde_qs) and
//! `ActionForm` were a fifth of the storefront's WASM, for four calls that need none
//! of it; serde_json, which read the answers, was another sixth (see `crate::wire`).
//!
//! Only the browser calls these (event handlers and tasks of islands); on the server they
//! answer an error without doing anything.

use crate::wire::FromJs;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Asks the server function at `path` (declared `input = GetUrl`) with `args` in the query.
pub async fn get<T, E>(path: &str, args: &[(&str, &str)]) -> Result<T, E>
where
    T: FromJs,
    E: FromServerFnError + FromJs,
{
    send(Method::Get, path, form_encoded(args)).await
}

/// Posts `args` form-encoded to the server function at `path` (the default `PostUrl`).
pub async fn post<T, E>(path: &str, args: &[(&str, &str)]) -> Result<T, E>
where
    T: FromJs,
    E: FromServerFnError + FromJs,
{
    send(Method::Post, path, form_encoded(args)).await
}

/// Posts like [`post`], for a call that may start the visitor's session (a guest's first
/// word to the shop): every call sent while it is on its way waits for its answer, so two
/// requests without a cookie never start two sessions (the browser would keep whichever
/// cookie came last, and a cart made under the other would be lost).
pub async fn post_first<T, E>(path: &str, args: &[(&str, &str)]) -> Result<T, E>
where
    T: FromJs,
    E: FromServerFnError + FromJs,
{
    #[cfg(feature = "hydrate")]
    return browser::send_first(path, form_encoded(args)).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (path, args);
        Err(transport(NOT_HERE))
    }
}

/// `on:submit` for a `<form method="post" action=path>` that, with JavaScript, calls the
/// server function in place: `pending` is true until the answer, then `done` gets it.
/// The fields are read when the form is submitted, as the browser would read them; a
/// submit while an answer is awaited is ignored (one change at a time, without disabling
/// the button under the shopper's focus). Without JavaScript the browser posts the same
/// form to the same function.
pub fn in_place<T, E>(
    path: &'static str,
    pending: leptos::prelude::RwSignal<bool>,
    done: impl Fn(Result<T, E>) + Clone + 'static,
) -> impl FnMut(leptos::ev::SubmitEvent) + 'static
where
    T: FromJs + 'static,
    E: FromServerFnError + FromJs + 'static,
{
    use leptos::prelude::{GetUntracked, Set};
    use wasm_bindgen::JsCast;
    move |ev| {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let fields = form_fields(&form);
        pending.set(true);
        let done = done.clone();
        leptos::task::spawn_local(async move {
            let answer = match fields {
                Ok(fields) => send::<T, E>(Method::Post, path, fields).await,
                Err(why) => Err(transport(why)),
            };
            pending.set(false);
            done(answer);
        });
    }
}

/// How the arguments travel: in the query (`GetUrl`) or in the body (`PostUrl`).
#[derive(Clone, Copy, PartialEq)]
enum Method {
    Get,
    Post,
}

/// Name and value pairs as `application/x-www-form-urlencoded` (the shop's own encoder).
fn form_encoded(args: &[(&str, &str)]) -> String {
    crate::url::to_query(args.iter().copied())
        .trim_start_matches('?')
        .to_owned()
}

/// Only the browser sends requests from here.
#[cfg(not(feature = "hydrate"))]
const NOT_HERE: &str = "server functions are fetched from the browser only";

/// A form's fields form-encoded, or why they could not be read.
fn form_fields(form: &web_sys::HtmlFormElement) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    return browser::form_fields(form);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = form;
        Err(NOT_HERE.into())
    }
}

async fn send<T, E>(method: Method, path: &str, encoded: String) -> Result<T, E>
where
    T: FromJs,
    E: FromServerFnError + FromJs,
{
    #[cfg(feature = "hydrate")]
    return browser::send(method, path, encoded).await;
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, path, encoded);
        Err(transport(NOT_HERE))
    }
}

/// A failure on the way (no answer, an answer that is not the function's), as the
/// function's own error type says it: its `Transport` case.
fn transport<E: FromServerFnError>(what: impl ToString) -> E {
    E::from_server_fn_error(ServerFnErrorErr::Request(what.to_string()))
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Method, transport};
    use crate::wire::FromJs;
    use leptos::server_fn::error::FromServerFnError;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{FormData, Headers, HtmlFormElement, RequestInit, Response, UrlSearchParams};

    pub fn form_fields(form: &HtmlFormElement) -> Result<String, String> {
        FormData::new_with_form(form)
            .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data))
            .map(|params| String::from(params.to_string()))
            .map_err(|_| String::from("the form could not be read"))
    }

    thread_local! {
        /// The call that may start the visitor's session, while it is on its way.
        static FIRST: std::cell::RefCell<Option<wasm_bindgen_futures::js_sys::Promise>> =
            const { std::cell::RefCell::new(None) };
    }

    /// A POST that every other call waits for (see `post_first`).
    pub async fn send_first<T, E>(path: &str, encoded: String) -> Result<T, E>
    where
        T: FromJs,
        E: FromServerFnError + FromJs,
    {
        let answer = request::<T, E>(Method::Post, path, encoded, true).await;
        FIRST.with(|f| f.borrow_mut().take());
        answer
    }

    /// One request with the arguments in the query or the body, JSON asked for.
    pub async fn send<T, E>(method: Method, path: &str, encoded: String) -> Result<T, E>
    where
        T: FromJs,
        E: FromServerFnError + FromJs,
    {
        if let Some(first) = FIRST.with(|f| f.borrow().clone()) {
            // Its failure is its own; this call goes on either way.
            let _ = JsFuture::from(first).await;
        }
        request(method, path, encoded, false).await
    }

    async fn request<T, E>(method: Method, path: &str, encoded: String, first: bool) -> Result<T, E>
    where
        T: FromJs,
        E: FromServerFnError + FromJs,
    {
        let fail = |_: JsValue| transport::<E>("the shop could not be reached; please try again");
        let headers = Headers::new().map_err(fail)?;
        headers.set("Accept", "application/json").map_err(fail)?;
        let init = RequestInit::new();
        let url = match method {
            Method::Get => {
                init.set_method("GET");
                format!("{path}?{encoded}")
            }
            Method::Post => {
                init.set_method("POST");
                headers
                    .set("Content-Type", "application/x-www-form-urlencoded")
                    .map_err(fail)?;
                init.set_body(&JsValue::from_str(&encoded));
                path.to_owned()
            }
        };
        init.set_headers(&headers);
        let sent = leptos::prelude::window().fetch_with_str_and_init(&url, &init);
        if first {
            FIRST.with(|f| *f.borrow_mut() = Some(sent.clone()));
        }
        let answer = JsFuture::from(sent).await.map_err(fail)?;
        let response: Response = answer.dyn_into().map_err(fail)?;
        let status = response.status();
        // An answer that is not JSON (a proxy's error page) reads as nothing.
        let body = match response.json() {
            Ok(parsing) => JsFuture::from(parsing).await.ok(),
            Err(_) => None,
        };
        read_answer(status, body.as_ref())
    }

    /// What the answer says: the value for a success status, the function's error for an
    /// error status (4xx, 5xx).
    fn read_answer<T, E>(status: u16, body: Option<&JsValue>) -> Result<T, E>
    where
        T: FromJs,
        E: FromServerFnError + FromJs,
    {
        if (400..=599).contains(&status) {
            Err(body.and_then(E::from_js).unwrap_or_else(|| {
                transport(format!(
                    "the server answered {status} and no reason we could read"
                ))
            }))
        } else {
            body.and_then(T::from_js).ok_or_else(|| {
                transport(format!("the server's answer ({status}) could not be read"))
            })
        }
    }
}

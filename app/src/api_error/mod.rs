//! How errors travel over HTTP: `{"code": "not_available", "message": "that product is
//! not available"}`. Headless clients get a stable code and a sentence to show; the
//! browser's code turns the same body back into the error type.

mod status;

pub use status::HttpStatus;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// For throttling: how long to wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_minutes: Option<u32>,
}

crate::from_js_struct!(ErrorBody {
    code,
    message,
    retry_after_minutes
});

impl ErrorBody {
    pub fn new(code: &str, message: impl ToString) -> Self {
        ErrorBody {
            code: code.to_owned(),
            message: message.to_string(),
            retry_after_minutes: None,
        }
    }
}

/// `FromServerFnError` for an error enum with `InvalidInput(String)` and
/// `Transport(String)` variants: unreadable arguments are the caller's invalid input,
/// anything else on the way is a transport failure.
#[macro_export]
macro_rules! server_fn_error {
    ($error:ident) => {
        impl ::leptos::server_fn::error::FromServerFnError for $error {
            type Encoder = ::leptos::server_fn::codec::JsonEncoding;

            fn from_server_fn_error(value: ::leptos::server_fn::error::ServerFnErrorErr) -> Self {
                use ::leptos::server_fn::error::ServerFnErrorErr as E;
                match value {
                    E::Args(msg) | E::MissingArg(msg) => $error::InvalidInput(msg),
                    other => $error::Transport(other.to_string()),
                }
            }
        }
    };
}

//! What the browser reads from the server, without serde_json in the WASM: the answers of
//! the islands' calls (`crate::fetch`) and the data each island starts from
//! (`island`). The browser parses JSON with its own `JSON.parse`; [`FromJs`] then reads
//! the parsed value into the shop's types, field by field, in the shape serde writes
//! them on the server (a struct as an object, a unit variant as its name, a newtype
//! variant as `{"Name": value}`).
//!
//! Why: serde_json's parser, the visitors serde derives for it and the float parsing
//! they pull in were about a sixth of the storefront's WASM. Reading a parsed value needs
//! none of them. The server still writes every answer with serde_json, so a headless
//! client sees the same JSON as before.
//!
//! A type the browser reads says so next to its definition with [`from_js_struct!`],
//! [`from_js_enum!`] or [`from_js_error_body!`]; those expand to nothing off the browser.

pub mod island;

#[cfg(feature = "hydrate")]
pub use browser::*;

/// Off the browser nothing is read this way; every type qualifies, so the calls that
/// name the bound compile on the server too (where they answer an error unsent).
#[cfg(not(feature = "hydrate"))]
pub trait FromJs {}
#[cfg(not(feature = "hydrate"))]
impl<T> FromJs for T {}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::js_sys::{Array, JSON, Object, Reflect};

    /// A value read from what the browser parsed, or None when it has another shape.
    pub trait FromJs: Sized {
        fn from_js(v: &JsValue) -> Option<Self>;
    }

    /// `text` parsed as JSON by the browser and read as `T`.
    pub fn parse<T: FromJs>(text: &str) -> Option<T> {
        JSON::parse(text).ok().and_then(|v| T::from_js(&v))
    }

    /// The field `name` of the object `v`, read as `T` (a missing field is `undefined`,
    /// which reads as None for an `Option`, as serde's `default` would).
    pub fn field<T: FromJs>(v: &JsValue, name: &str) -> Option<T> {
        if !v.is_object() {
            return None;
        }
        T::from_js(&Reflect::get(v, &JsValue::from_str(name)).ok()?)
    }

    /// An enum's variant as serde writes it: a unit variant as its name (`"NotFound"`),
    /// one with a value as an object of one key (`{"LowStock": 3}`).
    pub fn variant(v: &JsValue) -> Option<(String, JsValue)> {
        if let Some(name) = v.as_string() {
            return Some((name, JsValue::UNDEFINED));
        }
        let keys = Object::keys(v.dyn_ref::<Object>()?);
        if keys.length() != 1 {
            return None;
        }
        let name = keys.get(0);
        let value = Reflect::get(v, &name).ok()?;
        Some((name.as_string()?, value))
    }

    impl FromJs for String {
        fn from_js(v: &JsValue) -> Option<Self> {
            v.as_string()
        }
    }

    impl FromJs for bool {
        fn from_js(v: &JsValue) -> Option<Self> {
            v.as_bool()
        }
    }

    /// A whole number within `T`'s range (JSON numbers reach the browser as doubles).
    fn whole(v: &JsValue, min: f64, max: f64) -> Option<f64> {
        v.as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= min && *n <= max)
    }

    impl FromJs for i64 {
        fn from_js(v: &JsValue) -> Option<Self> {
            // Beyond 2^53 a double is no longer exact; nothing the browser reads is that big.
            const EXACT: f64 = 9_007_199_254_740_992.0;
            whole(v, -EXACT, EXACT).map(|n| n as i64)
        }
    }

    impl FromJs for i32 {
        fn from_js(v: &JsValue) -> Option<Self> {
            whole(v, f64::from(i32::MIN), f64::from(i32::MAX)).map(|n| n as i32)
        }
    }

    impl FromJs for u32 {
        fn from_js(v: &JsValue) -> Option<Self> {
            whole(v, 0.0, f64::from(u32::MAX)).map(|n| n as u32)
        }
    }

    /// `null`, what serde writes for `()`: an answer with no value.
    impl FromJs for () {
        fn from_js(v: &JsValue) -> Option<Self> {
            (v.is_null() || v.is_undefined()).then_some(())
        }
    }

    impl<T: FromJs> FromJs for Option<T> {
        fn from_js(v: &JsValue) -> Option<Self> {
            if v.is_null() || v.is_undefined() {
                Some(None)
            } else {
                T::from_js(v).map(Some)
            }
        }
    }

    impl<T: FromJs> FromJs for Vec<T> {
        fn from_js(v: &JsValue) -> Option<Self> {
            let array: &Array = v.dyn_ref()?;
            array.iter().map(|item| T::from_js(&item)).collect()
        }
    }
}

/// `FromJs` for a struct whose fields the browser reads by name, as serde writes them
/// (no renames). Expands to nothing off the browser.
#[macro_export]
macro_rules! from_js_struct {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        #[cfg(feature = "hydrate")]
        impl $crate::wire::FromJs for $ty {
            fn from_js(v: &::wasm_bindgen::JsValue) -> Option<Self> {
                Some(Self {
                    $($field: $crate::wire::field(v, stringify!($field))?,)*
                })
            }
        }
    };
}

/// `FromJs` for an enum as serde writes it by default: `unit` variants by their name,
/// `with` variants holding one value as `{"Name": value}`. Expands to nothing off the
/// browser.
#[macro_export]
macro_rules! from_js_enum {
    ($ty:ident { unit: [$($unit:ident),* $(,)?], with: [$($with:ident),* $(,)?] $(,)? }) => {
        #[cfg(feature = "hydrate")]
        impl $crate::wire::FromJs for $ty {
            fn from_js(v: &::wasm_bindgen::JsValue) -> Option<Self> {
                let (name, _value) = $crate::wire::variant(v)?;
                match name.as_str() {
                    $(stringify!($unit) => Some(Self::$unit),)*
                    $(stringify!($with) => Some(Self::$with($crate::wire::FromJs::from_js(&_value)?)),)*
                    _ => None,
                }
            }
        }
    };
}

/// `FromJs` for an error that travels as an `ErrorBody` (`{"code", "message"}`) and is
/// made from one. Expands to nothing off the browser.
#[macro_export]
macro_rules! from_js_error_body {
    ($ty:ty) => {
        #[cfg(feature = "hydrate")]
        impl $crate::wire::FromJs for $ty {
            fn from_js(v: &::wasm_bindgen::JsValue) -> Option<Self> {
                <$crate::api_error::ErrorBody as $crate::wire::FromJs>::from_js(v).map(Into::into)
            }
        }
    };
}

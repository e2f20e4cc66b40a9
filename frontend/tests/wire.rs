//! What the browser reads (`app::wire::FromJs`) is what the server writes (serde_json):
//! every type the islands read, written by serde and read back by the WASM through the
//! JavaScript engine's own `JSON.parse`, must come back equal. A serde attribute added to
//! one of them (a rename, a skipped field) fails here, not in a shopper's browser.
//!
//! Run by `scripts/test` in Node, with wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]

use app::cart::model::{Cart, CartError, CartLine};
use app::catalog::model::{Availability, CatalogError, ImageRef, VariantDetail, VariantSet};
use app::flash_sale::model::{FlashError, LiveUpdate};
use app::money::{Currency, Money};
use app::reco::model::RecoError;
use app::search::model::{Suggestion, SuggestionKind};
use app::wire::{FromJs, parse};
use serde::Serialize;
use std::fmt::Debug;
use wasm_bindgen_test::wasm_bindgen_test;

/// Markup, quotes, escapes and characters beyond ASCII, as a hostile title would carry.
const HOSTILE: &str = "Lamp \"15\" </script><script>alert(1)</script> & 'x' \\ \u{1F600} é";

fn round_trip<T: Serialize + FromJs + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(parse::<T>(&json).as_ref(), Some(value), "{json}");
}

fn gbp(minor: i64) -> Money {
    Money::from_minor(minor, Currency::GBP)
}

fn line(sku: &str, image: Option<ImageRef>, available: bool) -> CartLine {
    CartLine {
        sku: sku.into(),
        title: HOSTILE.into(),
        slug: "desk-lamp".into(),
        options: vec!["15 inch".into(), HOSTILE.into()],
        image,
        quantity: 3,
        unit_price: gbp(1_299),
        added_price: gbp(1_199),
        in_stock: 2,
        available,
        line_total: gbp(3_897),
    }
}

#[wasm_bindgen_test]
fn a_cart_reads_back_whole() {
    let image = ImageRef {
        key: "ab12".into(),
        alt: HOSTILE.into(),
        width: 1200,
        height: 900,
        widths: vec![320, 640, 1200],
    };
    round_trip(&Cart {
        lines: vec![line("DL-1", Some(image), true), line("DL-2", None, false)],
        item_count: 3,
        subtotals: vec![gbp(3_897), Money::from_minor(5, Currency::USD)],
        max_line_quantity: 99,
    });
    round_trip(&Cart::default());
}

#[wasm_bindgen_test]
fn a_variant_set_reads_back_whole_in_every_availability() {
    let variant = |sku: &str, availability| VariantDetail {
        sku: sku.into(),
        price: Money::from_minor(9_007_199_254_740_991, Currency::EUR),
        availability,
        options: vec![HOSTILE.into()],
    };
    round_trip(&VariantSet {
        slug: "laptop".into(),
        option_names: vec!["screen size".into(), HOSTILE.into()],
        variants: vec![
            variant("L-1", Availability::InStock),
            variant("L-2", Availability::LowStock(3)),
            variant("L-3", Availability::OutOfStock),
        ],
    });
}

#[wasm_bindgen_test]
fn suggestions_and_live_updates_read_back_whole() {
    let suggestion = |kind, detail: Option<&str>| Suggestion {
        kind,
        label: HOSTILE.into(),
        href: "/p/laptop?variant=L-1&x=\"y\"".into(),
        detail: detail.map(Into::into),
    };
    round_trip(&vec![
        suggestion(SuggestionKind::Product, Some("£12.99")),
        suggestion(SuggestionKind::Category, None),
        suggestion(SuggestionKind::Brand, None),
    ]);
    round_trip(&LiveUpdate {
        kind: "waiting".into(),
        progress: Some(HOSTILE.into()),
    });
    round_trip(&LiveUpdate {
        kind: "admitted".into(),
        progress: None,
    });
}

#[wasm_bindgen_test]
fn errors_read_back_as_the_same_case() {
    round_trip(&CartError::Stock(HOSTILE.into()));
    round_trip(&CartError::NotAvailable);
    round_trip(&CartError::InvalidInput("enter a quantity".into()));
    round_trip(&FlashError::Throttled);
    round_trip(&FlashError::Refused(HOSTILE.into()));
    round_trip(&RecoError::Unavailable);
    round_trip(&CatalogError::NotFound);
    round_trip(&CatalogError::InvalidInput(HOSTILE.into()));
}

#[wasm_bindgen_test]
fn another_shape_reads_as_nothing() {
    assert_eq!(parse::<()>("null"), Some(()));
    assert_eq!(parse::<()>("{\"code\":\"x\"}"), None);
    assert_eq!(parse::<Cart>("{}"), None);
    assert_eq!(parse::<Cart>("[]"), None);
    assert_eq!(parse::<Cart>("not json"), None);
    assert_eq!(parse::<i64>("1.5"), None);
    assert_eq!(parse::<i32>("4294967296"), None);
    assert_eq!(parse::<u32>("-1"), None);
    assert_eq!(parse::<Availability>("\"Sold\""), None);
    assert_eq!(
        parse::<Availability>("{\"LowStock\":3,\"InStock\":1}"),
        None
    );
    assert_eq!(parse::<Vec<i64>>("[1,\"2\"]"), None);
    assert_eq!(
        parse::<Money>("{\"minor\":1,\"currency\":\"pounds\"}"),
        None
    );
}

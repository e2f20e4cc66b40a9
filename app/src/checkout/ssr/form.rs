//! The checkout form's HTTP side, kept apart so that no checkout service touches HTTP:
//! the draft cookie that keeps what was typed between a plain form post and the page it
//! comes back to (an hour; never the card number), and the answer to a placement (a
//! redirect with a one-time message for a plain form post, the status for code).

use crate::checkout::model::{CheckoutError, Draft, Placed};
use crate::orders::model::OrderStatus;

/// The cookie holding the draft.
const DRAFT_COOKIE: &str = "mercato_checkout";

/// What the shopper typed last, from the request's cookie (nothing if none or unreadable).
pub fn read_draft() -> Draft {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Some(parts) = leptos::prelude::use_context::<axum::http::request::Parts>() else {
        return Draft::default();
    };
    crate::session::cookie_value(&parts.headers, DRAFT_COOKIE)
        .and_then(|raw| URL_SAFE_NO_PAD.decode(raw).ok())
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

/// Remembers what was typed for the next checkout page.
pub fn keep_draft(draft: &Draft) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let clip = |s: &str| s.chars().take(200).collect::<String>();
    let tidy = Draft {
        email: clip(&draft.email),
        full_name: clip(&draft.full_name),
        line1: clip(&draft.line1),
        line2: clip(&draft.line2),
        city: clip(&draft.city),
        region: clip(&draft.region),
        postal_code: clip(&draft.postal_code),
        country: clip(&draft.country),
        method: clip(&draft.method),
        code: clip(&draft.code),
        address_id: draft.address_id,
        key: draft.key.as_deref().map(clip),
    };
    if let Ok(json) = serde_json::to_vec(&tidy) {
        crate::flash::set_cookie(DRAFT_COOKIE, &URL_SAFE_NO_PAD.encode(json), 3600);
    }
}

/// After "Update totals": the draft kept, and a plain form post sent back to the page.
pub fn after_update(draft: &Draft) {
    keep_draft(draft);
    if crate::flash::is_plain_form_post() {
        leptos_axum::redirect("/checkout");
    }
}

/// After a placement. A plain form post goes to the order (and forgets the draft), or
/// back to the checkout with what was typed and what went wrong; when the provider did
/// not answer, the form keeps its key so that submitting again cannot pay twice.
pub fn after_placing(result: &Result<Placed, CheckoutError>, mut draft: Draft) {
    use crate::flash::{Flash, capitalise, error_status, is_plain_form_post, set};
    if !is_plain_form_post() {
        error_status(result);
        return;
    }
    match result {
        Ok(placed) => {
            crate::flash::set_cookie(DRAFT_COOKIE, "", 0);
            let message = match placed.status {
                OrderStatus::Confirmed
                | OrderStatus::Fulfilment
                | OrderStatus::Shipped
                | OrderStatus::Delivered => format!(
                    "Thank you! Your order {} is confirmed; we have e-mailed you a receipt.",
                    placed.number
                ),
                OrderStatus::Authorized => format!(
                    "Thank you! We have your order {}. Your card is authorised and will be \
                     charged when we confirm the order; we have e-mailed you.",
                    placed.number
                ),
                _ => format!(
                    "Your order {} is {}.",
                    placed.number,
                    placed.status.label().to_lowercase()
                ),
            };
            set(&Flash {
                error: false,
                message,
            });
            leptos_axum::redirect(&format!("/orders/{}", placed.number));
        }
        Err(error) => {
            // Only an order still being paid keeps its form's key.
            if !matches!(error, CheckoutError::PaymentUnavailable(_)) {
                draft.key = None;
            }
            keep_draft(&draft);
            set(&Flash {
                error: true,
                message: capitalise(&error.to_string()),
            });
            // Another tab's order of this cart is being paid: show it.
            match error {
                CheckoutError::InProgress(number) => {
                    leptos_axum::redirect(&format!("/orders/{number}"))
                }
                _ => leptos_axum::redirect("/checkout"),
            }
        }
    }
}

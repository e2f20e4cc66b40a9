//! The checkout page: the visitor's cart priced for what they have typed so far (or the
//! customer's first saved address), with a fresh form key unless an order of this form is
//! still being paid.

use super::pricing::{PriceFor, price};
use super::{Checkout, unavailable};
use crate::checkout::model::{CheckoutError, CheckoutView, Draft, SummaryLine};
use crate::discounts::ssr::Customer;
use crate::session::Visitor;

fn new_form_key() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

pub async fn view(
    co: &Checkout,
    visitor: Option<&Visitor>,
    mut draft: Draft,
) -> Result<CheckoutView, CheckoutError> {
    let cart = visitor
        .and_then(|v| v.cart_id)
        .ok_or(CheckoutError::EmptyCart)?;
    let user_id = visitor.and_then(|v| v.session.user_id);
    let saved = match user_id {
        Some(user) => crate::account::ssr::addresses::saved(&co.pool, user, None)
            .await
            .map_err(unavailable)?,
        None => Vec::new(),
    };
    let account_email = visitor.and_then(|v| v.email.as_deref());
    if draft.email.is_empty()
        && let Some(email) = account_email
    {
        draft.email = email.to_owned();
    }
    if draft.address_id.is_none() && draft.country.is_empty() {
        draft.address_id = saved.first().map(|a| a.id);
    }
    let chosen = draft
        .address_id
        .and_then(|id| saved.iter().find(|a| a.id == id));
    if chosen.is_none() {
        draft.address_id = None;
    }
    let country = chosen.map_or(draft.country.as_str(), |a| a.address.country.as_str());
    // The page counts a code's per-customer uses by the signed-in account only: counting
    // them by a typed address would tell anyone who has used a code. (Placing the order
    // counts them all.)
    let customer = user_id
        .zip(account_email)
        .map(|(u, e)| Customer::account(u, e));
    let mut conn = co.pool.acquire().await.map_err(unavailable)?;
    let priced = price(
        &mut conn,
        &co.rules,
        cart,
        &PriceFor {
            country,
            method: &draft.method,
            code: &draft.code,
            customer: customer.as_ref(),
        },
    )
    .await?;
    drop(conn);
    let key = draft.key.clone().unwrap_or_else(new_form_key);
    let lines = priced
        .lines
        .iter()
        .map(|l| {
            Ok(SummaryLine {
                sku: l.sku.clone(),
                title: l.title.clone(),
                quantity: l.quantity,
                unit: l.price,
                line: l.total()?,
            })
        })
        .collect::<Result<Vec<_>, CheckoutError>>()?;
    Ok(CheckoutView {
        lines,
        methods: priced.methods,
        method: priced.method.method,
        totals: priced.totals,
        tax_name: priced.tax_name,
        discount_error: priced.discount_error,
        draft,
        saved,
        signed_in: user_id.is_some(),
        idempotency_key: key,
    })
}

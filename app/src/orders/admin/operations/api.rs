//! Order operations as server functions: each checks its permission first (refunds need
//! `refunds`, the rest `orders`), checks the form, calls one service, and answers (a
//! plain form post goes back to the order page with the outcome).

use crate::staff::model::AdminError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn operations() -> Result<super::ssr::Operations, AdminError> {
    crate::context::dep().ok_or(AdminError::Unavailable)
}

#[cfg(feature = "ssr")]
fn said(done: &super::ssr::Done, now: &str) -> String {
    match done {
        super::ssr::Done::Now => now.to_owned(),
        super::ssr::Done::Already => "That was done already.".to_owned(),
    }
}

/// Quantities as the refund and shipping forms send them (`units[]` as `line:units`, the
/// line a position or a variant, a box left empty meaning none).
#[cfg(feature = "ssr")]
fn units<K: std::str::FromStr>(values: &[String]) -> Result<Vec<(K, i32)>, AdminError> {
    let bad = |v: &str| AdminError::InvalidInput(format!("{v:?} is not a number of units"));
    values
        .iter()
        .filter_map(|v| {
            let (position, n) = v.split_once(':')?;
            let n = n.trim();
            (!n.is_empty()).then(|| (position.trim(), n, v))
        })
        .map(|(position, n, v)| {
            let position = position.parse::<K>().map_err(|_| bad(v))?;
            let n = n.parse::<i32>().map_err(|_| bad(n))?;
            Ok((position, n))
        })
        .collect()
}

/// Refunds units of an order's lines, its shipping charge, or an amount, through the
/// payment provider; refunded units may go back to a warehouse's stock.
#[server(endpoint = "admin/orders/refund")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
#[allow(clippy::too_many_arguments)]
pub async fn refund_order(
    #[server(default)] number: String,
    #[server(default)] key: String,
    #[server(default)] units: Vec<String>,
    #[server(default)] shipping: Option<String>,
    #[server(default)] amount: String,
    #[server(default)] restock: String,
    #[server(default)] reason: String,
) -> Result<(), AdminError> {
    use super::plan::Ask;
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Refunds).await?;
        let amount = match amount.trim() {
            "" => None,
            text => {
                let currency = order_currency(&ops, &number).await?;
                Some(
                    crate::money::Money::parse_major(text, currency)
                        .map_err(|e| AdminError::InvalidInput(format!("the amount: {e}")))?
                        .minor(),
                )
            }
        };
        let request = super::ssr::RefundRequest {
            ask: Ask {
                lines: self::units(&units)?,
                shipping: shipping.is_some_and(|s| !s.is_empty() && s != "false"),
                amount,
            },
            restock: Some(restock.trim().to_owned()).filter(|r| !r.is_empty()),
            reason,
            key,
        };
        super::ssr::refund(&ops, &signer, &number, request).await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "Refund given.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

#[cfg(feature = "ssr")]
async fn order_currency(
    ops: &super::ssr::Operations,
    number: &str,
) -> Result<crate::money::Currency, AdminError> {
    let number = crate::orders::ssr::read::parse_number(number)
        .map_err(|e| AdminError::InvalidInput(e.to_string()))?;
    sqlx::query_scalar!(
        r#"SELECT currency AS "currency: crate::money::Currency" FROM orders WHERE number = $1"#,
        number
    )
    .fetch_optional(&ops.pool)
    .await
    .map_err(crate::staff::ssr::unavailable)?
    .ok_or(AdminError::NotFound)
}

/// Captures an authorized order's payment: the order is confirmed and goes to be packed.
#[server(endpoint = "admin/orders/capture")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn capture_payment(
    #[server(default)] number: String,
    #[server(default)] key: String,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        super::ssr::capture(&ops, &signer, &number, &key).await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "Payment captured.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

/// Cancels an order that has not left: its stock goes back, an authorized payment is
/// voided, and a paid order's payment is refunded in full (which also needs `refunds`).
#[server(endpoint = "admin/orders/cancel")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn cancel_order(
    #[server(default)] number: String,
    #[server(default)] key: String,
    #[server(default)] reason: String,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        super::ssr::cancel(&ops, &signer, &number, &reason, &key).await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "Order cancelled.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

/// Adds a staff note to an order.
#[server(endpoint = "admin/orders/note")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn add_order_note(
    #[server(default)] number: String,
    #[server(default)] key: String,
    #[server(default)] note: String,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        super::ssr::add_note(&ops, &signer, &number, &note, &key).await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "Note added.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

/// Sends the customer an e-mail with their order as it stands.
#[server(endpoint = "admin/orders/resend-email")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn resend_order_email(
    #[server(default)] number: String,
    #[server(default)] key: String,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        super::ssr::resend_email(&ops, &signer, &number, &key).await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "E-mail sent.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

/// Ships units of a packed parcel by hand (`units[]` as `variant:units`, a box left
/// empty meaning none) with the staff's carrier and tracking number.
#[server(endpoint = "admin/orders/ship")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn ship_parcel(
    #[server(default)] number: String,
    #[server(default)] key: String,
    #[server(default)] parcel: i64,
    #[server(default)] units: Vec<String>,
    #[server(default)] carrier: String,
    #[server(default)] tracking: String,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        let picks = self::units::<i64>(&units)?;
        super::ssr::ship_by_hand(
            &ops, &signer, &number, parcel, &picks, &carrier, &tracking, &key,
        )
        .await
    }
    .await;
    let message = result.as_ref().map(|d| said(d, "Parcel shipped.")).ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

/// Marks a parcel shipped by hand as delivered.
#[server(endpoint = "admin/orders/delivered")]
#[cfg_attr(feature = "ssr", tracing::instrument(skip_all))]
pub async fn deliver_parcel(
    #[server(default)] number: String,
    #[server(default)] key: String,
    #[server(default)] parcel: i64,
) -> Result<(), AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let ops = operations()?;
        let (_, signer) = crate::staff::api::signed(Permission::Orders).await?;
        super::ssr::mark_delivered(&ops, &signer, &number, parcel, &key).await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(d, "Parcel marked delivered."))
        .ok();
    crate::flash::reply(&result, message.as_deref().unwrap_or(""), None);
    result.map(|_| ())
}

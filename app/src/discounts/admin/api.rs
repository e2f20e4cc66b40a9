//! Discount server functions (permission `discounts`).

// The code form posts its fields one by one (a plain form); the browser's side of the
// server function has them all as arguments too.
#![allow(clippy::too_many_arguments)]

use super::model::DiscountBoard;
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
fn given(text: String) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

#[server(endpoint = "admin/discounts", input = GetUrl)]
pub async fn discount_codes() -> Result<DiscountBoard, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        super::ssr::board(staff.pool()).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// A new code: a percentage or a fixed amount off, with its window, minimum spend and
/// limits.
#[server(endpoint = "admin/discounts/create")]
pub async fn create_discount(
    #[server(default)] code: String,
    #[server(default)] kind: String,
    #[server(default)] amount: String,
    #[server(default)] currency: String,
    #[server(default)] min_spend: String,
    #[server(default)] starts_at: String,
    #[server(default)] ends_at: String,
    #[server(default)] max_uses: String,
    #[server(default)] max_uses_per_customer: String,
) -> Result<String, AdminError> {
    use super::ssr::{limit, when};
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        let (percent, fixed) = match kind.trim() {
            "percentage" => (given(amount), None),
            "fixed" => (None, given(amount)),
            _ => {
                return Err(AdminError::InvalidInput(
                    "choose a percentage or a fixed amount".into(),
                ));
            }
        };
        let form = crate::discounts::ssr::CodeForm {
            code,
            percent,
            fixed,
            currency: given(currency),
            min_spend: given(min_spend),
            starts_at: when(&starts_at, "start")?,
            ends_at: when(&ends_at, "end")?,
            max_uses: limit(&max_uses, "limit on uses")?,
            max_uses_per_customer: limit(&max_uses_per_customer, "limit per customer")?,
        };
        super::ssr::create(staff.pool(), &signer.actor, form).await
    }
    .await;
    crate::flash::reply(&result, "Discount code created.", None);
    result
}

/// Changes a code's window, minimum spend, limits and whether it is on.
#[server(endpoint = "admin/discounts/update")]
pub async fn update_discount(
    #[server(default)] code: String,
    #[server(default)] min_spend: String,
    #[server(default)] starts_at: String,
    #[server(default)] ends_at: String,
    #[server(default)] max_uses: String,
    #[server(default)] max_uses_per_customer: String,
    #[server(default)] active: Option<String>,
) -> Result<(), AdminError> {
    use super::ssr::{Changes, limit, when};
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        let changes = Changes {
            min_spend,
            starts_at: when(&starts_at, "start")?,
            ends_at: when(&ends_at, "end")?,
            max_uses: limit(&max_uses, "limit on uses")?,
            max_uses_per_customer: limit(&max_uses_per_customer, "limit per customer")?,
            active: active.is_some_and(|a| !a.is_empty() && a != "false"),
        };
        super::ssr::update(staff.pool(), &signer.actor, &code, changes).await
    }
    .await;
    crate::flash::reply(&result, "Discount code saved.", None);
    result
}

/// Ends a code now.
#[server(endpoint = "admin/discounts/end")]
pub async fn end_discount(#[server(default)] code: String) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        super::ssr::end(staff.pool(), &signer.actor, &code).await
    }
    .await;
    crate::flash::reply(&result, "Discount code ended.", None);
    result
}

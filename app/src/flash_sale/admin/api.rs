//! Flash sale server functions for staff (permission `discounts`, checked first).

#![allow(clippy::too_many_arguments)]

use crate::flash_sale::model::{SaleBoard, SaleFigures};
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "admin/flash-sales", input = GetUrl)]
pub async fn flash_sales_board() -> Result<SaleBoard, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        crate::flash_sale::ssr::schedule::board(staff.pool()).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "admin/flash-sales/one", input = GetUrl)]
pub async fn flash_sale_figures(id: i64) -> Result<SaleFigures, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        crate::flash_sale::ssr::schedule::figures(staff.pool(), id).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Schedules a sale (times in UTC, `datetime-local` fields).
#[server(endpoint = "admin/flash-sales/schedule")]
pub async fn schedule_flash_sale(
    #[server(default)] sku: String,
    #[server(default)] sale_price: String,
    #[server(default)] sources: String,
    #[server(default)] starts_at: String,
    #[server(default)] ends_at: String,
    #[server(default)] per_customer_limit: String,
    #[server(default)] admission_per_minute: String,
    #[server(default)] wave_units: String,
    #[server(default)] wave_every_secs: String,
    #[server(default)] hold_secs: String,
    #[server(default)] buckets: String,
) -> Result<i64, AdminError> {
    use crate::discounts::admin::ssr::when;
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        let form = crate::flash_sale::ssr::schedule::SaleForm {
            sku,
            sale_price,
            sources,
            starts_at: when(&starts_at, "start")?,
            ends_at: when(&ends_at, "end")?,
            per_customer_limit,
            admission_per_minute,
            wave_units,
            wave_every_secs,
            hold_secs,
            buckets,
        };
        crate::flash_sale::ssr::schedule::schedule(staff.pool(), &signer.actor, form).await
    }
    .await;
    let then = result
        .as_ref()
        .ok()
        .map(|id| format!("/admin/flash-sales/{id}"));
    crate::flash::reply(&result, "Flash sale scheduled.", then.as_deref());
    result
}

/// Ends a sale now.
#[server(endpoint = "admin/flash-sales/end")]
pub async fn end_flash_sale(id: i64) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Discounts).await?;
        crate::flash_sale::ssr::schedule::end_now(staff.pool(), &signer.actor, id).await
    }
    .await;
    crate::flash::reply(&result, "The sale is ending.", None);
    result
}

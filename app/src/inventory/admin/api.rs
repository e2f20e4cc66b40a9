//! Inventory server functions (permission `inventory`); pages post plain forms here.

// The stock forms post their fields one by one (plain forms, no JavaScript needed); the
// browser's side of a server function has them all as arguments too.
#![allow(clippy::too_many_arguments)]

use super::model::InventoryBoard;
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// A whole number typed in a form.
#[cfg(feature = "ssr")]
fn number(text: &str, what: &str) -> Result<i32, AdminError> {
    text.trim()
        .replace(',', "")
        .parse::<i32>()
        .map_err(|_| AdminError::InvalidInput(format!("the {what} must be a whole number")))
}

#[cfg(feature = "ssr")]
fn said(done: bool, now: &str) -> String {
    if done {
        now.to_owned()
    } else {
        "Nothing changed (that form was sent already, or the numbers were the same).".to_owned()
    }
}

#[server(endpoint = "admin/inventory", input = GetUrl)]
pub async fn inventory_overview(
    #[server(default)] sku: String,
) -> Result<InventoryBoard, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        super::ssr::board(staff.pool(), &sku).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Goods arrived.
#[server(endpoint = "admin/inventory/receive")]
pub async fn receive_stock(
    #[server(default)] key: String,
    #[server(default)] sku: String,
    #[server(default)] warehouse: String,
    #[server(default)] quantity: String,
    #[server(default)] note: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        let quantity = number(&quantity, "quantity")?;
        super::ssr::receive(
            staff.pool(),
            &signer.actor,
            &key,
            &sku,
            &warehouse,
            quantity,
            &note,
        )
        .await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Stock received."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

/// A stock count with its reason.
#[server(endpoint = "admin/inventory/adjust")]
pub async fn adjust_stock(
    #[server(default)] key: String,
    #[server(default)] sku: String,
    #[server(default)] warehouse: String,
    #[server(default)] counted: String,
    #[server(default)] reason: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        let counted = number(&counted, "count")?;
        super::ssr::adjust(
            staff.pool(),
            &signer.actor,
            &key,
            &sku,
            &warehouse,
            counted,
            &reason,
        )
        .await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Stock count recorded."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

/// Units moved between warehouses.
#[server(endpoint = "admin/inventory/transfer")]
pub async fn transfer_stock(
    #[server(default)] key: String,
    #[server(default)] sku: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] quantity: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        let quantity = number(&quantity, "quantity")?;
        super::ssr::transfer(
            staff.pool(),
            &signer.actor,
            &key,
            &sku,
            &from,
            &to,
            quantity,
        )
        .await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Stock moved."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

/// A variant's low-stock level.
#[server(endpoint = "admin/inventory/threshold")]
pub async fn set_low_stock(
    #[server(default)] key: String,
    #[server(default)] sku: String,
    #[server(default)] low_stock_at: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        let level = number(&low_stock_at, "low-stock level")?;
        super::ssr::set_threshold(staff.pool(), &signer.actor, &key, &sku, level).await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Low-stock level saved."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

/// Creates or changes a warehouse.
#[server(endpoint = "admin/inventory/warehouse")]
pub async fn save_warehouse(
    #[server(default)] key: String,
    #[server(default)] code: String,
    #[server(default)] name: String,
    #[server(default)] region: String,
    #[server(default)] priority: String,
    #[server(default)] active: Option<String>,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        let w = super::model::Warehouse {
            code,
            name,
            region,
            priority: number(&priority, "priority")?,
            active: active.is_some_and(|a| !a.is_empty() && a != "false"),
        };
        super::ssr::save_warehouse(staff.pool(), &signer.actor, &key, &w).await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Warehouse saved."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

/// Creates or changes a region.
#[server(endpoint = "admin/inventory/region")]
pub async fn save_region(
    #[server(default)] key: String,
    #[server(default)] code: String,
    #[server(default)] name: String,
    #[server(default)] countries: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Inventory).await?;
        super::ssr::save_region(staff.pool(), &signer.actor, &key, &code, &name, &countries).await
    }
    .await;
    let message = result
        .as_ref()
        .map(|d| said(*d, "Region saved."))
        .unwrap_or_default();
    crate::flash::reply(&result, &message, None);
    result
}

//! The admin's order server functions (permission `orders`).

use super::model::{AdminOrder, OrderFilter, OrderPage};
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, StreamingText, TextStream};

#[server(endpoint = "admin/orders", input = GetUrl)]
pub async fn admin_orders(#[server(flatten)] filter: OrderFilter) -> Result<OrderPage, AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let staff = crate::staff::api::staff()?;
        crate::staff::ssr::require(&staff, Permission::Orders).await?;
        super::ssr::list(staff.pool(), &filter)
            .await
            .map_err(crate::staff::ssr::unavailable)?
            .map_err(AdminError::InvalidInput)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "admin/order", input = GetUrl)]
pub async fn order_for_staff(number: String) -> Result<AdminOrder, AdminError> {
    use crate::orders::model::OrderError;
    use crate::staff::model::Permission;
    let result = async {
        let staff = crate::staff::api::staff()?;
        let signer = crate::staff::ssr::require(&staff, Permission::Orders).await?;
        match super::ssr::detail(staff.pool(), &number, &signer.user).await {
            Ok(Some(order)) => Ok(order),
            Ok(None) | Err(OrderError::NotFound) => Err(AdminError::NotFound),
            Err(OrderError::InvalidInput(m)) => Err(AdminError::InvalidInput(m)),
            Err(_) => Err(AdminError::Unavailable),
        }
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// The orders the filter matches as CSV, oldest first (a download; recorded in the log).
#[server(endpoint = "admin/orders.csv", input = GetUrl, output = StreamingText)]
pub async fn export_orders(
    #[server(flatten)] filter: OrderFilter,
) -> Result<TextStream<AdminError>, AdminError> {
    let result = export(filter).await;
    crate::flash::error_status(&result);
    result
}

#[cfg(feature = "ssr")]
async fn export(filter: OrderFilter) -> Result<TextStream<AdminError>, AdminError> {
    use crate::staff::model::Permission;
    use futures::StreamExt;
    let staff = crate::staff::api::staff()?;
    let signer = crate::staff::ssr::require(&staff, Permission::Orders).await?;
    let lines = super::ssr::export(staff.pool().clone(), filter.clone())
        .map_err(AdminError::InvalidInput)?;
    let tx = staff
        .pool()
        .begin()
        .await
        .map_err(crate::staff::ssr::unavailable)?;
    crate::audit::record_and_commit(
        tx,
        &signer.actor,
        crate::audit::Change {
            action: "orders.export",
            entity: "order",
            entity_id: String::new(),
            before: None,
            after: Some(serde_json::to_value(&filter).unwrap_or_default()),
        },
    )
    .await
    .map_err(crate::staff::ssr::unavailable)?;
    crate::admin::download("text/csv; charset=utf-8", "orders.csv");
    Ok(TextStream::new(
        lines.map(|line| line.map_err(|_| AdminError::Unavailable)),
    ))
}

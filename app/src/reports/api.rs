//! The dashboard's figures, for staff who may see reports.

use super::model::Dashboard;
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "admin/dashboard", input = GetUrl)]
pub async fn sales_dashboard(
    #[server(default)] period: String,
    #[server(default)] currency: String,
) -> Result<Dashboard, AdminError> {
    use crate::staff::model::Permission;
    let result = async {
        let staff = crate::staff::api::staff()?;
        crate::staff::ssr::require(&staff, Permission::Reports).await?;
        let period = if period.is_empty() {
            super::model::Period::default()
        } else {
            super::model::Period::parse(&period)
                .ok_or_else(|| AdminError::InvalidInput("no such period".into()))?
        };
        let currency = if currency.is_empty() {
            None
        } else {
            Some(
                crate::money::Currency::parse(&currency)
                    .map_err(|e| AdminError::InvalidInput(e.to_string()))?,
            )
        };
        super::ssr::dashboard(staff.pool(), period, currency, chrono::Utc::now())
            .await
            .map_err(crate::staff::ssr::unavailable)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

//! A job's progress, for whoever may see its kind.

use super::model::JobView;
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "admin/job", input = GetUrl)]
pub async fn job(id: i64) -> Result<JobView, AdminError> {
    let result = async {
        let staff = crate::staff::api::staff()?;
        // Who may see it depends on its kind: found first, then checked (an unknown id
        // and a forbidden one answer alike for someone without any admin access).
        crate::staff::ssr::require_door(&staff).await?;
        let view = super::ssr::view(staff.pool(), id)
            .await
            .map_err(crate::staff::ssr::unavailable)?
            .ok_or(AdminError::NotFound)?;
        crate::staff::ssr::require(&staff, super::model::permission(&view.kind)).await?;
        Ok(view)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

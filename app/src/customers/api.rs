//! Customer server functions (permission `customers`).

use super::model::{CustomerDetail, CustomerFilter, CustomerList};
use crate::staff::model::AdminError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "admin/customers", input = GetUrl)]
pub async fn admin_customers(
    #[server(flatten)] filter: CustomerFilter,
) -> Result<CustomerList, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Customers).await?;
        super::ssr::list(staff.pool(), &filter).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

#[server(endpoint = "admin/customer", input = GetUrl)]
pub async fn customer_for_staff(id: i64) -> Result<CustomerDetail, AdminError> {
    let result = async {
        let (staff, _) =
            crate::staff::api::signed(crate::staff::model::Permission::Customers).await?;
        super::ssr::detail(staff.pool(), id).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Everything held about one customer, as a JSON download (recorded in the log).
#[server(endpoint = "admin/customer.json", input = GetUrl)]
pub async fn export_customer(id: i64) -> Result<serde_json::Value, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Customers).await?;
        let data = super::ssr::export(staff.pool(), &signer.actor, id).await?;
        crate::admin::download("application/json", &format!("customer-{id}.json"));
        Ok(data)
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// Disables a customer account (its sessions end at once) or enables it again.
#[server(endpoint = "admin/customers/disable")]
pub async fn set_customer_disabled(
    #[server(default)] id: i64,
    #[server(default)] disabled: bool,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Customers).await?;
        super::ssr::set_disabled(&staff, &signer.actor, id, disabled).await
    }
    .await;
    crate::flash::reply(
        &result,
        if disabled {
            "Account disabled; its sessions have ended."
        } else {
            "Account enabled."
        },
        None,
    );
    result
}

/// Erases a customer's personal data (their orders stay, anonymised).
#[server(endpoint = "admin/customers/erase")]
pub async fn erase_customer(
    #[server(default)] id: i64,
    #[server(default)] confirm: String,
) -> Result<bool, AdminError> {
    let result = async {
        let (staff, signer) =
            crate::staff::api::signed(crate::staff::model::Permission::Customers).await?;
        super::ssr::erase(&staff, &signer.actor, id, &confirm).await
    }
    .await;
    crate::flash::reply(&result, "Customer erased.", None);
    result
}

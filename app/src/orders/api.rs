//! Order server functions: one order for whoever may see it, and a customer's history.

use super::model::{OrderError, OrderSummary, OrderView};
use leptos::prelude::*;

/// The request's pool and visitor.
#[cfg(feature = "ssr")]
async fn pool_and_visitor() -> Result<(sqlx::PgPool, Option<crate::session::Visitor>), OrderError> {
    let db: crate::db::Db = crate::context::dep().ok_or(OrderError::Unavailable)?;
    let sessions: crate::session::Sessions =
        crate::context::dep().ok_or(OrderError::Unavailable)?;
    let visitor = crate::session::visitor(&sessions).await.map_err(|e| {
        tracing::error!(error = %e, "the visitor could not be looked up");
        OrderError::Unavailable
    })?;
    Ok((db.primary, visitor))
}

/// An order by its number, for the customer who placed it, the browser session that
/// placed it, or anyone who gives the e-mail address it was placed with (guest look-up).
#[server(endpoint = "orders/get")]
pub async fn get_order(
    #[server(default)] number: String,
    #[server(default)] email: String,
) -> Result<OrderView, OrderError> {
    let result = async {
        let (pool, visitor) = pool_and_visitor().await?;
        super::ssr::visible_order(&pool, visitor.as_ref(), &number, &email).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

/// The signed-in customer's orders, newest first.
#[server(endpoint = "orders/mine")]
pub async fn my_orders() -> Result<Vec<OrderSummary>, OrderError> {
    let result = async {
        let (pool, visitor) = pool_and_visitor().await?;
        let user = visitor
            .and_then(|v| v.session.user_id)
            .ok_or(OrderError::NotSignedIn)?;
        super::ssr::orders_of_customer(&pool, user).await
    }
    .await;
    crate::flash::error_status(&result);
    result
}

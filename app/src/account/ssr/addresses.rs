//! The address book in PostgreSQL. Every query is scoped to its customer: an address id
//! from another account is simply not found.

use crate::account::addresses::{Address, SavedAddress};
use sqlx::PgPool;

/// A customer's saved addresses, oldest first, or only `id` (if it is theirs).
pub async fn saved(
    pool: &PgPool,
    user_id: i64,
    id: Option<i64>,
) -> Result<Vec<SavedAddress>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, full_name, line1, line2, city, region, postal_code,
                  country AS "country!", phone
             FROM addresses WHERE user_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY id"#,
        user_id,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SavedAddress {
            id: r.id,
            address: Address {
                full_name: r.full_name,
                line1: r.line1,
                line2: r.line2,
                city: r.city,
                region: r.region,
                postal_code: r.postal_code,
                country: r.country,
                phone: r.phone,
            },
        })
        .collect())
}

/// Saves an address for a customer; returns its id.
pub async fn add(pool: &PgPool, user_id: i64, a: &Address) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO addresses (user_id, full_name, line1, line2, city, region, postal_code, country, phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        user_id,
        a.full_name,
        a.line1,
        a.line2,
        a.city,
        a.region,
        a.postal_code,
        a.country,
        a.phone
    )
    .fetch_one(pool)
    .await
}

/// Removes a customer's address; whether there was one.
pub async fn remove(pool: &PgPool, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM addresses WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

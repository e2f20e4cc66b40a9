//! Admin forms carry a key made when their page was drawn; an action records it in the
//! transaction of its effect (`admin_requests`), so a double click, a retry or a second
//! tab does the thing once.

use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::PgConnection;

/// A fresh key for a form.
pub fn new_key() -> String {
    crate::session::new_token()
}

/// A form's key, checked.
pub fn parse_key(key: &str) -> Result<&str, AdminError> {
    let key = key.trim();
    if (16..=128).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(key)
    } else {
        Err(AdminError::InvalidInput(
            "this form has expired; reload the page and try again".into(),
        ))
    }
}

/// Records a form's key in the caller's transaction; false when it was handled before.
pub async fn first_time(
    conn: &mut PgConnection,
    key: &str,
    action: &str,
) -> Result<bool, AdminError> {
    let done = sqlx::query!(
        "INSERT INTO admin_requests (key, action) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        key,
        action
    )
    .execute(conn)
    .await
    .map_err(unavailable)?;
    Ok(done.rows_affected() == 1)
}

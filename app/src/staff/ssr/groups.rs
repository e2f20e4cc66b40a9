//! Permission groups: a name and the permissions it gives its members.

use super::members::within_own;
use super::{Signed, Staff, unavailable};
use crate::audit::{self, Change};
use crate::staff::model::{AdminError, Group, Permission};
use serde_json::json;

/// Every group with its permissions and how many staff are in it.
pub async fn groups(staff: &Staff) -> Result<Vec<Group>, AdminError> {
    let rows = sqlx::query!(
        r#"SELECT g.id, g.name, g.permissions,
                  (SELECT count(*) FROM staff_memberships m WHERE m.group_id = g.id) AS "members!"
             FROM staff_groups g ORDER BY g.name"#
    )
    .fetch_all(staff.pool())
    .await
    .map_err(unavailable)?;
    Ok(rows
        .into_iter()
        .map(|r| Group {
            id: r.id,
            name: r.name,
            permissions: r
                .permissions
                .iter()
                .filter_map(|p| Permission::parse(p))
                .collect(),
            members: r.members,
        })
        .collect())
}

/// Creates a group (`id` None) or changes one: its name and permissions.
pub async fn save_group(
    staff: &Staff,
    signer: &Signed,
    id: Option<i64>,
    name: &str,
    permissions: &[Permission],
) -> Result<i64, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AdminError::InvalidInput(
            "a group needs a name of at most 80 characters".into(),
        ));
    }
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let before = match id {
        Some(id) => Some(
            sqlx::query!(
                "SELECT name, permissions FROM staff_groups WHERE id = $1 FOR UPDATE",
                id
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(unavailable)?
            .ok_or(AdminError::NotFound)?,
        ),
        None => None,
    };
    let old: Vec<Permission> = before
        .as_ref()
        .map(|b| {
            b.permissions
                .iter()
                .filter_map(|p| Permission::parse(p))
                .collect()
        })
        .unwrap_or_default();
    let touched: Vec<Permission> = old
        .iter()
        .filter(|p| !permissions.contains(p))
        .chain(permissions.iter().filter(|p| !old.contains(p)))
        .copied()
        .collect();
    within_own(signer, &touched)?;
    let names: Vec<String> = permissions.iter().map(|p| p.as_str().to_owned()).collect();
    let saved =
        match id {
            Some(id) => sqlx::query_scalar!(
                "UPDATE staff_groups SET name = $2, permissions = $3 WHERE id = $1 RETURNING id",
                id,
                name,
                &names
            )
            .fetch_one(&mut *tx)
            .await,
            None => {
                sqlx::query_scalar!(
                    "INSERT INTO staff_groups (name, permissions) VALUES ($1, $2) RETURNING id",
                    name,
                    &names
                )
                .fetch_one(&mut *tx)
                .await
            }
        };
    let saved = match saved {
        Ok(id) => id,
        Err(e)
            if crate::db::refusal(&e)
                .is_some_and(|r| matches!(r, crate::db::Refusal::Duplicate(_))) =>
        {
            return Err(AdminError::Conflict(
                "there is a group with that name already".into(),
            ));
        }
        Err(e) => return Err(unavailable(e)),
    };
    audit::record(
        &mut tx,
        &signer.actor,
        Change {
            action: if id.is_some() {
                "staff_group.update"
            } else {
                "staff_group.create"
            },
            entity: "staff_group",
            entity_id: saved.to_string(),
            before: before.map(|b| json!({ "name": b.name, "permissions": b.permissions })),
            after: Some(json!({ "name": name, "permissions": names })),
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(saved)
}

/// Deletes a group (its members lose what it gave them).
pub async fn delete_group(staff: &Staff, signer: &Signed, id: i64) -> Result<(), AdminError> {
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let row = sqlx::query!(
        "SELECT name, permissions FROM staff_groups WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    let permissions: Vec<Permission> = row
        .permissions
        .iter()
        .filter_map(|p| Permission::parse(p))
        .collect();
    within_own(signer, &permissions)?;
    sqlx::query!("DELETE FROM staff_groups WHERE id = $1", id)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    audit::record_and_commit(
        tx,
        &signer.actor,
        Change {
            action: "staff_group.delete",
            entity: "staff_group",
            entity_id: id.to_string(),
            before: Some(json!({ "name": row.name, "permissions": row.permissions })),
            after: None,
        },
    )
    .await
    .map_err(unavailable)
}

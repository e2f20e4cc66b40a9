//! A product's photos in the admin: an upload stored in WebP widths (by its bytes, never
//! its name) and added last; alt text changed; moved up or down; removed. Each is one
//! transaction under the product's row lock with its audit entry; the photo rows' own
//! trigger bumps the product, so the storefront's cache and search hear of it.

use crate::audit::{Actor, Change};
use crate::catalog::admin::model::{AdminImage, ImageBoard};
use crate::catalog::model::ImageRef;
use crate::media::ssr::{ImageError, ImageStore};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

/// The largest photo the admin takes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

fn bad(m: impl Into<String>) -> AdminError {
    AdminError::InvalidInput(m.into())
}

/// Alt text as kept: required (a photo without it says nothing to someone who cannot
/// see it), one line, at most 200 characters.
pub fn alt_text(text: &str) -> Result<String, AdminError> {
    let alt = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match alt.chars().count() {
        0 => Err(bad(
            "describe the photo for people who cannot see it (alt text)",
        )),
        n if n > 200 => Err(bad("keep the alt text under 200 characters")),
        _ => Ok(alt),
    }
}

pub async fn board(pool: &PgPool, product: i64) -> Result<ImageBoard, AdminError> {
    let title = sqlx::query_scalar!("SELECT title FROM products WHERE id = $1", product)
        .fetch_optional(pool)
        .await
        .map_err(unavailable)?
        .ok_or(AdminError::NotFound)?;
    let images = sqlx::query!(
        "SELECT id, position, content_key, alt, width, height, widths FROM product_images
          WHERE product_id = $1 ORDER BY position",
        product
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|r| AdminImage {
        id: r.id,
        position: r.position,
        image: ImageRef {
            key: r.content_key,
            alt: r.alt,
            width: r.width,
            height: r.height,
            widths: r.widths,
        },
    })
    .collect();
    Ok(ImageBoard {
        product,
        title,
        images,
        key: crate::admin::requests::new_key(),
        move_key: crate::admin::requests::new_key(),
    })
}

/// Locks the product and reads its photos' keys in order (None: no such product).
async fn lock(conn: &mut PgConnection, product: i64) -> Result<Vec<(i64, String)>, AdminError> {
    sqlx::query_scalar!("SELECT id FROM products WHERE id = $1 FOR UPDATE", product)
        .fetch_optional(&mut *conn)
        .await
        .map_err(unavailable)?
        .ok_or(AdminError::NotFound)?;
    Ok(sqlx::query!(
        "SELECT id, content_key FROM product_images WHERE product_id = $1 ORDER BY position",
        product
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|r| (r.id, r.content_key))
    .collect())
}

async fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    product: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AdminError> {
    crate::audit::record(
        conn,
        actor,
        Change {
            action,
            entity: "product",
            entity_id: product.to_string(),
            before,
            after,
        },
    )
    .await
    .map(|_| ())
    .map_err(unavailable)
}

/// Stores the photo's widths (off the async threads) and adds it after the others.
/// Returns false when the form's key was used before.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    pool: &PgPool,
    store: &ImageStore,
    actor: &Actor,
    key: &str,
    product: i64,
    file_name: &str,
    bytes: Vec<u8>,
    alt: &str,
) -> Result<bool, AdminError> {
    let key = crate::admin::requests::parse_key(key)?;
    let alt = alt_text(alt)?;
    if bytes.is_empty() {
        return Err(bad("choose a photo to upload"));
    }
    let stored = {
        let (store, name, alt) = (store.clone(), file_name.to_owned(), alt.clone());
        tokio::task::spawn_blocking(move || {
            store.store_bytes(&bytes, std::path::Path::new(&name), &name, &alt)
        })
        .await
        .map_err(unavailable)?
    };
    let image = stored.map_err(|e| match e {
        ImageError::NotAPhoto(_) => bad("the file is not a JPEG, PNG or WebP photo"),
        ImageError::TooLarge(_) => bad("the photo is larger than 10 MB"),
        ImageError::Decode { detail, .. } => bad(format!("the photo could not be read ({detail})")),
        other => unavailable(other),
    })?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let photos = lock(&mut tx, product).await?;
    if !crate::admin::requests::first_time(&mut tx, key, "products.image_add").await? {
        return Ok(false);
    }
    if photos.iter().any(|(_, k)| *k == image.key) {
        return Err(AdminError::Conflict(
            "this photo is on the product already".into(),
        ));
    }
    if photos.len() >= 20 {
        return Err(AdminError::Conflict(
            "a product shows at most 20 photos; remove one first".into(),
        ));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO product_images (product_id, position, content_key, alt, width, height, widths, source_name)
         VALUES ($1, (SELECT coalesce(max(position) + 1, 0) FROM product_images WHERE product_id = $1),
                 $2, $3, $4, $5, $6, $7)
         RETURNING id",
        product,
        image.key,
        image.alt,
        image.width,
        image.height,
        &image.widths,
        image.source_name
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit(
        &mut tx,
        actor,
        "products.image_add",
        product,
        None,
        Some(json!({ "image": id, "key": image.key, "alt": image.alt, "file": file_name })),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// New alt text for one of the product's photos.
pub async fn describe(
    pool: &PgPool,
    actor: &Actor,
    product: i64,
    image: i64,
    alt: &str,
) -> Result<(), AdminError> {
    let alt = alt_text(alt)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    lock(&mut tx, product).await?;
    let before = sqlx::query_scalar!(
        "SELECT alt FROM product_images WHERE id = $1 AND product_id = $2",
        image,
        product
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(unavailable)?
    .ok_or(AdminError::NotFound)?;
    if before == alt {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE product_images SET alt = $2 WHERE id = $1",
        image,
        alt
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    audit(
        &mut tx,
        actor,
        "products.image_alt",
        product,
        Some(json!({ "image": image, "alt": before })),
        Some(json!({ "image": image, "alt": alt })),
    )
    .await?;
    tx.commit().await.map_err(unavailable)
}

/// Moves a photo one place earlier or later (the first is the product's main photo).
/// Returns false when the form's key was used before.
pub async fn reorder(
    pool: &PgPool,
    actor: &Actor,
    key: &str,
    product: i64,
    image: i64,
    earlier: bool,
) -> Result<bool, AdminError> {
    let key = crate::admin::requests::parse_key(key)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let photos = lock(&mut tx, product).await?;
    if !crate::admin::requests::first_time(&mut tx, key, "products.image_move").await? {
        return Ok(false);
    }
    let at = photos
        .iter()
        .position(|(id, _)| *id == image)
        .ok_or(AdminError::NotFound)?;
    let to = if earlier {
        at.checked_sub(1)
    } else {
        (at + 1 < photos.len()).then_some(at + 1)
    };
    let Some(to) = to else {
        return Ok(true);
    };
    let mut order: Vec<i64> = photos.iter().map(|(id, _)| *id).collect();
    order.swap(at, to);
    write_order(&mut tx, product, &order).await?;
    audit(
        &mut tx,
        actor,
        "products.image_move",
        product,
        Some(json!({ "order": photos.iter().map(|(id, _)| id).collect::<Vec<_>>() })),
        Some(json!({ "order": order })),
    )
    .await?;
    tx.commit().await.map_err(unavailable)?;
    Ok(true)
}

/// Positions 0.. in `order` (out of the way first: positions are unique per product).
async fn write_order(
    conn: &mut PgConnection,
    product: i64,
    order: &[i64],
) -> Result<(), AdminError> {
    sqlx::query!(
        "UPDATE product_images SET position = -1 - position WHERE product_id = $1",
        product
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    sqlx::query!(
        "UPDATE product_images i SET position = o.n - 1
           FROM unnest($2::bigint[]) WITH ORDINALITY AS o(id, n)
          WHERE i.id = o.id AND i.product_id = $1",
        product,
        order
    )
    .execute(&mut *conn)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Takes a photo off the product (its files stay: another product may show the same
/// photo, and a rollback of the product may bring it back).
pub async fn remove(
    pool: &PgPool,
    actor: &Actor,
    product: i64,
    image: i64,
) -> Result<(), AdminError> {
    let mut tx = pool.begin().await.map_err(unavailable)?;
    let photos = lock(&mut tx, product).await?;
    let Some((_, key)) = photos.iter().find(|(id, _)| *id == image) else {
        // Removed already (a second click): nothing left to do.
        return Ok(());
    };
    sqlx::query!("DELETE FROM product_images WHERE id = $1", image)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    let order: Vec<i64> = photos
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != image)
        .collect();
    write_order(&mut tx, product, &order).await?;
    audit(
        &mut tx,
        actor,
        "products.image_remove",
        product,
        Some(json!({ "image": image, "key": key })),
        None,
    )
    .await?;
    tx.commit().await.map_err(unavailable)
}

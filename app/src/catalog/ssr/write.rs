//! Catalog writes: upsert a product with its children, matched by SKU.
//!
//! Callers own the transaction (an import commits per batch). Each product runs inside
//! a savepoint so that one product the database rejects is reported and skipped without
//! poisoning the rest of its batch.

use super::input::{AttributeValueInput, ProductInput};
use crate::catalog::ids::Slug;
use crate::catalog::model::ProductStatus;
use sqlx::{Acquire, PgConnection};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted(i64),
    Updated(i64),
    Unchanged(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum UpsertError {
    /// The product breaks a catalog rule; the reason is fit to show the merchant.
    #[error("{0}")]
    Rejected(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Ids already resolved in this transaction, so a batch asks for each category once.
#[derive(Debug, Default)]
pub struct WriteCache {
    categories: HashMap<String, i64>,
    brands: HashMap<String, i64>,
}

/// Records who makes the changes in this transaction, for the history table.
pub async fn set_actor(conn: &mut PgConnection, actor: &str) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT set_config('mercato.actor', $1, true)", actor)
        .fetch_one(conn)
        .await
        .map(|_| ())
}

/// Inserts or updates one product. Unchanged input writes nothing and bumps no version.
/// A rejection is an expected outcome reported to the merchant, so it is not logged as an error.
#[tracing::instrument(skip_all, fields(product.slug = %input.slug))]
pub async fn upsert_product(
    conn: &mut PgConnection,
    input: &ProductInput,
    cache: &mut WriteCache,
) -> Result<UpsertOutcome, UpsertError> {
    input.check().map_err(UpsertError::Rejected)?;
    let mut sp = conn.begin().await?;
    match upsert_inner(&mut sp, input, cache).await {
        Ok(outcome) => {
            sp.commit().await?;
            Ok(outcome)
        }
        Err(err) => {
            sp.rollback().await?;
            // The rolled-back savepoint may have created categories or brands we cached.
            *cache = WriteCache::default();
            Err(match err {
                UpsertError::Database(sqlx::Error::Database(db))
                    if db.code().is_some_and(|c| c.starts_with("23")) =>
                {
                    UpsertError::Rejected(format!(
                        "rejected by the catalog's rules: {}",
                        db.message()
                    ))
                }
                other => other,
            })
        }
    }
}

async fn upsert_inner(
    conn: &mut PgConnection,
    input: &ProductInput,
    cache: &mut WriteCache,
) -> Result<UpsertOutcome, UpsertError> {
    let category_id = ensure_category(conn, &input.category, cache).await?;
    let brand_id = match &input.brand {
        Some(name) => Some(ensure_brand(conn, name, cache).await?),
        None => None,
    };
    let skus: Vec<String> = input.variants.iter().map(|v| v.sku.to_string()).collect();
    let owners = sqlx::query_scalar!(
        "SELECT DISTINCT product_id FROM variants WHERE sku = ANY($1::text[])",
        &skus
    )
    .fetch_all(&mut *conn)
    .await?;
    if owners.len() > 1 {
        return Err(UpsertError::Rejected(format!(
            "its SKUs belong to {} different existing products",
            owners.len()
        )));
    }

    let (product_id, version_before) = match owners.first() {
        Some(&id) => {
            let before =
                sqlx::query_scalar!("SELECT version FROM products WHERE id = $1 FOR UPDATE", id)
                    .fetch_one(&mut *conn)
                    .await?;
            let slug = free_slug(conn, &input.slug, Some(id)).await?;
            sqlx::query!(
                "UPDATE products SET slug = $2, title = $3, description = $4, brand_id = $5,
                        category_id = $6, status = $7, featured = $8
                 WHERE id = $1",
                id,
                slug,
                input.title,
                input.description,
                brand_id,
                category_id,
                input.status as ProductStatus,
                input.featured
            )
            .execute(&mut *conn)
            .await?;
            (id, Some(before))
        }
        None => {
            let slug = free_slug(conn, &input.slug, None).await?;
            let id = sqlx::query_scalar!(
                "INSERT INTO products (slug, title, description, brand_id, category_id, status, featured)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                slug,
                input.title,
                input.description,
                brand_id,
                category_id,
                input.status as ProductStatus,
                input.featured
            )
            .fetch_one(&mut *conn)
            .await?;
            (id, None)
        }
    };

    write_options(conn, product_id, &input.option_names).await?;
    let stock_changed = write_variants(conn, product_id, input).await?;
    write_images(conn, product_id, input).await?;
    write_attributes(conn, product_id, input).await?;

    let version_after =
        sqlx::query_scalar!("SELECT version FROM products WHERE id = $1", product_id)
            .fetch_one(&mut *conn)
            .await?;
    let outcome = match version_before {
        None => UpsertOutcome::Inserted(product_id),
        Some(v) if v != version_after || stock_changed => UpsertOutcome::Updated(product_id),
        Some(_) => UpsertOutcome::Unchanged(product_id),
    };
    // The outbox event is written by the products trigger (see the search migration).
    Ok(outcome)
}

/// The wanted slug if free (or already this product's), else the first free `slug-N`.
async fn free_slug(
    conn: &mut PgConnection,
    wanted: &Slug,
    owner: Option<i64>,
) -> Result<String, UpsertError> {
    for n in 1..=100 {
        let candidate = if n == 1 {
            wanted.to_string()
        } else {
            format!("{wanted}-{n}")
        };
        let holder = sqlx::query_scalar!("SELECT id FROM products WHERE slug = $1", candidate)
            .fetch_optional(&mut *conn)
            .await?;
        match holder {
            None => return Ok(candidate),
            Some(id) if Some(id) == owner => return Ok(candidate),
            Some(_) => continue,
        }
    }
    Err(UpsertError::Rejected(format!(
        "no free URL slug near `{wanted}`"
    )))
}

async fn ensure_category(
    conn: &mut PgConnection,
    names: &[String],
    cache: &mut WriteCache,
) -> Result<Option<i64>, UpsertError> {
    let mut parent: Option<i64> = None;
    let mut path = String::new();
    for name in names {
        let slug = Slug::from_title(name).map_err(|e| UpsertError::Rejected(e.to_string()))?;
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(slug.as_str());
        if let Some(&id) = cache.categories.get(&path) {
            parent = Some(id);
            continue;
        }
        let inserted = sqlx::query_scalar!(
            "INSERT INTO categories (parent_id, slug, path, name, position)
             VALUES ($1, $2, $3, $4,
                     (SELECT count(*)::int FROM categories WHERE parent_id IS NOT DISTINCT FROM $1))
             ON CONFLICT (path) DO NOTHING RETURNING id",
            parent,
            slug.as_str(),
            path,
            name.trim()
        )
        .fetch_optional(&mut *conn)
        .await?;
        let id = match inserted {
            Some(id) => id,
            None => {
                sqlx::query_scalar!("SELECT id FROM categories WHERE path = $1", path)
                    .fetch_one(&mut *conn)
                    .await?
            }
        };
        cache.categories.insert(path.clone(), id);
        parent = Some(id);
    }
    Ok(parent)
}

async fn ensure_brand(
    conn: &mut PgConnection,
    name: &str,
    cache: &mut WriteCache,
) -> Result<i64, UpsertError> {
    let slug = Slug::from_title(name).map_err(|e| UpsertError::Rejected(e.to_string()))?;
    if let Some(&id) = cache.brands.get(slug.as_str()) {
        return Ok(id);
    }
    let inserted = sqlx::query_scalar!(
        "INSERT INTO brands (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id",
        slug.as_str(),
        name.trim()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let id = match inserted {
        Some(id) => id,
        None => {
            sqlx::query_scalar!("SELECT id FROM brands WHERE slug = $1", slug.as_str())
                .fetch_one(&mut *conn)
                .await?
        }
    };
    cache.brands.insert(slug.to_string(), id);
    Ok(id)
}

async fn write_options(
    conn: &mut PgConnection,
    product_id: i64,
    names: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM product_options WHERE product_id = $1 AND position >= $2",
        product_id,
        names.len() as i16
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO product_options (product_id, position, name)
         SELECT $1, (t.ord - 1)::smallint, t.name FROM unnest($2::text[]) WITH ORDINALITY AS t(name, ord)
         ON CONFLICT (product_id, position) DO UPDATE SET name = EXCLUDED.name
         WHERE product_options.name IS DISTINCT FROM EXCLUDED.name",
        product_id,
        names
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes the variants, and counts their stock at the main warehouse (a stock count: the
/// difference goes into the ledger). Returns whether any stock count changed.
async fn write_variants(
    conn: &mut PgConnection,
    product_id: i64,
    input: &ProductInput,
) -> Result<bool, UpsertError> {
    let main = crate::inventory::ssr::warehouse_id(conn, crate::inventory::ssr::MAIN_WAREHOUSE)
        .await
        .map_err(|e| UpsertError::Rejected(e.to_string()))?;
    let mut stock_changed = false;
    for (position, v) in input.variants.iter().enumerate() {
        let currency = v.price.currency();
        let variant_id = sqlx::query_scalar!(
            r#"WITH up AS (
                   INSERT INTO variants (product_id, sku, position, price_minor, currency, option_values)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (sku) DO UPDATE SET
                       product_id = EXCLUDED.product_id, position = EXCLUDED.position,
                       price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency,
                       option_values = EXCLUDED.option_values, updated_at = now()
                   WHERE (variants.product_id, variants.position, variants.price_minor,
                          variants.currency, variants.option_values)
                         IS DISTINCT FROM
                         (EXCLUDED.product_id, EXCLUDED.position, EXCLUDED.price_minor,
                          EXCLUDED.currency, EXCLUDED.option_values)
                   RETURNING id)
               SELECT id AS "id!" FROM up
               UNION ALL
               SELECT id FROM variants WHERE sku = $2 AND NOT EXISTS (SELECT 1 FROM up)"#,
            product_id,
            v.sku.as_str(),
            position as i32,
            v.price.minor(),
            currency.code(),
            &v.options
        )
        .fetch_one(&mut *conn)
        .await?;
        stock_changed |=
            crate::inventory::ssr::set_on_hand(conn, variant_id, main, v.stock_on_hand, "catalog")
                .await
                .map_err(|e| match e {
                    crate::inventory::model::InventoryError::Unavailable => {
                        UpsertError::Rejected("inventory is unavailable".into())
                    }
                    other => UpsertError::Rejected(other.to_string()),
                })?;
    }
    Ok(stock_changed)
}

/// Replaces the product's photos when the input lists any; an input without photos keeps them.
async fn write_images(
    conn: &mut PgConnection,
    product_id: i64,
    input: &ProductInput,
) -> Result<(), sqlx::Error> {
    if input.images.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "DELETE FROM product_images WHERE product_id = $1 AND position >= $2",
        product_id,
        input.images.len() as i16
    )
    .execute(&mut *conn)
    .await?;
    for (position, img) in input.images.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO product_images (product_id, position, content_key, alt, width, height, widths, source_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (product_id, position) DO UPDATE SET
                 content_key = EXCLUDED.content_key, alt = EXCLUDED.alt, width = EXCLUDED.width,
                 height = EXCLUDED.height, widths = EXCLUDED.widths, source_name = EXCLUDED.source_name
             WHERE (product_images.content_key, product_images.alt, product_images.width,
                    product_images.height, product_images.widths, product_images.source_name)
                   IS DISTINCT FROM
                   (EXCLUDED.content_key, EXCLUDED.alt, EXCLUDED.width, EXCLUDED.height,
                    EXCLUDED.widths, EXCLUDED.source_name)",
            product_id,
            position as i16,
            img.key,
            img.alt,
            img.width,
            img.height,
            &img.widths,
            img.source_name
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Replaces the product's attribute values. An attribute may hold several values (a
/// product in blue and pink): repeated codes take positions 0, 1, 2...
async fn write_attributes(
    conn: &mut PgConnection,
    product_id: i64,
    input: &ProductInput,
) -> Result<(), UpsertError> {
    let mut keep_ids: Vec<i64> = Vec::with_capacity(input.attributes.len());
    let mut keep_positions: Vec<i16> = Vec::with_capacity(input.attributes.len());
    for attr in &input.attributes {
        sqlx::query!(
            "INSERT INTO attributes (code, name, kind) VALUES ($1, $2, $3::text::attribute_kind)
             ON CONFLICT (code) DO NOTHING",
            attr.code,
            attr.name,
            attr.value.kind()
        )
        .execute(&mut *conn)
        .await?;
        let def = sqlx::query!(
            r#"SELECT id, kind::text AS "kind!" FROM attributes WHERE code = $1"#,
            attr.code
        )
        .fetch_one(&mut *conn)
        .await?;
        if def.kind != attr.value.kind() {
            return Err(UpsertError::Rejected(format!(
                "attribute `{}` holds {} values, not {}",
                attr.code,
                def.kind,
                attr.value.kind()
            )));
        }
        let position = keep_ids.iter().filter(|id| **id == def.id).count() as i16;
        let (text, number, boolean) = match &attr.value {
            AttributeValueInput::Text(t) => (Some(t.as_str()), None, None),
            AttributeValueInput::Number(n) => (None, Some(n.as_str()), None),
            AttributeValueInput::Boolean(b) => (None, None, Some(*b)),
        };
        sqlx::query!(
            "INSERT INTO product_attributes (product_id, attribute_id, position, value_text, value_number, value_boolean)
             VALUES ($1, $2, $3, $4, $5::text::numeric, $6)
             ON CONFLICT (product_id, attribute_id, position) DO UPDATE SET
                 value_text = EXCLUDED.value_text, value_number = EXCLUDED.value_number,
                 value_boolean = EXCLUDED.value_boolean
             WHERE (product_attributes.value_text, product_attributes.value_number, product_attributes.value_boolean)
                   IS DISTINCT FROM (EXCLUDED.value_text, EXCLUDED.value_number, EXCLUDED.value_boolean)",
            product_id,
            def.id,
            position,
            text,
            number,
            boolean
        )
        .execute(&mut *conn)
        .await?;
        keep_ids.push(def.id);
        keep_positions.push(position);
    }
    sqlx::query!(
        "DELETE FROM product_attributes WHERE product_id = $1
           AND (attribute_id, position) NOT IN (SELECT * FROM unnest($2::bigint[], $3::smallint[]))",
        product_id,
        &keep_ids,
        &keep_positions
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

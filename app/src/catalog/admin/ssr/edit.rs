//! A product as staff edit it: read as a `Draft`, saved whole in one transaction (the
//! product row, its options and variants, a new revision and the audit entry), refused
//! when someone else saved since the form was drawn. Only what changed is written, so
//! the catalog's history and the outbox (the storefront's cache, the search index) see
//! real changes only; a save that changes nothing writes nothing.

use crate::audit::{Actor, Change};
use crate::catalog::admin::model::{Draft, DraftVariant, ProductEdit, RevisionRow};
use crate::catalog::ids::{Sku, Slug};
use crate::catalog::model::ProductStatus;
use crate::money::{Currency, Money};
use crate::staff::model::AdminError;
use crate::staff::ssr::unavailable;
use sqlx::{PgConnection, PgPool};

/// The product `id` as a draft, with its version and the currency of its prices.
pub async fn load(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<(i32, Draft, Currency)>, sqlx::Error> {
    let Some(p) = sqlx::query!(
        r#"SELECT p.title, p.slug, p.description, p.status AS "status: ProductStatus",
                  p.brand_id, coalesce(b.name, '') AS "brand!", p.category_id,
                  coalesce(c.path, '') AS "category!", p.featured,
                  coalesce(p.seo_title, '') AS "seo_title!",
                  coalesce(p.seo_description, '') AS "seo_description!", p.version,
                  ARRAY(SELECT name FROM product_options o WHERE o.product_id = p.id
                         ORDER BY position) AS "option_names!"
             FROM products p
             LEFT JOIN brands b ON b.id = p.brand_id
             LEFT JOIN categories c ON c.id = p.category_id
            WHERE p.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let variants = sqlx::query!(
        r#"SELECT id, sku, price_minor, currency AS "currency: Currency", option_values
             FROM variants WHERE product_id = $1 ORDER BY position, id"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let currency = variants.first().map_or(Currency::USD, |v| v.currency);
    let attributes = super::attributes::load(conn, id).await?;
    let draft = Draft {
        title: p.title,
        slug: p.slug,
        description: p.description,
        status: p.status,
        brand_id: p.brand_id,
        brand: p.brand,
        category_id: p.category_id,
        category: p.category,
        featured: p.featured,
        seo_title: p.seo_title,
        seo_description: p.seo_description,
        option_names: p.option_names,
        variants: variants
            .into_iter()
            .map(|v| DraftVariant {
                id: Some(v.id),
                sku: v.sku,
                price: Money::from_minor(v.price_minor, v.currency),
                options: v.option_values,
            })
            .collect(),
        attributes: Some(attributes),
    };
    Ok(Some((p.version, draft, currency)))
}

/// Checks a draft against the catalog's rules (what the database would refuse, said
/// plainly first).
pub fn check(d: &Draft) -> Result<(), String> {
    let title = d.title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        return Err("the title must be 1 to 300 characters".into());
    }
    Slug::parse(&d.slug).map_err(|e| format!("the address (slug): {e}"))?;
    if d.description.chars().count() > 20_000 {
        return Err("keep the description under 20,000 characters".into());
    }
    if d.seo_title.chars().count() > 70 {
        return Err("the SEO title can be at most 70 characters".into());
    }
    if d.seo_description.chars().count() > 320 {
        return Err("the SEO description can be at most 320 characters".into());
    }
    if d.option_names.len() > 5 {
        return Err("a product can have at most 5 options".into());
    }
    for name in &d.option_names {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err("option names must be 1 to 100 characters".into());
        }
    }
    if d.variants.is_empty() {
        return Err("a product needs at least one variant".into());
    }
    let mut seen_skus = std::collections::HashSet::new();
    let mut seen_options = std::collections::HashSet::new();
    for v in &d.variants {
        Sku::parse(&v.sku).map_err(|e| format!("SKU {:?}: {e}", v.sku))?;
        if !seen_skus.insert(v.sku.to_uppercase()) {
            return Err(format!("SKU {} is there twice", v.sku));
        }
        if v.price.minor() < 0 {
            return Err(format!("{}: a price cannot be negative", v.sku));
        }
        if v.options.len() != d.option_names.len() {
            return Err(format!(
                "{}: give a value for each option ({})",
                v.sku,
                d.option_names.join(", ")
            ));
        }
        if v.options
            .iter()
            .any(|o| o.trim().is_empty() || o.chars().count() > 100)
        {
            return Err(format!(
                "{}: option values must be 1 to 100 characters",
                v.sku
            ));
        }
        if !d.option_names.is_empty() && !seen_options.insert(v.options.clone()) {
            return Err(format!(
                "two variants have the same options ({})",
                v.options.join(" / ")
            ));
        }
    }
    Ok(())
}

/// How a save ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i64),
    Changed(i64),
    Unchanged(i64),
}

/// Saves `draft` as product `id` (None: a new product), if it is still at `expected`
/// version. `note` names the revision (`edit`, `rollback to 3`).
pub async fn save(
    pool: &PgPool,
    actor: &Actor,
    id: Option<i64>,
    expected: i32,
    draft: &Draft,
    note: &str,
) -> Result<Saved, AdminError> {
    check(draft).map_err(AdminError::InvalidInput)?;
    let mut tx = pool.begin().await.map_err(unavailable)?;
    crate::audit::ssr::act_as(&mut tx, actor)
        .await
        .map_err(unavailable)?;
    let result = apply(&mut tx, actor, id, expected, draft, note, true).await;
    match result {
        Ok(Saved::Unchanged(id)) => Ok(Saved::Unchanged(id)),
        Ok(saved) => {
            tx.commit().await.map_err(refusal)?;
            Ok(saved)
        }
        Err(e) => Err(e),
    }
}

/// A database refusal said in the merchant's words.
pub(super) fn refusal(e: sqlx::Error) -> AdminError {
    if let sqlx::Error::Database(db) = &e {
        let constraint = db.constraint().unwrap_or_default();
        match db.code().as_deref() {
            Some("23505") if constraint.contains("sku") => {
                return AdminError::InvalidInput(
                    "one of those SKUs belongs to another product".into(),
                );
            }
            Some("23505") if constraint.contains("slug") => {
                return AdminError::InvalidInput("another product has that address (slug)".into());
            }
            Some("23503") if db.table() == Some("order_lines") || constraint.contains("order") => {
                return AdminError::Conflict(
                    "a variant that has been ordered cannot be removed; archive the product instead".into(),
                );
            }
            Some(code) if code.starts_with("23") => {
                return AdminError::InvalidInput(format!(
                    "the catalog refused it: {}",
                    db.message()
                ));
            }
            _ => {}
        }
    }
    unavailable(e)
}

/// Writes `draft` in the caller's transaction, with its revision; `audited` writes the
/// audit entry too (a bulk action writes one for the whole operation instead).
pub(super) async fn apply(
    tx: &mut PgConnection,
    actor: &Actor,
    id: Option<i64>,
    expected: i32,
    draft: &Draft,
    note: &str,
    audited: bool,
) -> Result<Saved, AdminError> {
    for (what, table, wanted) in [
        ("brand", "brands", draft.brand_id),
        ("category", "categories", draft.category_id),
    ] {
        if let Some(wanted) = wanted {
            let exists: bool = sqlx::query_scalar(&format!(
                "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"
            ))
            .bind(wanted)
            .fetch_one(&mut *tx)
            .await
            .map_err(unavailable)?;
            if !exists {
                return Err(AdminError::InvalidInput(format!(
                    "that {what} does not exist (any more)"
                )));
            }
        }
    }
    let (id, before, currency) = match id {
        Some(id) => {
            let version =
                sqlx::query_scalar!("SELECT version FROM products WHERE id = $1 FOR UPDATE", id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(unavailable)?
                    .ok_or(AdminError::NotFound)?;
            if version != expected {
                return Err(AdminError::Conflict(
                    "someone saved this product after you opened it; reload the page to see their changes"
                        .into(),
                ));
            }
            let (_, before, currency) = load(tx, id)
                .await
                .map_err(unavailable)?
                .ok_or(AdminError::NotFound)?;
            (id, Some(before), currency)
        }
        None => {
            let id = sqlx::query_scalar!(
                "INSERT INTO products (slug, title, status) VALUES ($1, $2, $3) RETURNING id",
                draft.slug.trim(),
                draft.title.trim(),
                ProductStatus::Draft as ProductStatus,
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(refusal)?;
            let currency = draft
                .variants
                .first()
                .map_or(Currency::USD, |v| v.price.currency());
            (id, None, currency)
        }
    };
    if draft
        .variants
        .iter()
        .any(|v| v.price.currency() != currency)
    {
        return Err(AdminError::InvalidInput(format!(
            "prices must be in {}",
            currency.code()
        )));
    }
    if let Some(before) = &before
        && strip(before) == strip(draft)
        && (draft.attributes.is_none() || draft.attributes == before.attributes)
    {
        return Ok(Saved::Unchanged(id));
    }
    if let Some(before) = &before {
        baseline(tx, id, before).await?;
    }
    write(tx, id, before.as_ref(), draft).await?;
    let (version, after, _) = load(tx, id)
        .await
        .map_err(unavailable)?
        .ok_or(AdminError::NotFound)?;
    let revision = next_revision(tx, id).await?;
    sqlx::query!(
        "INSERT INTO product_revisions (product_id, revision, version, actor, note, snapshot)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        revision,
        version,
        actor.history_name(),
        note,
        serde_json::to_value(&after).map_err(unavailable)?,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    let created = before.is_none();
    if !audited {
        return Ok(Saved::Changed(id));
    }
    crate::audit::record(
        tx,
        actor,
        Change {
            action: match (&before, note.starts_with("rollback")) {
                (None, _) => "product.create",
                (Some(_), true) => "product.rollback",
                (Some(_), false) => "product.update",
            },
            entity: "product",
            entity_id: id.to_string(),
            before: before.map(|b| serde_json::to_value(b).unwrap_or_default()),
            after: Some(serde_json::to_value(&after).map_err(unavailable)?),
        },
    )
    .await
    .map_err(unavailable)?;
    Ok(if created {
        Saved::Created(id)
    } else {
        Saved::Changed(id)
    })
}

/// A draft without what does not decide its content (names shown beside ids, new
/// variants' missing ids), for comparing.
fn strip(d: &Draft) -> Draft {
    let mut d = d.clone();
    d.brand.clear();
    d.category.clear();
    d.title = d.title.trim().to_owned();
    d.attributes = None;
    d
}

/// The product as it was before its first save in the admin, as revision 1.
async fn baseline(tx: &mut PgConnection, id: i64, before: &Draft) -> Result<(), AdminError> {
    sqlx::query!(
        "INSERT INTO product_revisions (product_id, revision, version, actor, note, snapshot)
         SELECT $1, 1, p.version, 'system:catalog', 'as it was before its first edit here', $2
           FROM products p
          WHERE p.id = $1 AND NOT EXISTS (SELECT 1 FROM product_revisions r WHERE r.product_id = $1)",
        id,
        serde_json::to_value(before).map_err(unavailable)?,
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

async fn next_revision(tx: &mut PgConnection, id: i64) -> Result<i32, AdminError> {
    sqlx::query_scalar!(
        r#"SELECT coalesce(max(revision), 0) + 1 AS "n!" FROM product_revisions WHERE product_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)
}

/// Writes what differs between `before` and `draft`.
async fn write(
    tx: &mut PgConnection,
    id: i64,
    before: Option<&Draft>,
    d: &Draft,
) -> Result<(), AdminError> {
    let seo = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    sqlx::query!(
        "UPDATE products SET title = $2, slug = $3, description = $4, status = $5,
                brand_id = $6, category_id = $7, featured = $8, seo_title = $9, seo_description = $10
          WHERE id = $1",
        id,
        d.title.trim(),
        d.slug.trim(),
        d.description,
        d.status as ProductStatus,
        d.brand_id,
        d.category_id,
        d.featured,
        seo(&d.seo_title),
        seo(&d.seo_description),
    )
    .execute(&mut *tx)
    .await
    .map_err(refusal)?;
    if before.map(|b| &b.option_names) != Some(&d.option_names) {
        sqlx::query!("DELETE FROM product_options WHERE product_id = $1", id)
            .execute(&mut *tx)
            .await
            .map_err(refusal)?;
        for (position, name) in d.option_names.iter().enumerate() {
            sqlx::query!(
                "INSERT INTO product_options (product_id, position, name) VALUES ($1, $2, $3)",
                id,
                position as i16,
                name.trim()
            )
            .execute(&mut *tx)
            .await
            .map_err(refusal)?;
        }
    }
    // Variants no longer there go first (their SKUs may be taken by new ones).
    let kept: Vec<i64> = d.variants.iter().filter_map(|v| v.id).collect();
    for gone in before
        .map(|b| b.variants.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.id)
        .filter(|v| !kept.contains(v))
    {
        sqlx::query!(
            "DELETE FROM variants WHERE id = $1 AND product_id = $2",
            gone,
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(refusal)?;
    }
    for (position, v) in d.variants.iter().enumerate() {
        let position = position as i32;
        match v.id {
            Some(variant) => {
                let done = sqlx::query!(
                    "UPDATE variants SET sku = $3, price_minor = $4, option_values = $5, position = $6
                      WHERE id = $1 AND product_id = $2
                        AND (sku, price_minor, option_values, position) IS DISTINCT FROM ($3, $4, $5, $6)",
                    variant,
                    id,
                    v.sku.trim(),
                    v.price.minor(),
                    &v.options,
                    position,
                )
                .execute(&mut *tx)
                .await
                .map_err(refusal)?;
                if done.rows_affected() == 0 {
                    let mine = sqlx::query_scalar!(
                        r#"SELECT EXISTS (SELECT 1 FROM variants WHERE id = $1 AND product_id = $2) AS "mine!""#,
                        variant,
                        id
                    )
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(unavailable)?;
                    if !mine {
                        return Err(AdminError::InvalidInput(
                            "that variant is not this product's".into(),
                        ));
                    }
                }
            }
            None => {
                let currency = v.price.currency();
                sqlx::query!(
                    "INSERT INTO variants (product_id, sku, price_minor, currency, option_values, position)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    id,
                    v.sku.trim(),
                    v.price.minor(),
                    currency.code(),
                    &v.options,
                    position,
                )
                .execute(&mut *tx)
                .await
                .map_err(refusal)?;
            }
        }
    }
    if let Some(list) = &d.attributes
        && before.and_then(|b| b.attributes.as_ref()) != Some(list)
    {
        super::attributes::write(tx, id, list).await?;
    }
    Ok(())
}

/// A product's edit page: the draft, the choices, its revisions.
pub async fn page(pool: &PgPool, id: i64, public_url: &str) -> Result<ProductEdit, AdminError> {
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    let (version, draft, currency) = load(&mut conn, id)
        .await
        .map_err(unavailable)?
        .ok_or(AdminError::NotFound)?;
    let (categories, brands) = choices(&mut conn).await?;
    let revisions = sqlx::query!(
        "SELECT revision, version, actor, note, created_at FROM product_revisions
          WHERE product_id = $1 ORDER BY revision DESC LIMIT 200",
        id
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|r| RevisionRow {
        revision: r.revision,
        version: r.version,
        actor: r.actor,
        note: r.note,
        at: r.created_at.format("%Y-%m-%d %H:%M").to_string(),
    })
    .collect();
    let storefront =
        (draft.status == ProductStatus::Active).then(|| format!("{public_url}/p/{}", draft.slug));
    Ok(ProductEdit {
        id: Some(id),
        version,
        draft,
        currency: currency.code().to_owned(),
        categories,
        brands,
        revisions,
        storefront,
    })
}

/// A new product's empty form (in the currency most of the catalog is priced in).
pub async fn blank(pool: &PgPool) -> Result<ProductEdit, AdminError> {
    let mut conn = pool.acquire().await.map_err(unavailable)?;
    let (categories, brands) = choices(&mut conn).await?;
    let currency = sqlx::query_scalar!(
        r#"SELECT currency AS "currency: Currency" FROM variants
            GROUP BY currency ORDER BY count(*) DESC LIMIT 1"#
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(unavailable)?
    .unwrap_or(Currency::USD);
    Ok(ProductEdit {
        id: None,
        version: 0,
        draft: Draft {
            title: String::new(),
            slug: String::new(),
            description: String::new(),
            status: ProductStatus::Draft,
            brand_id: None,
            brand: String::new(),
            category_id: None,
            category: String::new(),
            featured: false,
            seo_title: String::new(),
            seo_description: String::new(),
            attributes: Some(Vec::new()),
            option_names: Vec::new(),
            variants: Vec::new(),
        },
        currency: currency.code().to_owned(),
        categories,
        brands,
        revisions: Vec::new(),
        storefront: None,
    })
}

/// The categories (by path) and brands a product may be put in.
pub async fn choices(
    conn: &mut PgConnection,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), AdminError> {
    let categories = sqlx::query!("SELECT id, path FROM categories ORDER BY path LIMIT 2000")
        .fetch_all(&mut *conn)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|c| (c.id, c.path))
        .collect();
    let brands = sqlx::query!("SELECT id, name FROM brands ORDER BY lower(name) LIMIT 2000")
        .fetch_all(&mut *conn)
        .await
        .map_err(unavailable)?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    Ok((categories, brands))
}

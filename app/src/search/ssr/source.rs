//! What search reads from PostgreSQL: product documents, labels for facets, synonyms,
//! and outbox events after a cursor.

use crate::catalog::model::ImageRef;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};
use std::collections::HashMap;

/// A product as the index stores it (one row of the `search_documents` view).
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDoc {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub brand_slug: Option<String>,
    pub brand_name: Option<String>,
    pub category_path: Option<String>,
    pub min_price: i64,
    pub max_price: i64,
    pub currency: String,
    pub in_stock: bool,
    pub skus: Vec<String>,
    /// Text attributes as `(code, value)`.
    pub attributes: Vec<(String, String)>,
    pub image: Option<ImageRef>,
    pub units_sold: i64,
}

/// Active products with these ids; ids of products that are gone or not active are
/// simply absent.
pub async fn documents(
    db: impl PgExecutor<'_>,
    ids: &[i64],
) -> Result<Vec<ProductDoc>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", description AS "description!",
                  created_at AS "created_at!", brand_slug, brand_name, category_path,
                  min_price AS "min_price!", max_price AS "max_price!", currency AS "currency!",
                  in_stock AS "in_stock!", skus AS "skus!", attribute_codes AS "attribute_codes!",
                  attribute_values AS "attribute_values!", image_key, image_alt, image_width,
                  image_height, image_widths, units_sold AS "units_sold!"
           FROM search_documents WHERE id = ANY($1)"#,
        ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProductDoc {
            id: r.id,
            slug: r.slug,
            title: r.title,
            description: r.description,
            created_at: r.created_at,
            brand_slug: r.brand_slug,
            brand_name: r.brand_name,
            category_path: r.category_path,
            min_price: r.min_price,
            max_price: r.max_price,
            currency: r.currency,
            in_stock: r.in_stock,
            skus: r.skus,
            attributes: r
                .attribute_codes
                .into_iter()
                .zip(r.attribute_values)
                .collect(),
            image: match (r.image_key, r.image_width, r.image_height, r.image_widths) {
                (Some(key), Some(width), Some(height), Some(widths)) => Some(ImageRef {
                    key,
                    alt: r.image_alt.unwrap_or_default(),
                    width,
                    height,
                    widths,
                }),
                _ => None,
            },
            units_sold: r.units_sold,
        })
        .collect())
}

/// The next `limit` active product ids after `after`, for a full rebuild.
pub async fn active_ids_after(
    db: impl PgExecutor<'_>,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM products WHERE status = 'active' AND id > $1 ORDER BY id LIMIT $2",
        after,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn count_active(db: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM products WHERE status = 'active'"#)
        .fetch_one(db)
        .await
}

/// Names for facet values: category paths, brand slugs and attribute codes.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub categories: HashMap<String, String>,
    pub brands: HashMap<String, String>,
    pub attributes: HashMap<String, String>,
}

impl Labels {
    pub async fn load(db: &mut PgConnection) -> Result<Self, sqlx::Error> {
        let categories = sqlx::query!("SELECT path, name FROM categories")
            .fetch_all(&mut *db)
            .await?
            .into_iter()
            .map(|r| (r.path, r.name))
            .collect();
        let brands = sqlx::query!("SELECT slug, name FROM brands")
            .fetch_all(&mut *db)
            .await?
            .into_iter()
            .map(|r| (r.slug, r.name))
            .collect();
        let attributes = sqlx::query!("SELECT code, name FROM attributes")
            .fetch_all(&mut *db)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect();
        Ok(Labels {
            categories,
            brands,
            attributes,
        })
    }

    /// The names of a category path's levels, root first (`["Electronics", "Computers"]`).
    pub fn category_names(&self, path: &str) -> Vec<String> {
        ancestor_paths(path)
            .map(|p| {
                self.categories
                    .get(p)
                    .cloned()
                    .unwrap_or_else(|| p.rsplit('/').next().unwrap_or(p).to_owned())
            })
            .collect()
    }
}

/// `a`, `a/b`, `a/b/c` for `a/b/c`.
pub fn ancestor_paths(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .map(move |(i, _)| &path[..i])
        .chain(std::iter::once(path))
        .filter(|p| !p.is_empty())
}

/// Synonym groups, each a list of equivalent terms or phrases.
pub async fn synonym_groups(db: &PgPool) -> Result<Vec<Vec<String>>, sqlx::Error> {
    sqlx::query_scalar!("SELECT terms FROM search_synonyms ORDER BY id")
        .fetch_all(db)
        .await
}

/// A consumer's position in the outbox: everything up to and including this event is
/// applied. Events are consumed in `(txid, id)` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub txid: u64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.txid, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (t, i) = text.split_once(':')?;
        Some(Cursor {
            txid: t.parse().ok()?,
            id: i.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    pub cursor: Cursor,
    pub topic: String,
    pub aggregate_id: String,
}

/// Moves an outbox consumer (a row of `outbox_consumers`) to `cursor`, in the caller's
/// transaction (the one that applied the events).
pub async fn advance(
    conn: &mut sqlx::PgConnection,
    consumer: &str,
    cursor: Cursor,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox_consumers SET txid = $2, event_id = $3, updated_at = now() WHERE name = $1",
        consumer,
        cursor.txid as i64,
        cursor.id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Events after `cursor` from transactions that have finished, so no event can later
/// appear behind the cursor: only transactions older than every transaction still running
/// (per this snapshot) are read. Transactions of other databases in the same cluster cannot
/// write this outbox, so they are left out of that horizon when PostgreSQL can tell they
/// are elsewhere; a long write elsewhere in the cluster then does not delay indexing.
pub async fn events_after(
    db: impl PgExecutor<'_>,
    cursor: Cursor,
    limit: i64,
) -> Result<Vec<OutboxEvent>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH snap AS (SELECT pg_current_snapshot() AS s),
           horizon AS (
               SELECT coalesce(
                   (SELECT min(x) FROM snap, pg_snapshot_xip(snap.s) AS x
                    WHERE NOT EXISTS (
                        SELECT 1 FROM pg_stat_activity a
                        WHERE a.datname IS DISTINCT FROM current_database()
                          AND a.backend_xid IS NOT NULL
                          AND a.backend_xid::text = (x::text::numeric % 4294967296)::text)),
                   (SELECT pg_snapshot_xmax(s) FROM snap)) AS bound
           )
           SELECT id, txid::text::bigint AS "txid!", topic, aggregate_id
           FROM outbox, horizon
           WHERE (txid, id) > ($1::bigint::text::xid8, $2)
             AND txid < horizon.bound
           ORDER BY txid, id
           LIMIT $3"#,
        cursor.txid as i64,
        cursor.id,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxEvent {
            cursor: Cursor {
                txid: r.txid as u64,
                id: r.id,
            },
            topic: r.topic,
            aggregate_id: r.aggregate_id,
        })
        .collect())
}

/// The cursor for an index built from a snapshot: every transaction older than the
/// snapshot's xmin is in it; later ones are replayed (harmless: applying is idempotent).
pub async fn snapshot_cursor(db: impl PgExecutor<'_>) -> Result<Cursor, sqlx::Error> {
    let xmin = sqlx::query_scalar!(
        r#"SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS "xmin!""#
    )
    .fetch_one(db)
    .await?;
    Ok(Cursor {
        txid: (xmin as u64).saturating_sub(1),
        id: i64::MAX,
    })
}

/// Products whose documents show this category (it or any descendant).
pub async fn products_in_category(db: &PgPool, category_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT p.id FROM products p
         JOIN categories c ON c.id = p.category_id
         JOIN categories root ON root.id = $1
         WHERE c.path = root.path OR c.path LIKE root.path || '/%'",
        category_id
    )
    .fetch_all(db)
    .await
}

pub async fn products_of_brand(db: &PgPool, brand_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM products WHERE brand_id = $1", brand_id)
        .fetch_all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_root_first() {
        assert_eq!(
            ancestor_paths("a/b/c").collect::<Vec<_>>(),
            ["a", "a/b", "a/b/c"]
        );
        assert_eq!(ancestor_paths("a").collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor { txid: 812, id: 44 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x:1"), None);
    }
}

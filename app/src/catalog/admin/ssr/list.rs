//! The admin's product list: every status, filtered, searched by title words or a SKU,
//! sorted, a page at a time after the last row seen (keyset: a page costs the same at
//! the millionth product as at the first), with a count that stays cheap.

use crate::catalog::admin::model::{Count, PAGE_SIZE, ProductFilter, ProductList, ProductRow};
use crate::catalog::model::ProductStatus;
use crate::money::{Currency, Money};
use sqlx::PgPool;

/// Counting stops here; past it the list says "more than".
const COUNT_CAP: i64 = 10_000;

/// The filter as the query takes it, or what is wrong with it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Bounds {
    pub title: Option<String>,
    pub sku: Option<String>,
    pub status: Option<ProductStatus>,
    pub category: Option<i64>,
    pub brand: Option<i64>,
    pub stock: Option<&'static str>,
    pub sort: &'static str,
    pub after: Option<i64>,
}

use super::form::choice as id;

/// `%` and `_` taken literally in a LIKE pattern.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn bounds(f: &ProductFilter) -> Result<Bounds, String> {
    let q = f.q.trim();
    if q.chars().count() > 200 {
        return Err("the search is too long".into());
    }
    let (title, sku) = if q.is_empty() {
        (None, None)
    } else {
        let sku = crate::catalog::ids::Sku::parse(q)
            .ok()
            .map(|s| s.to_string());
        (Some(format!("%{}%", like_escaped(&q.to_lowercase()))), sku)
    };
    let status = match f.status.trim() {
        "" => None,
        s => Some(
            ["draft", "active", "archived"]
                .contains(&s)
                .then(|| ProductStatus::parse(s))
                .flatten()
                .ok_or_else(|| format!("there is no status {s:?}"))?,
        ),
    };
    let stock = match f.stock.trim() {
        "" => None,
        "in" => Some("in"),
        "low" => Some("low"),
        "out" => Some("out"),
        other => return Err(format!("there is no stock level {other:?}")),
    };
    let sort = match f.sort.trim() {
        "" | "updated" => "updated",
        "title" => "title",
        "newest" => "newest",
        other => return Err(format!("cannot sort by {other:?}")),
    };
    Ok(Bounds {
        title,
        sku,
        status,
        category: id(&f.category, "category")?,
        brand: id(&f.brand, "brand")?,
        stock,
        sort,
        after: id(&f.after, "page").map_err(|_| "that page does not exist".to_owned())?,
    })
}

/// The products' filter as SQL over `p` (parameters $1-$6), the same for the page and
/// the count.
pub(super) const WHERE: &str = "
    ($1::text IS NULL OR lower(p.title) LIKE $1 OR p.id IN (SELECT product_id FROM variants WHERE sku = $2))
    AND ($3::product_status IS NULL OR p.status = $3)
    AND ($4::bigint IS NULL OR p.category_id IN (
            SELECT d.id FROM categories c JOIN categories d
                ON d.path = c.path OR d.path LIKE c.path || '/%' WHERE c.id = $4))
    AND ($5::bigint IS NULL OR p.brand_id = $5)
    AND ($6::text IS NULL OR (
            WITH a AS (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0) AS units
                         FROM variants v JOIN stock_levels l ON l.variant_id = v.id
                        WHERE v.product_id = p.id)
            SELECT CASE $6 WHEN 'out' THEN units <= 0 WHEN 'low' THEN units > 0 AND units <= 5
                           ELSE units > 0 END FROM a))";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    title: String,
    slug: String,
    status: ProductStatus,
    category: Option<String>,
    brand: Option<String>,
    variants: i64,
    price_from: Option<i64>,
    currency: Option<String>,
    available: i64,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// One page of the products `filter` matches.
pub async fn list(pool: &PgPool, filter: &ProductFilter) -> Result<ProductList, ListError> {
    let b = bounds(filter).map_err(ListError::Invalid)?;
    let (keyset, order) = match b.sort {
        "title" => (
            "(lower(p.title), p.id) > (SELECT lower(title), id FROM products WHERE id = $7)",
            "lower(p.title), p.id",
        ),
        "newest" => ("p.id < $7", "p.id DESC"),
        _ => (
            "(p.updated_at, p.id) < (SELECT updated_at, id FROM products WHERE id = $7)",
            "p.updated_at DESC, p.id DESC",
        ),
    };
    let sql = format!(
        "SELECT p.id, p.title, p.slug, p.status, c.path AS category, br.name AS brand,
                (SELECT count(*) FROM variants v WHERE v.product_id = p.id) AS variants,
                (SELECT min(price_minor) FROM variants v WHERE v.product_id = p.id) AS price_from,
                (SELECT min(currency) FROM variants v WHERE v.product_id = p.id) AS currency,
                (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0)::bigint
                   FROM variants v JOIN stock_levels l ON l.variant_id = v.id
                  WHERE v.product_id = p.id) AS available,
                p.updated_at
           FROM products p
           LEFT JOIN categories c ON c.id = p.category_id
           LEFT JOIN brands br ON br.id = p.brand_id
          WHERE {WHERE} AND ($7::bigint IS NULL OR {keyset})
          ORDER BY {order} LIMIT {}",
        PAGE_SIZE + 1
    );
    let mut rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(&b.title)
        .bind(&b.sku)
        .bind(b.status)
        .bind(b.category)
        .bind(b.brand)
        .bind(b.stock)
        .bind(b.after)
        .fetch_all(pool)
        .await?;
    let next = (rows.len() as i64 > PAGE_SIZE).then(|| {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| r.id.to_string()).unwrap_or_default()
    });
    let filtered = b.title.is_some()
        || b.status.is_some()
        || b.category.is_some()
        || b.brand.is_some()
        || b.stock.is_some();
    let count = if filtered {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM products p WHERE {WHERE} LIMIT {}) m",
            COUNT_CAP + 1
        );
        let n: i64 = sqlx::query_scalar(&sql)
            .bind(&b.title)
            .bind(&b.sku)
            .bind(b.status)
            .bind(b.category)
            .bind(b.brand)
            .bind(b.stock)
            .fetch_one(pool)
            .await?;
        if n > COUNT_CAP {
            Count::MoreThan(COUNT_CAP)
        } else {
            Count::Exactly(n)
        }
    } else {
        // The planner's estimate, kept by autovacuum: no scan of a million rows.
        let estimate = sqlx::query_scalar!(
            "SELECT greatest(reltuples, 0)::bigint AS \"n!\" FROM pg_class WHERE oid = 'products'::regclass"
        )
        .fetch_one(pool)
        .await?;
        if estimate < COUNT_CAP {
            Count::Exactly(
                sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM products")
                    .fetch_one(pool)
                    .await?,
            )
        } else {
            Count::About(estimate)
        }
    };
    let mut conn = pool.acquire().await?;
    let (categories, brands) = super::edit::choices(&mut conn)
        .await
        .map_err(|_| ListError::Invalid("the categories could not be read".into()))?;
    Ok(ProductList {
        rows: rows
            .into_iter()
            .map(|r| ProductRow {
                id: r.id,
                title: r.title,
                slug: r.slug,
                status: r.status,
                category: r.category.unwrap_or_default(),
                brand: r.brand.unwrap_or_default(),
                variants: r.variants,
                price_from: match (r.price_from, r.currency.as_deref().map(Currency::parse)) {
                    (Some(minor), Some(Ok(c))) => Some(Money::from_minor(minor, c)),
                    _ => None,
                },
                available: r.available,
                updated: r.updated_at.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect(),
        next,
        count,
        categories,
        brands,
        bulk_key: crate::admin::requests::new_key(),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_read_or_refused_with_a_reason() {
        let b = bounds(&ProductFilter {
            q: " 50%_Off ".into(),
            status: "archived".into(),
            sort: "title".into(),
            ..ProductFilter::default()
        })
        .unwrap();
        assert_eq!(b.title.as_deref(), Some("%50\\%\\_off%"));
        assert_eq!(b.sku, None, "a space-free word with % is no SKU");
        assert_eq!(b.status, Some(ProductStatus::Archived));
        assert_eq!(b.sort, "title");
        let b = bounds(&ProductFilter {
            q: "L2201308".into(),
            ..ProductFilter::default()
        })
        .unwrap();
        assert_eq!(b.sku.as_deref(), Some("L2201308"));
        for bad in [
            ProductFilter {
                status: "deleted".into(),
                ..ProductFilter::default()
            },
            ProductFilter {
                category: "'; --".into(),
                ..ProductFilter::default()
            },
            ProductFilter {
                stock: "plenty".into(),
                ..ProductFilter::default()
            },
            ProductFilter {
                sort: "price; DROP TABLE products".into(),
                ..ProductFilter::default()
            },
            ProductFilter {
                after: "x".into(),
                ..ProductFilter::default()
            },
        ] {
            assert!(bounds(&bad).is_err(), "{bad:?}");
        }
        assert_eq!(Count::Exactly(1_234).to_string(), "1,234 products");
        assert_eq!(
            Count::About(1_000_000).to_string(),
            "about 1,000,000 products"
        );
    }
}

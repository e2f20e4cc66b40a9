//! The admin's product list: every status, filtered, searched by title words or a SKU,
//! sorted, a page at a time after the last row seen (keyset: a page costs the same at
//! the millionth product as at the first), with a count that stays cheap.

use super::search::{MOST_WORDS, Words};
use crate::catalog::admin::model::{Count, PAGE_SIZE, ProductFilter, ProductList, ProductRow};
use crate::catalog::model::ProductStatus;
use crate::money::{Currency, Money};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

/// Counting stops here; past it the list says "more than".
const COUNT_CAP: i64 = 10_000;

/// A title search is counted only when the planner expects at most this many matches
/// (checking each title costs more than reading an index entry); past it, its estimate.
const SEARCH_COUNT_CAP: i64 = 1_000;

/// The filter as the query takes it, or what is wrong with it.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Bounds {
    /// The search as typed (trimmed), when it is not a SKU's product.
    pub search: Option<String>,
    pub sku: Option<String>,
    pub status: Option<ProductStatus>,
    pub category: Option<i64>,
    pub brand: Option<i64>,
    pub stock: Option<&'static str>,
    pub sort: &'static str,
    pub after: Option<i64>,
}

use super::form::choice as id;

pub(crate) fn bounds(f: &ProductFilter) -> Result<Bounds, String> {
    let q = f.q.trim();
    if q.chars().count() > 200 {
        return Err("the search is too long".into());
    }
    // Roughly as the database will split it; it decides what a word is.
    if q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
        > MOST_WORDS
    {
        return Err(format!("search for at most {MOST_WORDS} words"));
    }
    let (search, sku) = if q.is_empty() {
        (None, None)
    } else {
        let sku = crate::catalog::ids::Sku::parse(q)
            .ok()
            .map(|s| s.to_string());
        (Some(q.to_owned()), sku)
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
        search,
        sku,
        status,
        category: id(&f.category, "category")?,
        brand: id(&f.brand, "brand")?,
        stock,
        sort,
        after: id(&f.after, "page").map_err(|_| "that page does not exist".to_owned())?,
    })
}

/// The filter with its lookups done, so that each query names only what it filters on
/// and the planner sees the real values: an exact SKU becomes its product, a category
/// the ids of its subtree, a search its words.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    product: Option<i64>,
    words: Option<Words>,
    status: Option<ProductStatus>,
    categories: Option<Vec<i64>>,
    brand: Option<i64>,
    stock: Option<&'static str>,
}

impl Resolved {
    fn filtered(&self) -> bool {
        self.product.is_some()
            || self.words.is_some()
            || self.status.is_some()
            || self.categories.is_some()
            || self.brand.is_some()
            || self.stock.is_some()
    }
}

/// Looks up what the filter names: a search that is exactly a variant's SKU lists that
/// product alone, anything else searches title words.
pub(crate) async fn resolve(db: &mut PgConnection, b: &Bounds) -> Result<Resolved, sqlx::Error> {
    let product = match &b.sku {
        Some(sku) => {
            sqlx::query_scalar!("SELECT product_id FROM variants WHERE sku = $1", sku)
                .fetch_optional(&mut *db)
                .await?
        }
        None => None,
    };
    let categories = match b.category {
        Some(id) => Some(
            sqlx::query_scalar!(
                "SELECT d.id FROM categories c JOIN categories d
                    ON d.path = c.path OR d.path LIKE c.path || '/%'
                 WHERE c.id = $1",
                id
            )
            .fetch_all(&mut *db)
            .await?,
        ),
        None => None,
    };
    let words = match (&b.search, product) {
        (Some(text), None) => Some(Words::of(db, text).await?),
        _ => None,
    };
    Ok(Resolved {
        words,
        product,
        status: b.status,
        categories,
        brand: b.brand,
        stock: b.stock,
    })
}

/// The filter as SQL over `p`, the same for the page, the count and the export: only
/// the conditions that apply, each value bound.
pub(super) fn push_where(q: &mut QueryBuilder<'_, Postgres>, r: &Resolved) {
    push_filters(q, r);
    if let Some(words) = &r.words {
        words.push_indexed(q);
        words.push_checked(q, "lower(p.title)");
    }
}

/// Every condition but the search's words.
pub(super) fn push_filters(q: &mut QueryBuilder<'_, Postgres>, r: &Resolved) {
    q.push(" TRUE");
    if let Some(id) = r.product {
        q.push(" AND p.id = ").push_bind(id);
    }
    if let Some(status) = r.status {
        q.push(" AND p.status = ").push_bind(status);
    }
    match r.categories.as_deref() {
        None => {}
        Some([one]) => {
            q.push(" AND p.category_id = ").push_bind(*one);
        }
        Some(ids) => {
            q.push(" AND p.category_id = ANY(")
                .push_bind(ids.to_vec())
                .push(")");
        }
    }
    if let Some(brand) = r.brand {
        q.push(" AND p.brand_id = ").push_bind(brand);
    }
    if let Some(stock) = r.stock {
        q.push(
            " AND (WITH a AS (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0) AS units
                               FROM variants v JOIN stock_levels l ON l.variant_id = v.id
                              WHERE v.product_id = p.id)
                   SELECT ",
        )
        .push(match stock {
            "out" => "units <= 0",
            "low" => "units > 0 AND units <= 5",
            _ => "units > 0",
        })
        .push(" FROM a)");
    }
}

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

/// The sort's keyset condition: what comes after the product `b.after` (one lookup of
/// its sort key by primary key).
pub(super) fn push_after(q: &mut QueryBuilder<'_, Postgres>, b: &Bounds) {
    let Some(after) = b.after else { return };
    q.push(match b.sort {
        "title" => {
            " AND (lower(p.title), p.id) > (SELECT lower(title), id FROM products WHERE id = "
        }
        "newest" => " AND p.id < (SELECT id FROM products WHERE id = ",
        _ => " AND (p.updated_at, p.id) < (SELECT updated_at, id FROM products WHERE id = ",
    })
    .push_bind(after)
    .push(")");
}

/// The sort's order over `p` (its id, title and updated_at), and at most `limit` rows.
pub(super) fn push_order(q: &mut QueryBuilder<'_, Postgres>, b: &Bounds, limit: i64) {
    q.push(match b.sort {
        "title" => " ORDER BY lower(p.title), p.id",
        "newest" => " ORDER BY p.id DESC",
        _ => " ORDER BY p.updated_at DESC, p.id DESC",
    })
    .push(" LIMIT ")
    .push(limit);
}

/// One page of the products `filter` matches.
pub async fn list(pool: &PgPool, filter: &ProductFilter) -> Result<ProductList, ListError> {
    let b = bounds(filter).map_err(ListError::Invalid)?;
    let mut tx = pool.begin().await?;
    // A page is read by one process: on a small machine serving other requests, parallel
    // workers cost more to start than they save (and a search's plan is chosen here).
    sqlx::query("SET LOCAL max_parallel_workers_per_gather = 0")
        .execute(&mut *tx)
        .await?;
    let r = resolve(&mut tx, &b).await?;
    // The page's ids first, planned for their own values each time (a generic plan cannot
    // know whether a filter matches ten rows or half the catalog); then what the page
    // shows of them, by a statement the connection keeps.
    let mut ids = match &r.words {
        Some(words) => super::search::page(&mut tx, &r, &b, words).await?,
        None => {
            let mut q = QueryBuilder::new("SELECT p.id FROM products p WHERE");
            push_where(&mut q, &r);
            push_after(&mut q, &b);
            push_order(&mut q, &b, PAGE_SIZE + 1);
            q.build_query_scalar()
                .persistent(false)
                .fetch_all(&mut *tx)
                .await?
        }
    };
    let next = (ids.len() as i64 > PAGE_SIZE).then(|| {
        ids.truncate(PAGE_SIZE as usize);
        ids.last().map(i64::to_string).unwrap_or_default()
    });
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.title, p.slug, p.status, c.path AS category, br.name AS brand,
                (SELECT count(*) FROM variants v WHERE v.product_id = p.id) AS variants,
                (SELECT min(price_minor) FROM variants v WHERE v.product_id = p.id) AS price_from,
                (SELECT min(currency) FROM variants v WHERE v.product_id = p.id) AS currency,
                (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0)::bigint
                   FROM variants v JOIN stock_levels l ON l.variant_id = v.id
                  WHERE v.product_id = p.id) AS available,
                p.updated_at
           FROM unnest($1::bigint[]) WITH ORDINALITY AS page (id, n)
           JOIN products p ON p.id = page.id
           LEFT JOIN categories c ON c.id = p.category_id
           LEFT JOIN brands br ON br.id = p.brand_id
          ORDER BY page.n",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    // A first page that is not full is the whole answer: nothing left to count.
    let count = match (&next, b.after) {
        (None, None) if r.filtered() => Count::Exactly(rows.len() as i64),
        _ => count(pool, &r).await?,
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

/// How many products `r` matches. Unfiltered: the table's size (the planner's figure,
/// kept by autovacuum, once past the cap). Filtered: counted exactly up to the cap when
/// the planner expects that few, its estimate when it expects more (counting a search
/// that matches half a million products would cost more than the page itself).
async fn count(pool: &PgPool, r: &Resolved) -> Result<Count, sqlx::Error> {
    if !r.filtered() {
        let estimate = sqlx::query_scalar!(
            "SELECT greatest(reltuples, 0)::bigint AS \"n!\" FROM pg_class WHERE oid = 'products'::regclass"
        )
        .fetch_one(pool)
        .await?;
        return Ok(if estimate < COUNT_CAP {
            Count::Exactly(
                sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM products")
                    .fetch_one(pool)
                    .await?,
            )
        } else {
            Count::About(estimate)
        });
    }
    let expected = expected(pool, r, true).await?;
    let cap = if r.words.is_some() {
        SEARCH_COUNT_CAP
    } else {
        COUNT_CAP
    };
    if expected > cap {
        return Ok(Count::About(expected));
    }
    // The planner can be wrong (a title word that is common among archived products):
    // the count gets a bounded time, then the page says it did not finish.
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL statement_timeout = 10")
        .execute(&mut *tx)
        .await?;
    let mut q = QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM products p WHERE");
    push_where(&mut q, r);
    q.push(" LIMIT ").push(COUNT_CAP + 1).push(") m");
    let counted: Result<i64, sqlx::Error> = q
        .build_query_scalar()
        .persistent(false)
        .fetch_one(&mut *tx)
        .await;
    match counted {
        Ok(n) => {
            tx.commit().await?;
            Ok(if n > COUNT_CAP {
                Count::MoreThan(COUNT_CAP)
            } else {
                Count::Exactly(n)
            })
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("57014") => Ok(Count::Many),
        Err(e) => Err(e),
    }
}

/// How many products the planner expects `r` to match: its words and, if `filtered`,
/// its other conditions. Its figure for the words is the index's (checking the titles
/// again is the same condition; the planner would take it for a second, independent one).
pub(super) async fn expected<'c>(
    db: impl sqlx::PgExecutor<'c>,
    r: &Resolved,
    filtered: bool,
) -> Result<i64, sqlx::Error> {
    let mut q = QueryBuilder::new("EXPLAIN (FORMAT JSON) SELECT 1 FROM products p WHERE");
    if filtered {
        push_filters(&mut q, r);
    } else {
        q.push(" TRUE");
    }
    if let Some(words) = &r.words {
        words.push_indexed(&mut q);
    }
    let plan: serde_json::Value = q
        .build_query_scalar()
        .persistent(false)
        .fetch_one(db)
        .await?;
    Ok(plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(0.0) as i64)
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
        assert_eq!(b.search.as_deref(), Some("50%_Off"));
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
            ProductFilter {
                q: "one two three four five six seven eight nine".into(),
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

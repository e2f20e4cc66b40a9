//! Catalog reads for the storefront. They go to the read pool (a replica when configured).

use super::Catalog;
use super::rows::{CardRow, money};
use super::unavailable;
use crate::catalog::model::CatalogError;
use crate::catalog::model::{
    AttributeValue, Availability, CategoryLink, CategoryPage, HomePage, ImageRef, ListingCursor,
    ListingSort, ProductDetail, VariantDetail,
};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

const HOME_GRID: i64 = 8;

/// Top-level categories for the header navigation (cached).
#[tracing::instrument(skip_all)]
pub async fn nav_categories(catalog: &Catalog) -> Result<Vec<CategoryLink>, CatalogError> {
    let cache = &catalog.cache;
    if let Some(nav) = cache.nav() {
        return Ok(nav.as_ref().clone());
    }
    let ticket = cache.ticket();
    let nav = sqlx::query_as!(
        CategoryLink,
        "SELECT name, path FROM categories WHERE parent_id IS NULL ORDER BY position, name"
    )
    .fetch_all(&catalog.pool)
    .await
    .map_err(unavailable)?;
    cache.put_nav(ticket, std::sync::Arc::new(nav.clone()));
    Ok(nav)
}

/// The home page's data (cached).
#[tracing::instrument(skip_all)]
pub async fn home_page(catalog: &Catalog) -> Result<HomePage, CatalogError> {
    let cache = &catalog.cache;
    if let Some(hit) = cache.home() {
        return Ok(hit.as_ref().clone());
    }
    let ticket = cache.ticket();
    let page = load_home(catalog).await?;
    cache.put_home(ticket, std::sync::Arc::new(page.clone()));
    Ok(page)
}

async fn load_home(catalog: &Catalog) -> Result<HomePage, CatalogError> {
    let pool = &catalog.pool;
    let categories = nav_categories(catalog).await?;
    let featured = sqlx::query_as!(
        CardRow,
        r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                  created_at AS "created_at!", brand, min_price AS "min_price!",
                  max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                  image_key, image_alt, image_width, image_height, image_widths
           FROM product_cards WHERE featured ORDER BY id LIMIT $1"#,
        HOME_GRID
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let newest = sqlx::query_as!(
        CardRow,
        r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                  created_at AS "created_at!", brand, min_price AS "min_price!",
                  max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                  image_key, image_alt, image_width, image_height, image_widths
           FROM product_cards ORDER BY created_at DESC, id DESC LIMIT $1"#,
        HOME_GRID
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    Ok(HomePage {
        categories,
        featured: featured.into_iter().map(CardRow::into_card).collect(),
        newest: newest.into_iter().map(CardRow::into_card).collect(),
        canonical: catalog.site.absolute("/"),
    })
}

/// Category paths are slugs joined by '/'; anything else cannot name a category.
fn valid_category_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 400
        && path
            .split('/')
            .all(|seg| crate::catalog::ids::Slug::parse(seg).is_ok())
}

/// The ancestors of a category path and the category itself, root first.
async fn breadcrumbs(pool: &PgPool, path: &str) -> Result<Vec<CategoryLink>, CatalogError> {
    sqlx::query_as!(
        CategoryLink,
        "SELECT name, path FROM categories WHERE $1 = path OR $1 LIKE path || '/%' ORDER BY length(path)",
        path
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)
}

/// One page of a category listing (its subcategories included), in keyset order (cached).
#[tracing::instrument(skip_all, fields(category.path = %path, listing.sort = ?sort))]
pub async fn category_page(
    catalog: &Catalog,
    path: &str,
    sort: ListingSort,
    after: Option<ListingCursor>,
) -> Result<CategoryPage, CatalogError> {
    let key = format!(
        "{path}\u{1f}{}\u{1f}{}",
        sort.param(),
        after
            .as_ref()
            .map(ListingCursor::encode)
            .unwrap_or_default()
    );
    let cache = &catalog.cache;
    if let Some(hit) = cache.listing(&key) {
        return Ok(hit.as_ref().clone());
    }
    let ticket = cache.ticket();
    let page = load_category_page(catalog, path, sort, after).await?;
    cache.put_listing(ticket, &key, std::sync::Arc::new(page.clone()));
    Ok(page)
}

async fn load_category_page(
    catalog: &Catalog,
    path: &str,
    sort: ListingSort,
    after: Option<ListingCursor>,
) -> Result<CategoryPage, CatalogError> {
    if !valid_category_path(path) {
        return Err(CatalogError::NotFound);
    }
    let pool = &catalog.pool;
    let crumbs = breadcrumbs(pool, path).await?;
    let Some(current) = crumbs.last().filter(|c| c.path == path).cloned() else {
        return Err(CatalogError::NotFound);
    };
    let children = sqlx::query_as!(
        CategoryLink,
        "SELECT c.name, c.path FROM categories c JOIN categories parent ON parent.id = c.parent_id
         WHERE parent.path = $1 ORDER BY c.position, c.name",
        path
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM product_cards WHERE category_path = $1 OR category_path LIKE $1 || '/%'"#,
        path
    )
    .fetch_one(pool)
    .await
    .map_err(unavailable)?;

    let limit = catalog.site.page_size + 1;
    let mut rows = listing_rows(pool, path, sort, after.as_ref(), limit).await?;
    let next = if rows.len() as i64 > catalog.site.page_size {
        rows.truncate(catalog.site.page_size as usize);
        rows.last().map(|r| cursor_of(r, sort).encode())
    } else {
        None
    };
    let canonical = catalog.site.absolute(&current.href());
    Ok(CategoryPage {
        name: current.name.clone(),
        path: current.path.clone(),
        description: String::new(),
        breadcrumbs: crumbs,
        children,
        products: rows.into_iter().map(CardRow::into_card).collect(),
        sort,
        next,
        is_first_page: after.is_none(),
        total,
        canonical,
    })
}

fn cursor_of(row: &CardRow, sort: ListingSort) -> ListingCursor {
    let key = match sort {
        ListingSort::PriceAsc | ListingSort::PriceDesc => row.min_price.to_string(),
        ListingSort::Name => row.name_key.clone(),
        ListingSort::Newest => row
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    };
    ListingCursor { key, id: row.id }
}

/// The keyset queries, one per sort order, each checked at compile time.
async fn listing_rows(
    pool: &PgPool,
    path: &str,
    sort: ListingSort,
    after: Option<&ListingCursor>,
    limit: i64,
) -> Result<Vec<CardRow>, CatalogError> {
    let bad_cursor = || CatalogError::InvalidInput("that page link is not valid".into());
    let after_id = after.map(|c| c.id);
    let rows = match sort {
        ListingSort::PriceAsc | ListingSort::PriceDesc => {
            let key = after
                .map(|c| c.key.parse::<i64>())
                .transpose()
                .map_err(|_| bad_cursor())?;
            if sort == ListingSort::PriceAsc {
                sqlx::query_as!(
                    CardRow,
                    r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                              created_at AS "created_at!", brand, min_price AS "min_price!",
                              max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                              image_key, image_alt, image_width, image_height, image_widths
                       FROM product_cards
                       WHERE (category_path = $1 OR category_path LIKE $1 || '/%')
                         AND ($2::bigint IS NULL OR (min_price, id) > ($2, $3))
                       ORDER BY min_price, id LIMIT $4"#,
                    path, key, after_id, limit
                )
                .fetch_all(pool)
                .await
            } else {
                sqlx::query_as!(
                    CardRow,
                    r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                              created_at AS "created_at!", brand, min_price AS "min_price!",
                              max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                              image_key, image_alt, image_width, image_height, image_widths
                       FROM product_cards
                       WHERE (category_path = $1 OR category_path LIKE $1 || '/%')
                         AND ($2::bigint IS NULL OR (min_price, id) < ($2, $3))
                       ORDER BY min_price DESC, id DESC LIMIT $4"#,
                    path, key, after_id, limit
                )
                .fetch_all(pool)
                .await
            }
        }
        ListingSort::Name => {
            let key = after.map(|c| c.key.clone());
            sqlx::query_as!(
                CardRow,
                r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                          created_at AS "created_at!", brand, min_price AS "min_price!",
                          max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                          image_key, image_alt, image_width, image_height, image_widths
                   FROM product_cards
                   WHERE (category_path = $1 OR category_path LIKE $1 || '/%')
                     AND ($2::text IS NULL OR (name_key, id) > ($2, $3))
                   ORDER BY name_key, id LIMIT $4"#,
                path, key, after_id, limit
            )
            .fetch_all(pool)
            .await
        }
        ListingSort::Newest => {
            let key = after
                .map(|c| DateTime::parse_from_rfc3339(&c.key).map(|t| t.with_timezone(&Utc)))
                .transpose()
                .map_err(|_| bad_cursor())?;
            sqlx::query_as!(
                CardRow,
                r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", name_key AS "name_key!",
                          created_at AS "created_at!", brand, min_price AS "min_price!",
                          max_price AS "max_price!", currency AS "currency!", in_stock AS "in_stock!",
                          image_key, image_alt, image_width, image_height, image_widths
                   FROM product_cards
                   WHERE (category_path = $1 OR category_path LIKE $1 || '/%')
                     AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
                   ORDER BY created_at DESC, id DESC LIMIT $4"#,
                path, key, after_id, limit
            )
            .fetch_all(pool)
            .await
        }
    };
    rows.map_err(unavailable)
}

/// An active product by slug, with variants, images and attributes (cached).
#[tracing::instrument(skip_all, fields(product.slug = %slug))]
pub async fn product_detail(catalog: &Catalog, slug: &str) -> Result<ProductDetail, CatalogError> {
    if crate::catalog::ids::Slug::parse(slug).is_err() {
        return Err(CatalogError::NotFound);
    }
    let cache = &catalog.cache;
    if let Some(hit) = cache.product(slug) {
        return Ok(hit.as_ref().clone());
    }
    let ticket = cache.ticket();
    let product = load_product(catalog, slug).await?;
    cache.put_product(ticket, slug, std::sync::Arc::new(product.clone()));
    Ok(product)
}

async fn load_product(catalog: &Catalog, slug: &str) -> Result<ProductDetail, CatalogError> {
    let pool = &catalog.pool;
    let Some(p) = sqlx::query!(
        r#"SELECT p.id, p.slug, p.title, p.description, p.seo_title, p.seo_description,
                  b.name AS "brand?", c.path AS "category_path?"
           FROM products p
           LEFT JOIN brands b ON b.id = p.brand_id
           LEFT JOIN categories c ON c.id = p.category_id
           WHERE p.slug = $1 AND p.status = 'active'"#,
        slug
    )
    .fetch_optional(pool)
    .await
    .map_err(unavailable)?
    else {
        return Err(CatalogError::NotFound);
    };

    let crumbs = match &p.category_path {
        Some(path) => breadcrumbs(pool, path).await?,
        None => Vec::new(),
    };
    let option_names = sqlx::query_scalar!(
        "SELECT name FROM product_options WHERE product_id = $1 ORDER BY position",
        p.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let variants = sqlx::query!(
        "SELECT sku, price_minor, currency, stock_on_hand, option_values
         FROM variants WHERE product_id = $1 ORDER BY position, id",
        p.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?
    .into_iter()
    .map(|v| VariantDetail {
        sku: v.sku,
        price: money(v.price_minor, &v.currency),
        availability: Availability::from_stock(v.stock_on_hand),
        options: v.option_values,
    })
    .collect::<Vec<_>>();
    if variants.is_empty() {
        return Err(CatalogError::NotFound);
    }
    let images = sqlx::query_as!(
        ImageRef,
        r#"SELECT content_key AS key, alt, width, height, widths
           FROM product_images WHERE product_id = $1 ORDER BY position"#,
        p.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;
    let attributes = sqlx::query_as!(
        AttributeValue,
        r#"SELECT a.name,
                  string_agg(coalesce(pa.value_text, pa.value_number::text,
                                      CASE WHEN pa.value_boolean THEN 'Yes' ELSE 'No' END),
                             ', ' ORDER BY pa.position) AS "value!"
           FROM product_attributes pa JOIN attributes a ON a.id = pa.attribute_id
           WHERE pa.product_id = $1 GROUP BY a.id, a.name ORDER BY a.name"#,
        p.id
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)?;

    let mut product = ProductDetail {
        id: p.id,
        canonical: catalog.site.absolute(&format!("/p/{}", p.slug)),
        public_url: catalog.site.public_url.clone(),
        slug: p.slug,
        title: p.title,
        description: p.description,
        seo_title: p.seo_title,
        seo_description: p.seo_description,
        brand: p.brand,
        breadcrumbs: crumbs,
        option_names,
        variants,
        images,
        attributes,
        json_ld: String::new(),
    };
    product.json_ld = crate::catalog::jsonld::product_json_ld(&product);
    Ok(product)
}

/// A URL for the sitemap and when its content last changed.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub path: String,
    pub updated_at: DateTime<Utc>,
}

/// Every active product and every category that has one, for `/sitemap.xml`.
#[tracing::instrument(skip_all)]
pub async fn sitemap_entries(pool: &PgPool) -> Result<Vec<SitemapEntry>, CatalogError> {
    sqlx::query_as!(
        SitemapEntry,
        r#"SELECT '/c/' || c.path AS "path!", c.updated_at AS "updated_at!" FROM categories c
           WHERE EXISTS (SELECT 1 FROM product_cards pc
                         WHERE pc.category_path = c.path OR pc.category_path LIKE c.path || '/%')
           UNION ALL
           SELECT '/p/' || slug, updated_at FROM product_cards
           ORDER BY 1"#
    )
    .fetch_all(pool)
    .await
    .map_err(unavailable)
}

#[cfg(test)]
mod tests {
    #[test]
    fn category_paths() {
        assert!(super::valid_category_path("electronics/computers"));
        for bad in ["", "/", "a//b", "a/", "A/b", "a/b%", "a/_"] {
            assert!(!super::valid_category_path(bad), "{bad}");
        }
    }
}

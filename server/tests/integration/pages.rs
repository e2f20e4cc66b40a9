//! What shoppers and crawlers get from the storefront's pages.

use crate::helpers::{hrefs, media_dir, seeded_database, spawn_app_with, spawn_shop};

#[tokio::test]
async fn home_lists_categories_and_featured_products() {
    let app = spawn_shop().await;
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Mercato · electronics, home and outdoor gear</title>"));
    assert!(html.contains(r#"<meta name="description""#));
    assert!(
        html.contains(&format!(r#"<link href="{}/" rel="canonical">"#, app.base)),
        "canonical"
    );
    for c in [
        "/c/electronics",
        "/c/sports-and-outdoor",
        "/c/home-and-garden",
    ] {
        assert!(hrefs(&html).iter().any(|h| h == c), "{c}");
    }
    // One featured product per leaf category of the sample.
    let featured = html
        .split(r#"id="featured""#)
        .nth(1)
        .unwrap_or("")
        .split(r#"id="newest""#)
        .next()
        .unwrap_or("");
    assert_eq!(featured.matches(r#"data-test="product-card""#).count(), 6);
    assert!(
        html.contains("srcset=\"/media/products/"),
        "responsive images"
    );
}

#[tokio::test]
async fn category_sorts_and_paginates_by_keyset() {
    let app = spawn_app_with(&seeded_database().await, 4).await;
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM product_cards WHERE category_path LIKE 'electronics%' ORDER BY min_price, id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(expected.len() > 8, "enough products to page through");

    let mut seen = Vec::new();
    let mut next = Some("/c/electronics?sort=price-asc".to_owned());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let (status, html) = app.page(&path).await;
        assert_eq!(status, 200, "{path}");
        let products: Vec<String> = hrefs(&html)
            .into_iter()
            .filter_map(|h| h.strip_prefix("/p/").map(str::to_owned))
            .collect();
        assert!(products.len() <= 4);
        seen.extend(products);
        next = hrefs(&html).into_iter().find(|h| h.contains("after="));
        pages += 1;
        assert!(pages < 20, "pagination must end");
    }
    assert_eq!(seen, expected, "every product once, cheapest first");

    // Name order and newest order hold every product too.
    for sort in ["name", "newest", "price-desc"] {
        let (status, html) = app
            .page(&format!("/c/electronics/computers?sort={sort}"))
            .await;
        assert_eq!(status, 200);
        assert!(
            html.contains(r#"aria-current="true""#),
            "{sort} marked as current"
        );
    }
}

#[tokio::test]
async fn category_rejects_bad_parameters_clearly() {
    let app = spawn_shop().await;
    let (status, html) = app.page("/c/electronics?sort=drop-table").await;
    assert_eq!(status, 400);
    assert!(html.contains("unknown sort order"));
    let (status, html) = app.page("/c/electronics?after=garbage").await;
    assert_eq!(status, 400);
    assert!(html.contains("that page link is not valid"));
    let (status, _) = app
        .page("/c/electronics?sort=price-asc&after=5~not-a-price")
        .await;
    assert_eq!(status, 400);
    for missing in [
        "/c/no-such-category",
        "/c/electronics/%2e%2e",
        "/c/UPPER",
        "/c/a//b",
    ] {
        let (status, html) = app.page(missing).await;
        assert_eq!(status, 404, "{missing}");
        assert!(html.contains("Page not found"), "{missing}");
    }
}

#[tokio::test]
async fn product_page_has_variants_seo_and_structured_data() {
    let app = spawn_shop().await;
    let (status, html) = app.page("/p/laptop").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Laptop · Mercato</title>"));
    assert!(html.contains(&format!(
        r#"<link href="{}/p/laptop" rel="canonical">"#,
        app.base
    )));
    assert!(html.contains(r#"data-test="price""#) && html.contains("$1,299.00"));
    assert!(
        html.contains(r#"href="/p/laptop?variant=L2201508""#),
        "15 inch keeps 8GB"
    );
    // Breadcrumbs: Home / Electronics / Computers / Laptop
    assert!(
        html.contains(r#"aria-label="Breadcrumb""#)
            && html.contains(r#"href="/c/electronics/computers""#)
    );

    let json = html
        .split(r#"<script type="application/ld+json""#)
        .nth(1)
        .unwrap()
        .split('>')
        .skip(1)
        .collect::<Vec<_>>()
        .join(">");
    let json = json.split("</script>").next().unwrap();
    let ld: serde_json::Value = serde_json::from_str(json).expect("valid JSON-LD");
    assert_eq!(ld["@type"], "Product");
    assert_eq!(ld["brand"]["name"], "Apple");
    assert_eq!(ld["offers"].as_array().unwrap().len(), 4);
    assert_eq!(ld["offers"][0]["price"], "1299.00");
    assert_eq!(ld["offers"][0]["priceCurrency"], "USD");

    // The variant in the URL picks price and SKU on the server too (JavaScript off).
    let (_, html) = app.page("/p/laptop?variant=L2201516").await;
    assert!(html.contains("$2,299.00") && html.contains(">L2201516<"));
}

#[tokio::test]
async fn unknown_and_archived_products_are_404() {
    let app = spawn_shop().await;
    for path in ["/p/no-such-thing", "/p/Bad%20Slug", "/nowhere/at/all"] {
        let (status, html) = app.page(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Page not found"));
    }
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = 'tablet'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.page("/p/tablet").await.0, 404);
    let (_, listing) = app.page("/c/electronics/computers").await;
    assert!(!listing.contains("/p/tablet"));
    let (_, sitemap) = app.page("/sitemap.xml").await;
    assert!(!sitemap.contains("/p/tablet<"));
}

#[tokio::test]
async fn sitemap_and_robots() {
    let app = spawn_shop().await;
    let resp = app.get("/sitemap.xml").await;
    assert_eq!(resp.status, 200);
    assert!(resp.header("content-type").starts_with("application/xml"));
    let xml = resp.text();
    let active: i64 = sqlx::query_scalar("SELECT count(*) FROM products WHERE status = 'active'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(xml.matches("/p/").count() as i64, active);
    for c in [
        "/c/electronics<",
        "/c/electronics/computers<",
        "/c/home-and-garden/plants<",
    ] {
        assert!(xml.contains(c), "{c}");
    }
    let robots = app.page("/robots.txt").await.1;
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.base)));
}

#[tokio::test]
async fn health_and_media_caching() {
    let app = spawn_shop().await;
    assert_eq!(app.page("/healthz").await, (200, "ok".into()));
    // Not ready until the search index is open.
    assert_eq!(
        app.page("/readyz").await,
        (503, "search index not ready".into())
    );
    app.start_search().await;
    assert_eq!(app.page("/readyz").await, (200, "ready".into()));
    let (_, html) = app.page("/p/laptop").await;
    let image = html
        .split("src=\"/media/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let resp = app.get(&format!("/media/{image}")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(resp.header("content-type"), "image/webp");
    assert_eq!(&resp.body[8..12], b"WEBP");
    assert_eq!(
        app.get("/media/products/../../etc/passwd").await.status,
        404
    );

    // The same photo in AVIF: its WebP (to be asked again) until the width is made.
    let avif = html
        .split("<source type=\"image/avif\" srcset=\"/media/")
        .nth(1)
        .expect("an AVIF source beside the WebP")
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    let name = avif
        .strip_prefix("products/")
        .unwrap()
        .strip_suffix(".avif")
        .unwrap();
    let (key, width) = name.rsplit_once('-').unwrap();
    let store = server::import::images::ImageStore::new(&media_dir());
    let _ = std::fs::remove_file(store.avif_path(key, width.parse().unwrap()));
    let resp = app.get(&format!("/media/{avif}")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("cache-control"), "no-cache");
    assert_eq!(&resp.body[8..12], b"WEBP");
    let pending = app::media::avif::Pending {
        key: key.to_owned(),
        widths: vec![width.parse().unwrap()],
    };
    assert_eq!(store.make_avif(&pending).unwrap(), 1);
    let resp = app.get(&format!("/media/{avif}")).await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(resp.header("content-type"), "image/avif");
    assert_eq!(&resp.body[4..12], b"ftypavif");
    for hostile in [
        "/media/products/../../etc/passwd.avif",
        "/media/products/%2e%2e/%2e%2e/etc/passwd.avif",
        "/media/products/0000000000000000-320.avif",
    ] {
        assert_eq!(app.get(hostile).await.status, 404, "{hostile}");
    }
}

/// Every scoped class in server-rendered HTML is defined in the served scoped stylesheet,
/// so SSR markup and generated CSS agree (the browser build is checked in Playwright).
#[tokio::test]
async fn scoped_classes_in_pages_exist_in_the_stylesheet() {
    let app = spawn_shop().await;
    let (_, home) = app.page("/").await;
    let css_href = hrefs(&home)
        .into_iter()
        .find(|h| h.starts_with("/styles/scoped-"))
        .expect("scoped css link");
    let resp = app.get(&css_href).await;
    assert_eq!(
        resp.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(resp.header("content-type"), "text/css; charset=utf-8");
    let css = resp.text();
    let mut classes = std::collections::BTreeSet::new();
    for path in ["/", "/c/electronics", "/p/laptop"] {
        let (_, html) = app.page(path).await;
        for attr in html.split("class=\"").skip(1) {
            let value = attr.split('"').next().unwrap_or("");
            classes.extend(
                value
                    .split_whitespace()
                    .filter(|c| c.starts_with("l-"))
                    .map(str::to_owned),
            );
        }
    }
    assert!(classes.len() >= 5, "{classes:?}");
    for class in classes {
        assert!(css.contains(&format!(".{class}")), "{class} has no CSS");
    }
}

/// The text of the attribute `name` in the first element carrying `marker`, as a browser
/// reads it (entities decoded).
fn attribute_after(html: &str, marker: &str, name: &str) -> String {
    let element = html
        .split(marker)
        .nth(1)
        .expect("the marker is in the page");
    let element = element.split('>').next().unwrap();
    let value = element
        .split(&format!(r#"{name}=""#))
        .nth(1)
        .expect("the attribute is on the element")
        .split('"')
        .next()
        .unwrap();
    assert!(!value.contains('<'), "a raw < in an attribute: {value}");
    value
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn an_islands_props_travel_escaped_in_the_page_and_read_back_whole() {
    let app = spawn_shop().await;
    let hostile = r#"15" <script>alert(4)</script> &amp; 'x' </div>"#;
    sqlx::query(
        "UPDATE product_options SET name = $1
          WHERE position = 0 AND product_id = (SELECT id FROM products WHERE slug = 'laptop')",
    )
    .bind(hostile)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE variants SET option_values[1] = $1 WHERE sku = 'L2201508'")
        .bind(hostile)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, html) = app.page("/p/laptop?variant=L2201508").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert(4)"), "markup is escaped");
    // The buy box's props: one element, before its island, outside it.
    assert_eq!(html.matches(r#"data-island-props="buy-box""#).count(), 1);
    let holder = html.find(r#"data-island-props="buy-box""#).unwrap();
    let island = html.find(r#"data-component="BuyBoxIsland_"#).unwrap();
    assert!(holder < island, "the props come before the island");
    let json = attribute_after(&html, r#"data-island-props="buy-box""#, "data-json");
    let props: serde_json::Value = serde_json::from_str(&json).expect("the props are JSON");
    assert_eq!(props["choice"]["option_names"][0], hostile);
    assert_eq!(props["initial"], "L2201508");
    assert!(props["max_quantity"].as_i64().unwrap() > 0);
    let chosen = props["choice"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["sku"] == "L2201508")
        .expect("the variant is in the props");
    assert_eq!(chosen["options"][0], hostile);
    assert!(chosen["price"]["minor"].as_i64().unwrap() > 0);
    assert_eq!(chosen["price"]["currency"], "USD");
    // The header's islands start from theirs: the search box from the page's query.
    let (_, html) = app.page("/search?q=%22%3E%3Cb%3Ebold").await;
    let json = attribute_after(&html, r#"data-island-props="search-box""#, "data-json");
    let props: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(props["initial_q"], "\"><b>bold");
    let json = attribute_after(&html, r#"data-island-props="cart-count""#, "data-json");
    assert_eq!(json, r#"{"initial":0}"#);
}

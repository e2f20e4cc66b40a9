//! The catalog in the admin: editing a product (the storefront and search follow), its
//! revisions compared and rolled back, a form drawn before someone else's save refused,
//! the product list's filters and pages, and hostile input that changes nothing.

use crate::admin::admin;
use crate::helpers::{Browser, Response, TestApp, spawn_shop};

use serde_json::Value;
use std::time::Duration;

async fn product_id(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM products WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn edit_page(b: &Browser, id: i64) -> Value {
    let r = b.get(&format!("/api/admin/product?id={id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// The edit form's fields for `p` (as `edit_page` gave it), with `changes` applied.
fn form_of(p: &Value, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let d = &p["draft"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let mut f: Vec<(String, String)> = vec![
        (
            "id".into(),
            p["id"].as_i64().map(|i| i.to_string()).unwrap_or_default(),
        ),
        ("version".into(), p["version"].to_string()),
        ("currency".into(), text(&p["currency"])),
        ("title".into(), text(&d["title"])),
        ("slug".into(), text(&d["slug"])),
        ("description".into(), text(&d["description"])),
        ("status".into(), text(&d["status"])),
        (
            "brand".into(),
            d["brand_id"]
                .as_i64()
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        (
            "category".into(),
            d["category_id"]
                .as_i64()
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        ("seo_title".into(), text(&d["seo_title"])),
        ("seo_description".into(), text(&d["seo_description"])),
        (
            "options".into(),
            d["option_names"]
                .as_array()
                .unwrap()
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    if d["featured"] == true {
        f.push(("featured".into(), "true".into()));
    }
    for v in d["variants"].as_array().unwrap() {
        f.push(("variant_id[]".into(), v["id"].to_string()));
        f.push(("sku[]".into(), text(&v["sku"])));
        f.push((
            "price[]".into(),
            format!(
                "{}.{:02}",
                v["price"]["minor"].as_i64().unwrap() / 100,
                v["price"]["minor"].as_i64().unwrap() % 100
            ),
        ));
        f.push((
            "values[]".into(),
            v["options"]
                .as_array()
                .unwrap()
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v.to_string(),
            None => f.push((k.to_string(), v.to_string())),
        }
    }
    f
}

async fn save(b: &Browser, fields: &[(String, String)]) -> Response {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.call("/api/admin/products/save", &fields).await
}

/// Waits for the storefront's page of `slug` to contain `text` (the cache follows the
/// database's notifications).
async fn storefront_shows(app: &TestApp, slug: &str, text: &str) -> String {
    for _ in 0..100 {
        let (status, html) = app.page(&format!("/p/{slug}")).await;
        if status == 200 && html.contains(text) {
            return html;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("/p/{slug} never showed {text:?}");
}

/// Waits for search to find `query` among titles.
async fn search_finds(app: &TestApp, query: &str, title: &str) {
    for _ in 0..200 {
        let r = app
            .get(&format!("/api/v1/search?q={}", query.replace(' ', "+")))
            .await;
        if r.json()["products"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["title"] == title))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("search for {query:?} never found {title:?}");
}

#[tokio::test]
async fn an_edit_reaches_the_storefront_and_search_and_a_rollback_brings_it_back() {
    let app = spawn_shop().await;
    app.start_cache().await;
    app.start_search().await;
    let boss = admin(&app, "boss@example.com").await;
    let id = product_id(&app, "laptop").await;
    let page = edit_page(&boss, id).await;
    let old_title = page["draft"]["title"].as_str().unwrap().to_owned();
    storefront_shows(&app, "laptop", &old_title).await;
    let first_price = page["draft"]["variants"][0]["price"]["minor"]
        .as_i64()
        .unwrap();

    let r = save(
        &boss,
        &form_of(
            &page,
            &[
                ("title", "Featherweight Notebook"),
                ("seo_title", "Featherweight Notebook, 1 kg"),
                ("seo_description", "A laptop you forget you carry."),
            ],
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let html = storefront_shows(&app, "laptop", "Featherweight Notebook").await;
    assert!(
        html.contains("<title>Featherweight Notebook, 1 kg · Mercato</title>"),
        "SEO title"
    );
    assert!(
        html.contains("A laptop you forget you carry."),
        "SEO description"
    );
    search_finds(&app, "featherweight", "Featherweight Notebook").await;

    // The same form again (version now stale): refused, nothing changes.
    let r = save(&boss, &form_of(&page, &[("title", "Stale")])).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("reload"), "{}", r.text());

    // Revisions: the product before its first edit, and the edit.
    let page = edit_page(&boss, id).await;
    let revisions = page["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    assert_eq!(revisions[0]["revision"], 2);
    assert!(
        revisions[0]["actor"]
            .as_str()
            .unwrap()
            .ends_with("boss@example.com")
    );
    let r = boss
        .get(&format!("/api/admin/product/compare?id={id}&from=1&to=2"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let changes = r.json()["changes"].as_array().unwrap().clone();
    let fields: Vec<&str> = changes
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["Title", "SEO title", "SEO description"],
        "{changes:?}"
    );
    assert_eq!(changes[0]["before"], old_title.as_str());
    assert_eq!(changes[0]["after"], "Featherweight Notebook");

    // A price change, then roll back to before both edits.
    let r = save(&boss, &form_of(&page, &[("price[]", "1.00")])).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = edit_page(&boss, id).await;
    assert_eq!(page["draft"]["variants"][0]["price"]["minor"], 100);
    let r = boss
        .call(
            "/api/admin/products/rollback",
            &[
                ("id", &id.to_string()),
                ("revision", "1"),
                ("version", &page["version"].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let page = edit_page(&boss, id).await;
    assert_eq!(page["draft"]["title"], old_title.as_str());
    assert_eq!(page["draft"]["variants"][0]["price"]["minor"], first_price);
    assert_eq!(page["revisions"][0]["note"], "rollback to revision 1");
    let html = storefront_shows(&app, "laptop", &old_title).await;
    assert!(!html.contains("Featherweight"));
    search_finds(&app, "laptop", &old_title).await;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'product' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        ["product.update", "product.update", "product.rollback"]
    );
}

#[tokio::test]
async fn a_new_product_is_created_as_written_and_bad_input_changes_nothing() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let boss = admin(&app, "boss@example.com").await;
    let blank = edit_page(&boss, 0).await;
    assert_eq!(blank["id"], Value::Null);
    let hostile = "<script>alert(1)</script> Lamp";
    let new = form_of(
        &blank,
        &[
            ("title", hostile),
            ("slug", "hostile-lamp"),
            ("status", "active"),
            ("seo_title", "</title><script>alert(2)</script>"),
            ("options", "Colour"),
            ("variant_id[]", ""),
            ("sku[]", "LAMP-1"),
            ("price[]", "25.00"),
            ("values[]", "Red"),
        ],
    );
    let r = save(&boss, &new).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().expect("the new product's id");
    let (title, status): (String, String) =
        sqlx::query_as("SELECT title, status::text FROM products WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((title.as_str(), status.as_str()), (hostile, "active"));
    let html = storefront_shows(&app, "hostile-lamp", "Lamp").await;
    assert!(!html.contains("<script>alert(1)") && !html.contains("<script>alert(2)"));
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt; · Mercato</title>"));
    let list = boss.get("/admin/products?q=lamp").await.text();
    assert!(list.contains("&lt;script&gt;alert(1)&lt;/script&gt; Lamp"));
    assert!(!list.contains("<script>alert(1)"));

    let snapshot = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT concat_ws('|', (SELECT string_agg(concat_ws(',', id, title, version, status), ';' ORDER BY id) FROM products),
                    (SELECT string_agg(concat_ws(',', id, sku, price_minor), ';' ORDER BY id) FROM variants),
                    (SELECT count(*) FROM product_revisions), (SELECT count(*) FROM audit_log))",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let laptop = edit_page(&boss, product_id(&app, "laptop").await).await;
    let lamp = edit_page(&boss, id).await;
    let other_variant = laptop["draft"]["variants"][0]["id"].to_string();
    let before = snapshot().await;
    let long = "x".repeat(301);
    for (changes, status, why) in [
        (vec![("title", "")], 400, "no title"),
        (vec![("title", long.as_str())], 400, "a title too long"),
        (vec![("slug", "Not A Slug!")], 400, "a bad slug"),
        (vec![("slug", "laptop")], 400, "another product's slug"),
        (vec![("sku[]", "L2201308")], 400, "another product's SKU"),
        (vec![("price[]", "cheap")], 400, "not a price"),
        (vec![("price[]", "-1.00")], 400, "a negative price"),
        (vec![("values[]", "")], 400, "an option without a value"),
        (vec![("status", "deleted")], 400, "no such status"),
        (vec![("category", "999999")], 400, "no such category"),
        (vec![("brand", "1 OR 1=1")], 400, "not a brand"),
        (
            vec![("variant_id[]", other_variant.as_str())],
            400,
            "another product's variant",
        ),
        (
            vec![("seo_title", long.as_str())],
            400,
            "an SEO title too long",
        ),
        (vec![("id", "999999")], 404, "no such product"),
    ] {
        let r = save(&boss, &form_of(&lamp, &changes)).await;
        assert_eq!(r.status, status, "{why}: {}", r.text());
        assert_eq!(snapshot().await, before, "{why} changed something");
    }

    // A variant that has been ordered is not removed.
    sqlx::query(
        "INSERT INTO orders (number, idempotency_key, email, currency, subtotal_minor, total_minor,
                             shipping_address, region, holder)
         VALUES ('M-LAMPORDER1', 'lamp-order-key-0001', 'a@example.com', 'USD', 2500, 2500, '{}', 'DEFAULT', 'order:M-LAMPORDER1')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO order_lines (order_id, position, variant_id, sku, title, quantity, unit_price_minor)
         SELECT o.id, 0, v.id, v.sku, 'Lamp', 1, 2500 FROM orders o, variants v
          WHERE o.number = 'M-LAMPORDER1' AND v.sku = 'LAMP-1'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let before = snapshot().await;
    let lamp_variant = lamp["draft"]["variants"][0]["id"].to_string();
    let mut removing = form_of(&lamp, &[]);
    for (k, v) in [
        ("variant_id[]", ""),
        ("sku[]", "LAMP-2"),
        ("price[]", "30.00"),
        ("values[]", "Blue"),
        ("remove[]", lamp_variant.as_str()),
    ] {
        removing.push((k.into(), v.into()));
    }
    let r = save(&boss, &removing).await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert!(r.text().contains("archive"), "{}", r.text());
    assert_eq!(snapshot().await, before);
}

#[tokio::test]
async fn the_product_list_filters_searches_and_pages_without_gaps() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let list = |q: &str| {
        let b = boss.clone();
        let q = q.to_owned();
        async move {
            let r = b.get(&format!("/api/admin/products?{q}")).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text());
            r.json()
        }
    };
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM products")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(total > 50, "the seed has more than a page");
    let first = list("").await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    assert_eq!(first["count"]["Exactly"], total);
    let next = first["next"].as_str().unwrap();
    let second = list(&format!("after={next}")).await;
    let mut seen: Vec<i64> = first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["rows"].as_array().unwrap())
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen.len() as i64,
        total,
        "every product once over the pages"
    );

    for sort in ["title", "newest"] {
        let a = list(&format!("sort={sort}")).await;
        let b = list(&format!(
            "sort={sort}&after={}",
            a["next"].as_str().unwrap()
        ))
        .await;
        let n = a["rows"].as_array().unwrap().len() + b["rows"].as_array().unwrap().len();
        assert_eq!(n as i64, total, "{sort}");
    }
    let titles: Vec<String> = list("sort=title").await["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);

    let by_sku = list("q=L2201308").await;
    assert_eq!(by_sku["rows"][0]["slug"], "laptop");
    let by_title = list("q=LAPT").await;
    assert!(
        by_title["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["slug"] == "laptop")
    );
    assert_eq!(
        by_sku["count"]["Exactly"], 1,
        "an exact SKU is that product alone"
    );
    // Each filter lists what the database holds: a category with its subcategories, a
    // brand, a stock level, and a title search within a status.
    let count_of = |sql: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let (root, root_id): (String, i64) = sqlx::query_as(
        "SELECT c.path, c.id FROM categories c
          WHERE c.parent_id IS NULL AND EXISTS (SELECT 1 FROM categories d WHERE d.parent_id = c.id)
          ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let in_tree: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM products p JOIN categories c ON c.id = p.category_id
          WHERE c.path = $1 OR c.path LIKE $1 || '/%'",
    )
    .bind(&root)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let tree = list(&format!("category={root_id}")).await;
    assert_eq!(tree["count"]["Exactly"], in_tree, "{root} and below");
    assert!(
        tree["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["category"].as_str().unwrap().starts_with(&root))
    );
    let brand_id = count_of("SELECT brand_id FROM products WHERE slug = 'laptop'").await;
    let of_brand = count_of(
        "SELECT count(*) FROM products WHERE brand_id = (SELECT brand_id FROM products WHERE slug = 'laptop')",
    )
    .await;
    assert_eq!(
        list(&format!("brand={brand_id}")).await["count"]["Exactly"],
        of_brand
    );
    let out = count_of(
        "SELECT count(*) FROM products p WHERE (SELECT coalesce(sum(l.on_hand - l.reserved - l.sold), 0)
           FROM variants v JOIN stock_levels l ON l.variant_id = v.id WHERE v.product_id = p.id) <= 0",
    )
    .await;
    assert_eq!(list("stock=out").await["count"]["Exactly"], out);
    let active_laptops = count_of(
        "SELECT count(*) FROM products WHERE status = 'active' AND lower(title) ~ '(^|[^[:alnum:]])lap'",
    )
    .await;
    assert!(active_laptops > 0);
    assert_eq!(
        list("q=Lap&status=active").await["count"]["Exactly"],
        active_laptops
    );
    sqlx::query("UPDATE products SET status = 'archived' WHERE slug = 'laptop'")
        .execute(&app.pool)
        .await
        .unwrap();
    let archived = list("status=archived").await;
    assert_eq!(archived["count"]["Exactly"], 1);
    assert_eq!(archived["rows"][0]["slug"], "laptop");
    // The same filter as CSV, one line per variant, and the export is recorded.
    let csv = boss.get("/api/admin/products.csv?status=archived").await;
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(csv.header("content-disposition").contains("products.csv"));
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("product_id,slug,title,status"));
    let variants: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'archived'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(lines.len() as i64, 1 + variants);
    assert!(lines.iter().skip(1).all(|l| l.contains(",laptop,")));
    let exports: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'products.export'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(exports, 1);
    let none = list("q=%25%25_").await;
    assert_eq!(
        none["rows"].as_array().unwrap().len(),
        0,
        "a search of punctuation alone finds nothing"
    );
    for bad in [
        "status=gone",
        "sort=price",
        "after=abc",
        "category=x",
        "stock=lots",
    ] {
        let r = boss.get(&format!("/api/admin/products?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
    }
}

#[tokio::test]
async fn a_title_search_finds_word_starts_in_any_order_over_pages_whichever_way_it_reads() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    // 60 matches (more than a page: found along the list), 3 more with the words the other
    // way round and older than everything (found past the first page), and near misses.
    sqlx::query(
        "INSERT INTO products (slug, title, description, status, updated_at)
         SELECT 'quokka-lamp-' || g, 'Quokka Walnut Lamp ' || g, '', 'active'::product_status, now() - make_interval(mins => g)
           FROM generate_series(1, 60) g
         UNION ALL
         SELECT 'lamp-for-quokka-' || g, 'Lamp, for a quokka-keeper #' || g, '', 'archived'::product_status, now() - make_interval(days => 400 + g)
           FROM generate_series(1, 3) g
         UNION ALL
         VALUES ('aquokka-lamp', 'Aquokka Lamp', '', 'active'::product_status, now()),
                ('quokka-lampshade', 'Quokka Lampshade', '', 'draft', now()),
                ('quokka-vase', 'Quokka Vase', '', 'active', now())",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let list = |q: String| {
        let b = boss.clone();
        async move {
            let r = b.get(&format!("/api/admin/products?{q}")).await;
            assert_eq!(r.status, 200, "{q}: {}", r.text());
            r.json()
        }
    };
    // Every page of a search, in the list's order.
    let all_pages = |q: &'static str| {
        let list = &list;
        async move {
            let mut slugs = Vec::new();
            let mut after = String::new();
            let mut first_count = Value::Null;
            loop {
                let page = list(format!("{q}&after={after}")).await;
                if first_count.is_null() {
                    first_count = page["count"].clone();
                }
                slugs.extend(
                    page["rows"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["slug"].as_str().unwrap().to_owned()),
                );
                match page["next"].as_str() {
                    Some(next) => after = next.to_owned(),
                    None => break,
                }
            }
            (slugs, first_count)
        }
    };
    // What the database says the search means: each word starts a word of the title.
    let expected = |order: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(&format!(
                "SELECT slug FROM products p
                  WHERE lower(title) ~ '(^|[^[:alnum:]])quok' AND lower(title) ~ '(^|[^[:alnum:]])lamp'
                  ORDER BY {order}"
            ))
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (found, count) = all_pages("q=lamp+QUOK").await;
    assert_eq!(
        found.len(),
        64,
        "60 + 3 the other way round + the lampshade"
    );
    assert_eq!(found, expected("p.updated_at DESC, p.id DESC").await);
    assert_eq!(count["Exactly"], 64);
    assert!(
        found.contains(&"lamp-for-quokka-3".to_owned()),
        "the oldest, on the last page"
    );
    assert!(
        !found.contains(&"aquokka-lamp".to_owned()),
        "a word's middle is no match"
    );
    assert!(!found.contains(&"quokka-vase".to_owned()));
    let (by_title, _) = all_pages("q=quok+lamp&sort=title").await;
    assert_eq!(by_title, expected("lower(p.title), p.id").await);
    let (newest, _) = all_pages("q=quok,+lamp&sort=newest").await;
    assert_eq!(newest, expected("p.id DESC").await);
    // Rare words (found through the index), with another filter.
    let (archived, count) = all_pages("q=keeper+quokka&status=archived").await;
    assert_eq!(
        archived,
        [
            "lamp-for-quokka-1",
            "lamp-for-quokka-2",
            "lamp-for-quokka-3"
        ]
    );
    assert_eq!(count["Exactly"], 3);
    // Markup is words like any other: nothing has them, and the page shows the search as text.
    let (none, _) = all_pages("q=%3Cscript%3Equokka").await;
    assert!(none.is_empty());
    let page = boss
        .get("/admin/products?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("alert(1)"), "the search is kept in its field");
    // Too many words is a clear refusal.
    let r = boss.get("/api/admin/products?q=a+b+c+d+e+f+g+h+i").await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("at most 8 words"), "{}", r.text());
}

#[tokio::test]
async fn a_bulk_change_is_one_operation_done_once_or_not_at_all() {
    let app = spawn_shop().await;
    app.start_cache().await;
    let boss = admin(&app, "boss@example.com").await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM products ORDER BY id LIMIT 3")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let prices = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT price_minor FROM variants WHERE product_id = ANY($1) ORDER BY id",
        )
        .bind(&ids)
        .fetch_all(&app.pool)
        .await
        .unwrap()
    };
    let before = prices().await;
    let key = crate::checkout::key();
    let id_fields: Vec<(String, String)> = ids
        .iter()
        .map(|i| ("ids[]".to_owned(), i.to_string()))
        .collect();
    let bulk = |extra: Vec<(&'static str, String)>| {
        let mut f = id_fields.clone();
        f.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        f
    };
    let send = |fields: Vec<(String, String)>| {
        let b = boss.clone();
        async move {
            let f: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            b.call("/api/admin/products/bulk", &f).await
        }
    };
    let cut = bulk(vec![
        ("action", "price".into()),
        ("percent", "-10".into()),
        ("key", key.clone()),
    ]);
    let r = send(cut.clone()).await;
    assert_eq!((r.status, r.json()), (200, serde_json::json!(3)));
    let after = prices().await;
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(*a, (b * 9_000 + 5_000).div_euclid(10_000), "{b} less 10%");
    }
    // The same form again: nothing more.
    let r = send(cut).await;
    assert_eq!((r.status, r.json()), (200, serde_json::json!(0)));
    assert_eq!(prices().await, after);
    let audit: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT action, after FROM audit_log WHERE entity = 'product'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1, "one entry for the operation: {audit:?}");
    assert_eq!(audit[0].0, "product.bulk");
    assert_eq!(audit[0].1["changed"], serde_json::json!(ids));
    let notes: Vec<String> = sqlx::query_scalar(
        "SELECT note FROM product_revisions WHERE revision > 1 ORDER BY product_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(notes, vec!["bulk: prices -10.00%".to_owned(); 3]);

    // One product that is not there: none changes.
    let mut with_missing = bulk(vec![
        ("action", "status".into()),
        ("status", "archived".into()),
        ("key", crate::checkout::key()),
    ]);
    with_missing.push(("ids[]".into(), "999999".into()));
    let r = send(with_missing).await;
    assert_eq!(r.status, 404, "{}", r.text());
    let archived: i64 =
        sqlx::query_scalar("SELECT count(*) FROM products WHERE status = 'archived'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(archived, 0);
    for (fields, why) in [
        (
            bulk(vec![
                ("action", "price".into()),
                ("percent", "ten".into()),
                ("key", crate::checkout::key()),
            ]),
            "not a percentage",
        ),
        (
            bulk(vec![
                ("action", "delete".into()),
                ("key", crate::checkout::key()),
            ]),
            "no such action",
        ),
        (
            bulk(vec![
                ("action", "status".into()),
                ("status", "archived".into()),
                ("key", "short".into()),
            ]),
            "no key",
        ),
        (
            vec![
                ("action".into(), "status".into()),
                ("status".into(), "archived".into()),
                ("key".into(), crate::checkout::key()),
            ],
            "no products",
        ),
        (
            (0..201)
                .map(|i| ("ids[]".to_owned(), i.to_string()))
                .chain([
                    ("action".to_owned(), "status".to_owned()),
                    ("status".to_owned(), "archived".to_owned()),
                    ("key".to_owned(), crate::checkout::key()),
                ])
                .collect(),
            "too many",
        ),
    ] {
        let r = send(fields).await;
        assert_eq!(r.status, 400, "{why}: {}", r.text());
    }

    // Archived in bulk: gone from the storefront.
    let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE id = $1")
        .bind(ids[0])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.page(&format!("/p/{slug}")).await.0, 200);
    let r = send(bulk(vec![
        ("action", "status".into()),
        ("status", "archived".into()),
        ("key", crate::checkout::key()),
    ]))
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for _ in 0..100 {
        if app.page(&format!("/p/{slug}")).await.0 == 404 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("an archived product is still in the shop");
}

#[tokio::test]
async fn attributes_are_edited_as_lines_checked_by_kind_kept_in_revisions_and_shown_escaped() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let id = product_id(&app, "laptop").await;
    sqlx::query("INSERT INTO attributes (code, name, kind) VALUES ('wattage', 'Wattage', 'number'), ('backlit', 'Backlit', 'boolean') ON CONFLICT DO NOTHING")
        .execute(&app.pool)
        .await
        .unwrap();
    let attributes = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT coalesce(string_agg(a.code || '=' || coalesce(pa.value_text, pa.value_number::text, pa.value_boolean::text), ',' ORDER BY a.code), '')
                   FROM product_attributes pa JOIN attributes a ON a.id = pa.attribute_id WHERE pa.product_id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = attributes(&app).await;
    // Wrong for their kind, twice named, or not name = value: refused, nothing written.
    for (text, needle) in [
        ("Wattage = forty", "not a number"),
        ("Backlit = maybe", "yes or no"),
        ("Finish = Matte\nfinish = Gloss", "twice"),
        ("Finish Matte", "name = value"),
    ] {
        let p = edit_page(&boss, id).await;
        let r = save(&boss, &form_of(&p, &[("attributes", text)])).await;
        assert_eq!(r.status, 400, "{text}: {}", r.text());
        assert!(r.text().contains(needle), "{text}: {}", r.text());
    }
    assert_eq!(attributes(&app).await, before);
    let p = edit_page(&boss, id).await;
    let hostile = "<img src=x onerror=alert(1)>";
    let r = save(
        &boss,
        &form_of(
            &p,
            &[(
                "attributes",
                &format!("Wattage = 45\nBacklit = yes\nFinish = {hostile}"),
            )],
        ),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        attributes(&app).await,
        format!("backlit=true,finish={hostile},wattage=45")
    );
    // A save that does not send attributes (an API client) leaves them as they are.
    let p = edit_page(&boss, id).await;
    let without: Vec<(String, String)> = form_of(&p, &[("description", "Lighter.")])
        .into_iter()
        .filter(|(k, _)| k != "attributes")
        .collect();
    assert_eq!(save(&boss, &without).await.status, 200);
    assert_eq!(
        attributes(&app).await,
        format!("backlit=true,finish={hostile},wattage=45")
    );
    // The shop shows them as text.
    let html = storefront_shows(&app, "laptop", "Wattage").await;
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "escaped"
    );
    assert!(!html.contains(hostile));
    // The revision compares them, and a rollback brings the old ones back.
    let p = edit_page(&boss, id).await;
    let revisions = p["revisions"].as_array().unwrap();
    let oldest = revisions.last().unwrap()["revision"].as_i64().unwrap();
    let newest = revisions.first().unwrap()["revision"].as_i64().unwrap();
    let compare = boss
        .get(&format!(
            "/api/admin/product/compare?id={id}&from={oldest}&to={newest}"
        ))
        .await;
    assert_eq!(compare.status, 200, "{}", compare.text());
    assert!(compare.text().contains("Attributes"), "{}", compare.text());
    let r = boss
        .call(
            "/api/admin/products/rollback",
            &[
                ("id", &id.to_string()),
                ("revision", &oldest.to_string()),
                ("version", &p["version"].to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(attributes(&app).await, before);
}

//! Search over the real catalog: relevance, filters, ranking boosts, the outbox path,
//! catch-up after a restart, several instances, rebuilds, and bad input, all through
//! the JSON API and pages over HTTP against real PostgreSQL and a real index on disk.

use crate::helpers::{TestApp, search_dir, spawn_shop};
use app::money::Currency;
use app::search::params::SearchParams;
use app::search::ssr::SearchService;
use serde_json::Value;
use std::time::{Duration, Instant};

async fn shop() -> TestApp {
    let app = spawn_shop().await;
    app.start_search().await;
    app
}

async fn api(app: &TestApp, query: &str) -> (u16, Value) {
    let resp = app.get(&format!("/api/v1/search?{query}")).await;
    let body = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    (resp.status, body)
}

async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let (status, body) = api(app, query).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Polls until `ok(titles)` holds, for at most `within`; returns how long it took.
async fn eventually(
    app: &TestApp,
    query: &str,
    within: Duration,
    ok: impl Fn(&[String]) -> bool,
) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < within {
        if ok(&titles(app, query).await) {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(&app.pool).await.expect(sql);
}

#[tokio::test]
async fn relevance_on_the_real_catalog() {
    let app = shop().await;

    // A misspelled product name finds it first, and the page offers the spelling.
    let (_, body) = api(&app, "q=lether+sofa").await;
    assert_eq!(body["products"][0]["title"], "Leather Sofa", "{body}");
    assert_eq!(body["did_you_mean"], "leather sofa");
    assert_eq!(titles(&app, "q=camra").await.len(), 8, "every camera");
    assert!(
        titles(&app, "q=camra")
            .await
            .iter()
            .all(|t| t.contains("Camera") || t == "Camera Lens")
    );

    // Exact matches rank above fuzzy ones: "tent" is a product; "test" is one typo away.
    assert_eq!(
        titles(&app, "q=tent").await.first().map(String::as_str),
        Some("Tent")
    );

    // A brand query ranks that brand first.
    let (_, body) = api(&app, "q=nike").await;
    let brands: Vec<&str> = body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["brand"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(&brands[..3], ["Nike", "Nike", "Nike"], "{body}");

    // Synonyms (stored in PostgreSQL): a couch is a sofa, trainers are sneakers.
    let couch = titles(&app, "q=couch").await;
    assert!(
        couch.contains(&"Leather Sofa".to_owned())
            && couch.contains(&"Grey Fabric Sofa".to_owned()),
        "{couch:?}"
    );
    assert!(
        titles(&app, "q=trainers")
            .await
            .contains(&"Allstar Sneakers".to_owned())
    );

    // Prefix matching on the last word; stop words are not required.
    assert!(
        titles(&app, "q=bonsa")
            .await
            .contains(&"Bonsai Tree".to_owned())
    );
    let running = titles(&app, "q=shoes+for+running").await;
    assert!(
        running[..4].iter().all(|t| t.contains("Running")),
        "{running:?}"
    );
    // Few products have both words: other shoes follow them, and the page says so.
    let (_, body) = api(&app, "q=shoes+for+running").await;
    assert_eq!(body["relaxed"], true, "{body}");

    // A SKU finds its product.
    assert_eq!(titles(&app, "q=L2201308").await, ["Laptop"]);
}

#[tokio::test]
async fn filters_exclude_what_they_should_and_facets_count_the_rest() {
    let app = shop().await;

    let (_, all) = api(&app, "q=shoe").await;
    let (_, adidas) = api(&app, "q=shoe&brand=adidas").await;
    assert_eq!(adidas["total"], 3);
    assert!(
        adidas["products"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["brand"] == "Adidas")
    );
    // The brand facet still offers the other brands (counted without its own filter).
    let brand_facet = adidas["facets"]["brands"].as_array().unwrap();
    let nike = brand_facet
        .iter()
        .find(|b| b["value"] == "nike")
        .expect("nike offered");
    assert_eq!(nike["selected"], false);
    assert!(nike["count"].as_u64().unwrap() >= 2);
    assert!(
        brand_facet
            .iter()
            .any(|b| b["value"] == "adidas" && b["selected"] == true)
    );
    assert!(all["total"].as_u64() > adidas["total"].as_u64());

    // Two brands are alternatives.
    let (_, both) = api(&app, "q=shoe&brand=adidas&brand=nike").await;
    assert_eq!(
        both["total"].as_u64(),
        Some(adidas["total"].as_u64().unwrap() + nike["count"].as_u64().unwrap())
    );

    // Category filters include subcategories.
    let photo = titles(&app, "category=electronics/photo").await;
    assert_eq!(photo.len(), 9);
    let electronics = api(&app, "category=electronics").await.1;
    assert_eq!(electronics["total"], 20);
    let sub: Vec<&str> = electronics["facets"]["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert!(
        sub.contains(&"electronics/photo") && sub.contains(&"electronics/computers"),
        "{sub:?}"
    );

    // Price ranges are in minor units, min inclusive, max exclusive.
    let (_, cheap) = api(&app, "price=-10000").await;
    assert!(cheap["total"].as_u64().unwrap() > 0);
    for p in cheap["products"].as_array().unwrap() {
        assert!(p["price"]["minor"].as_i64().unwrap() < 10000, "{p}");
    }

    // Attributes.
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT pa.product_id) FROM product_attributes pa
         JOIN attributes a ON a.id = pa.attribute_id
         JOIN products p ON p.id = pa.product_id
         WHERE a.code = 'color' AND pa.value_text = 'Black' AND p.status = 'active'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(expected > 0);
    assert_eq!(
        api(&app, "attr=color:Black").await.1["total"].as_i64(),
        Some(expected)
    );

    // In stock only: an out-of-stock product drops out.
    exec(&app, "UPDATE variants SET stock_on_hand = 0 FROM products p WHERE p.id = variants.product_id AND p.slug = 'tent'").await;
    assert!(
        eventually(&app, "q=tent&in_stock=1", Duration::from_secs(2), |t| t
            .is_empty())
        .await
        .is_some()
    );
    assert_eq!(
        titles(&app, "q=tent").await,
        ["Tent"],
        "still found without the filter"
    );

    // Sorting by price.
    let (_, sorted) = api(&app, "category=electronics&sort=price-asc").await;
    let prices: Vec<i64> = sorted["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price"]["minor"].as_i64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
}

#[tokio::test]
async fn stock_and_popularity_boost_the_ranking() {
    let app = shop().await;
    // Four equally worded running shoes (sneakers come too, as a synonym, below them).
    let shoes = "q=running+shoe";
    let before = titles(&app, shoes).await;
    assert_eq!(before.len(), 5, "{before:?}");
    assert_eq!(before[4], "Allstar Sneakers");
    let first = before[0].clone();
    let last = before[3].clone();

    // The first result goes out of stock: it falls below an equally relevant product.
    exec(&app, &format!("UPDATE variants SET stock_on_hand = 0 FROM products p WHERE p.id = variants.product_id AND p.title = '{first}'")).await;
    let fell = eventually(&app, shoes, Duration::from_secs(2), |t| {
        t.first() != Some(&first)
    })
    .await;
    assert!(fell.is_some(), "an out-of-stock product should not lead");

    // The last one sells well: it rises.
    exec(&app, &format!("INSERT INTO product_popularity (product_id, units_sold) SELECT id, 50000 FROM products WHERE title = '{last}'")).await;
    let rose = eventually(&app, shoes, Duration::from_secs(2), |t| {
        t.first() == Some(&last)
    })
    .await;
    assert!(rose.is_some(), "{:?}", titles(&app, shoes).await);
}

#[tokio::test]
async fn catalog_changes_reach_search_within_a_second() {
    let app = shop().await;
    exec(
        &app,
        "UPDATE products SET title = 'Chesterfield Lounger' WHERE slug = 'leather-sofa'",
    )
    .await;
    let took = eventually(&app, "q=chesterfield", Duration::from_secs(1), |t| {
        t == ["Chesterfield Lounger"]
    })
    .await;
    assert!(
        took.is_some(),
        "a renamed product is findable by its new name within a second"
    );
    assert!(
        titles(&app, "q=leather+sofa")
            .await
            .iter()
            .all(|t| t != "Leather Sofa")
    );

    // Archiving removes it.
    exec(
        &app,
        "UPDATE products SET status = 'archived' WHERE slug = 'leather-sofa'",
    )
    .await;
    assert!(
        eventually(&app, "q=chesterfield", Duration::from_secs(1), |t| t
            .is_empty())
        .await
        .is_some()
    );

    // A renamed category changes every document that shows it.
    exec(
        &app,
        "UPDATE categories SET name = 'Houseplants' WHERE path = 'home-and-garden/plants'",
    )
    .await;
    assert!(
        eventually(&app, "q=houseplants", Duration::from_secs(2), |t| t
            .contains(&"Aloe Vera".to_owned()))
        .await
        .is_some()
    );

    // New synonyms apply without a restart.
    assert!(titles(&app, "q=flowerpot").await.is_empty());
    exec(
        &app,
        "INSERT INTO search_synonyms (terms) VALUES ('{flowerpot,pot}')",
    )
    .await;
    assert!(
        eventually(&app, "q=flowerpot", Duration::from_secs(2), |t| t
            .contains(&"Tulip Pot".to_owned()))
        .await
        .is_some()
    );
}

#[tokio::test]
async fn the_index_catches_up_after_a_restart_and_each_instance_keeps_its_own() {
    let app = shop().await;
    let dir = app.search.root().to_owned();
    let generation = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    // Stop the indexer, then change the catalog while it is down.
    app.stop.send_replace(true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    exec(
        &app,
        "UPDATE products SET title = 'Gramophone Deluxe' WHERE slug = 'tent'",
    )
    .await;

    // Another instance against the same database, with its own index, sees it at once.
    let other = SearchService::new(search_dir(), Currency::parse("USD").unwrap());
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(other.clone().run_indexer(app.pool.clone(), stop_rx));
    let find = |s: &std::sync::Arc<SearchService>| {
        s.search_now(&SearchParams::from_query("q=gramophone").unwrap())
            .map(|r| r.total)
            .unwrap_or(0)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while find(&other) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(find(&other), 1);

    // A restart on the first index opens it (no rebuild) and catches up from its cursor.
    let restarted = SearchService::new(dir.clone(), Currency::parse("USD").unwrap());
    let (_stop2, stop_rx2) = tokio::sync::watch::channel(false);
    tokio::spawn(restarted.clone().run_indexer(app.pool.clone(), stop_rx2));
    let deadline = Instant::now() + Duration::from_secs(5);
    while find(&restarted) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(find(&restarted), 1);
    assert_eq!(
        std::fs::read_to_string(dir.join("CURRENT")).unwrap(),
        generation,
        "reused, not rebuilt"
    );
}

#[tokio::test]
async fn a_rebuild_swaps_in_while_searches_go_on() {
    let app = shop().await;
    let dir = app.search.root().to_owned();
    let before = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    // Searches run throughout the rebuild; none may fail.
    let searcher = app.search.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let load = tokio::task::spawn_blocking(move || {
        let p = SearchParams::from_query("q=chair").unwrap();
        let mut n = 0;
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            let r = searcher.search_now(&p).expect("search during a rebuild");
            assert!(r.total >= 4);
            n += 1;
        }
        n
    });
    // As `server reindex` does: another process's service over the same directory.
    let reindex = SearchService::new(dir.clone(), Currency::parse("USD").unwrap());
    let report = reindex.rebuild(&app.pool, |_, _| {}).await.unwrap();
    assert_eq!(report.documents, 53);
    let after = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    assert_ne!(before, after);
    // The running service follows the swap and keeps indexing into the new generation.
    exec(
        &app,
        "UPDATE products SET title = 'Quasar Stool' WHERE slug = 'wooden-stool'",
    )
    .await;
    assert!(
        eventually(&app, "q=quasar", Duration::from_secs(3), |t| t
            == ["Quasar Stool"])
        .await
        .is_some()
    );
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(load.await.unwrap() > 0);
    assert!(app.search.index().unwrap().dir.ends_with(after.trim()));
}

#[tokio::test]
async fn bad_input_gets_a_clear_400_or_sensible_results() {
    let app = shop().await;
    for bad in [
        "page=0",
        "page=100000",
        "page=two",
        "sort=cheapest",
        "price=abc",
        "price=900-100",
        "attr=color",
        "brand=Not%20A%20Slug",
        "category=..%2Fetc",
        "colour=red",
        "q=a%00b",
    ] {
        let (status, body) = api(&app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{bad}: {body}"
        );
    }
    let long = format!("q={}", "sofa+".repeat(100));
    assert_eq!(api(&app, &long).await.0, 400);
    // Query syntax is plain text here.
    for odd in [
        "q=%22unbalanced",
        "q=title:(sofa+OR+*",
        "q=%2B%2B%2B---",
        "q=sofa%22+AND+%28",
        "q=%F0%9F%9B%8B",
    ] {
        let (status, body) = api(&app, odd).await;
        assert_eq!(status, 200, "{odd}: {body}");
    }
    assert_eq!(titles(&app, "q=sofa%22+AND+%28").await.len(), 2);
    // Many words (the allowed maximum) answer quickly enough and sensibly.
    let many = format!("q={}", "leather+sofa+chair+lamp+".repeat(8));
    assert_eq!(api(&app, &many[..many.len().min(200)]).await.0, 200);
    // A page past the end is empty, not an error.
    let (status, body) = api(&app, "q=sofa&page=50").await;
    assert_eq!(
        (status, body["products"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    // Unknown filter values find nothing rather than failing.
    assert_eq!(api(&app, "brand=no-such-brand").await.1["total"], 0);

    // The page says the same, in HTML, with the right status.
    let (status, body) = app.page("/search?page=0").await;
    assert_eq!(status, 400);
    assert!(body.contains("page must be between 1 and 200"));
    let (status, body) = app.page("/search?q=%22unbalanced").await;
    assert_eq!(status, 200);
    assert!(body.contains("No products found"));
}

#[tokio::test]
async fn the_search_page_works_without_javascript() {
    let app = shop().await;
    let (status, body) = app.page("/search?q=lether+sofa").await;
    assert_eq!(status, 200);
    assert!(body.contains("<mark>Leather</mark>"), "highlighted match");
    assert!(body.contains("Did you mean"));
    // Facet links carry the whole state in the URL.
    assert!(body.contains("href=\"/search?q=lether%20sofa&amp;category=home-and-garden\""));
    assert!(body.contains("noindex"));
}

#[tokio::test]
async fn suggestions_offer_products_categories_and_brands() {
    let app = shop().await;
    let get = |q: &'static str| {
        let app = &app;
        async move {
            let resp = app.get(&format!("/api/v1/suggest?q={q}")).await;
            assert_eq!(resp.status, 200);
            let v: Value = serde_json::from_slice(&resp.body).unwrap();
            v["suggestions"].as_array().unwrap().clone()
        }
    };
    let cam = get("cam").await;
    assert!(
        cam.iter()
            .any(|s| s["kind"] == "Product" && s["label"] == "Instant Camera"),
        "{cam:?}"
    );
    let nik = get("nik").await;
    assert!(
        nik.iter().any(|s| s["kind"] == "Brand"
            && s["label"] == "Nike"
            && s["href"] == "/search?brand=nike"),
        "{nik:?}"
    );
    let elec = get("elec").await;
    assert!(
        elec.iter()
            .any(|s| s["kind"] == "Category" && s["href"] == "/c/electronics"),
        "{elec:?}"
    );
    assert!(get("").await.is_empty());
    assert_eq!(app.get("/api/v1/suggest?q=x&x=1").await.status, 400);
}

/// Opens a product's page as a shopper coming from the search page for `q` (a visitor
/// is told apart by its user agent here: every test client shares one address).
async fn open_from_search(app: &TestApp, title: &str, q: &str, referer_host: &str, agent: &str) {
    let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .expect(title);
    let referer = format!("http://{referer_host}/search?q={}", q.replace(' ', "+"));
    let resp = crate::helpers::http_request(
        app.addr,
        "GET",
        &format!("/p/{slug}"),
        &[("Referer", referer), ("User-Agent", agent.to_owned())],
        "",
    )
    .await;
    assert_eq!(resp.status, 200);
}

async fn events(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM search_events")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Waits for the recorded events (written after the page answered) to reach `n`.
async fn until_events(app: &TestApp, n: i64) {
    for _ in 0..200 {
        if events(app).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("events stayed at {}, not {n}", events(app).await);
}

async fn learn(app: &TestApp) {
    app::search::ssr::signals::aggregate(&app.pool)
        .await
        .expect("aggregate");
    app.search.load_behaviour(&app.pool).await.expect("load");
}

#[tokio::test]
async fn what_shoppers_choose_after_a_search_ranks_it_higher_but_not_at_any_cost() {
    let app = shop().await;
    let q = "running shoe";
    let before = titles(&app, "q=running+shoe").await;
    let chosen = before[3].clone();
    let host = app.addr.to_string();

    // One client opening it again and again, and visitors from another site's "search
    // page", change nothing.
    for _ in 0..10 {
        open_from_search(&app, &chosen, q, &host, "one-client").await;
    }
    for agent in ["a", "b", "c"] {
        open_from_search(&app, &chosen, q, "evil.example", agent).await;
    }
    until_events(&app, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(events(&app).await, 1, "one event for one visitor");
    learn(&app).await;
    assert_eq!(titles(&app, "q=running+shoe").await, before);

    // Three different shoppers open it from the same search: it leads that search (and
    // the same words in another order), and no other.
    for agent in ["shopper-2", "shopper-3", "shopper-4"] {
        open_from_search(&app, &chosen, q, &host, agent).await;
    }
    until_events(&app, 4).await;
    learn(&app).await;
    assert_eq!(titles(&app, "q=running+shoe").await[0], chosen);
    assert_eq!(titles(&app, "q=shoe+running").await[0], chosen);
    let stored: f32 = sqlx::query_scalar(
        "SELECT weight FROM search_signals s JOIN products p ON p.id = s.product_id WHERE p.title = $1",
    )
    .bind(&chosen)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 1.0);

    // Out of stock, the signal no longer lifts it.
    exec(&app, &format!("UPDATE variants SET stock_on_hand = 0 FROM products p WHERE p.id = variants.product_id AND p.title = '{chosen}'")).await;
    let gone = eventually(&app, "q=running+shoe", Duration::from_secs(3), |t| {
        t.first() != Some(&chosen)
    })
    .await;
    assert!(gone.is_some(), "an out-of-stock product should not lead");
}

#[tokio::test]
async fn adding_to_the_cart_after_a_search_is_recorded_for_that_search() {
    let app = shop().await;
    let title = "Freerun Running Shoe";
    // The same visitor (no user agent, like the test browser) opens it from a search,
    // then adds it to the cart.
    let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let referer = format!("http://{}/search?q=freerun", app.addr);
    crate::helpers::http_request(
        app.addr,
        "GET",
        &format!("/p/{slug}"),
        &[("Referer", referer)],
        "",
    )
    .await;
    until_events(&app, 1).await;
    let sku: String = sqlx::query_scalar(
        "SELECT v.sku FROM variants v JOIN products p ON p.id = v.product_id WHERE p.title = $1 AND v.stock_on_hand > 0 LIMIT 1",
    )
    .bind(title)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let b = crate::helpers::Browser::new(&app);
    let added = b
        .call("/api/cart/add", &[("sku", &sku), ("quantity", "1")])
        .await;
    assert_eq!(added.status, 200, "{}", added.text());
    until_events(&app, 2).await;
    let kinds: Vec<(String, i16)> =
        sqlx::query_as("SELECT query, kind FROM search_events ORDER BY kind")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [("freerun".to_owned(), 1), ("freerun".to_owned(), 2)]
    );
}

#[tokio::test]
async fn words_nothing_has_are_named_on_the_page_and_in_the_api_escaped() {
    let app = shop().await;
    let (_, body) = api(&app, "q=leather+sofa+qqzzxx").await;
    assert_eq!(body["ignored"], serde_json::json!(["qqzzxx"]), "{body}");
    assert_eq!(body["products"][0]["title"], "Leather Sofa", "{body}");
    let (status, html) = app
        .page("/search?q=leather+sofa+%3Cscript%3Ealert(1)%3C%2Fscript%3Exqzv")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("data-test=\"ignored\""), "{html}");
    assert!(!html.contains("<script>alert"), "markup reached the page");
    // A size is never "corrected" into another number.
    let (_, body) = api(&app, "q=2x6").await;
    assert!(body["did_you_mean"].is_null(), "{body}");
}

#[tokio::test]
async fn a_customers_own_brand_ranks_a_little_higher_among_equal_matches() {
    let app = shop().await;
    let params = SearchParams::from_query("q=running+shoe").unwrap();
    let plain = app.search.search_as(&params, None).unwrap();
    let last = plain.hits[3].card.clone();
    let brand: String = sqlx::query_scalar(
        "SELECT b.slug FROM products p JOIN brands b ON b.id = p.brand_id WHERE p.id = $1",
    )
    .bind(last.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let personal = app::search::ssr::signals::Personal {
        brands: [brand].into(),
        ..Default::default()
    };
    let mine = app
        .search
        .search_as(&params, Some(std::sync::Arc::new(personal)))
        .unwrap();
    assert_eq!(mine.hits[0].card.brand, last.brand, "{:?}", mine.hits);
    // The same products: a preference re-ranks, it never adds.
    let ids = |r: &app::search::model::SearchResults| {
        let mut v: Vec<i64> = r.hits.iter().map(|h| h.card.id).collect();
        v.sort();
        v
    };
    assert_eq!(ids(&mine), ids(&plain));
}

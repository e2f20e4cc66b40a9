//! Flash sales over HTTP against real PostgreSQL and the sandbox provider: a sale from
//! the pre-queue's draw to its end (nothing oversold, the allocation back where it came
//! from), the waitlist promoted when a hold runs out, one place and the limit per
//! customer under parallel requests, hostile requests (another's token, forged tokens,
//! skipped steps, markup), and the merchant's page. The worker's ticks are driven by
//! the tests (`ticker::tick`), and time passes by moving the sale's clock in SQL.

use crate::admin::{admin, staff_member};
use crate::checkout::{LAPTOP_13, key, place, stock};
use crate::helpers::{Browser, TestApp, all_at_once, last_email, sign_up_confirmed, spawn_shop};
use app::flash_sale::ssr::ticker::tick;
use app::payments::wire::test_cards;

const PASSWORD: &str = "correct horse battery";

async fn sign_in(b: &Browser, email: &str) {
    let r = b
        .call(
            "/api/account/sign-in",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn shopper(app: &TestApp, name: &str) -> Browser {
    let b = Browser::new(app);
    sign_up_confirmed(app, &b, &format!("{name}@example.com"), PASSWORD, name).await;
    b
}

/// A sale of `units` laptops from the main warehouse, `secs_to_start` from now, one
/// per customer, 600 shoppers a minute, holds of 60 s, two buckets.
pub(crate) async fn laptop_sale(app: &TestApp, units: i32, secs_to_start: i64) -> i64 {
    let starts = chrono::Utc::now() + chrono::Duration::seconds(secs_to_start);
    app::flash_sale::ssr::schedule::schedule(
        &app.pool,
        &app::audit::Actor::system("test"),
        app::flash_sale::ssr::schedule::SaleForm {
            sku: LAPTOP_13.into(),
            sale_price: "999.00".into(),
            sources: format!("main={units}"),
            starts_at: Some(starts),
            ends_at: Some(starts + chrono::Duration::hours(1)),
            per_customer_limit: "1".into(),
            admission_per_minute: "600".into(),
            hold_secs: "60".into(),
            buckets: "2".into(),
            ..Default::default()
        },
    )
    .await
    .expect("schedule the sale")
}

async fn standing(b: &Browser, sale: i64) -> serde_json::Value {
    let r = b.get(&format!("/api/flash/standing?id={sale}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

async fn join(b: &Browser, sale: i64, quantity: &str) -> crate::helpers::Response {
    b.call(
        "/api/flash/join",
        &[("id", &sale.to_string()), ("quantity", quantity)],
    )
    .await
}

async fn catalog_stock(app: &TestApp) -> i32 {
    sqlx::query_scalar("SELECT stock_on_hand FROM variants WHERE sku = $1")
        .bind(LAPTOP_13)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn start_now(app: &TestApp, sale: i64) {
    sqlx::query("UPDATE flash_sales SET starts_at = now() WHERE id = $1")
        .bind(sale)
        .execute(&app.pool)
        .await
        .unwrap();
    tick(&app.pool).await.unwrap();
}

#[tokio::test]
async fn a_sale_from_the_draw_to_its_end_sells_what_it_allocated_and_gives_the_rest_back() {
    let app = spawn_shop().await;
    let before = stock(&app, LAPTOP_13).await;
    let in_catalog = catalog_stock(&app).await;
    let sale = laptop_sale(&app, 3, 3600).await;

    // Five shoppers join before the start: the pre-queue, not yet placed.
    let mut shoppers = Vec::new();
    for i in 0..5 {
        let name = format!("early{i}");
        let b = shopper(&app, &name).await;
        let r = join(&b, sale, "1").await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["standing"]["standing"], "placing");
        assert_eq!(r.json()["standing"]["early"], true);
        shoppers.push((b, format!("{name}@example.com")));
    }
    // Nothing is taken out of normal sale before the start.
    tick(&app.pool).await.unwrap();
    assert_eq!(catalog_stock(&app).await, in_catalog);

    // The start: three units into the sale's buckets, the pre-queue drawn, the first
    // three let in, the other two told at once.
    start_now(&app, sale).await;
    assert_eq!(catalog_stock(&app).await, in_catalog - 3);
    let positions: Vec<i32> = sqlx::query_scalar(
        "SELECT position FROM flash_entries WHERE sale_id = $1 ORDER BY position",
    )
    .bind(sale)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(positions, vec![1, 2, 3, 4, 5]);
    let mut admitted = Vec::new();
    let mut told = Vec::new();
    for (b, email) in &shoppers {
        let s = standing(b, sale).await;
        let b = (b.clone(), email.clone());
        match s["standing"]["standing"].as_str().unwrap() {
            "admitted" => admitted.push(b.clone()),
            "sold_out" => told.push(b.clone()),
            other => panic!("unexpected standing {other}: {s}"),
        }
        assert_eq!(s["sale_price"]["minor"], 99_900);
    }
    assert_eq!((admitted.len(), told.len()), (3, 2));
    let admitted_positions: Vec<i32> = sqlx::query_scalar(
        "SELECT position FROM flash_entries WHERE sale_id = $1 AND state = 'admitted' ORDER BY 1",
    )
    .bind(sale)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(admitted_positions, vec![1, 2, 3], "let in in place order");

    // The first buys at the sale price through the normal checkout.
    let buyer = &admitted[0].0;
    let r = buyer
        .call("/api/flash/buy", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let cart = buyer.call("/api/cart", &[]).await.json();
    assert_eq!(cart["lines"][0]["unit_price"]["minor"], 99_900, "{cart}");
    // The sale line keeps its quantity.
    let r = buyer
        .call("/api/cart/update", &[("sku", LAPTOP_13), ("quantity", "2")])
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let r = place(buyer, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed");
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let subtotal: i64 = sqlx::query_scalar("SELECT subtotal_minor FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(subtotal, 99_900);
    let s = standing(buyer, sale).await;
    assert_eq!(s["standing"]["standing"], "ordered");
    assert_eq!(s["standing"]["order_number"], number.as_str());
    // Buying again takes nothing more.
    let r = buyer
        .call("/api/flash/buy", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 409, "{}", r.text());

    // One told it was sold out joins the waitlist.
    let waiting = &told[0].0;
    let r = waiting
        .call("/api/flash/waitlist", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["standing"]["standing"], "waitlisted");

    // The second lets the hold run out: its unit goes to the waitlisted shopper, who is
    // told by e-mail and on the page.
    let (lapsed, lapsed_email) = &admitted[1];
    sqlx::query(
        "UPDATE flash_entries SET hold_expires_at = now() - interval '1 second'
          WHERE sale_id = $1 AND user_id = (SELECT id FROM users WHERE email = $2)",
    )
    .bind(sale)
    .bind(lapsed_email)
    .execute(&app.pool)
    .await
    .unwrap();
    let round = tick(&app.pool).await.unwrap();
    assert_eq!((round.expired, round.promoted), (1, 1), "{round:?}");
    let states: Vec<String> = {
        let mut v = Vec::new();
        for b in [lapsed, waiting] {
            v.push(
                standing(b, sale).await["standing"]["standing"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        v
    };
    assert_eq!(states, vec!["expired", "admitted"]);
    assert_eq!(standing(waiting, sale).await["standing"]["promoted"], true);
    let email: String = sqlx::query_scalar(
        "SELECT u.email FROM flash_entries e JOIN users u ON u.id = e.user_id
          WHERE e.sale_id = $1 AND e.promoted",
    )
    .bind(sale)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        last_email(&app, &email, "Your turn in the flash sale")
            .await
            .is_some()
    );

    // The end: holds still running are honoured until they run out; the rest goes back.
    app::flash_sale::ssr::schedule::end_now(&app.pool, &app::audit::Actor::system("test"), sale)
        .await
        .unwrap();
    tick(&app.pool).await.unwrap();
    sqlx::query(
        "UPDATE flash_entries SET hold_expires_at = now() - interval '1 second'
          WHERE sale_id = $1 AND state = 'admitted'",
    )
    .bind(sale)
    .execute(&app.pool)
    .await
    .unwrap();
    tick(&app.pool).await.unwrap();
    let after = stock(&app, LAPTOP_13).await;
    assert_eq!(
        after,
        (before.0, before.1, before.2 + 1),
        "one sold, none held"
    );
    assert_eq!(catalog_stock(&app).await, in_catalog - 1);
    let free_in_buckets: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(s.on_hand - s.reserved - s.sold), 0)::bigint
           FROM stock_levels s JOIN warehouses w ON w.id = s.warehouse_id
          WHERE w.flash_sale_id = $1",
    )
    .bind(sale)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(free_in_buckets, 0);
    // The ledger still adds up to every level.
    let off: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stock_levels s,
                LATERAL (SELECT coalesce(sum(on_hand_delta), 0) AS on_hand,
                                coalesce(sum(reserved_delta), 0) AS reserved,
                                coalesce(sum(sold_delta), 0) AS sold
                           FROM stock_movements m
                          WHERE m.variant_id = s.variant_id AND m.warehouse_id = s.warehouse_id) l
          WHERE (s.on_hand, s.reserved, s.sold) IS DISTINCT FROM (l.on_hand, l.reserved, l.sold)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(off, 0, "stock levels that disagree with their ledger");
}

#[tokio::test]
async fn one_place_and_the_limit_hold_under_parallel_requests() {
    // Parallel requests from one address: no edge limits in the way of the race.
    let app =
        crate::helpers::spawn_shop_with_edge(&server::security::EdgePolicy::unlimited()).await;
    let sale = laptop_sale(&app, 5, 0).await;
    tick(&app.pool).await.unwrap();
    // One account in two browsers, joining ten times at once.
    let a = shopper(&app, "twice").await;
    let a2 = Browser::new(&app);
    sign_in(&a2, "twice@example.com").await;
    let joins = all_at_once((0..10).map(|i| {
        let b = if i % 2 == 0 { a.clone() } else { a2.clone() };
        async move { join(&b, sale, "1").await.status }
    }))
    .await;
    assert!(joins.iter().all(|s| *s == 200), "{joins:?}");
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM flash_entries WHERE sale_id = $1")
        .bind(sale)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(entries, 1, "one place per account");
    // More than the limit is refused.
    let other = shopper(&app, "greedy").await;
    for (quantity, status) in [("2", 400), ("0", 400), ("lots", 400), ("-1", 400)] {
        let r = join(&other, sale, quantity).await;
        assert_eq!(r.status, status, "{quantity}: {}", r.text());
        assert_eq!(r.json()["code"], "invalid_input");
    }
    tick(&app.pool).await.unwrap();
    tick(&app.pool).await.unwrap();
    assert_eq!(standing(&a, sale).await["standing"]["standing"], "admitted");
    standing(&a2, sale).await;
    // Both browsers put the held unit in the one cart and check out at once: one order.
    for b in [&a, &a2] {
        let r = b.call("/api/flash/buy", &[("id", &sale.to_string())]).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let placed = all_at_once(
        [a.clone(), a2.clone(), a.clone()]
            .map(|b| async move { place(&b, &key(), test_cards::SUCCESS).await.status }),
    )
    .await;
    assert_eq!(
        placed.iter().filter(|s| **s == 200).count(),
        1,
        "{placed:?}"
    );
    let bought: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(l.quantity), 0)::bigint FROM orders o JOIN order_lines l ON l.order_id = o.id
           JOIN users u ON u.id = o.user_id
          WHERE u.email = 'twice@example.com' AND o.status = 'confirmed'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(bought, 1, "never more than the limit");
}

#[tokio::test]
async fn hostile_requests_are_refused_with_clear_errors() {
    let app = spawn_shop().await;
    let sale = laptop_sale(&app, 2, 0).await;
    tick(&app.pool).await.unwrap();
    let sid = sale.to_string();

    // A guest cannot join; an unknown sale is not found.
    let guest = Browser::new(&app);
    let r = join(&guest, sale, "1").await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (401, Some("not_signed_in"))
    );
    let alice = shopper(&app, "alice").await;
    let mallory = shopper(&app, "mallory").await;
    let r = join(&alice, 999_999, "1").await;
    assert_eq!(r.status, 404);
    assert_eq!(join(&alice, sale, "1").await.status, 200);
    tick(&app.pool).await.unwrap();
    let alices = standing(&alice, sale).await;
    assert_eq!(alices["standing"]["standing"], "admitted");
    let token = alices["token"].as_str().unwrap().to_owned();
    // The page's live region asks for the kind alone.
    let live = alice
        .get(&format!("/api/flash/live?id={sale}&token={token}"))
        .await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["kind"], "admitted");

    // Alice's token is no good to Mallory: not to see, not to buy, not to waitlist.
    for path in ["/api/flash/buy", "/api/flash/waitlist"] {
        let r = mallory.call(path, &[("id", &sid), ("token", &token)]).await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (403, Some("not_yours")),
            "{path}"
        );
    }
    for path in ["/api/flash/standing", "/api/flash/live"] {
        let r = mallory
            .get(&format!("{path}?id={sale}&token={token}"))
            .await;
        assert_eq!(r.status, 403, "{path}");
    }
    // Nor is a token minted without the key, one for another entry, or markup.
    let parts: Vec<&str> = token.split('.').collect();
    let minted = format!(
        "{}.{}.{}.{}.{}",
        parts[0],
        parts[1],
        parts[2],
        parts[3],
        "00".repeat(32)
    );
    let entry: i64 = parts[1].parse().unwrap();
    let other_entry = format!(
        "{}.{}.{}.{}.{}",
        parts[0],
        entry + 1000,
        parts[2],
        parts[3],
        parts[4]
    );
    for forged in [
        minted.as_str(),
        other_entry.as_str(),
        "<script>alert(1)</script>",
    ] {
        let r = alice
            .call("/api/flash/buy", &[("id", &sid), ("token", forged)])
            .await;
        assert_eq!(r.status, 403, "{forged}");
        assert!(!r.text().contains("<script>"));
    }
    // The token is bound to the session: signed in again elsewhere, the old one fails.
    let alice_elsewhere = Browser::new(&app);
    sign_in(&alice_elsewhere, "alice@example.com").await;
    let r = alice_elsewhere
        .call("/api/flash/buy", &[("id", &sid), ("token", &token)])
        .await;
    assert_eq!(r.status, 403);
    // Mallory skips the queue: nothing is held for her.
    let r = mallory.call("/api/flash/buy", &[("id", &sid)]).await;
    assert_eq!(r.status, 403, "no place, no token: {}", r.text());
    assert_eq!(join(&mallory, sale, "1").await.status, 200);
    let r = mallory.call("/api/flash/waitlist", &[("id", &sid)]).await;
    assert_eq!(
        r.status,
        409,
        "the waitlist is for those told it was gone: {}",
        r.text()
    );
    // Her cart never got the sale line, and checkout at the sale price is not possible.
    let cart = mallory.call("/api/cart", &[]).await.json();
    assert_eq!(cart["lines"].as_array().map(Vec::len), Some(0));

    // The page escapes what it shows and does not echo a token it refused.
    let r = alice
        .get(&format!("/sale/{sale}?token=%3Cscript%3Ex%3C/script%3E"))
        .await;
    assert_eq!(r.status, 403);
    assert!(!r.text().contains("<script>x"), "reflected markup");

    // A sale that has ended takes nobody.
    app::flash_sale::ssr::schedule::end_now(&app.pool, &app::audit::Actor::system("test"), sale)
        .await
        .unwrap();
    tick(&app.pool).await.unwrap();
    let late = shopper(&app, "late").await;
    let r = join(&late, sale, "1").await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (409, Some("refused"))
    );

    // One address joining again and again is held back (429), whatever the accounts.
    let mut limited = false;
    for _ in 0..25 {
        let r = join(&mallory, sale, "1").await;
        if r.status == 429 {
            limited = true;
            assert!(!r.header("retry-after").is_empty());
            break;
        }
    }
    assert!(limited, "joins from one address are rate limited");
}

#[tokio::test]
async fn the_merchant_schedules_watches_and_ends_a_sale_and_each_step_is_audited() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let ends = (chrono::Utc::now() + chrono::Duration::hours(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let good = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("sku", LAPTOP_13.into()),
            ("sale_price", "899.00".into()),
            ("sources", "main=20".into()),
            ("ends_at", ends.clone()),
            ("per_customer_limit", "2".into()),
            ("admission_per_minute", "".into()),
        ];
        for (k, v) in extra {
            f.retain(|(n, _)| n != k);
            f.push((k, (*v).to_owned()));
        }
        f
    };
    // Bad input: clear errors, nothing written.
    for (extra, says) in [
        (vec![("sku", "<script>alert(1)</script>")], "no SKU"),
        (vec![("sale_price", "1500.00")], "above the normal price"),
        (vec![("sale_price", "-1")], "sale price"),
        (vec![("sources", "main")], "warehouse=units"),
        (vec![("sources", "nowhere=3")], "no active warehouse"),
        (vec![("sources", "main=100000")], "free now"),
        (vec![("per_customer_limit", "0")], "limit per customer"),
        (vec![("wave_units", "5")], "both"),
        (vec![("ends_at", "2001-01-01T00:00")], "future"),
    ] {
        let fields = good(&extra);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = boss.call("/api/admin/flash-sales/schedule", &fields).await;
        assert!(
            r.status == 400 || r.status == 409,
            "{extra:?}: {}",
            r.text()
        );
        assert!(r.text().contains(says), "{extra:?}: {}", r.text());
    }
    // With JavaScript off the message comes back on the page, as text.
    let fields = good(&[("sku", "<script>alert(1)</script>")]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    boss.submit(
        "/api/admin/flash-sales/schedule",
        &fields,
        "/admin/flash-sales",
    )
    .await;
    let html = boss.get("/admin/flash-sales").await.text();
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "the message is shown"
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "markup reached the page"
    );
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM flash_sales")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(none, 0);

    let fields = good(&[]);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = boss.call("/api/admin/flash-sales/schedule", &fields).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().unwrap();
    // The same SKU at an overlapping time is refused.
    let r = boss.call("/api/admin/flash-sales/schedule", &fields).await;
    assert_eq!(r.status, 409, "{}", r.text());

    tick(&app.pool).await.unwrap();
    let page = boss.get(&format!("/admin/flash-sales/{id}")).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("Units left") && !html.contains("http-equiv"),
        "{html}"
    );
    // It refreshes itself only when asked to (a link turns that on and off).
    let html = boss
        .get(&format!("/admin/flash-sales/{id}?live=1"))
        .await
        .text();
    assert!(
        html.contains("http-equiv=\"refresh\"") && html.contains("Stop refreshing"),
        "{html}"
    );
    let figures = boss
        .get(&format!("/api/admin/flash-sales/one?id={id}"))
        .await
        .json();
    assert_eq!(figures["state"], "live");
    assert_eq!(figures["allocated"], 20);
    assert_eq!(figures["left"], 20);
    // The product page announces it, the sale's page is linked.
    let (_, product) = app.page("/p/laptop").await;
    assert!(product.contains(&format!("/sale/{id}")), "no banner");

    // Someone without the discounts permission sees none of it.
    let clerk = staff_member(&app, "clerk@example.com", &["orders"]).await;
    let r = clerk.get("/api/admin/flash-sales").await;
    assert_eq!(r.status, 403);
    let r = clerk
        .call("/api/admin/flash-sales/end", &[("id", &id.to_string())])
        .await;
    assert_eq!(r.status, 403);

    let r = boss
        .call("/api/admin/flash-sales/end", &[("id", &id.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    tick(&app.pool).await.unwrap();
    let figures = boss
        .get(&format!("/api/admin/flash-sales/one?id={id}"))
        .await
        .json();
    assert_eq!(figures["state"], "ended");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE entity = 'flash_sale' AND entity_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, vec!["flash_sale.schedule", "flash_sale.end"]);
}

#[tokio::test]
async fn a_declined_payment_gives_the_unit_to_the_next_waitlisted_shopper() {
    let app = spawn_shop().await;
    let sale = laptop_sale(&app, 1, 0).await;
    tick(&app.pool).await.unwrap();
    let first = shopper(&app, "declined").await;
    assert_eq!(join(&first, sale, "1").await.status, 200);
    tick(&app.pool).await.unwrap();
    tick(&app.pool).await.unwrap();
    assert_eq!(
        standing(&first, sale).await["standing"]["standing"],
        "admitted"
    );
    // The only unit is held: the next shopper is told at once and waits on the waitlist.
    let next = shopper(&app, "patient").await;
    let r = join(&next, sale, "1").await;
    assert_eq!(r.json()["standing"]["standing"], "sold_out", "{}", r.text());
    let r = next
        .call("/api/flash/waitlist", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // The first's card is declined: the order fails, the unit goes back to the sale.
    let r = first
        .call("/api/flash/buy", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = place(&first, &key(), test_cards::DECLINE).await;
    assert_eq!(r.status, 402, "{}", r.text());
    let round = tick(&app.pool).await.unwrap();
    assert_eq!(round.promoted, 1, "{round:?}");
    assert_eq!(
        standing(&first, sale).await["standing"]["standing"],
        "expired"
    );
    let s = standing(&next, sale).await;
    assert_eq!(s["standing"]["standing"], "admitted", "{s}");
    assert_eq!(s["standing"]["promoted"], true);
    // And the promoted shopper buys it.
    let r = next
        .call("/api/flash/buy", &[("id", &sale.to_string())])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = place(&next, &key(), test_cards::SUCCESS).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed");
}

//! Customers in the admin: found by address or name with what they have spent, one
//! customer whole, disabled (signed out at once), exported as JSON, and erased (nothing
//! personal left, the orders kept for the books), with hostile input kept as text.

use crate::admin::admin;
use crate::checkout::{LAPTOP_13, add, checkout_fields, key};
use crate::helpers::{Browser, TestApp, sign_up_confirmed, spawn_shop};
use app::payments::wire::test_cards;

const PASSWORD: &str = "a long enough password";

async fn whoami(b: &Browser) -> Option<String> {
    let r = b.call("/api/account/whoami", &[]).await;
    r.json()["email"].as_str().map(str::to_owned)
}

/// A signed-in customer with an address and a paid order: (browser, id, order number).
async fn customer(app: &TestApp, email: &str, name: &str) -> (Browser, i64, String) {
    let b = Browser::new(app);
    sign_up_confirmed(app, &b, email, PASSWORD, name).await;
    let r = b
        .call(
            "/api/account/addresses/add",
            &[
                ("full_name", name),
                ("line1", "1 High Street"),
                ("line2", ""),
                ("city", "Leeds"),
                ("region", ""),
                ("postal_code", "LS1 1AA"),
                ("country", "GB"),
                ("phone", "0113 000 0000"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    add(&b, LAPTOP_13, "1").await;
    let k = key();
    let mut fields = checkout_fields(&k, test_cards::SUCCESS, &[]);
    fields.retain(|(n, _)| *n != "email");
    fields.push(("email", email));
    let r = b.call("/api/checkout/place", &fields).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (b, id, r.json()["number"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_customer_is_found_shown_disabled_and_exported() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let hostile = "<img src=x onerror=alert(1)> Ada";
    let (ada, id, number) = customer(&app, "ada@example.com", hostile).await;

    for q in ["ADA@", "onerror"] {
        let r = boss
            .get(&format!("/api/admin/customers?q={}", app::url::encode(q)))
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let rows = r.json()["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 1, "{q}: {rows:?}");
        assert_eq!(rows[0]["id"], id);
        assert_eq!(rows[0]["orders"], 1);
    }
    let r = boss.get(&format!("/api/admin/customer?id={id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let detail = r.json();
    let total: i64 = sqlx::query_scalar("SELECT total_minor FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(detail["spent"][0]["minor"], total, "lifetime value");
    assert_eq!(detail["orders"][0]["number"], number.as_str());
    assert!(detail["addresses"][0].as_str().unwrap().contains("LS1 1AA"));
    let html = boss.get(&format!("/admin/customers/{id}")).await.text();
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; Ada"));

    // Disabled: signed out at once, and cannot sign in; enabled again: can.
    assert_eq!(whoami(&ada).await.as_deref(), Some("ada@example.com"));
    let r = boss
        .call(
            "/api/admin/customers/disable",
            &[("id", &id.to_string()), ("disabled", "true")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(whoami(&ada).await, None);
    let r = ada
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(r.status >= 400, "{}", r.text());
    let r = boss
        .call(
            "/api/admin/customers/disable",
            &[("id", &id.to_string()), ("disabled", "false")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = ada
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Their data as JSON, a download, recorded.
    let r = boss.get(&format!("/api/admin/customer.json?id={id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.header("content-disposition").contains("customer-"));
    let data = r.json();
    assert_eq!(data["account"]["email"], "ada@example.com");
    assert_eq!(data["orders"][0]["number"], number.as_str());
    assert_eq!(data["orders"][0]["lines"][0]["sku"], LAPTOP_13);
    assert_eq!(data["addresses"][0]["postal_code"], "LS1 1AA");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'customer' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        ["customer.disable", "customer.enable", "customer.export"]
    );

    // Staff are not customers here.
    let boss_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'boss@example.com'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for path in [
        format!("/api/admin/customer?id={boss_id}"),
        format!("/api/admin/customer.json?id={boss_id}"),
    ] {
        assert_eq!(boss.get(&path).await.status, 404, "{path}");
    }
    let r = boss
        .call(
            "/api/admin/customers/disable",
            &[("id", &boss_id.to_string()), ("disabled", "true")],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
}

#[tokio::test]
async fn an_erased_customer_leaves_nothing_personal_and_their_orders_stay() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let (ada, id, number) = customer(&app, "ada@example.com", "Ada Lovelace").await;
    let (_, other, _) = customer(&app, "bob@example.com", "Bob").await;
    let total: i64 = sqlx::query_scalar("SELECT total_minor FROM orders WHERE number = $1")
        .bind(&number)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // As if it was placed from a public address, which checkout keeps for its risk checks.
    sqlx::query("UPDATE orders SET client_addr = '203.0.113.9' WHERE number = $1")
        .bind(&number)
        .execute(&app.pool)
        .await
        .unwrap();

    // The confirmation must be their address.
    let r = boss
        .call(
            "/api/admin/customers/erase",
            &[("id", &id.to_string()), ("confirm", "bob@example.com")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(whoami(&ada).await.as_deref(), Some("ada@example.com"));
    for _ in 0..2 {
        let r = boss
            .call(
                "/api/admin/customers/erase",
                &[("id", &id.to_string()), ("confirm", " ADA@example.com ")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    assert_eq!(whoami(&ada).await, None, "signed out");
    // Nothing anywhere says who they were.
    let traces: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM users WHERE email = 'ada@example.com' OR name LIKE '%Lovelace%')
              + (SELECT count(*) FROM orders WHERE email = 'ada@example.com' OR shipping_address::text LIKE '%Lovelace%')
              + (SELECT count(*) FROM orders WHERE client_addr IS NOT NULL)
              + (SELECT count(*) FROM addresses WHERE user_id = $1)
              + (SELECT count(*) FROM sessions WHERE user_id = $1)
              + (SELECT count(*) FROM emails WHERE to_address = 'ada@example.com')
              + (SELECT count(*) FROM audit_log WHERE before::text LIKE '%ada@%' OR after::text LIKE '%ada@%')",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(traces, 0);
    // The books keep the order, its lines and its money.
    let (kept_total, lines, status): (i64, i64, String) = sqlx::query_as(
        "SELECT o.total_minor, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id), o.status::text
           FROM orders o WHERE o.number = $1",
    )
    .bind(&number)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (kept_total, lines, status.as_str()),
        (total, 1, "confirmed")
    );
    let r = boss.get(&format!("/api/admin/customer?id={id}")).await;
    assert_eq!(r.json()["erased"], true);
    assert_eq!(
        r.json()["spent"][0]["minor"],
        total,
        "the lifetime value stays"
    );
    // They cannot sign in; the address may sign up anew as someone new.
    let r = ada
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(r.status >= 400, "{}", r.text());
    let fresh = Browser::new(&app);
    sign_up_confirmed(&app, &fresh, "ada@example.com", PASSWORD, "Ada again").await;
    // An erased account is not enabled again; the other customer is untouched.
    let r = boss
        .call(
            "/api/admin/customers/disable",
            &[("id", &id.to_string()), ("disabled", "false")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    let bob: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users WHERE id = $1 AND email = 'bob@example.com' AND erased_at IS NULL",
    )
    .bind(other)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(bob, 1);
}

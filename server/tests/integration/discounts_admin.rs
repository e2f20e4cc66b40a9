//! Discount codes from the admin: made with every rule, used at checkout, seen with their
//! uses and revenue, changed, ended (checkout refuses them then), and bad input refused
//! with nothing written.

use crate::admin::admin;
use crate::checkout::{LAPTOP_13, add, key, place_with};
use crate::helpers::{Browser, spawn_shop};
use app::payments::wire::test_cards;

#[tokio::test]
async fn a_code_made_in_the_admin_works_at_checkout_shows_its_revenue_and_ends() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let r = boss
        .call(
            "/api/admin/discounts/create",
            &[
                ("code", " winter15 "),
                ("kind", "percentage"),
                ("amount", "15"),
                ("max_uses", "10"),
                ("max_uses_per_customer", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), "WINTER15");

    let shopper = Browser::new(&app);
    add(&shopper, LAPTOP_13, "1").await;
    let r = place_with(
        &shopper,
        &key(),
        test_cards::SUCCESS,
        &[("discount_code", "WINTER15")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (total, off): (i64, i64) = sqlx::query_as(
        "SELECT total_minor, discount_minor FROM orders WHERE discount_code = 'WINTER15'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(off > 0);
    let board = boss.get("/api/admin/discounts").await.json();
    let row = board["codes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"]["code"] == "WINTER15")
        .unwrap()
        .clone();
    assert_eq!(row["rule"]["uses"], 1);
    assert_eq!(row["orders"], 1);
    assert_eq!(row["revenue"][0]["minor"], total);
    assert_eq!(row["given"][0]["minor"], off);
    assert_eq!(row["live"], true);

    // A limit below what it has been used is refused; a later end date is not.
    let r = boss
        .call(
            "/api/admin/discounts/update",
            &[("code", "winter15"), ("max_uses", "0"), ("active", "true")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = boss
        .call(
            "/api/admin/discounts/update",
            &[
                ("code", "WINTER15"),
                ("ends_at", "2099-01-01T00:00"),
                ("max_uses", "5"),
                ("active", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Ended: checkout refuses it from now on.
    for _ in 0..2 {
        let r = boss
            .call("/api/admin/discounts/end", &[("code", "WINTER15")])
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let other = Browser::new(&app);
    add(&other, LAPTOP_13, "1").await;
    let r = place_with(
        &other,
        &key(),
        test_cards::SUCCESS,
        &[("discount_code", "WINTER15")],
    )
    .await;
    assert!(r.status >= 400, "an ended code: {}", r.text());
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity = 'discount' ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        ["discount.create", "discount.update", "discount.end"]
    );
}

#[tokio::test]
async fn bad_codes_are_refused_and_nothing_is_written() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let r = boss
        .call(
            "/api/admin/discounts/create",
            &[
                ("code", "TAKEN"),
                ("kind", "fixed"),
                ("amount", "5.00"),
                ("currency", "USD"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM discount_codes) + (SELECT count(*) FROM audit_log)",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = count().await;
    for (fields, status, why) in [
        (
            vec![
                ("code", "<script>"),
                ("kind", "percentage"),
                ("amount", "10"),
            ],
            400,
            "markup for a code",
        ),
        (
            vec![("code", "FIVE"), ("kind", "fixed"), ("amount", "5.00")],
            400,
            "a fixed amount without a currency",
        ),
        (
            vec![("code", "HALF"), ("kind", "percentage"), ("amount", "150")],
            400,
            "more than 100%",
        ),
        (
            vec![("code", "HALF"), ("kind", "percentage"), ("amount", "-5")],
            400,
            "a negative amount",
        ),
        (
            vec![("code", "HALF"), ("kind", "free"), ("amount", "5")],
            400,
            "no such kind",
        ),
        (
            vec![
                ("code", "HALF"),
                ("kind", "percentage"),
                ("amount", "5"),
                ("currency", "<b>"),
            ],
            400,
            "not a currency",
        ),
        (
            vec![
                ("code", "HALF"),
                ("kind", "percentage"),
                ("amount", "5"),
                ("starts_at", "2030-01-02T00:00"),
                ("ends_at", "2030-01-01T00:00"),
            ],
            400,
            "a window that ends before it starts",
        ),
        (
            vec![
                ("code", "HALF"),
                ("kind", "percentage"),
                ("amount", "5"),
                ("ends_at", "tomorrow"),
            ],
            400,
            "not a date",
        ),
        (
            vec![
                ("code", "HALF"),
                ("kind", "percentage"),
                ("amount", "5"),
                ("max_uses", "0"),
            ],
            400,
            "a zero limit",
        ),
        (
            vec![("code", "taken"), ("kind", "percentage"), ("amount", "5")],
            409,
            "a code that exists",
        ),
    ] {
        let r = boss.call("/api/admin/discounts/create", &fields).await;
        assert_eq!(r.status, status, "{why}: {}", r.text());
        assert_eq!(count().await, before, "{why} wrote something");
    }
    let r = boss
        .call("/api/admin/discounts/end", &[("code", "NOPE")])
        .await;
    assert_eq!(r.status, 404, "{}", r.text());
    let html = boss.get("/admin/discounts").await.text();
    assert!(html.contains("TAKEN") && !html.contains("<script>"));
}

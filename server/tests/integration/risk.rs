//! Fraud checks, their first step: every order placed at checkout is assessed before it
//! is opened, against the real sandbox provider over HTTP, with clients told apart by a
//! trusted proxy's `X-Forwarded-For`. Card testing (declined cards, then a new card) is
//! high risk; a shop that reviews high-risk orders only authorizes it, and it waits for
//! staff, who find it by its risk, read why, and capture it. Addresses of the shop's own
//! network are never a signal, and a risk filter that is not a level is refused.

use crate::admin::{admin, staff_member};
use crate::checkout::{
    LAPTOP_13, add, checkout_fields, key, order_status, shop_with_own_sandbox_and,
    shop_with_own_sandbox_behind,
};
use crate::helpers::{Browser, Response, TestApp};
use app::payments::wire::test_cards;
use app::risk::model::Review;
use server::security::EdgePolicy;

/// A shop that believes loopback's `X-Forwarded-For`, so a test can be many clients.
fn behind_a_proxy() -> EdgePolicy {
    let mut policy = EdgePolicy::standard();
    policy.trusted_proxies =
        server::security::client::TrustedProxies::parse(&["127.0.0.1".into()]).unwrap();
    policy
}

/// Places `b`'s cart for `email` with `card`, from `client` (none: the TCP peer).
async fn place_from(b: &Browser, client: Option<&str>, email: &str, card: &str) -> Response {
    let k = key();
    let fields = checkout_fields(&k, card, &[("email", email)]);
    let headers: Vec<(&'static str, String)> = client
        .map(|c| vec![("X-Forwarded-For", c.to_owned())])
        .unwrap_or_default();
    b.post("/api/checkout/place", &fields, "application/json", &headers)
        .await
}

/// Card testing from `client`: two cards declined, then a third that works. The last
/// answer.
async fn card_testing(app: &TestApp, client: Option<&str>, email: &str) -> Response {
    let b = Browser::new(app);
    add(&b, LAPTOP_13, "1").await;
    for card in [test_cards::DECLINE, test_cards::INSUFFICIENT_FUNDS] {
        let r = place_from(&b, client, email, card).await;
        assert!(r.status >= 400, "{}", r.text());
        assert!(r.text().contains("declined"), "{}", r.text());
    }
    place_from(&b, client, email, test_cards::SUCCESS).await
}

/// (level, score, signal codes, client address) as written with the order.
async fn assessment(
    app: &TestApp,
    number: &str,
) -> (Option<String>, Option<i16>, Vec<String>, Option<String>) {
    sqlx::query_as(
        "SELECT risk_level::text, risk_score,
                coalesce(ARRAY(SELECT s->>'code' FROM jsonb_array_elements(risk_signals) s), '{}'),
                host(client_addr)
           FROM orders WHERE number = $1",
    )
    .bind(number)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

fn numbers(page: &serde_json::Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn card_testing_is_high_risk_and_waits_for_staff_who_find_it_read_why_and_capture_it() {
    let (app, _url, _sandbox) =
        shop_with_own_sandbox_behind(&behind_a_proxy(), |s| s.payments.review = Review::High).await;
    let r = card_testing(&app, Some("203.0.113.9"), "mallory@example.com").await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Authorized only: the money is not taken before someone looked.
    assert_eq!(r.json()["status"], "authorized", "{}", r.text());
    let held = r.json()["number"].as_str().unwrap().to_owned();
    let (level, score, codes, client) = assessment(&app, &held).await;
    assert_eq!(level.as_deref(), Some("high"));
    assert_eq!(score, Some(65));
    assert_eq!(codes, ["declined_cards", "many_cards"]);
    assert_eq!(client.as_deref(), Some("203.0.113.9"));
    let captured: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(p.captured_minor), 0)::bigint FROM payments p
           JOIN orders o ON o.id = p.order_id WHERE o.number = $1",
    )
    .bind(&held)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(captured, 0);

    // An honest first order from elsewhere is low risk and paid at once.
    let ada = Browser::new(&app);
    add(&ada, LAPTOP_13, "1").await;
    let r = place_from(
        &ada,
        Some("198.51.100.4"),
        "ada@example.com",
        test_cards::SUCCESS,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed", "{}", r.text());
    let honest = r.json()["number"].as_str().unwrap().to_owned();
    let (level, score, codes, _) = assessment(&app, &honest).await;
    assert_eq!(
        (level.as_deref(), score, codes.len()),
        (Some("low"), Some(0), 0)
    );

    // Staff find it by its risk, and only it.
    let boss = admin(&app, "boss@example.com").await;
    let high = boss.get("/api/admin/orders?risk=high").await;
    assert_eq!(high.status, 200, "{}", high.text());
    assert_eq!(numbers(&high.json()), std::slice::from_ref(&held));
    assert_eq!(high.json()["rows"][0]["risk"], "high");
    let low = numbers(&boss.get("/api/admin/orders?risk=low").await.json());
    assert!(low.contains(&honest) && !low.contains(&held), "{low:?}");
    let csv = boss.get("/api/admin/orders.csv?risk=high").await.text();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].ends_with(",risk,risk_score"), "{csv}");
    assert!(
        lines[1].starts_with(&held) && lines[1].ends_with(",high,65"),
        "{csv}"
    );

    // The order's page says why, and where it came from.
    let page = boss.get(&format!("/admin/orders/{held}")).await.text();
    assert!(page.contains("High risk"), "{page}");
    assert!(
        page.contains("2 card payments were declined for this buyer in the last day"),
        "{page}"
    );
    assert!(page.contains("3 different cards"), "{page}");
    assert!(page.contains("placed from 203.0.113.9"), "{page}");
    let list = boss.get("/admin/orders?risk=high").await.text();
    assert!(list.contains(&held) && !list.contains(&honest), "{list}");

    // A clerk without `orders` sees none of it.
    let clerk = staff_member(&app, "clerk@example.com", &["Catalog"]).await;
    let r = clerk.get("/api/admin/orders?risk=high").await;
    assert_eq!(r.status, 403, "{}", r.text());

    // Staff capture it after looking: the money is taken once.
    let r = boss.get(&format!("/api/admin/order?number={held}")).await;
    assert_eq!(r.json()["risk"]["assessment"]["level"], "high");
    assert_eq!(r.json()["offers"]["capture"], true, "{}", r.text());
    let k = r.json()["offers"]["keys"]["capture"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = boss
        .call(
            "/api/admin/orders/capture",
            &[("number", &held), ("key", &k)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(order_status(&app, &held).await, "confirmed");
}

#[tokio::test]
async fn without_review_a_risky_order_is_paid_and_flagged_and_the_shops_own_network_is_no_signal() {
    let (app, _url, _sandbox) = shop_with_own_sandbox_and(|_| {}).await;
    // From loopback (no trusted proxy): the address is the shop's own, never kept.
    let r = card_testing(&app, None, "mallory@example.com").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "confirmed", "{}", r.text());
    let number = r.json()["number"].as_str().unwrap().to_owned();
    let (level, _, codes, client) = assessment(&app, &number).await;
    assert_eq!(level.as_deref(), Some("high"));
    assert_eq!(codes, ["declined_cards", "many_cards"]);
    assert_eq!(client, None);
    // Many e-mails from loopback are not many buyers behind one address.
    for who in ["a", "b", "c", "d"] {
        let b = Browser::new(&app);
        add(&b, LAPTOP_13, "1").await;
        let email = format!("{who}@example.com");
        let r = place_from(&b, None, &email, test_cards::SUCCESS).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let number = r.json()["number"].as_str().unwrap().to_owned();
        let (level, score, codes, client) = assessment(&app, &number).await;
        assert_eq!(
            (level.as_deref(), score, codes.len(), client),
            (Some("low"), Some(0), 0, None),
            "{email}"
        );
    }
    let unassessed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE risk_level IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(unassessed, 0, "every order placed at checkout is assessed");
}

#[tokio::test]
async fn a_risk_filter_that_is_not_a_level_is_refused_and_never_drawn_as_markup() {
    let (app, _url, _sandbox) = shop_with_own_sandbox_and(|_| {}).await;
    let boss = admin(&app, "boss@example.com").await;
    let hostile = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let r = boss.get(&format!("/api/admin/orders?risk={hostile}")).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("no risk level"), "{}", r.text());
    let page = boss.get(&format!("/admin/orders?risk={hostile}")).await;
    let text = page.text();
    assert!(text.contains("no risk level"), "{text}");
    assert!(!text.contains("<script>alert(1)"), "{text}");
    let r = boss
        .get(&format!("/api/admin/orders.csv?risk={hostile}"))
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test]
async fn many_buyers_behind_one_public_address_and_its_declined_cards_add_up() {
    let (app, _url, _sandbox) = shop_with_own_sandbox_behind(&behind_a_proxy(), |_| {}).await;
    let from = Some("203.0.113.50");
    let mut placed = Vec::new();
    for (who, card) in [
        ("a", test_cards::SUCCESS),
        ("b", test_cards::SUCCESS),
        ("c", test_cards::SUCCESS),
        ("d", test_cards::DECLINE),
        ("e", test_cards::INSUFFICIENT_FUNDS),
        ("f", test_cards::SUCCESS),
    ] {
        let b = Browser::new(&app);
        add(&b, LAPTOP_13, "1").await;
        let r = place_from(&b, from, &format!("{who}@example.com"), card).await;
        if card == test_cards::SUCCESS {
            assert_eq!(r.status, 200, "{who}: {}", r.text());
            placed.push(r.json()["number"].as_str().unwrap().to_owned());
        } else {
            assert!(r.status >= 400, "{who}: {}", r.text());
        }
    }
    // The first two e-mails from the address are nothing; the third is a third buyer
    // behind it.
    for number in &placed[..2] {
        let (level, score, codes, client) = assessment(&app, number).await;
        assert_eq!(
            (level.as_deref(), score, codes.len(), client.as_deref()),
            (Some("low"), Some(0), 0, Some("203.0.113.50"))
        );
    }
    let (level, score, codes, _) = assessment(&app, &placed[2]).await;
    assert_eq!(
        (level.as_deref(), score, codes),
        (Some("low"), Some(20), vec!["emails_per_address".to_owned()])
    );
    // Two cards declined there (for other e-mails), six orders this hour, six e-mails.
    let (level, score, codes, _) = assessment(&app, &placed[3]).await;
    assert_eq!(
        codes,
        ["declined_cards", "address_velocity", "emails_per_address"]
    );
    assert_eq!((level.as_deref(), score), (Some("high"), Some(70)));
}

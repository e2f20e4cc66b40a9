//! The payment path over real HTTP: the shop's client against the sandbox provider
//! (outcomes of each test card, idempotency, timeouts and retries that never charge
//! twice, a provider that is down, answers lost after the money moved, invalid
//! transitions) and the shop's webhook endpoint (signatures, replays).

use crate::helpers::{
    TestApp, fresh_database, http_request, sandbox_client, sandbox_faults, spawn_app_with,
    standalone_sandbox,
};
use app::payments::ssr::{PaymentError, signature};
use app::payments::wire::{AuthorizeRequest, Event, IntentStatus, SIGNATURE_HEADER, test_cards};
use server::settings::Settings;
use std::time::Duration;

fn request(card: &str, amount: i64, reference: &str) -> AuthorizeRequest {
    AuthorizeRequest {
        amount,
        currency: "USD".into(),
        card_number: card.into(),
        reference: reference.into(),
        capture: false,
    }
}

/// A shop, and a payment client for a sandbox started on its own (the way
/// `server payments-sandbox` runs it) with known credentials; `tune` changes the client's
/// settings. Returns the sandbox's URL too, for asking it for faults.
async fn shop_with(
    tune: impl Fn(&mut Settings),
) -> (TestApp, app::payments::ssr::Payments, String) {
    let app = spawn_app_with(&fresh_database().await, 12).await;
    let mut tuned = Settings::default();
    tune(&mut tuned);
    let slow = Duration::from_secs(tuned.payments.sandbox_slow_card_secs);
    let url = standalone_sandbox(&app.pool, slow, app.stop.subscribe()).await;
    let mut settings = sandbox_client(&url);
    tune(&mut settings);
    let payments = server::serve::payments(&settings, &app.pool, app.addr, app.stop.subscribe())
        .await
        .expect("payment client");
    (app, payments, url)
}

async fn intents_for(app: &TestApp, reference: &str) -> Vec<(String, String, i64, i64)> {
    sqlx::query_as(
        "SELECT id, status, captured, refunded FROM payments_sandbox.intents WHERE reference = $1 ORDER BY id",
    )
    .bind(reference)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn each_test_card_gives_its_outcome_and_money_moves_only_as_allowed() {
    let app = spawn_app_with(&fresh_database().await, 12).await;
    let provider = &app.payments.provider;

    let intent = provider
        .authorize(&request(test_cards::SUCCESS, 12_345, "order-1"), "k-auth-1")
        .await
        .unwrap();
    assert_eq!(intent.status, IntentStatus::Authorized);
    assert_eq!(intent.last4, "4242");
    assert!(intent.card_token.as_deref().unwrap().starts_with("tok_"));

    // Partial capture, partial refund, the rest refunded; nothing more.
    let captured = provider
        .capture(&intent.id, Some(usd(12_000)), "k-cap-1")
        .await
        .unwrap();
    assert_eq!(
        (captured.status, captured.captured),
        (IntentStatus::Captured, 12_000)
    );
    let part = provider
        .refund(&intent.id, Some(usd(2_000)), "k-ref-1")
        .await
        .unwrap();
    assert_eq!(
        (part.status, part.refunded),
        (IntentStatus::PartiallyRefunded, 2_000)
    );
    let too_much = provider
        .refund(&intent.id, Some(usd(10_001)), "k-ref-2")
        .await
        .unwrap_err();
    assert!(
        matches!(&too_much, PaymentError::Rejected { code, .. } if code == "invalid_amount"),
        "{too_much:?}"
    );
    let rest = provider.refund(&intent.id, None, "k-ref-3").await.unwrap();
    assert_eq!(
        (rest.status, rest.refunded),
        (IntentStatus::Refunded, 12_000)
    );
    let again = provider.void(&intent.id, "k-void-1").await.unwrap_err();
    assert!(
        matches!(&again, PaymentError::Rejected { code, .. } if code == "invalid_state"),
        "{again:?}"
    );

    // Declines carry their reason, and take nothing.
    for (card, code) in [
        (test_cards::DECLINE, "card_declined"),
        (test_cards::INSUFFICIENT_FUNDS, "insufficient_funds"),
    ] {
        let err = provider
            .authorize(
                &request(card, 500, &format!("order-{code}")),
                &format!("k-{code}"),
            )
            .await
            .unwrap_err();
        match err {
            PaymentError::Declined { code: got, intent } => {
                assert_eq!(got, code);
                assert_eq!(intent.card_token, None);
                let err = provider
                    .capture(&intent.id, None, &format!("k-cap-{code}"))
                    .await
                    .unwrap_err();
                assert!(matches!(err, PaymentError::Rejected { .. }));
            }
            other => panic!("{other:?}"),
        }
    }

    // A voided authorization cannot be captured.
    let held = provider
        .authorize(&request(test_cards::SUCCESS, 999, "order-2"), "k-auth-2")
        .await
        .unwrap();
    assert_eq!(
        provider.void(&held.id, "k-void-2").await.unwrap().status,
        IntentStatus::Voided
    );
    assert!(provider.capture(&held.id, None, "k-cap-2").await.is_err());

    // Automatic capture takes the money in the authorizing call; a capture after it is
    // refused, and a decline with it still takes nothing.
    let mut at_once = request(test_cards::SUCCESS, 4_321, "order-3");
    at_once.capture = true;
    let taken = provider.authorize(&at_once, "k-auth-3").await.unwrap();
    assert_eq!(
        (taken.status, taken.captured),
        (IntentStatus::Captured, 4_321)
    );
    assert!(taken.card_token.is_some());
    let twice = provider
        .capture(&taken.id, None, "k-cap-3")
        .await
        .unwrap_err();
    assert!(
        matches!(&twice, PaymentError::Rejected { code, .. } if code == "invalid_state"),
        "{twice:?}"
    );
    let mut declined = request(test_cards::DECLINE, 4_321, "order-4");
    declined.capture = true;
    match provider.authorize(&declined, "k-auth-4").await.unwrap_err() {
        PaymentError::Declined { intent, .. } => assert_eq!(intent.captured, 0),
        other => panic!("{other:?}"),
    }

    // Bad input is refused by the provider, clearly.
    for (card, amount, code) in [
        ("4242424242424241", 100, "invalid_card_number"),
        ("not a card", 100, "invalid_card_number"),
        (test_cards::SUCCESS, 0, "invalid_amount"),
        (test_cards::SUCCESS, -5, "invalid_amount"),
        ("4111111111111111", 100, "unknown_test_card"),
    ] {
        let err = provider
            .authorize(
                &request(card, amount, "order-bad"),
                &format!("k-bad-{card}-{amount}"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, PaymentError::Rejected { code: c, .. } if c == code),
            "{card} {amount}: {err:?}"
        );
    }
    assert!(intents_for(&app, "order-bad").await.is_empty());
    // The shop's database never sees a card number (it is not stored anywhere but the provider's last four).
    let leaked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments_sandbox.intents WHERE last4 <> right(last4, 4) OR length(last4) <> 4",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn the_same_idempotency_key_is_the_same_payment_even_at_once() {
    let app = spawn_app_with(&fresh_database().await, 12).await;
    let provider = app.payments.provider.clone();
    let req = request(test_cards::SUCCESS, 5_000, "order-twice");
    let (a, b) = tokio::join!(
        provider.authorize(&req, "double-click"),
        provider.authorize(&req, "double-click")
    );
    assert_eq!(a.unwrap().id, b.unwrap().id);
    assert_eq!(intents_for(&app, "order-twice").await.len(), 1);

    // The same key with a different request is a mistake, not a new payment.
    let err = provider
        .authorize(
            &request(test_cards::SUCCESS, 6_000, "order-twice"),
            "double-click",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PaymentError::Rejected { code, .. } if code == "idempotency_key_reused"),
        "{err:?}"
    );
    assert_eq!(intents_for(&app, "order-twice").await.len(), 1);
}

#[tokio::test]
async fn a_slow_provider_times_out_and_the_retry_never_charges_twice() {
    let (app, payments, url) = shop_with(|s| {
        s.payments.timeout_ms = 300;
        s.payments.retries = 0;
        s.payments.sandbox_slow_card_secs = 2;
    })
    .await;
    let req = request(test_cards::TIMEOUT, 7_500, "order-slow");
    let started = std::time::Instant::now();
    let err = payments
        .provider
        .authorize(&req, "slow-key")
        .await
        .unwrap_err();
    assert_eq!(err, PaymentError::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(1_900),
        "{:?}",
        started.elapsed()
    );
    // The provider did authorize it, once: the answer was what got lost.
    let intents = intents_for(&app, "order-slow").await;
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0].1, "authorized");
    let found = payments.provider.find("order-slow").await.unwrap();
    assert_eq!(found.len(), 1);
    // Asking again with the same key gets that authorization at once, not a second one.
    let again = payments.provider.authorize(&req, "slow-key").await.unwrap();
    assert_eq!(again.id, found[0].id);
    assert_eq!(intents_for(&app, "order-slow").await.len(), 1);

    // A client that retries does this by itself: the first attempt times out, the
    // second (same key) gets the stored answer.
    let mut settings = sandbox_client(&url);
    settings.payments.timeout_ms = 300;
    settings.payments.retries = 2;
    let retrying = server::serve::payments(&settings, &app.pool, app.addr, app.stop.subscribe())
        .await
        .unwrap();
    let req = request(test_cards::TIMEOUT, 8_000, "order-slow-2");
    let started = std::time::Instant::now();
    let intent = retrying
        .provider
        .authorize(&req, "slow-key-2")
        .await
        .unwrap();
    assert_eq!(intent.status, IntentStatus::Authorized);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "it did time out first"
    );
    assert_eq!(intents_for(&app, "order-slow-2").await.len(), 1);
}

#[tokio::test]
async fn a_provider_that_is_down_opens_the_breaker_and_a_lost_answer_is_recovered_by_retrying() {
    let (app, payments, sandbox_url) = shop_with(|s| {
        s.payments.retries = 2;
        s.payments.breaker_threshold = 2;
        s.payments.breaker_cool_down_secs = 1;
    })
    .await;

    // The answer to a capture is lost after the money moved: the client's retry (same
    // key) gets the capture, which happened once.
    let intent = payments
        .provider
        .authorize(
            &request(test_cards::SUCCESS, 4_000, "order-lost"),
            "lost-auth",
        )
        .await
        .unwrap();
    sandbox_faults(&sandbox_url, r#"{"fail_after_commit": 1}"#).await;
    let captured = payments
        .provider
        .capture(&intent.id, None, "lost-cap")
        .await
        .unwrap();
    assert_eq!(captured.captured, 4_000);
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM payments_sandbox.events WHERE body->'intent'->>'id' = $1 AND body->>'type' = 'payment_intent.captured'",
    )
    .bind(&intent.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, 1, "captured once");

    // Down: every attempt fails, the call says so, and after two such calls the breaker
    // answers at once without calling.
    sandbox_faults(&sandbox_url, r#"{"unavailable": 100}"#).await;
    for i in 0..2 {
        let err = payments
            .provider
            .authorize(
                &request(test_cards::SUCCESS, 100, "order-down"),
                &format!("down-{i}"),
            )
            .await
            .unwrap_err();
        assert_eq!(err, PaymentError::Unavailable);
    }
    let started = std::time::Instant::now();
    let err = payments
        .provider
        .authorize(&request(test_cards::SUCCESS, 100, "order-down"), "down-3")
        .await
        .unwrap_err();
    assert_eq!(err, PaymentError::Unavailable);
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "the open breaker answers at once"
    );
    assert!(intents_for(&app, "order-down").await.is_empty());

    // Back up: after the cool-down one trial goes through and closes the breaker.
    sandbox_faults(&sandbox_url, r#"{"unavailable": 0}"#).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    payments
        .provider
        .authorize(&request(test_cards::SUCCESS, 100, "order-up"), "up-1")
        .await
        .unwrap();
}

async fn events_recorded(app: &TestApp, intent: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT kind FROM payment_events WHERE intent_id = $1 ORDER BY received_at, kind",
    )
    .bind(intent)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn signed_webhooks_are_recorded_once_and_forgeries_are_refused() {
    let app = spawn_app_with(&fresh_database().await, 12).await;
    let provider = &app.payments.provider;
    let intent = provider
        .authorize(
            &request(test_cards::SUCCESS, 2_500, "order-hooks"),
            "hooks-auth",
        )
        .await
        .unwrap();
    provider
        .capture(&intent.id, None, "hooks-cap")
        .await
        .unwrap();
    // The sandbox delivers both events to the shop within a moment.
    let mut kinds = Vec::new();
    for _ in 0..50 {
        kinds = events_recorded(&app, &intent.id).await;
        if kinds.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        kinds,
        ["payment_intent.authorized", "payment_intent.captured"]
    );

    // A replay of a delivered event is acknowledged and changes nothing.
    let body: serde_json::Value = sqlx::query_scalar(
        "SELECT body FROM payment_events WHERE intent_id = $1 AND kind = 'payment_intent.captured'",
    )
    .bind(&intent.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let body = body.to_string();
    let event: Event = serde_json::from_str(&body).unwrap();
    assert_eq!(event.intent.captured, 2_500);
    let now = chrono::Utc::now().timestamp();
    let secret = app.payments.webhook_secret.as_bytes();
    let post = |signature: Option<String>, body: String| {
        let addr = app.addr;
        async move {
            let mut headers = vec![("content-type", "application/json".to_owned())];
            if let Some(s) = signature {
                headers.push((SIGNATURE_HEADER, s));
            }
            http_request(addr, "POST", "/webhooks/payments", &headers, &body).await
        }
    };
    let replay = post(
        Some(signature::sign(secret, now, body.as_bytes())),
        body.clone(),
    )
    .await;
    assert_eq!(replay.status, 200, "{}", replay.text());
    assert_eq!(events_recorded(&app, &intent.id).await.len(), 2);

    // One delivery of several events (the sandbox posts what it has due together): the
    // new one is recorded, the one already here is not recorded twice.
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut second = first.clone();
    second["id"] = "evt_batch_second".into();
    let batch = serde_json::json!({ "events": [first, second] }).to_string();
    let r = post(Some(signature::sign(secret, now, batch.as_bytes())), batch).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(events_recorded(&app, &intent.id).await.len(), 3);
    // A delivery with one event that is not an event: 400, and none of it recorded.
    let mut third = first.clone();
    third["id"] = "evt_batch_third".into();
    let bad = serde_json::json!({ "events": [third, { "hello": 1 }] }).to_string();
    let r = post(Some(signature::sign(secret, now, bad.as_bytes())), bad).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(events_recorded(&app, &intent.id).await.len(), 3);

    // Forged, tampered, stale or unsigned: 400, nothing recorded.
    let forged = body
        .replace(&intent.id, "pi_forged")
        .replace(&event.id, "evt_forged");
    for (label, signature, body) in [
        (
            "wrong secret",
            Some(signature::sign(b"guess", now, forged.as_bytes())),
            forged.clone(),
        ),
        (
            "tampered",
            Some(signature::sign(secret, now, body.as_bytes())),
            forged.clone(),
        ),
        (
            "stale",
            Some(signature::sign(secret, now - 3_600, forged.as_bytes())),
            forged.clone(),
        ),
        ("unsigned", None, forged.clone()),
        ("garbage", Some("t=1,v1=zz".to_owned()), forged.clone()),
    ] {
        let r = post(signature, body).await;
        assert_eq!(r.status, 400, "{label}: {}", r.text());
    }
    assert!(events_recorded(&app, "pi_forged").await.is_empty());
    // Signed but not an event: a clear 400 too.
    let junk = "{\"hello\": 1}".to_owned();
    let r = post(Some(signature::sign(secret, now, junk.as_bytes())), junk).await;
    assert_eq!(r.status, 400);
}

fn usd(minor: i64) -> app::money::Money {
    app::money::Money::from_minor(minor, app::money::Currency::USD)
}

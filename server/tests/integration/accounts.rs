//! Accounts and sessions over HTTP: what the browser and the database see.

use crate::helpers::{Browser, Fields, TestApp, last_email, spawn_shop};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "correct horse battery";

/// Signs up and opens the e-mailed link (the browser is signed in afterwards).
async fn sign_up(app: &TestApp, b: &Browser, email: &str) -> crate::helpers::Response {
    crate::helpers::sign_up_confirmed(app, b, email, PASSWORD, "Ada").await
}

/// Marks the e-mail queued so far as delivered (the sign-up's, in tests about later mail).
async fn sent_already(app: &TestApp) {
    sqlx::query("UPDATE emails SET sent_at = now() WHERE sent_at IS NULL")
        .execute(&app.pool)
        .await
        .unwrap();
}

async fn whoami(b: &Browser) -> Option<String> {
    let r = b.call("/api/account/whoami", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["email"].as_str().map(str::to_owned)
}

#[tokio::test]
async fn sign_up_in_and_out_with_safe_cookies_and_hashed_secrets() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    let r = sign_up(&app, &b, "  Ada@Example.com ").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["email"], "ada@example.com");
    let set = r.headers_named("set-cookie").join("\n");
    for flag in [
        "mercato_session=",
        "HttpOnly",
        "SameSite=Lax",
        "Path=/",
        "Max-Age=",
    ] {
        assert!(set.contains(flag), "{set}");
    }
    assert!(!set.contains("Secure"), "not over plain http: {set}");
    let token = b.cookie("mercato_session").expect("a session cookie");
    assert_eq!(token.len(), 43, "256 random bits in base64url");

    // The database holds an argon2id hash and the token's SHA-256, never the secrets.
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'ada@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE token_hash = $1")
        .bind(Sha256::digest(token.as_bytes()).to_vec())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(whoami(&b).await.as_deref(), Some("ada@example.com"));

    // One account per address, however it is typed: signing up again answers as for a
    // new address (so nobody learns who has an account), and e-mails the owner instead.
    let fresh = Browser::new(&app)
        .call(
            "/api/account/sign-up",
            &[("email", "new@example.com"), ("password", PASSWORD)],
        )
        .await;
    let again = Browser::new(&app)
        .call(
            "/api/account/sign-up",
            &[
                ("email", "ADA@example.COM"),
                ("password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!((again.status, again.text()), (fresh.status, fresh.text()));
    assert!(
        again.headers_named("set-cookie").is_empty(),
        "nobody is signed in"
    );
    let (_, note) = last_email(&app, "ada@example.com", "Someone tried to sign up")
        .await
        .expect("the owner is told");
    assert!(note.contains("/account/forgot"), "{note}");
    let accounts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email = 'ada@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(accounts, 1);

    // Signing out ends the session on the server: the old token is worthless.
    let r = b.call("/api/account/sign-out", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        b.cookie("mercato_session").is_none(),
        "the cookie is cleared"
    );
    b.set_cookie("mercato_session", &token);
    assert_eq!(whoami(&b).await, None, "a signed-out token no longer works");

    // Wrong password: a clear 401; the right one: a new session with a new token.
    let r = b
        .call(
            "/api/account/sign-in",
            &[
                ("email", "ada@example.com"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
    assert!(r.text().contains("do not match"), "{}", r.text());
    let r = b
        .call(
            "/api/account/sign-in",
            &[("email", "ADA@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_ne!(
        b.cookie("mercato_session").unwrap(),
        token,
        "a new token at sign-in"
    );
    assert_eq!(whoami(&b).await.as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn bad_sign_ups_get_clear_errors_and_create_nothing() {
    // More sign-ups than the edge allows one address: this is about what each says.
    let app =
        crate::helpers::spawn_shop_with_edge(&server::security::EdgePolicy::unlimited()).await;
    let cases: &[(Fields, u16, &str)] = &[
        (
            &[("email", "ada@example.com"), ("password", "short")],
            400,
            "at least 10 characters",
        ),
        (
            &[("email", "ada@example.com"), ("password", "password123")],
            400,
            "too common",
        ),
        (
            &[
                ("email", "ada@example.com"),
                ("password", "ada@example.com"),
            ],
            400,
            "e-mail",
        ),
        (
            &[("email", "ada@example.com"), ("password", "aaaaaaaaaaaaaa")],
            400,
            "different characters",
        ),
        (
            &[("email", "not an address"), ("password", PASSWORD)],
            400,
            "e-mail address",
        ),
        (
            &[("email", ""), ("password", PASSWORD)],
            400,
            "enter your e-mail",
        ),
        (&[("password", PASSWORD)], 400, "enter your e-mail"),
        (&[("email", "ada@example.com")], 400, "at least 10"),
    ];
    for (fields, status, says) in cases {
        let r = Browser::new(&app)
            .call("/api/account/sign-up", fields)
            .await;
        assert_eq!(r.status, *status, "{fields:?}: {}", r.text());
        assert!(r.text().contains(says), "{fields:?}: {}", r.text());
    }
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0);
}

#[tokio::test]
async fn sign_in_is_throttled_per_account_and_per_address() {
    let app = spawn_shop().await;
    sign_up(&app, &Browser::new(&app), "ada@example.com").await;
    let b = Browser::new(&app);
    for _ in 0..5 {
        let r = b
            .call(
                "/api/account/sign-in",
                &[
                    ("email", "ada@example.com"),
                    ("password", "not the password"),
                ],
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // Now even the right password is refused for a while, with a clear message.
    let r = b
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(
        r.text().contains("too many failed sign-ins"),
        "{}",
        r.text()
    );

    // Per address: many failures from one IP block other accounts from it too.
    sign_up(&app, &Browser::new(&app), "bob@example.com").await;
    sqlx::query("INSERT INTO sign_in_failures (email, ip) SELECT 'x' || g || '@example.com', '127.0.0.1' FROM generate_series(1, 50) g")
        .execute(&app.pool)
        .await
        .unwrap();
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[("email", "bob@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 429, "{}", r.text());
    // Once the window has passed, signing in works again.
    sqlx::query("UPDATE sign_in_failures SET failed_at = now() - interval '1 hour'")
        .execute(&app.pool)
        .await
        .unwrap();
    let r = b
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_device() {
    let app = spawn_shop().await;
    let laptop = Browser::new(&app);
    sign_up(&app, &laptop, "ada@example.com").await;
    let phone = Browser::new(&app);
    let r = phone
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(whoami(&phone).await.is_some());

    let wrong = laptop
        .call(
            "/api/account/change-password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a brand new sentence"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.text().contains("current password is not right"));
    let weak = laptop
        .call(
            "/api/account/change-password",
            &[("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert_eq!(weak.status, 400);
    let r = laptop
        .call(
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new sentence"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        whoami(&laptop).await.as_deref(),
        Some("ada@example.com"),
        "this device stays in"
    );
    assert_eq!(whoami(&phone).await, None, "the other device is signed out");
    let old = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, 401);
    let new = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[
                ("email", "ada@example.com"),
                ("password", "a brand new sentence"),
            ],
        )
        .await;
    assert_eq!(new.status, 200);

    // Without a session there is nothing to change.
    let r = Browser::new(&app)
        .call(
            "/api/account/change-password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another new sentence"),
            ],
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn sessions_end_after_idle_and_absolute_timeouts() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    sign_up(&app, &b, "ada@example.com").await;
    assert!(whoami(&b).await.is_some(), "signed in (and remembered)");
    app.change_sessions("UPDATE sessions SET last_seen_at = now() - interval '73 hours'")
        .await;
    assert_eq!(whoami(&b).await, None, "idle for longer than 72 hours");

    let b = Browser::new(&app);
    b.call(
        "/api/account/sign-in",
        &[("email", "ada@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert!(whoami(&b).await.is_some());
    app.change_sessions("UPDATE sessions SET expires_at = now() - interval '1 second'")
        .await;
    assert_eq!(whoami(&b).await, None, "past the absolute limit");

    let rules = app::session::SessionRules::standard(false);
    let purged = app::session::purge_expired(&app.pool, &rules)
        .await
        .unwrap();
    assert_eq!(purged, 2, "both ended sessions are removed");
}

#[tokio::test]
async fn sessions_are_remembered_until_the_database_says_otherwise() {
    let app = spawn_shop().await;
    let (a, b) = (Browser::new(&app), Browser::new(&app));
    sign_up(&app, &a, "ada@example.com").await;
    sign_up(&app, &b, "bob@example.com").await;
    assert_eq!(whoami(&a).await.as_deref(), Some("ada@example.com"));
    assert_eq!(whoami(&b).await.as_deref(), Some("bob@example.com"));
    assert_eq!(
        app.state.sessions.cache.len(),
        2,
        "both sessions are remembered"
    );

    // Another server instance signs Ada out: this one hears of it from the database.
    app.change_sessions(
        "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = 'ada@example.com')",
    )
    .await;
    assert_eq!(whoami(&a).await, None, "ended elsewhere, refused here");
    assert_eq!(whoami(&b).await.as_deref(), Some("bob@example.com"));

    // A new address shows at once too.
    app.change_sessions(
        "UPDATE users SET email = 'robert@example.com' WHERE email = 'bob@example.com'",
    )
    .await;
    assert_eq!(whoami(&b).await.as_deref(), Some("robert@example.com"));

    // A visit that only extends a session changes nothing anyone remembered.
    let seen = app.state.sessions.cache.freshness().generation();
    sqlx::query("UPDATE sessions SET last_seen_at = now() + interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(whoami(&b).await.as_deref(), Some("robert@example.com"));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(app.state.sessions.cache.freshness().generation(), seen);
}

#[tokio::test]
async fn requests_from_other_sites_are_refused() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    let fields = [("email", "ada@example.com"), ("password", PASSWORD)];
    let r = b
        .post(
            "/api/account/sign-up",
            &fields,
            "application/json",
            &[("Origin", "https://evil.example".into())],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = b
        .post(
            "/api/account/sign-up",
            &fields,
            "application/json",
            &[("Sec-Fetch-Site", "cross-site".into())],
        )
        .await;
    assert_eq!(r.status, 403);
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing was created");
    // The same request from the shop's own pages goes through.
    let r = b
        .post(
            "/api/account/sign-up",
            &fields,
            "application/json",
            &[
                ("Origin", app.base.clone()),
                ("Sec-Fetch-Site", "same-origin".into()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn account_pages_work_without_javascript_and_need_a_session() {
    let app = spawn_shop().await;
    let b = Browser::new(&app);
    let r = b.get("/account").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), "/account/sign-in");

    sign_up(&app, &Browser::new(&app), "ada@example.com").await;
    // A wrong password: back to the form, which then says what went wrong.
    let r = b
        .submit(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", "nope nope nope")],
            "/account/sign-in",
        )
        .await;
    assert_eq!(r.status, 302);
    assert!(
        r.header("location").ends_with("/account/sign-in"),
        "{}",
        r.header("location")
    );
    let page = b.get("/account/sign-in").await.text();
    assert!(
        page.contains("do not match an account"),
        "the error is shown"
    );
    let page = b.get("/account/sign-in").await.text();
    assert!(!page.contains("do not match an account"), "and only once");

    let r = b
        .submit(
            "/api/account/sign-in",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            "/account/sign-in",
        )
        .await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), "/account");
    let page = b.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("ada@example.com"));
    assert!(page.text().contains("You are signed in."));

    let r = b.submit("/api/account/sign-out", &[], "/account").await;
    assert_eq!(r.status, 302);
    assert_eq!(b.get("/account").await.status, 302, "signed out");
}

#[tokio::test]
async fn the_first_admin_is_made_by_the_server_command() {
    let app = spawn_shop().await;
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(admins, 0, "no default accounts of any kind");
    let weak = app::account::ssr::create_admin(&app.pool, "root@example.com", "admin".into()).await;
    assert!(weak.is_err(), "the password policy applies to admins too");
    app::account::ssr::create_admin(&app.pool, "root@example.com", PASSWORD.into())
        .await
        .unwrap();
    let role: String =
        sqlx::query_scalar("SELECT role::text FROM users WHERE email = 'root@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(role, "admin");
    let b = Browser::new(&app);
    let r = b
        .call(
            "/api/account/sign-in",
            &[("email", "root@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.json()["role"], "admin");
}

/// The reset link in the newest message of a maildir.
fn link_in_mail(maildir: &std::path::Path) -> (String, String) {
    let mut messages: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    messages.sort();
    let text = std::fs::read_to_string(messages.last().expect("a message")).unwrap();
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/account/reset?token="))
        .expect("a reset link")
        .to_owned();
    (text, link)
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_an_emailed_single_use_link() {
    // More password forms from one address than the edge allows in a burst.
    let app =
        crate::helpers::spawn_shop_with_edge(&server::security::EdgePolicy::unlimited()).await;
    let maildir = std::env::temp_dir().join(format!(
        "mercato-mail-{}-{}",
        std::process::id(),
        app.addr.port()
    ));
    let phone = Browser::new(&app);
    sign_up(&app, &phone, "ada@example.com").await;
    sent_already(&app).await;

    // Known and unknown addresses get the same answer; only the known one gets mail.
    let b = Browser::new(&app);
    for email in ["nobody@example.com", "ADA@example.com"] {
        let r = b.call("/api/account/forgot", &[("email", email)]).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let bad = b
        .call("/api/account/forgot", &[("email", "not an address")])
        .await;
    assert_eq!(bad.status, 400);
    let sent = app::mail::deliver_pending(&app.pool, &app::mail::Maildir::new(&maildir))
        .await
        .unwrap();
    assert_eq!(sent, 1, "one e-mail, to the account that exists");
    let (message, link) = link_in_mail(&maildir);
    assert!(message.contains("To: ada@example.com"), "{message}");
    assert!(
        link.starts_with(&app.base),
        "an absolute link to this shop: {link}"
    );
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = b.get(&format!("/account/reset?token={token}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains(&token), "the form carries the token");

    // A weak password is refused and the link still works afterwards.
    let r = b
        .call(
            "/api/account/reset",
            &[("token", &token), ("new_password", "short")],
        )
        .await;
    assert_eq!(r.status, 400);
    let r = b
        .call(
            "/api/account/reset",
            &[("token", &token), ("new_password", "a brand new sentence")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        whoami(&b).await.as_deref(),
        Some("ada@example.com"),
        "signed in by the reset"
    );
    assert_eq!(whoami(&phone).await, None, "every other session ended");

    // Used once, it is used up; a made-up token is refused the same way.
    for t in [
        token.as_str(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "x",
    ] {
        let r = Browser::new(&app)
            .call(
                "/api/account/reset",
                &[("token", t), ("new_password", "yet another sentence")],
            )
            .await;
        assert_eq!(r.status, 400, "{t}");
        assert!(
            r.text()
                .contains("not valid, was already used or has expired")
        );
    }
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[
                ("email", "ada@example.com"),
                ("password", "a brand new sentence"),
            ],
        )
        .await;
    assert_eq!(r.status, 200);

    // An expired link does not work.
    Browser::new(&app)
        .call("/api/account/forgot", &[("email", "ada@example.com")])
        .await;
    app::mail::deliver_pending(&app.pool, &app::mail::Maildir::new(&maildir))
        .await
        .unwrap();
    let (_, link) = link_in_mail(&maildir);
    let token = link.split("token=").nth(1).unwrap().to_owned();
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let r = Browser::new(&app)
        .call(
            "/api/account/reset",
            &[("token", &token), ("new_password", "yet another sentence")],
        )
        .await;
    assert_eq!(r.status, 400);
    let _ = std::fs::remove_dir_all(&maildir);
}

#[tokio::test]
async fn the_address_book_is_private_to_its_customer() {
    let app = spawn_shop().await;
    let ada = Browser::new(&app);
    sign_up(&app, &ada, "ada@example.com").await;
    let address: Fields = &[
        ("full_name", "Ada Lovelace"),
        ("line1", "12 St James's Square"),
        ("city", "London"),
        ("postal_code", "SW1Y 4JH"),
        ("country", "gb"),
    ];
    let r = ada.call("/api/account/addresses/add", address).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json().as_i64().unwrap();
    let bad = ada
        .call(
            "/api/account/addresses/add",
            &[("full_name", "Ada"), ("country", "Britain")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("two-letter code"), "{}", bad.text());
    let list = ada.call("/api/account/addresses", &[]).await.json();
    assert_eq!(list[0]["country"], "GB");
    assert_eq!(list.as_array().unwrap().len(), 1);
    let page = ada.get("/account/addresses").await.text();
    assert!(page.contains("12 St James&#x27;s Square") || page.contains("12 St James's Square"));

    // Bob sees none of it and cannot remove it, whatever id he sends.
    let bob = Browser::new(&app);
    sign_up(&app, &bob, "bob@example.com").await;
    assert_eq!(
        bob.call("/api/account/addresses", &[]).await.json(),
        serde_json::json!([])
    );
    let r = bob
        .call("/api/account/addresses/delete", &[("id", &id.to_string())])
        .await;
    assert_eq!(r.status, 400);
    // Nobody signed in: 401, and the page sends them to sign in.
    let guest = Browser::new(&app);
    assert_eq!(guest.call("/api/account/addresses", &[]).await.status, 401);
    assert_eq!(
        guest
            .call("/api/account/addresses/add", address)
            .await
            .status,
        401
    );
    assert_eq!(guest.get("/account/addresses").await.status, 302);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM addresses")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let r = ada
        .call("/api/account/addresses/delete", &[("id", &id.to_string())])
        .await;
    assert_eq!(r.status, 200);
}

/// A minimal SMTP server on loopback: accepts one message and hands over what it got.
async fn smtp_receiver() -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut transcript = String::new();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Some(line) = lines.next_line().await.unwrap() {
            transcript.push_str(&line);
            transcript.push('\n');
            let reply: &[u8] = if in_data {
                if line != "." {
                    continue;
                }
                in_data = false;
                b"250 queued\r\n"
            } else {
                match line
                    .split(' ')
                    .next()
                    .unwrap_or_default()
                    .to_uppercase()
                    .as_str()
                {
                    "EHLO" | "HELO" => b"250 test\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                }
            };
            write.write_all(reply).await.unwrap();
        }
        transcript
    });
    (port, handle)
}

#[tokio::test]
async fn with_smtp_configured_mail_goes_out_by_smtp() {
    let app = spawn_shop().await;
    sign_up(&app, &Browser::new(&app), "ada@example.com").await;
    sent_already(&app).await;
    Browser::new(&app)
        .call("/api/account/forgot", &[("email", "ada@example.com")])
        .await;
    let (port, received) = smtp_receiver().await;
    let smtp = server::mail::Smtp::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Shop <shop@example.com>",
    )
    .unwrap();
    let sent = app::mail::deliver_pending(&app.pool, &smtp).await.unwrap();
    assert_eq!(sent, 1);
    let transcript = received.await.unwrap();
    assert!(
        transcript.contains("MAIL FROM:<shop@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("RCPT TO:<ada@example.com>"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Subject: Reset your Mercato password"),
        "{transcript}"
    );
    assert!(transcript.contains("/account/reset?token="), "{transcript}");

    // With nobody listening, the message stays queued with the reason, to be retried.
    Browser::new(&app)
        .call("/api/account/forgot", &[("email", "ada@example.com")])
        .await;
    let dead =
        server::mail::Smtp::new(&format!("smtp://127.0.0.1:{port}"), "shop@example.com").unwrap();
    assert_eq!(
        app::mail::deliver_pending(&app.pool, &dead).await.unwrap(),
        0
    );
    let (sent_at, error): (Option<chrono::DateTime<chrono::Utc>>, Option<String>) =
        sqlx::query_as("SELECT sent_at, last_error FROM emails ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(sent_at.is_none());
    assert!(error.unwrap().contains("SMTP"));
}

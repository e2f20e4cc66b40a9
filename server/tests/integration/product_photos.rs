//! A product's photos in the admin: uploads checked on their bytes (not their names),
//! stored in WebP widths, alt text required, moved and removed, each audited and seen by
//! the storefront; hostile files and people refused with nothing changed.

use crate::admin::{admin, staff_member};
use crate::helpers::{Browser, Response, TestApp, media_dir, spawn_shop};
use serde_json::Value;

const JSON: &str = "application/json";

/// A real PNG photo of one colour.
fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([shade, 90, 200]))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

async fn laptop(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM products WHERE slug = 'laptop'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn photos(app: &TestApp, id: i64) -> Vec<(i16, String, String)> {
    sqlx::query_as(
        "SELECT position, content_key, alt FROM product_images WHERE product_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn upload(b: &Browser, id: i64, key: &str, alt: &str, name: &str, bytes: &[u8]) -> Response {
    b.upload(
        "/api/admin/products/images/upload",
        &[("id", &id.to_string()), ("key", key), ("alt", alt)],
        &[("file", name, bytes)],
        JSON,
    )
    .await
}

fn key(n: u32) -> String {
    format!("photo-form-key-{n:04}-abcdefgh")
}

#[tokio::test]
async fn a_photo_is_checked_on_its_bytes_stored_in_widths_and_ordered() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let id = laptop(&app).await;
    let before = photos(&app, id).await;
    let version: i32 = sqlx::query_scalar("SELECT version FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let hostile_alt = "Side view <script>alert(1)</script>\"";
    let photo = png(900, 600, 10);
    let r = upload(&boss, id, &key(1), hostile_alt, "side.png", &photo).await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Sent twice (a double click): one photo.
    let r = upload(&boss, id, &key(1), hostile_alt, "side.png", &photo).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let now = photos(&app, id).await;
    assert_eq!(now.len(), before.len() + 1);
    let (position, content_key, alt) = now.last().unwrap().clone();
    assert_eq!(position as usize, before.len(), "added last");
    assert_eq!(alt, "Side view <script>alert(1)</script>\"");
    for w in [320, 640, 900] {
        let file = media_dir().join(format!("products/{content_key}-{w}.webp"));
        let bytes = std::fs::read(&file).unwrap_or_else(|_| panic!("{} stored", file.display()));
        assert_eq!(&bytes[8..12], b"WEBP");
    }
    let bumped: i32 = sqlx::query_scalar("SELECT version FROM products WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        bumped > version,
        "the product changed for the shop and search"
    );
    // The same photo again is refused; a second photo goes after it.
    let r = upload(&boss, id, &key(2), "again", "again.png", &photo).await;
    assert_eq!(r.status, 409, "{}", r.text());
    let r = upload(
        &boss,
        id,
        &key(3),
        "Back view",
        "back.png",
        &png(400, 400, 120),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The back view moves first: it is the main photo now.
    let board = boss
        .get(&format!("/api/admin/products/images?id={id}"))
        .await;
    let board: Value = board.json();
    let back = board["images"].as_array().unwrap().last().unwrap()["id"]
        .as_i64()
        .unwrap();
    let move_key = board["move_key"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        // The same form twice moves it once.
        for _ in 0..(before.len() + 1) {
            let r = boss
                .call(
                    "/api/admin/products/images/move",
                    &[
                        ("id", &id.to_string()),
                        ("image", &back.to_string()),
                        ("direction", "up"),
                        ("key", &move_key),
                    ],
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
        }
    }
    let order = photos(&app, id).await;
    let moved_to = order.iter().position(|p| p.2 == "Back view").unwrap();
    assert_eq!(moved_to, before.len(), "one place earlier, once");
    // Alt text: required, and saved.
    let r = boss
        .call(
            "/api/admin/products/images/alt",
            &[
                ("id", &id.to_string()),
                ("image", &back.to_string()),
                ("alt", "   "),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = boss
        .call(
            "/api/admin/products/images/alt",
            &[
                ("id", &id.to_string()),
                ("image", &back.to_string()),
                ("alt", "The back, ports showing"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The admin's page shows the alt text as text.
    let page = boss.get(&format!("/admin/products/{id}")).await.text();
    let at = page
        .find("Side view")
        .expect("the photo is on the product's page");
    assert!(
        page[at..].starts_with("Side view &lt;script&gt;alert(1)&lt;/script&gt;&quot;"),
        "escaped alt: {}",
        &page[at..at + 60]
    );
    assert!(!page.contains("<script>alert(1)"));
    // Shoppers see every photo, escaped alike.
    let (_, shop) = app.page("/p/laptop").await;
    assert!(
        shop.contains("alt=\"The back, ports showing\""),
        "every photo on the product page"
    );
    assert!(shop.contains("Side view &lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
    assert!(!shop.contains("<script>alert(1)"));
    // Removed: the rest close up, and a second click changes nothing.
    let side: i64 = sqlx::query_scalar(
        "SELECT id FROM product_images WHERE product_id = $1 AND alt LIKE 'Side view%'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for _ in 0..2 {
        let r = boss
            .call(
                "/api/admin/products/images/remove",
                &[("id", &id.to_string()), ("image", &side.to_string())],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let left = photos(&app, id).await;
    assert_eq!(left.len(), before.len() + 1);
    assert_eq!(
        left.iter().map(|p| p.0).collect::<Vec<_>>(),
        (0..left.len() as i16).collect::<Vec<_>>()
    );
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'products.image%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "products.image_add",
            "products.image_add",
            "products.image_move",
            "products.image_alt",
            "products.image_remove"
        ]
    );
}

#[tokio::test]
async fn hostile_photos_and_people_change_nothing() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    let id = laptop(&app).await;
    let before = photos(&app, id).await;
    let photo = png(300, 200, 40);
    for (who, b, status) in [
        ("a visitor", &Browser::new(&app), 401),
        ("customer service", &clerk, 403),
    ] {
        let r = upload(b, id, &key(10), "A photo", "a.png", &photo).await;
        assert_eq!(r.status, status, "{who}: {}", r.text());
    }
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>"#;
    let mut big = png(64, 64, 1);
    big.resize(11 * 1024 * 1024, 0);
    let cut = png(300, 200, 7)[..60].to_vec();
    for (what, alt, name, bytes, needle) in [
        (
            "markup named as a photo",
            "x",
            "photo.png",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "not a JPEG, PNG or WebP",
        ),
        (
            "an SVG with a script",
            "x",
            "logo.svg",
            svg.to_vec(),
            "not a JPEG, PNG or WebP",
        ),
        ("a cut-off PNG", "x", "cut.png", cut, "could not be read"),
        ("too large", "x", "big.png", big, "10 MB"),
        ("no alt text", " ", "a.png", photo.clone(), "alt text"),
        ("no file", "x", "a.png", Vec::new(), "choose a photo"),
    ] {
        let r = upload(&boss, id, &key(11), alt, name, &bytes).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text());
        assert!(r.text().contains(needle), "{what}: {}", r.text());
    }
    let r = upload(&boss, 999_999, &key(12), "x", "a.png", &photo).await;
    assert_eq!(r.status, 404, "{}", r.text());
    let r = upload(&boss, id, "not a key", "x", "a.png", &photo).await;
    assert_eq!(r.status, 400, "{}", r.text());
    // Another product's photo cannot be moved, described or removed through this one.
    let other: i64 = sqlx::query_scalar(
        "SELECT i.id FROM product_images i JOIN products p ON p.id = i.product_id WHERE p.slug <> 'laptop' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for (path, extra) in [
        ("/api/admin/products/images/alt", ("alt", "hijacked")),
        ("/api/admin/products/images/move", ("direction", "up")),
    ] {
        let r = boss
            .call(
                path,
                &[
                    ("id", &id.to_string()),
                    ("image", &other.to_string()),
                    extra,
                    ("key", &key(13)),
                ],
            )
            .await;
        assert_eq!(r.status, 404, "{path}: {}", r.text());
    }
    let r = boss
        .call(
            "/api/admin/products/images/remove",
            &[("id", &id.to_string()), ("image", &other.to_string())],
        )
        .await;
    assert_eq!(
        r.status,
        200,
        "nothing of this product's to remove: {}",
        r.text()
    );
    assert_eq!(photos(&app, id).await, before);
    let untouched: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM product_images WHERE id = $1 AND alt <> 'hijacked'",
    )
    .bind(other)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(untouched, 1);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'products.image%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 0);
}

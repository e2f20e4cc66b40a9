//! The admin's door and its staff: every admin server function refuses whoever may not
//! use it and changes nothing; two-step sign-in; invitations; permissions that cannot
//! be escalated; disabled accounts; the append-only audit log.

use crate::helpers::{Browser, Response, TestApp, last_email, link_token, spawn_shop};
use app::staff::totp;

pub const PASSWORD: &str = "correct horse battery";

fn step_now() -> u64 {
    totp::step_at(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
}

/// The code an authenticator app shows `offset` steps from now.
pub fn code(secret: &[u8], offset: i64) -> String {
    format!(
        "{:06}",
        totp::hotp(secret, step_now().checked_add_signed(offset).unwrap())
    )
}

pub async fn secret_of(app: &TestApp, email: &str) -> Vec<u8> {
    sqlx::query_scalar(
        "SELECT t.secret FROM staff_totp t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .expect("a two-step secret")
}

pub async fn sign_in(b: &Browser, email: &str) -> Response {
    b.call(
        "/api/admin/sign-in",
        &[("email", email), ("password", PASSWORD)],
    )
    .await
}

/// A signed-in administrator who has set up two-step sign-in (as the door asks).
pub async fn admin(app: &TestApp, email: &str) -> Browser {
    app::account::ssr::create_admin(&app.pool, email, PASSWORD.into())
        .await
        .expect("an administrator");
    let b = Browser::new(app);
    assert_eq!(sign_in(&b, email).await.status, 200);
    let door = b.call("/api/admin/door", &[]).await;
    assert!(door.json().get("SetUpTwoStep").is_some(), "{}", door.text());
    let r = b.call("/api/admin/staff", &[]).await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["code"], "two_step_setup_required");
    let r = b.call("/api/admin/two-step/begin", &[]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let secret = secret_of(app, email).await;
    let r = b
        .call(
            "/api/admin/two-step/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        b.call("/api/admin/door", &[])
            .await
            .json()
            .get("Open")
            .is_some()
    );
    b
}

/// A staff account in `groups` (by name), signed in (no two-step sign-in).
pub async fn staff_member(app: &TestApp, email: &str, groups: &[&str]) -> Browser {
    let hash = app::account::ssr::password::hash(PASSWORD.into())
        .await
        .unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, password_hash, role, email_verified_at)
         VALUES ($1, $2, 'staff', now()) RETURNING id",
    )
    .bind(email)
    .bind(hash)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO staff_memberships (user_id, group_id)
         SELECT $1, id FROM staff_groups WHERE name = ANY($2)",
    )
    .bind(id)
    .bind(groups.iter().map(|g| g.to_string()).collect::<Vec<_>>())
    .execute(&app.pool)
    .await
    .unwrap();
    let b = Browser::new(app);
    assert_eq!(sign_in(&b, email).await.status, 200);
    b
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn group_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff_groups WHERE name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn audit_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Everything an admin function could change, as one text.
async fn snapshot(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT concat_ws('|',
            (SELECT string_agg(concat_ws(',', id, email, role, disabled_at IS NULL, name), ';' ORDER BY id) FROM users),
            (SELECT string_agg(concat_ws(',', id, name, permissions::text), ';' ORDER BY id) FROM staff_groups),
            (SELECT string_agg(concat_ws(',', user_id, group_id), ';' ORDER BY user_id, group_id) FROM staff_memberships),
            (SELECT count(*) FROM staff_invitations), (SELECT count(*) FROM staff_totp),
            (SELECT count(*) FROM sessions), (SELECT count(*) FROM emails),
            (SELECT count(*) FROM audit_log),
            (SELECT string_agg(concat_ws(',', number, status), ';' ORDER BY id) FROM orders),
            (SELECT count(*) FROM refunds), (SELECT count(*) FROM order_notes),
            (SELECT string_agg(concat_ws(',', id, title, version, description), ';' ORDER BY id) FROM products),
            (SELECT count(*) FROM product_revisions),
            (SELECT string_agg(concat_ws(',', variant_id, warehouse_id, on_hand), ';' ORDER BY variant_id, warehouse_id) FROM stock_levels),
            (SELECT count(*) FROM warehouses), (SELECT count(*) FROM regions),
            (SELECT string_agg(concat_ws(',', code, active, max_uses, ends_at), ';' ORDER BY code) FROM discount_codes),
            (SELECT string_agg(concat_ws(',', id, erased_at IS NULL), ';' ORDER BY id) FROM users),
            (SELECT string_agg(low_stock_at::text, ',' ORDER BY id) FROM variants),
            (SELECT count(*) FROM jobs), (SELECT count(*) FROM job_files),
            (SELECT string_agg(concat_ws(',', id, position, alt), ';' ORDER BY id) FROM product_images),
            (SELECT string_agg(concat_ws(',', id, status, manual, tracking_number), ';' ORDER BY id) FROM shipments))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The product as the admin's revisions keep it (with an older description).
async fn product_snapshot(app: &TestApp, id: i64) -> serde_json::Value {
    let mut conn = app.pool.acquire().await.unwrap();
    let (_, mut draft, _) = app::catalog::admin::ssr::edit::load(&mut conn, id)
        .await
        .unwrap()
        .unwrap();
    draft.description = "As it was.".into();
    serde_json::to_value(draft).unwrap()
}

/// An admin server function and a call that would change something if allowed.
struct Call {
    path: String,
    get: bool,
    fields: Vec<(String, String)>,
    /// How many audit entries an allowed call writes.
    audited: i64,
    /// The permission it needs.
    needs: &'static str,
}

impl Call {
    async fn send(&self, b: &Browser) -> Response {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if self.get {
            let query = crate::helpers::form(&fields);
            b.get(&format!("{}?{query}", self.path)).await
        } else if self.path.ends_with("/images/upload") {
            let mut png = std::io::Cursor::new(Vec::new());
            image::RgbImage::from_pixel(64, 48, image::Rgb([1, 2, 3]))
                .write_to(&mut png, image::ImageFormat::Png)
                .unwrap();
            b.upload(
                &self.path,
                &fields,
                &[("file", "photo.png", png.get_ref())],
                "application/json",
            )
            .await
        } else if self.path.ends_with("/imports/upload") {
            // A file goes as a form's file field, after the form's own fields.
            let file = format!(
                "{}\nadmin-table-lamp,Table Lamp,,,,draft,no,,ATL-1,10.00,USD,0,,,\n",
                app::imports::model::PRODUCT_COLUMNS.join(",")
            );
            b.upload(
                &self.path,
                &fields,
                &[("file", "products.csv", file.as_bytes())],
                "application/json",
            )
            .await
        } else {
            b.call(&self.path, &fields).await
        }
    }
}

fn call(path: &str, fields: &[(&str, String)], audited: bool) -> Call {
    Call {
        path: path.to_owned(),
        get: false,
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        audited: i64::from(audited),
        needs: "staff",
    }
}

/// The door's own functions: they serve whoever is at the door.
const DOOR: &[&str] = &[
    "/api/admin/door",
    "/api/admin/sign-in",
    "/api/admin/two-step/begin",
    "/api/admin/two-step/confirm",
    "/api/admin/two-step/verify",
];

#[tokio::test]
async fn every_admin_function_refuses_whoever_may_not_use_it_and_changes_nothing() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let target_browser = staff_member(&app, "target@example.com", &["Catalog"]).await;
    drop(target_browser);
    let target = user_id(&app, "target@example.com").await.to_string();
    let catalog = group_id(&app, "Catalog").await.to_string();
    let marketing = group_id(&app, "Marketing").await.to_string();
    crate::history::import_fixture(&app).await;
    let job: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, status, report) VALUES ('history.import', 'done', '{\"orders\": 3}') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let laptop_photo: i64 = sqlx::query_scalar(
        "SELECT i.id FROM product_images i JOIN products p ON p.id = i.product_id
          WHERE p.slug = 'laptop' ORDER BY i.position LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // A finished export with its file, and a finished import with a row left out.
    let export_job: i64 = sqlx::query_scalar(
        "WITH j AS (INSERT INTO jobs (kind, status, report) VALUES ('products.export', 'done', '{}') RETURNING id),
              f AS (INSERT INTO job_files (job_id, name, seq, data) SELECT id, 'result', 0, 'handle\n'::bytea FROM j)
         SELECT id FROM j",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let import_job: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, status, report)
         VALUES ('products.import', 'done', '{\"skipped\": [{\"line\": 2, \"reason\": \"bad\"}]}') RETURNING id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // An order being packed (packed first: packing takes every paid order), whose parcel
    // staff ship by hand and mark delivered.
    let packing = crate::order_operations::buy(&app, "2").await;
    let parcel = crate::order_operations::pack(&app, &packing).await;
    let parcel_units: String = sqlx::query_scalar(
        "SELECT variant_id || ':' || quantity FROM shipment_lines WHERE shipment_id = $1",
    )
    .bind(parcel)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // A paid order waiting to be packed, and a delivered one.
    let waiting = crate::order_operations::buy(&app, "1").await;
    let delivered = crate::order_operations::buy(&app, "1").await;
    crate::order_operations::deliver(&app, &delivered).await;
    // An order whose money waits to be captured, placed through a second server on the
    // same database that takes payments in two steps.
    let two_step = crate::helpers::spawn_configured(
        app.pool.clone(),
        12,
        None,
        &server::security::EdgePolicy::standard(),
        |s| s.payments.capture = app::payments::Capture::Manual,
    )
    .await;
    let authorized = crate::order_operations::buy(&two_step, "1").await;

    let key = crate::checkout::key;
    // A product with revisions to compare and roll back to (a first save keeps the
    // product as it was as revision 1).
    let laptop: i64 = sqlx::query_scalar("SELECT id FROM products WHERE slug = 'laptop'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = boss
        .call(
            "/api/admin/products/rollback",
            &[
                ("id", &laptop.to_string()),
                ("revision", "1"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, 404, "no revisions yet: {}", r.text());
    sqlx::query("UPDATE products SET description = 'Edited.' WHERE id = $1")
        .bind(laptop)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO product_revisions (product_id, revision, version, actor, snapshot)
         SELECT $1, n, p.version, 'test', $2::jsonb FROM products p, generate_series(1, 2) n WHERE p.id = $1",
    )
    .bind(laptop)
    .bind(product_snapshot(&app, laptop).await)
    .execute(&app.pool)
    .await
    .unwrap();
    let laptop_version: i32 = sqlx::query_scalar("SELECT version FROM products WHERE id = $1")
        .bind(laptop)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // A customer to look at, export, disable and erase (not the one who calls below).
    let other = Browser::new(&app);
    crate::helpers::sign_up_confirmed(&app, &other, "other-shopper@example.com", PASSWORD, "O")
        .await;
    let shopper: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'other-shopper@example.com'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let table = vec![
        call("/api/admin/staff", &[], false),
        call(
            "/api/admin/staff/invite",
            &[
                ("email", "new@example.com".into()),
                ("role", "staff".into()),
                ("groups[]", catalog.clone()),
            ],
            true,
        ),
        call(
            "/api/admin/staff/groups",
            &[("user_id", target.clone()), ("groups[]", marketing.clone())],
            true,
        ),
        call(
            "/api/admin/staff/disable",
            &[("user_id", target.clone()), ("disabled", "true".into())],
            true,
        ),
        call(
            "/api/admin/staff/role",
            &[("user_id", target.clone()), ("role", "admin".into())],
            true,
        ),
        call(
            "/api/admin/staff/reset-two-step",
            &[("user_id", target.clone())],
            true,
        ),
        call(
            "/api/admin/staff/group",
            &[
                ("name", "Night shift".into()),
                ("permissions[]", "orders".into()),
            ],
            true,
        ),
        call(
            "/api/admin/staff/group/delete",
            &[("id", marketing.clone())],
            true,
        ),
        Call {
            path: "/api/admin/audit".into(),
            get: true,
            fields: vec![("actor".into(), "boss".into())],
            audited: 0,
            needs: "staff",
        },
        Call {
            path: "/api/admin/dashboard".into(),
            get: true,
            fields: vec![("period".into(), "90d".into())],
            audited: 0,
            needs: "reports",
        },
        Call {
            path: "/api/admin/job".into(),
            get: true,
            fields: vec![("id".into(), job.to_string())],
            audited: 0,
            needs: "reports",
        },
        Call {
            path: "/api/admin/orders".into(),
            get: true,
            fields: vec![("status".into(), "delivered".into())],
            audited: 0,
            needs: "orders",
        },
        Call {
            path: "/api/admin/order".into(),
            get: true,
            fields: vec![("number".into(), "OR-536365".into())],
            audited: 0,
            needs: "orders",
        },
        Call {
            path: "/api/admin/orders.csv".into(),
            get: true,
            fields: vec![],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/products".into(),
            get: true,
            fields: vec![("q".into(), "laptop".into())],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/product".into(),
            get: true,
            fields: vec![("id".into(), laptop.to_string())],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/product/compare".into(),
            get: true,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("from".into(), "1".into()),
                ("to".into(), "2".into()),
            ],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/save".into(),
            get: false,
            fields: vec![
                ("title".into(), "Desk lamp".into()),
                ("slug".into(), "desk-lamp".into()),
                ("status".into(), "draft".into()),
                ("currency".into(), "USD".into()),
                ("variant_id[]".into(), String::new()),
                ("sku[]".into(), "DESK-LAMP".into()),
                ("price[]".into(), "20.00".into()),
                ("values[]".into(), String::new()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/rollback".into(),
            get: false,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("revision".into(), "1".into()),
                ("version".into(), laptop_version.to_string()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products.csv".into(),
            get: true,
            fields: vec![("status".into(), "active".into())],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/bulk".into(),
            get: false,
            fields: vec![
                ("ids[]".into(), laptop.to_string()),
                ("action".into(), "price".into()),
                ("percent".into(), "5".into()),
                ("key".into(), key()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/inventory".into(),
            get: true,
            fields: vec![("sku".into(), "L2201308".into())],
            audited: 0,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/warehouse".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("code".into(), "spare".into()),
                ("name".into(), "Spare room".into()),
                ("region".into(), "DEFAULT".into()),
                ("priority".into(), "9".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/region".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("code".into(), "NORDIC".into()),
                ("name".into(), "Nordics".into()),
                ("countries".into(), "SE, NO".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/receive".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("sku".into(), "L2201308".into()),
                ("warehouse".into(), "main".into()),
                ("quantity".into(), "3".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/adjust".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("sku".into(), "L2201308".into()),
                ("warehouse".into(), "main".into()),
                ("counted".into(), "50".into()),
                ("reason".into(), "stock take".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/transfer".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("sku".into(), "L2201308".into()),
                ("from".into(), "main".into()),
                ("to".into(), "spare".into()),
                ("quantity".into(), "1".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/inventory/threshold".into(),
            get: false,
            fields: vec![
                ("key".into(), key()),
                ("sku".into(), "L2201308".into()),
                ("low_stock_at".into(), "2".into()),
            ],
            audited: 1,
            needs: "inventory",
        },
        Call {
            path: "/api/admin/customers".into(),
            get: true,
            fields: vec![("q".into(), "shopper".into())],
            audited: 0,
            needs: "customers",
        },
        Call {
            path: "/api/admin/customer".into(),
            get: true,
            fields: vec![("id".into(), shopper.to_string())],
            audited: 0,
            needs: "customers",
        },
        Call {
            path: "/api/admin/customer.json".into(),
            get: true,
            fields: vec![("id".into(), shopper.to_string())],
            audited: 1,
            needs: "customers",
        },
        Call {
            path: "/api/admin/customers/disable".into(),
            get: false,
            fields: vec![
                ("id".into(), shopper.to_string()),
                ("disabled".into(), "true".into()),
            ],
            audited: 1,
            needs: "customers",
        },
        Call {
            path: "/api/admin/customers/erase".into(),
            get: false,
            fields: vec![
                ("id".into(), shopper.to_string()),
                ("confirm".into(), "other-shopper@example.com".into()),
            ],
            audited: 1,
            needs: "customers",
        },
        Call {
            path: "/api/admin/discounts".into(),
            get: true,
            fields: vec![],
            audited: 0,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/discounts/create".into(),
            get: false,
            fields: vec![
                ("code".into(), "TABLE10".into()),
                ("kind".into(), "percentage".into()),
                ("amount".into(), "10".into()),
            ],
            audited: 1,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/discounts/update".into(),
            get: false,
            fields: vec![
                ("code".into(), "TABLE10".into()),
                ("max_uses".into(), "99".into()),
                ("active".into(), "true".into()),
            ],
            audited: 1,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/discounts/end".into(),
            get: false,
            fields: vec![("code".into(), "TABLE10".into())],
            audited: 1,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/flash-sales".into(),
            get: true,
            fields: vec![],
            audited: 0,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/flash-sales/schedule".into(),
            get: false,
            fields: vec![
                ("sku".into(), "L2201308".into()),
                ("sale_price".into(), "999.00".into()),
                ("sources".into(), "main=2".into()),
                (
                    "ends_at".into(),
                    (chrono::Utc::now() + chrono::Duration::hours(3))
                        .format("%Y-%m-%dT%H:%M")
                        .to_string(),
                ),
            ],
            audited: 1,
            needs: "discounts",
        },
        // The first sale of a fresh shop (the one just scheduled, when allowed).
        Call {
            path: "/api/admin/flash-sales/one".into(),
            get: true,
            fields: vec![("id".into(), "1".into())],
            audited: 0,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/flash-sales/end".into(),
            get: false,
            fields: vec![("id".into(), "1".into())],
            audited: 1,
            needs: "discounts",
        },
        Call {
            path: "/api/admin/orders/refund".into(),
            get: false,
            fields: vec![
                ("number".into(), delivered.clone()),
                ("key".into(), key()),
                ("units[]".into(), "0:1".into()),
            ],
            audited: 1,
            needs: "refunds",
        },
        Call {
            path: "/api/admin/orders/cancel".into(),
            get: false,
            fields: vec![
                ("number".into(), waiting.clone()),
                ("key".into(), key()),
                ("reason".into(), "out of stock".into()),
            ],
            // The cancellation, and the refund of its payment.
            audited: 2,
            needs: "orders",
        },
        Call {
            path: "/api/admin/orders/capture".into(),
            get: false,
            fields: vec![("number".into(), authorized.clone()), ("key".into(), key())],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/orders/note".into(),
            get: false,
            fields: vec![
                ("number".into(), "OR-536365".into()),
                ("key".into(), key()),
                ("note".into(), "called the customer".into()),
            ],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/orders/resend-email".into(),
            get: false,
            fields: vec![("number".into(), "OR-536365".into()), ("key".into(), key())],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/products/images".into(),
            get: true,
            fields: vec![("id".into(), laptop.to_string())],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/images/upload".into(),
            get: false,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("key".into(), key()),
                ("alt".into(), "A test photo".into()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/images/alt".into(),
            get: false,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("image".into(), laptop_photo.to_string()),
                ("alt".into(), "The laptop, open".into()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/images/move".into(),
            get: false,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("image".into(), laptop_photo.to_string()),
                ("direction".into(), "down".into()),
                ("key".into(), key()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/products/images/remove".into(),
            get: false,
            fields: vec![
                ("id".into(), laptop.to_string()),
                ("image".into(), laptop_photo.to_string()),
            ],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/imports".into(),
            get: true,
            fields: vec![],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/imports/upload".into(),
            get: false,
            fields: vec![("subject".into(), "products".into()), ("key".into(), key())],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/imports/export".into(),
            get: false,
            fields: vec![("subject".into(), "products".into()), ("key".into(), key())],
            audited: 1,
            needs: "products",
        },
        Call {
            path: "/api/admin/job-result.csv".into(),
            get: true,
            fields: vec![("id".into(), export_job.to_string())],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/job-rejected.csv".into(),
            get: true,
            fields: vec![("id".into(), import_job.to_string())],
            audited: 0,
            needs: "products",
        },
        Call {
            path: "/api/admin/orders/ship".into(),
            get: false,
            fields: vec![
                ("number".into(), packing.clone()),
                ("key".into(), key()),
                ("parcel".into(), parcel.to_string()),
                ("units[]".into(), parcel_units.clone()),
                ("carrier".into(), "Courier".into()),
                ("tracking".into(), "TABLE-0001".into()),
            ],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/orders/delivered".into(),
            get: false,
            fields: vec![
                ("number".into(), packing.clone()),
                ("key".into(), key()),
                ("parcel".into(), parcel.to_string()),
            ],
            audited: 1,
            needs: "orders",
        },
        Call {
            path: "/api/admin/audit.csv".into(),
            get: true,
            fields: vec![],
            audited: 1,
            needs: "staff",
        },
    ];

    // The table covers every admin server function there is.
    let registered: std::collections::BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .filter(|p| p.starts_with("/api/admin/"))
        .collect();
    let covered: std::collections::BTreeSet<String> = table
        .iter()
        .map(|c| c.path.clone())
        .chain(DOOR.iter().map(|p| p.to_string()))
        .collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "admin functions not in the table: {missing:?}"
    );

    let visitor = Browser::new(&app);
    let customer = Browser::new(&app);
    crate::helpers::sign_up_confirmed(&app, &customer, "shopper@example.com", PASSWORD, "S").await;
    // Staff, each in a group without some permissions: Customer service has orders and
    // customers, Marketing discounts and reports.
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    let marketer = staff_member(&app, "marketer@example.com", &["Marketing"]).await;
    let lacking = |c: &Call| {
        if ["orders", "customers"].contains(&c.needs) {
            &marketer
        } else {
            &clerk
        }
    };

    for (who, status) in [
        ("a visitor", 401),
        ("a customer", 403),
        ("staff without the permission", 403),
    ] {
        for c in &table {
            let browser = match who {
                "a visitor" => &visitor,
                "a customer" => &customer,
                _ => lacking(c),
            };
            let before = snapshot(&app).await;
            let r = c.send(browser).await;
            assert_eq!(r.status, status, "{} calling {}: {}", who, c.path, r.text());
            assert_eq!(
                snapshot(&app).await,
                before,
                "{} changed something with {}",
                who,
                c.path
            );
        }
    }

    // Allowed: it works, and what changes is audited.
    for c in &table {
        let before = audit_count(&app).await;
        let r = c.send(&boss).await;
        assert!(r.status < 300, "{}: {} {}", c.path, r.status, r.text());
        let after = audit_count(&app).await;
        assert_eq!(after - before, c.audited, "audit entries for {}", c.path);
    }
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT actor FROM audit_log WHERE action <> 'staff.two_step_on'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actors, vec!["boss@example.com".to_owned()]);
}

#[tokio::test]
async fn two_step_sign_in_asks_for_a_fresh_code_each_session_and_a_code_works_once() {
    let app = spawn_shop().await;
    admin(&app, "ada@example.com").await;
    let secret = secret_of(&app, "ada@example.com").await;

    // A new sign-in: the password alone does not open the admin.
    let b = Browser::new(&app);
    assert_eq!(sign_in(&b, "ada@example.com").await.status, 200);
    assert_eq!(b.call("/api/admin/door", &[]).await.json(), "SecondStep");
    let r = b.call("/api/admin/staff", &[]).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (403, "second_step_required".into())
    );
    let page = b.get("/admin/staff").await;
    assert_eq!(page.status, 401);
    assert!(page.text().contains("Two-step sign-in"), "{}", page.text());

    // The code confirmed at set-up was used: it is refused; the next one works once.
    let r = b
        .call("/api/admin/two-step/verify", &[("code", &code(&secret, 0))])
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let next = code(&secret, 1);
    let r = b
        .call("/api/admin/two-step/verify", &[("code", &next)])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(b.call("/api/admin/staff", &[]).await.status, 200);
    let other = Browser::new(&app);
    assert_eq!(sign_in(&other, "ada@example.com").await.status, 200);
    let r = other
        .call("/api/admin/two-step/verify", &[("code", &next)])
        .await;
    assert_eq!(r.status, 400, "a used code again: {}", r.text());

    // Guessing is counted like passwords: the sixth wrong code in a row is throttled.
    admin(&app, "grace@example.com").await;
    let guesser = Browser::new(&app);
    assert_eq!(sign_in(&guesser, "grace@example.com").await.status, 200);
    let mut statuses = Vec::new();
    for guess in ["000000", "111111", "222222", "333333", "444444", "555555"] {
        statuses.push(
            guesser
                .call("/api/admin/two-step/verify", &[("code", guess)])
                .await
                .status,
        );
    }
    assert_eq!(statuses, vec![400, 400, 400, 400, 400, 429]);
}

#[tokio::test]
async fn a_recovery_code_opens_the_admin_once_and_is_audited() {
    let app = spawn_shop().await;
    let first = admin(&app, "ada@example.com").await;
    drop(first);
    // The set-up page showed the codes; they are hashed once active.
    let b = Browser::new(&app);
    assert_eq!(sign_in(&b, "ada@example.com").await.status, 200);
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    // The codes themselves are not stored anywhere: use the hash of a known code instead.
    let known = "abcde-fghij";
    sqlx::query("UPDATE staff_recovery_codes SET code_hash = $1 WHERE code_hash = $2")
        .bind(totp::recovery_hash(known).to_vec())
        .bind(&stored[0])
        .execute(&app.pool)
        .await
        .unwrap();
    let r = b
        .call("/api/admin/two-step/verify", &[("code", "ABCDE FGHIJ")])
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(b.call("/api/admin/staff", &[]).await.status, 200);
    let again = Browser::new(&app);
    sign_in(&again, "ada@example.com").await;
    let r = again
        .call("/api/admin/two-step/verify", &[("code", known)])
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let left: serde_json::Value =
        sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'staff.recovery_code_used'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left["recovery_codes_left"], 9);
}

#[tokio::test]
async fn an_invitation_makes_staff_who_see_only_what_their_groups_open() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let catalog = group_id(&app, "Catalog").await.to_string();
    let r = boss
        .call(
            "/api/admin/staff/invite",
            &[
                ("email", "New.Hire@Example.com"),
                ("role", "staff"),
                ("groups[]", &catalog),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let (_, body) = last_email(&app, "new.hire@example.com", "invited")
        .await
        .expect("an invitation e-mail");
    assert!(body.contains("boss@example.com"));
    let token = link_token(&body);

    let hire = Browser::new(&app);
    let page = hire
        .get(&format!("/account/staff-invitation?token={token}"))
        .await;
    assert_eq!(page.status, 200);
    let r = hire
        .call(
            "/api/account/staff-invitation",
            &[("token", &token), ("name", "Nia"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["role"], "staff");
    // The link works once.
    let r = Browser::new(&app)
        .call(
            "/api/account/staff-invitation",
            &[
                ("token", &token),
                ("name", "Eve"),
                ("password", "another good password"),
            ],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());

    // Signed in, in the Catalog group: the staff page is closed, and its link is not shown.
    let door = hire.call("/api/admin/door", &[]).await.json();
    assert_eq!(
        door["Open"]["permissions"],
        serde_json::json!(["products", "inventory"])
    );
    assert_eq!(hire.call("/api/admin/staff", &[]).await.status, 403);
    let home = hire.get("/admin").await;
    assert_eq!(home.status, 200);
    assert!(
        !home.text().contains("href=\"/admin/staff\""),
        "{}",
        home.text()
    );
    assert!(
        boss.get("/admin")
            .await
            .text()
            .contains("href=\"/admin/staff\"")
    );
    let page = hire.get("/admin/staff").await;
    assert_eq!(page.status, 403);
}

#[tokio::test]
async fn nobody_gives_permissions_they_lack_or_changes_their_own_standing() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    // A group that may manage staff and nothing else.
    let r = boss
        .call(
            "/api/admin/staff/group",
            &[("name", "People"), ("permissions[]", "staff")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let people = staff_member(&app, "hr@example.com", &["People"]).await;
    let hr = user_id(&app, "hr@example.com").await.to_string();
    let finance = group_id(&app, "Finance").await.to_string();
    let people_group = group_id(&app, "People").await.to_string();
    let other = staff_member(&app, "other@example.com", &[]).await;
    drop(other);
    let other_id = user_id(&app, "other@example.com").await.to_string();
    let boss_id = user_id(&app, "boss@example.com").await.to_string();
    let before = snapshot(&app).await;

    for (path, fields, status) in [
        // Finance gives refunds, which HR does not have: not to themselves, not to others.
        (
            "/api/admin/staff/groups",
            vec![("user_id", hr.clone()), ("groups[]", finance.clone())],
            400,
        ),
        (
            "/api/admin/staff/groups",
            vec![("user_id", other_id.clone()), ("groups[]", finance.clone())],
            400,
        ),
        // A group of theirs cannot grow past what they have.
        (
            "/api/admin/staff/group",
            vec![
                ("id", people_group.clone()),
                ("name", "People".into()),
                ("permissions[]", "staff".into()),
                ("permissions[]", "refunds".into()),
            ],
            400,
        ),
        (
            "/api/admin/staff/invite",
            vec![
                ("email", "x@example.com".into()),
                ("role", "staff".into()),
                ("groups[]", finance.clone()),
            ],
            400,
        ),
        // No administrators made or unmade by staff.
        (
            "/api/admin/staff/invite",
            vec![("email", "y@example.com".into()), ("role", "admin".into())],
            403,
        ),
        (
            "/api/admin/staff/disable",
            vec![("user_id", boss_id.clone()), ("disabled", "true".into())],
            403,
        ),
        (
            "/api/admin/staff/role",
            vec![("user_id", other_id.clone()), ("role", "admin".into())],
            403,
        ),
        // Nor their own standing.
        (
            "/api/admin/staff/disable",
            vec![("user_id", hr.clone()), ("disabled", "true".into())],
            400,
        ),
        // Unknown groups and permissions are refused, not ignored.
        (
            "/api/admin/staff/groups",
            vec![("user_id", other_id.clone()), ("groups[]", "999999".into())],
            400,
        ),
        (
            "/api/admin/staff/group",
            vec![("name", "Root".into()), ("permissions[]", "root".into())],
            400,
        ),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = people.call(path, &fields).await;
        assert_eq!(r.status, status, "{path} {fields:?}: {}", r.text());
    }
    assert_eq!(snapshot(&app).await, before);

    // The last enabled administrator stays.
    let r = boss
        .call(
            "/api/admin/staff/role",
            &[("user_id", &boss_id), ("role", "staff")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_at_once_and_cannot_sign_in() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let clerk = staff_member(&app, "clerk@example.com", &["Customer service"]).await;
    let id = user_id(&app, "clerk@example.com").await.to_string();
    assert!(
        clerk
            .call("/api/admin/door", &[])
            .await
            .json()
            .get("Open")
            .is_some()
    );
    let r = boss
        .call(
            "/api/admin/staff/disable",
            &[("user_id", &id), ("disabled", "true")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(clerk.call("/api/admin/door", &[]).await.json(), "SignIn");
    let r = sign_in(&Browser::new(&app), "clerk@example.com").await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (403, "disabled".into())
    );
    // The storefront's sign-in and a password reset do not let them in either.
    let r = Browser::new(&app)
        .call(
            "/api/account/sign-in",
            &[("email", "clerk@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let entry: (String, serde_json::Value) = sqlx::query_as(
        "SELECT actor, after FROM audit_log WHERE action = 'staff.disable' AND entity_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(entry.0, "boss@example.com");
    assert_eq!(entry.1["disabled"], true);
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_audit_entries() {
    let app = spawn_shop().await;
    admin(&app, "boss@example.com").await;
    assert!(audit_count(&app).await > 0);
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let e = sqlx::query(sql).execute(&app.pool).await.unwrap_err();
        assert_eq!(
            app::db::refusal(&e),
            Some(app::db::Refusal::AuditAppendOnly),
            "{sql}: {e}"
        );
    }
}

#[tokio::test]
async fn markup_in_staff_text_stays_text_on_the_staff_and_audit_pages_and_in_the_export() {
    let app = spawn_shop().await;
    let boss = admin(&app, "boss@example.com").await;
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let r = boss
        .call(
            "/api/admin/staff/group",
            &[("name", hostile), ("permissions[]", "orders")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for path in ["/admin/staff", "/admin/audit"] {
        let page = boss.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.text();
        assert!(!html.contains("<script>alert(1)"), "{path} runs the script");
        assert!(!html.contains("<img src=x"), "{path} has the image");
        assert!(
            html.contains("&lt;script&gt;alert(1)"),
            "{path} shows the text"
        );
    }
    let csv = boss.get("/api/admin/audit.csv?action=staff_group").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type").starts_with("text/csv"),
        "{}",
        csv.header("content-type")
    );
    assert!(csv.header("content-disposition").contains("attachment"));
    let text = csv.text();
    assert!(
        text.starts_with("id,at,actor,ip,action,entity,entity_id,before,after\n"),
        "{text}"
    );
    assert!(text.contains("staff_group.create"), "{text}");
    // Searching: by actor and entity, and a bad date is a clear error.
    let r = boss
        .get("/api/admin/audit?entity=staff_group&actor=BOSS")
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["entries"].as_array().unwrap().len(), 1);
    let r = boss.get("/api/admin/audit?from=yesterday").await;
    assert_eq!(r.status, 400, "{}", r.text());
}

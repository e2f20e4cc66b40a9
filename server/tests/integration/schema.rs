//! The seam between Rust and PL/pgSQL: every function's current source is one file in
//! `migrations/functions/`, and the migrated database runs exactly those; the database's
//! refusals are named once (`app::db::refusal`).

use crate::helpers::{fresh_database, repo_root, seeded_database};
use app::db::{Refusal, refusal};
use sqlx::PgPool;
use std::collections::BTreeSet;

/// (name, body) of every function defined in `text` (the body between `$$` quotes).
fn defined(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("FUNCTION ") {
        let after = &rest[at + "FUNCTION ".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = after.find("$$") else { break };
        let body_start = &after[open + 2..];
        let close = body_start.find("$$").expect("a closing $$");
        found.push((name, body_start[..close].to_owned()));
        rest = &body_start[close + 2..];
    }
    found
}

#[tokio::test]
async fn the_migrated_database_runs_exactly_the_function_sources() {
    let pool = PgPool::connect(&fresh_database().await).await.unwrap();
    let in_db: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT p.proname::text, p.prosrc FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND p.prokind = 'f'
            -- An extension's functions (pg_trgm's) are the extension's, not ours.
            AND NOT EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                               AND d.deptype = 'e')",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let dir = repo_root().join("migrations/functions");
    let mut in_files = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let defs = defined(&text);
        assert!(!defs.is_empty(), "{} defines nothing", path.display());
        for (name, body) in defs {
            assert_eq!(name, stem, "{} defines {name}", path.display());
            in_files.insert((name, body));
        }
    }
    let missing: Vec<_> = in_db.difference(&in_files).map(|(n, _)| n).collect();
    let stale: Vec<_> = in_files.difference(&in_db).map(|(n, _)| n).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "functions whose source file differs from the database: {missing:?}; \
         source files the database does not run: {stale:?}"
    );
}

#[tokio::test]
async fn the_database_refusals_are_named() {
    let pool = PgPool::connect(&seeded_database().await).await.unwrap();
    let e = sqlx::query("UPDATE stock_levels SET reserved = on_hand + 1 WHERE on_hand > 0")
        .execute(&pool)
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), Some(Refusal::Oversold));
    let e = sqlx::query(
        "INSERT INTO categories (slug, name, path) SELECT slug, name, path FROM categories LIMIT 1",
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(matches!(refusal(&e), Some(Refusal::Duplicate(_))), "{e}");
    let e = sqlx::query("INSERT INTO cart_lines (cart_id, variant_id, quantity, unit_price_minor, currency) VALUES (-1, -1, 1, 1, 'GBP')")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(matches!(refusal(&e), Some(Refusal::Missing(_))), "{e}");
    let e = sqlx::query("UPDATE variants SET currency = 'usd'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(matches!(refusal(&e), Some(Refusal::Check(_))), "{e}");
    // A broken connection is no refusal: the shop answers "unavailable".
    assert_eq!(refusal(&sqlx::Error::PoolTimedOut), None);
}

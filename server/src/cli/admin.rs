//! `create-admin` and `discount`: staff and discount codes from the command line.

use crate::DiscountAction;
use server::database;
use server::settings::Settings;
use std::io::IsTerminal;

pub(crate) async fn create_admin(settings: Settings, email: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password for {email} (input is shown; pipe it in to hide it): ");
    }
    let mut password = String::new();
    stdin.read_line(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let db = database::open(&settings).await?;
    let result = app::account::ssr::create_admin(&db.db.primary, email, password).await;
    db.close().await;
    let id = result.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{email} is an administrator (user {id})");
    Ok(())
}

pub(crate) async fn discount(settings: Settings, action: DiscountAction) -> anyhow::Result<()> {
    use app::discounts::ssr::{CodeForm, NewCode, create};
    let DiscountAction::Add {
        code,
        percent,
        fixed,
        currency,
        min_spend,
        starts,
        ends,
        max_uses,
        per_customer,
    } = action;
    let new = NewCode::try_from(CodeForm {
        code,
        percent,
        fixed,
        currency,
        min_spend,
        starts_at: starts,
        ends_at: ends,
        max_uses,
        max_uses_per_customer: per_customer,
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let db = database::open(&settings).await?;
    let mut conn = db.db.primary.acquire().await?;
    let result = create(&mut conn, &new).await;
    drop(conn);
    db.close().await;
    result?;
    println!("discount code {} created", new.code);
    Ok(())
}

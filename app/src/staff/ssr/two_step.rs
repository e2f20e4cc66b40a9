//! Two-step sign-in for staff: setting it up (a secret for an authenticator app and ten
//! recovery codes, shown together and made active by the first right code), and the
//! second step of a session. Wrong codes are counted like wrong passwords, a code works
//! once, and each recovery code once.

use super::{Staff, Visit, unavailable, visit};
use crate::account::model::Role;
use crate::account::ssr::{begin_attempt, client_ip};
use crate::audit::{self, Actor, Change};
use crate::staff::model::{AdminError, TwoStepPending as Pending, TwoStepSetup};
use crate::staff::totp;

fn now_step() -> u64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    totp::step_at(secs)
}

/// The signed-in staff member (any standing but disabled), for setting up and for the
/// second step, which come before the door opens.
async fn staff_visit(staff: &Staff) -> Result<Visit, AdminError> {
    let v = visit(staff).await?.ok_or(AdminError::NotSignedIn)?;
    if v.user.role == Role::Customer || v.disabled {
        return Err(AdminError::Forbidden);
    }
    Ok(v)
}

/// Starts (or shows again, if it was started) setting up two-step sign-in. An account
/// that has it already must turn it off first.
pub async fn begin(staff: &Staff, issuer: &str) -> Result<Pending, AdminError> {
    let v = staff_visit(staff).await?;
    if v.user.two_step {
        return Err(AdminError::Conflict(
            "two-step sign-in is already set up for this account".into(),
        ));
    }
    let secret = totp::new_secret();
    let codes = totp::new_recovery_codes();
    // A set-up already started keeps its secret: the app may have scanned it.
    let row = sqlx::query!(
        "INSERT INTO staff_totp (user_id, secret, pending_codes) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id
         RETURNING secret, pending_codes",
        v.user.id,
        &secret,
        &codes
    )
    .fetch_one(staff.pool())
    .await
    .map_err(unavailable)?;
    let secret = row.secret;
    let (qr_side, qr_dark) = qr(&totp::otpauth_link(issuer, &v.user.email, &secret));
    Ok(Pending {
        setup: TwoStepSetup {
            secret: totp::base32(&secret)
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            link: totp::otpauth_link(issuer, &v.user.email, &secret),
            qr_side,
            qr_dark,
        },
        recovery_codes: row.pending_codes.unwrap_or_default(),
    })
}

/// The QR code of `text`: its side in modules and the dark ones, row by row.
fn qr(text: &str) -> (u32, Vec<bool>) {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => (
            code.width() as u32,
            code.to_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect(),
        ),
        Err(_) => (0, Vec::new()),
    }
}

/// Counts a code attempt against the account (like a wrong password), or refuses it
/// when there were too many.
async fn count_attempt(staff: &Staff, v: &Visit) -> Result<i64, AdminError> {
    begin_attempt(
        &staff.accounts,
        &format!("two-step:{}", v.user.email),
        &client_ip(),
    )
    .await
    .map_err(AdminError::from)
}

async fn forgive_attempt(staff: &Staff, attempt: i64) -> Result<(), AdminError> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt)
        .execute(staff.pool())
        .await
        .map_err(unavailable)?;
    Ok(())
}

/// Finishes setting up with the first code from the app: two-step sign-in is on, the
/// recovery codes shown with the secret are active, and this session has passed its
/// second step.
pub async fn confirm(staff: &Staff, code: &str) -> Result<(), AdminError> {
    let v = staff_visit(staff).await?;
    let attempt = count_attempt(staff, &v).await?;
    let pending = sqlx::query!(
        "SELECT secret, pending_codes FROM staff_totp WHERE user_id = $1 AND confirmed_at IS NULL",
        v.user.id
    )
    .fetch_optional(staff.pool())
    .await
    .map_err(unavailable)?
    .ok_or_else(|| AdminError::Conflict("start setting up two-step sign-in first".into()))?;
    let step = totp::matching_step(&pending.secret, code, now_step(), 0).ok_or_else(|| {
        AdminError::InvalidInput("that code is not right; check the app's clock".into())
    })?;
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let done = sqlx::query!(
        "UPDATE staff_totp SET confirmed_at = now(), last_step = $2, pending_codes = NULL
          WHERE user_id = $1 AND confirmed_at IS NULL AND secret = $3",
        v.user.id,
        step as i64,
        &pending.secret
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    if done.rows_affected() != 1 {
        return Err(AdminError::Conflict(
            "two-step sign-in was set up meanwhile".into(),
        ));
    }
    sqlx::query!(
        "DELETE FROM staff_recovery_codes WHERE user_id = $1",
        v.user.id
    )
    .execute(&mut *tx)
    .await
    .map_err(unavailable)?;
    for c in pending.pending_codes.unwrap_or_default() {
        sqlx::query!(
            "INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES ($1, $2)",
            v.user.id,
            &totp::recovery_hash(&c)[..]
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    }
    pass_second_step(&mut tx, v.session_id).await?;
    audit::record(
        &mut tx,
        &Actor::staff(v.user.id, &v.user.email),
        Change {
            action: "staff.two_step_on",
            entity: "staff",
            entity_id: v.user.id.to_string(),
            before: None,
            after: None,
        },
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    forgive_attempt(staff, attempt).await
}

async fn pass_second_step(tx: &mut sqlx::PgConnection, session_id: i64) -> Result<(), AdminError> {
    sqlx::query!(
        "UPDATE sessions SET second_factor_at = now() WHERE id = $1",
        session_id
    )
    .execute(tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// The second step of a session: a code from the app, or a recovery code (each works
/// once; using one is audited). Returns how many recovery codes are left when one was
/// used.
pub async fn verify(staff: &Staff, code: &str) -> Result<Option<i64>, AdminError> {
    let v = staff_visit(staff).await?;
    if !v.user.two_step {
        return Err(AdminError::Conflict(
            "two-step sign-in is not set up for this account".into(),
        ));
    }
    let attempt = count_attempt(staff, &v).await?;
    let totp_row = sqlx::query!(
        "SELECT secret, last_step FROM staff_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        v.user.id
    )
    .fetch_one(staff.pool())
    .await
    .map_err(unavailable)?;
    let mut tx = staff.pool().begin().await.map_err(unavailable)?;
    let left = if let Some(step) = totp::matching_step(
        &totp_row.secret,
        code,
        now_step(),
        totp_row.last_step.max(0) as u64,
    ) {
        // Of two uses of one code at once, one moves the step on and the other finds it moved.
        let moved = sqlx::query!(
            "UPDATE staff_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2",
            v.user.id,
            step as i64
        )
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
        if moved.rows_affected() != 1 {
            return Err(AdminError::InvalidInput(
                "that code was used already; wait for the next one".into(),
            ));
        }
        None
    } else {
        let counts = sqlx::query!(
            r#"WITH used AS (
                   UPDATE staff_recovery_codes SET used_at = now()
                    WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
                   RETURNING 1)
               SELECT (SELECT count(*) FROM used) AS "used!",
                      (SELECT count(*) FROM staff_recovery_codes
                        WHERE user_id = $1 AND used_at IS NULL) AS "unused!""#,
            v.user.id,
            &totp::recovery_hash(code)[..]
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(unavailable)?;
        // The count of unused codes sees the table as it was before this statement.
        if counts.used != 1 {
            return Err(AdminError::InvalidInput("that code is not right".into()));
        }
        let left = counts.unused - 1;
        audit::record(
            &mut tx,
            &Actor::staff(v.user.id, &v.user.email),
            Change {
                action: "staff.recovery_code_used",
                entity: "staff",
                entity_id: v.user.id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "recovery_codes_left": left })),
            },
        )
        .await
        .map_err(unavailable)?;
        Some(left)
    };
    pass_second_step(&mut tx, v.session_id).await?;
    tx.commit().await.map_err(unavailable)?;
    forgive_attempt(staff, attempt).await?;
    Ok(left)
}

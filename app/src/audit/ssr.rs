//! Writing and reading the audit log.

use super::model::{Entry, Filter, PAGE_SIZE, Page};
use futures::{Stream, StreamExt};
use sqlx::{PgConnection, PgPool};

/// Who makes a change: a staff member (by account and the e-mail address they had at
/// the time) from an address, or a part of the system (an importer, a worker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    /// A staff member, from the current request's client address.
    pub fn staff(user_id: i64, email: &str) -> Actor {
        Actor {
            user_id: Some(user_id),
            label: email.to_owned(),
            ip: request_ip(),
        }
    }

    /// A part of the system: `system:<what>`.
    pub fn system(what: &str) -> Actor {
        Actor {
            user_id: None,
            label: format!("system:{what}"),
            ip: None,
        }
    }

    /// How the catalog's history and the order timeline name this actor.
    pub fn history_name(&self) -> String {
        match self.user_id {
            Some(id) => format!("staff:{id}:{}", self.label),
            None => self.label.clone(),
        }
    }
}

/// The client's full address as the server's edge resolved it (not the /64 that limits
/// count by): the log says where a change came from.
fn request_ip() -> Option<String> {
    crate::context::client_ip().map(|ip| ip.to_string())
}

/// What changed: `action` is `<entity>.<verb>` (`product.update`, `order.refund`).
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Writes one entry in the caller's transaction (so it commits or rolls back with the
/// change), and names the actor for the database's own history triggers in the same
/// transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    change: Change<'_>,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar!(
        "WITH actor AS (SELECT set_config('mercato.actor', $8, true))
         INSERT INTO audit_log (actor_id, actor, ip, action, entity, entity_id, before, after)
         SELECT $1, $2, $3, $4, $5, $6, $7, $9 FROM actor
         RETURNING id",
        actor.user_id,
        actor.label,
        actor.ip,
        change.action,
        change.entity,
        change.entity_id,
        change.before,
        actor.history_name(),
        change.after,
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Records `change` in the transaction that made it, and commits both.
pub async fn record_and_commit(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), sqlx::Error> {
    record(&mut tx, actor, change).await?;
    tx.commit().await
}

/// Names the actor for the database's history triggers (the catalog's history, the
/// order timeline) for the rest of the transaction.
pub async fn act_as(conn: &mut PgConnection, actor: &Actor) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT set_config('mercato.actor', $1, true)",
        actor.history_name()
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// A date typed in a filter (`YYYY-MM-DD`), or a clear error.
fn parse_day(s: &str, what: &str) -> Result<Option<chrono::NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("the {what} date must look like 2026-12-31"))
}

/// The filter's values as the queries take them.
struct Bounds {
    actor: String,
    entity: String,
    entity_id: String,
    action: String,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
}

fn bounds(filter: &Filter) -> Result<Bounds, String> {
    Ok(Bounds {
        actor: filter.actor.trim().to_lowercase(),
        entity: filter.entity.trim().to_owned(),
        entity_id: filter.entity_id.trim().to_owned(),
        action: filter.action.trim().to_owned(),
        from: parse_day(&filter.from, "from")?,
        to: parse_day(&filter.to, "to")?,
    })
}

struct Row {
    id: i64,
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    ip: Option<String>,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

impl From<Row> for Entry {
    fn from(r: Row) -> Self {
        let pretty = |v: Option<serde_json::Value>| {
            v.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        };
        Entry {
            id: r.id,
            at: r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            actor: r.actor,
            ip: r.ip,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: pretty(r.before),
            after: pretty(r.after),
        }
    }
}

/// One page of entries matching `filter`, newest first. An empty field matches all;
/// the actor matches part of the name, the others exactly (the action by prefix).
pub async fn search(pool: &PgPool, filter: &Filter) -> Result<Result<Page, String>, sqlx::Error> {
    let b = match bounds(filter) {
        Ok(b) => b,
        Err(message) => return Ok(Err(message)),
    };
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT id, at, actor, ip, action, entity, entity_id, before, after
             FROM audit_log
            WHERE ($1 = '' OR strpos(lower(actor), $1) > 0)
              AND ($2 = '' OR entity = $2)
              AND ($3 = '' OR entity_id = $3)
              AND ($4 = '' OR action = $4 OR starts_with(action, $4 || '.'))
              AND ($5::date IS NULL OR at >= $5::date)
              AND ($6::date IS NULL OR at < $6::date + 1)
              AND ($7::bigint IS NULL OR id < $7)
            ORDER BY id DESC
            LIMIT $8"#,
        b.actor,
        b.entity,
        b.entity_id,
        b.action,
        b.from,
        b.to,
        filter.before_id,
        PAGE_SIZE + 1,
    )
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<Entry> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(Entry::from)
        .collect();
    let next = more.then(|| entries.last().map(|e| e.id)).flatten();
    Ok(Ok(Page { entries, next }))
}

/// Every entry matching `filter` as CSV lines (a header first), oldest first, read from
/// the database as they are sent: the log can be exported whatever its size.
pub fn export(
    pool: PgPool,
    filter: Filter,
) -> Result<impl Stream<Item = Result<String, sqlx::Error>> + Send + 'static, String> {
    let b = bounds(&filter)?;
    Ok(crate::csv::produce(move |out| async move {
        out.send("id,at,actor,ip,action,entity,entity_id,before,after\n".to_owned())
            .await?;
        let mut rows = sqlx::query_as!(
            Row,
            r#"SELECT id, at, actor, ip, action, entity, entity_id, before, after
                 FROM audit_log
                WHERE ($1 = '' OR strpos(lower(actor), $1) > 0)
                  AND ($2 = '' OR entity = $2)
                  AND ($3 = '' OR entity_id = $3)
                  AND ($4 = '' OR action = $4 OR starts_with(action, $4 || '.'))
                  AND ($5::date IS NULL OR at >= $5::date)
                  AND ($6::date IS NULL OR at < $6::date + 1)
                ORDER BY id"#,
            b.actor,
            b.entity,
            b.entity_id,
            b.action,
            b.from,
            b.to,
        )
        .fetch(&pool);
        while let Some(row) = rows.next().await {
            out.send(crate::csv::line(&csv_fields(row?))).await?;
        }
        Ok(())
    }))
}

fn csv_fields(r: Row) -> Vec<String> {
    let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
    vec![
        r.id.to_string(),
        r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        r.actor,
        r.ip.unwrap_or_default(),
        r.action,
        r.entity,
        r.entity_id.unwrap_or_default(),
        json(r.before),
        json(r.after),
    ]
}

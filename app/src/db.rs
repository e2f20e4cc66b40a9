//! The database as the services see it: the connection pools, and what the database
//! refuses, named once. The PL/pgSQL functions raise SQLSTATEs of
//! their own (class `MR`), and constraints have names; code that needs to know why a
//! statement failed asks [`refusal`] instead of reading codes and names itself. The
//! functions' current sources are in `migrations/functions/`, one file each.

use sqlx::PgPool;

/// Connection pools: writes go to the primary; catalog reads may go to a replica.
#[derive(Clone, Debug)]
pub struct Db {
    pub primary: PgPool,
    pub replica: PgPool,
    /// The primary, for cart lines only: its commits do not wait for the disk
    /// (`synchronous_commit = off`). A database crash may lose the last fraction of a
    /// second of cart changes, never anything else: every order, payment or account
    /// commit waits for the disk, and flushes every cart change before it.
    pub carts: PgPool,
}

impl Db {
    /// One pool for everything (no read replica; cart commits as durable as the rest).
    pub fn single(pool: PgPool) -> Self {
        Db {
            primary: pool.clone(),
            replica: pool.clone(),
            carts: pool,
        }
    }
}

/// A refusal the shop acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `MR001` (`order_confirm`): the order's stock is no longer all held.
    NotAllHeld,
    /// `MR002` (`order_open`): no single warehouse can hold one of the order's SKUs.
    NoSingleWarehouse,
    /// `MR003` (`order_open`): the cart no longer holds what was priced.
    CartChanged,
    /// `MR004` (`order_open`): a line's flash sale hold has ended.
    SaleHoldEnded,
    /// `MR010` (`audit_log_append_only`): audit entries are never changed or removed.
    AuditAppendOnly,
    /// `stock_never_oversold`: a stock level would promise more than it has.
    Oversold,
    /// `order_status_transition`: the order state machine has no such step.
    InvalidTransition,
    /// A unique constraint or index, by name.
    Duplicate(String),
    /// A check constraint, by name.
    Check(String),
    /// A foreign key, by name: what it names does not exist.
    Missing(String),
}

/// The refusal behind a database error, if it is one the shop knows.
pub fn refusal(error: &sqlx::Error) -> Option<Refusal> {
    let db = error.as_database_error()?;
    let code = db.code()?;
    let constraint = || db.constraint().unwrap_or_default().to_owned();
    Some(match code.as_ref() {
        "MR001" => Refusal::NotAllHeld,
        "MR002" => Refusal::NoSingleWarehouse,
        "MR003" => Refusal::CartChanged,
        "MR004" => Refusal::SaleHoldEnded,
        "MR010" => Refusal::AuditAppendOnly,
        // Raised by the status guard with this constraint name, and by check constraints.
        "23514" => match db.constraint() {
            Some("stock_never_oversold") => Refusal::Oversold,
            Some("order_status_transition") => Refusal::InvalidTransition,
            _ => Refusal::Check(constraint()),
        },
        "23505" => Refusal::Duplicate(constraint()),
        "23503" => Refusal::Missing(constraint()),
        _ => return None,
    })
}

/// Whether a database error is a rule of the data (a constraint of any kind: class 23)
/// rather than a failure of the database.
pub fn breaks_a_rule(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c.starts_with("23"))
}

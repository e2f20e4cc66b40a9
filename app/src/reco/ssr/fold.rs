//! Folding orders into the counts the models learn from: one confirmed order at a time
//! (the worker, following the outbox), or every confirmed order at once (`rebuild`).
//! Both write the same rows for the same orders: every count is a whole number that an
//! order adds to once, whatever the order of folding.

use sqlx::PgConnection;

/// Baskets of more different products than this are stock-ups, not things bought
/// together: their pairs are not counted (they would grow with the square of the size).
pub const MAX_BASKET: i64 = 30;

/// Folds the order into the counts, once (in the caller's transaction); false if it was
/// folded before or is not an order.
#[tracing::instrument(skip_all, fields(order.id = order_id), err)]
pub async fn fold(conn: &mut PgConnection, order_id: i64) -> Result<bool, sqlx::Error> {
    let Some(order) = sqlx::query!(
        "SELECT user_id, created_at FROM orders WHERE id = $1",
        order_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    let first = sqlx::query!(
        "INSERT INTO reco_folded (order_id) VALUES ($1) ON CONFLICT DO NOTHING",
        order_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !first {
        return Ok(false);
    }
    let products: Vec<i64> = sqlx::query_scalar!(
        r#"SELECT DISTINCT v.product_id AS "product_id!" FROM order_lines l
             JOIN variants v ON v.id = l.variant_id WHERE l.order_id = $1 ORDER BY 1"#,
        order_id
    )
    .fetch_all(&mut *conn)
    .await?;
    // Products this customer buys for the first time gain a buyer.
    let new_to_customer: Vec<i64> = match order.user_id {
        Some(customer) => {
            sqlx::query_scalar!(
                r#"SELECT p AS "p!" FROM unnest($2::bigint[]) AS p
                    WHERE NOT EXISTS (SELECT 1 FROM reco_purchases r
                                       WHERE r.customer_id = $1 AND r.product_id = p)"#,
                customer,
                &products
            )
            .fetch_all(&mut *conn)
            .await?
        }
        None => Vec::new(),
    };
    if let Some(customer) = order.user_id {
        sqlx::query!(
            "INSERT INTO reco_purchases (customer_id, product_id, first_at, last_at, orders)
             SELECT $1, p, $3, $3, 1 FROM unnest($2::bigint[]) AS p
             ON CONFLICT (customer_id, product_id) DO UPDATE
                SET first_at = least(reco_purchases.first_at, EXCLUDED.first_at),
                    last_at = greatest(reco_purchases.last_at, EXCLUDED.last_at),
                    orders = reco_purchases.orders + 1",
            customer,
            &products,
            order.created_at
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "INSERT INTO reco_products (product_id, buyers, baskets)
         SELECT p, CASE WHEN p = ANY($2) THEN 1 ELSE 0 END, 1 FROM unnest($1::bigint[]) AS p
         ON CONFLICT (product_id) DO UPDATE
            SET buyers = reco_products.buyers + EXCLUDED.buyers,
                baskets = reco_products.baskets + 1",
        &products,
        &new_to_customer
    )
    .execute(&mut *conn)
    .await?;
    if products.len() as i64 <= MAX_BASKET {
        sqlx::query!(
            "INSERT INTO reco_basket_pairs (product_id, other_id, baskets)
             SELECT a, b, 1 FROM unnest($1::bigint[]) AS a, unnest($1::bigint[]) AS b WHERE a <> b
             ON CONFLICT (product_id, other_id) DO UPDATE SET baskets = reco_basket_pairs.baskets + 1",
            &products
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Empties the counts and folds every order that was ever confirmed, in one transaction
/// of set-wise statements (the same rows `fold` would write order by order). Returns
/// the orders folded.
#[tracing::instrument(skip_all, err)]
pub async fn refold_all(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    // Row by row, not TRUNCATE: readers keep seeing the old counts until this commits.
    for table in [
        "reco_folded",
        "reco_purchases",
        "reco_products",
        "reco_basket_pairs",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    let folded = sqlx::query!(
        "INSERT INTO reco_folded (order_id)
         SELECT o.id FROM orders o
          WHERE EXISTS (SELECT 1 FROM order_transitions t
                         WHERE t.order_id = o.id AND t.to_status = 'confirmed')"
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    // A temporary table: the queries on it are checked when they run, not at build.
    sqlx::query(
        "CREATE TEMPORARY TABLE reco_bought ON COMMIT DROP AS
         SELECT DISTINCT o.id AS order_id, o.user_id, o.created_at, v.product_id
           FROM reco_folded f
           JOIN orders o ON o.id = f.order_id
           JOIN order_lines l ON l.order_id = o.id
           JOIN variants v ON v.id = l.variant_id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO reco_purchases (customer_id, product_id, first_at, last_at, orders)
         SELECT user_id, product_id, min(created_at), max(created_at), count(*)
           FROM reco_bought WHERE user_id IS NOT NULL GROUP BY user_id, product_id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO reco_products (product_id, buyers, baskets)
         SELECT product_id, count(DISTINCT user_id), count(*) FROM reco_bought GROUP BY product_id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO reco_basket_pairs (product_id, other_id, baskets)
         SELECT a.product_id, b.product_id, count(*)
           FROM reco_bought a JOIN reco_bought b ON b.order_id = a.order_id AND b.product_id <> a.product_id
          WHERE a.order_id IN (SELECT order_id FROM reco_bought GROUP BY order_id
                                HAVING count(*) <= $1)
          GROUP BY a.product_id, b.product_id"
    )
    .bind(MAX_BASKET)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DROP TABLE reco_bought")
        .execute(&mut *conn)
        .await?;
    Ok(folded)
}

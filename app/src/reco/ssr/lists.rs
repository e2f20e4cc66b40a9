//! The adapter between the server function and the recommender: reads the place and the
//! asking visitor (session, customer, cart), calls one list of `serve`, and turns a
//! database that does not answer into no lists (a page never fails for want of them).

use super::Recommender;
use crate::reco::model::{RecoError, Shelf};
use crate::session::{Sessions, Visitor};

/// The most SKUs one request may name.
const MAX_SKUS: usize = 20;

/// The products in the visitor's cart.
async fn cart_products(
    reco: &Recommender,
    visitor: Option<&Visitor>,
) -> Result<Vec<i64>, sqlx::Error> {
    let Some(cart) = visitor.and_then(|v| v.cart_id) else {
        return Ok(Vec::new());
    };
    sqlx::query_scalar!(
        r#"SELECT DISTINCT v.product_id AS "product_id!" FROM cart_lines l
             JOIN variants v ON v.id = l.variant_id WHERE l.cart_id = $1"#,
        cart
    )
    .fetch_all(&reco.pool)
    .await
}

/// The product on sale at `slug`.
async fn product_on_sale(reco: &Recommender, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM products WHERE slug = $1 AND status = 'active'",
        slug
    )
    .fetch_optional(&reco.pool)
    .await
}

/// How long a guest session started by a product view lasts unless it is used again.
const VIEW_SESSION: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// A product seen in a browser (see `api::product_seen`): recorded with a new guest
/// session when the visitor has none.
pub async fn seen(slug: &str) -> Result<(), RecoError> {
    let (Some(reco), Some(sessions)) = (
        crate::context::dep::<Recommender>(),
        crate::context::dep::<Sessions>(),
    ) else {
        return Err(RecoError::Unavailable);
    };
    let unavailable = |e: sqlx::Error| {
        tracing::error!(error = %e, "a product view could not be recorded");
        RecoError::Unavailable
    };
    if slug.is_empty() || slug.len() > 200 {
        return Err(RecoError::InvalidInput("name a product".into()));
    }
    if crate::session::current(&sessions)
        .await
        .map_err(unavailable)?
        .is_some()
    {
        return Ok(());
    }
    let Some(product) = product_on_sale(&reco, slug).await.map_err(unavailable)? else {
        return Err(RecoError::InvalidInput("there is no such product".into()));
    };
    // A session started by a view alone lasts a day unless the guest comes back (a
    // crawler that runs the page's script and keeps no cookie leaves a day's rows, not a
    // month's); each later visit keeps it as long as any guest's.
    let token = reco
        .new_guest_with_view(product, VIEW_SESSION)
        .await
        .map_err(unavailable)?;
    crate::session::set_cookie(Some(&token), sessions.rules.guest, &sessions.rules);
    Ok(())
}

/// The lists for `place` and `key` (see `api::get_recommendations`).
pub async fn for_place(place: &str, key: &str) -> Result<Vec<Shelf>, RecoError> {
    let (Some(reco), Some(sessions)) = (
        crate::context::dep::<Recommender>(),
        crate::context::dep::<Sessions>(),
    ) else {
        return Err(RecoError::Unavailable);
    };
    let key = key.trim();
    if key.chars().count() > 2_000 {
        return Err(RecoError::InvalidInput("the key is too long".into()));
    }
    let visitor = match crate::session::visitor(&sessions).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "recommendations without the visitor");
            None
        }
    };
    let result = lists(&reco, visitor.as_ref(), place, key).await;
    match result {
        Ok(Ok(shelves)) => Ok(shelves
            .into_iter()
            .filter(|s| !s.items.is_empty())
            .collect()),
        Ok(Err(refused)) => Err(refused),
        // A page shows no lists rather than an error.
        Err(e) => {
            tracing::error!(error = %e, "recommendations failed");
            Ok(Vec::new())
        }
    }
}

async fn lists(
    reco: &Recommender,
    visitor: Option<&Visitor>,
    place: &str,
    key: &str,
) -> Result<Result<Vec<Shelf>, RecoError>, sqlx::Error> {
    let cart = cart_products(reco, visitor).await?;
    let session = visitor.map(|v| v.session.id);
    let customer = visitor.and_then(|v| v.session.user_id);
    Ok(Ok(match place {
        "product" => {
            let Some(product) = product_on_sale(reco, key).await? else {
                return Ok(Err(RecoError::InvalidInput(
                    "there is no such product".into(),
                )));
            };
            if let Some(session) = session {
                reco.record_view(session, product).await?;
            }
            reco.for_product(product, &cart).await?
        }
        "sku" => {
            let skus: Vec<String> = key
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if skus.is_empty() || skus.len() > MAX_SKUS {
                return Ok(Err(RecoError::InvalidInput(format!(
                    "name between 1 and {MAX_SKUS} SKUs, separated by commas"
                ))));
            }
            let products = reco.products_of_skus(&skus).await?;
            if products.is_empty() {
                return Ok(Err(RecoError::InvalidInput(
                    "none of those SKUs is a product on sale".into(),
                )));
            }
            let mut shelves = if products.len() == 1 {
                reco.for_product(products[0], &cart).await?
            } else {
                Vec::new()
            };
            let seeds: Vec<(i64, f64)> = products.iter().map(|&p| (p, 1.0)).collect();
            let mut exclude = products.clone();
            exclude.extend_from_slice(&cart);
            shelves.push(
                reco.also_bought("also_bought", "Customers also bought", &seeds, &exclude)
                    .await?,
            );
            shelves
        }
        "cart" => {
            let seeds: Vec<(i64, f64)> = cart.iter().map(|&p| (p, 1.0)).collect();
            vec![
                reco.also_bought("cart", "You may also like", &seeds, &cart)
                    .await?,
            ]
        }
        "customer" => {
            let Some(customer) = customer else {
                return Ok(Err(RecoError::InvalidInput(
                    "sign in to see the products picked for you".into(),
                )));
            };
            let viewed = match session {
                Some(s) => reco.viewed(s).await?,
                None => Vec::new(),
            };
            vec![reco.for_customer(customer, &cart, &viewed).await?]
        }
        "home" => {
            let viewed = match session {
                Some(s) => reco.viewed(s).await?,
                None => Vec::new(),
            };
            let first = match customer {
                Some(customer) => reco.for_customer(customer, &cart, &viewed).await?,
                None if !viewed.is_empty() || !cart.is_empty() => {
                    let seeds: Vec<(i64, f64)> =
                        cart.iter().chain(&viewed).map(|&p| (p, 1.0)).collect();
                    reco.also_bought("for_you", "Picked for you", &seeds, &cart)
                        .await?
                }
                None => reco.trending(&cart).await?,
            };
            let mut shelves = vec![first];
            if let Some(session) = session {
                shelves.push(reco.recently_viewed(session, &[]).await?);
            }
            shelves
        }
        other => {
            return Ok(Err(RecoError::InvalidInput(format!(
                "there are no recommendations for `{}`; ask for product, sku, cart, customer or home",
                other.chars().take(40).collect::<String>()
            ))));
        }
    }))
}

//! The shop's edge: what every request passes before a page or server function runs, and
//! what every response carries on its way out.
//!
//! In order, from the outside in:
//! 1. [`headers`]: every response gets the security headers and a content security
//!    policy whose script nonce is this request's own (Leptos puts it on its scripts).
//! 2. [`client`]: who is asking, by address (the TCP peer, or what a trusted proxy says).
//! 3. [`rate_limit`]: searches, suggestions, sign-up and sign-in, cart changes and
//!    checkout placement are limited per address and per account; 429 with
//!    `Retry-After` past the limit.
//! 4. [`origin`]: a state-changing request must come from this site, and a form post is
//!    only ever redirected to a path of this site.

pub mod client;
pub mod headers;
pub mod origin;
pub mod rate_limit;

use app::state::AppState;
use axum::Router;
use std::sync::Arc;

/// How the edge behaves (from settings; [`EdgePolicy::standard`] for tests and tools).
#[derive(Clone, Debug)]
pub struct EdgePolicy {
    pub rate_limits: rate_limit::Limits,
    /// Peers whose `X-Forwarded-For` is believed (a load balancer in front of the shop).
    pub trusted_proxies: client::TrustedProxies,
}

impl EdgePolicy {
    /// The default limits and no trusted proxy.
    pub fn standard() -> Self {
        EdgePolicy {
            rate_limits: rate_limit::Limits::standard(),
            trusted_proxies: client::TrustedProxies::none(),
        }
    }

    /// No rate limits: for benchmarks, whose load comes from one address on purpose.
    pub fn unlimited() -> Self {
        let mut policy = Self::standard();
        policy.rate_limits.enabled = false;
        policy
    }
}

/// Wraps `router` in the edge's layers (see the module's documentation for their order).
pub fn layer(router: Router<AppState>, state: &AppState, policy: &EdgePolicy) -> Router<AppState> {
    let limiter = Arc::new(rate_limit::Limiter::new(
        &policy.rate_limits,
        state.sessions.cache.clone(),
    ));
    rate_limit::spawn_housekeeping(&limiter);
    let page_headers = Arc::new(headers::Policy::for_site(&state.site.public_url));
    router
        .layer(axum::middleware::from_fn_with_state(
            state.site.public_url.clone(),
            origin::same_origin_redirects,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.site.public_url.clone(),
            origin::same_site_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::enforce,
        ))
        .layer(axum::middleware::from_fn_with_state(
            policy.trusted_proxies.clone(),
            client::resolve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            page_headers,
            headers::secure,
        ))
}

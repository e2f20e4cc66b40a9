//! What the server hands to server functions and pages: each concept's dependencies
//! (its pools, caches and rules) are provided as context for every request
//! (`AppState::provide` in `state.rs`), and taken here by type; and what the server's
//! edge learned about the request.

/// This request's `T`, or an error in the log (never a panic) if the server did not
/// provide it.
pub fn dep<T: Clone + Send + Sync + 'static>() -> Option<T> {
    let found = leptos::prelude::use_context::<T>();
    if found.is_none() {
        tracing::error!(
            dependency = std::any::type_name::<T>(),
            "missing from the request's context"
        );
    }
    found
}

/// The client's full address as the server's edge resolved it (not the /64 that limits
/// count by), or the TCP peer's when no edge put one in the request.
#[cfg(feature = "ssr")]
pub fn client_ip() -> Option<std::net::IpAddr> {
    use axum::extract::ConnectInfo;
    use axum::http::request::Parts;
    let parts = leptos::prelude::use_context::<Parts>()?;
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|c| c.0)
        .or_else(|| {
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip())
        })
}

/// The client's address as the server's edge found it: the TCP peer, or the address a
/// trusted proxy forwarded (server/src/security/client.rs). In the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl ClientAddr {
    /// What limits count against: an IPv4 address, or an IPv6 client's /64 (a subscriber
    /// is given a whole /64, so one address of it is no one person).
    pub fn bucket(&self) -> String {
        match self.0 {
            std::net::IpAddr::V4(v4) => v4.to_string(),
            std::net::IpAddr::V6(v6) => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
        }
    }
}

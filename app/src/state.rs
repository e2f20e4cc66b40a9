//! Everything the server hands to pages, server functions and workers, above the
//! concepts: each concept's dependencies (its pools, caches, rules and clients), built
//! once from the settings (`server::state::build`). A request gets each of them as
//! context ([`AppState::provide`]); a service takes only the one it uses.

use crate::account::ssr::Accounts;
use crate::cart::ssr::{CartRules, Carts};
use crate::catalog::ssr::Catalog;
use crate::checkout::ssr::Checkout;
use crate::db::Db;
use crate::fulfilment::ssr::Fulfilment;
use crate::payments::ssr::Payments;
use crate::search::ssr::SearchService;
use crate::session::Sessions;
use crate::site::Site;
use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, provide_context};
use std::path::PathBuf;
use std::sync::Arc;

/// The axum router's state, and what Leptos provides to each request.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub site: Site,
    pub media_dir: PathBuf,
    /// Catalog pages, read through a cache the database keeps exact.
    pub catalog: Catalog,
    /// The search read model (an embedded tantivy index fed by the outbox).
    pub search: Arc<SearchService>,
    /// Who a request is.
    pub sessions: Sessions,
    pub accounts: Accounts,
    pub carts: Carts,
    pub checkout: Checkout,
    /// The payment provider, and the secret its webhooks are signed with.
    pub payments: Payments,
    /// Recommendation lists.
    pub reco: crate::reco::ssr::Recommender,
    pub flash_sales: crate::flash_sale::ssr::FlashSales,
}

impl AppState {
    /// Gives each concept's dependencies to the current request's context, where its
    /// server functions and pages take them (`crate::context::dep`).
    pub fn provide(&self) {
        provide_context(self.db.clone());
        provide_context(self.site.clone());
        provide_context(self.catalog.clone());
        provide_context(self.search.clone());
        provide_context(self.sessions.clone());
        provide_context(self.accounts.clone());
        provide_context(self.carts.clone());
        provide_context(self.carts.rules);
        provide_context(self.checkout.clone());
        provide_context(self.reco.clone());
        provide_context(self.flash_sales.clone());
        provide_context(crate::orders::admin::operations::ssr::Operations {
            pool: self.db.primary.clone(),
            provider: self.payments.provider.clone(),
            site: self.site.clone(),
        });
        provide_context(crate::media::ssr::ImageStore::new(&self.media_dir));
        provide_context(crate::staff::ssr::Staff {
            accounts: self.accounts.clone(),
        });
    }

    /// The fulfilment workers' dependencies, with their carrier.
    pub fn fulfilment(&self, carrier: crate::fulfilment::ssr::Carrier) -> Fulfilment {
        Fulfilment {
            pool: self.db.primary.clone(),
            site: self.site.clone(),
            carrier,
            automatic_dispatch: true,
        }
    }

    /// The cart's rules.
    pub fn cart_rules(&self) -> CartRules {
        self.carts.rules
    }
}

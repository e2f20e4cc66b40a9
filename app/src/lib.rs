//! Mercato's application: pages, components, server functions and domain services.
#![recursion_limit = "256"]

pub mod account;
pub mod admin;
pub mod api_error;
pub mod audit;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod components;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod csv;
pub mod customers;
#[cfg(feature = "ssr")]
pub mod db;
pub mod discounts;
pub mod fetch;
pub mod flash;
pub mod flash_sale;
pub mod fulfilment;
pub mod imports;
pub mod inventory;
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod media;
pub mod money;
#[cfg(feature = "ssr")]
pub mod notify;
pub mod orders;
pub mod page_cache;
pub mod pages;
pub mod payments;
pub mod reco;
pub mod reports;
pub mod risk;
pub mod search;
#[cfg(feature = "ssr")]
pub mod session;
pub mod site;
pub mod staff;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod styles;
pub mod url;
pub mod wire;

use account::pages::{
    AccountPage, AddressesPage, ConfirmAccountPage, ForgotPasswordPage, ResetPasswordPage,
    SignInPage, SignUpPage,
};
use admin::layout::{AdminHome, AdminLayout, AdminNotFound};
use audit::pages::AuditPage;
use cart::pages::CartPage;
use catalog::admin::pages::{AdminProductPage, AdminProductsPage, CompareRevisionsPage};
use checkout::pages::CheckoutPage;
use components::layout::{Footer, Header};
use customers::pages::{CustomerPage, CustomersPage};
use discounts::admin::pages::DiscountsPage;
use flash_sale::admin::pages::{FlashSalePage, FlashSalesPage};
use flash_sale::pages::SalePageView;
use imports::pages::ImportsAdminPage;
use inventory::admin::pages::InventoryPage;
use jobs::pages::JobPage;
use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};
use orders::admin::operations::forms::PackingSlipPage;
use orders::admin::pages::{AdminOrderPage, AdminOrdersPage};
use orders::pages::{OrderLookupPage, OrderPage, OrdersPage};
use pages::{
    category::CategoryPage, home::HomePage, not_found::NotFound, product::ProductPage,
    search::SearchPage,
};
use staff::pages::{AcceptInvitationPage, StaffPage};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let scoped_css = styles::scoped_css_href();
    #[cfg(not(feature = "ssr"))]
    let scoped_css = String::new();
    // The site's stylesheet sits with its script and WASM, under their version (server/src/assets.rs).
    let site_css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=scoped_css />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <link rel="stylesheet" id="leptos" href=site_css />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
                <HydrationMarker />
            </body>
        </html>
    }
}

/// Marks the body `data-hydrated` once every island has hydrated (tests wait for it).
/// Islands hydrate one after another in document order, and this one comes last.
#[island]
fn HydrationMarker() -> impl IntoView {
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The route table: the admin under `/admin` in its own frame, the shop in the
/// storefront's (header, flash message, footer).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <Storefront404 /> }>
                <ParentRoute path=path!("/admin") view=AdminLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=AdminHome ssr=SsrMode::Async />
                    <Route path=path!("/staff") view=StaffPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/jobs/:id") view=JobPage ssr=SsrMode::Async />
                    <Route path=path!("/orders") view=AdminOrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/:number") view=AdminOrderPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/orders/:number/packing-slip")
                        view=PackingSlipPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/products") view=AdminProductsPage ssr=SsrMode::Async />
                    <Route path=path!("/inventory") view=InventoryPage ssr=SsrMode::Async />
                    <Route path=path!("/customers") view=CustomersPage ssr=SsrMode::Async />
                    <Route path=path!("/discounts") view=DiscountsPage ssr=SsrMode::Async />
                    <Route path=path!("/flash-sales") view=FlashSalesPage ssr=SsrMode::Async />
                    <Route path=path!("/flash-sales/:id") view=FlashSalePage ssr=SsrMode::Async />
                    <Route path=path!("/imports") view=ImportsAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/customers/:id") view=CustomerPage ssr=SsrMode::Async />
                    <Route path=path!("/products/new") view=AdminProductPage ssr=SsrMode::Async />
                    <Route path=path!("/products/:id") view=AdminProductPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/products/:id/compare")
                        view=CompareRevisionsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/*any") view=AdminNotFound ssr=SsrMode::Async />
                </ParentRoute>
                <ParentRoute path=path!("") view=Storefront ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/c/*path") view=CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/p/:slug") view=ProductPage ssr=SsrMode::Async />
                    <Route path=path!("/sale/:id") view=SalePageView ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async />
                    <Route path=path!("/checkout") view=CheckoutPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/lookup") view=OrderLookupPage ssr=SsrMode::Async />
                    <Route path=path!("/orders/:number") view=OrderPage ssr=SsrMode::Async />
                    <Route path=path!("/account/orders") view=OrdersPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/account/addresses") view=AddressesPage ssr=SsrMode::Async />
                    <Route path=path!("/account/sign-in") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/account/sign-up") view=SignUpPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/account/forgot")
                        view=ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/account/reset") view=ResetPasswordPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/account/confirm")
                        view=ConfirmAccountPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/account/staff-invitation")
                        view=AcceptInvitationPage
                        ssr=SsrMode::Async
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The shop's frame around its pages.
#[component]
fn Storefront() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <Header />
        <main id="main" tabindex="-1">
            <flash::FlashMessage />
            <Outlet />
        </main>
        <Footer />
    }
}

/// A page nobody routes to, in the shop's frame.
#[component]
fn Storefront404() -> impl IntoView {
    view! {
        <Header />
        <main id="main" tabindex="-1">
            <NotFound />
        </main>
        <Footer />
    }
}

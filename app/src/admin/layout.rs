//! The admin's frame: the door (sign in, the second step, setting it up), then the
//! navigation, which shows only what the staff member may open, around the page.

use crate::admin::style::page;
use crate::components::head::Title;
use crate::components::status::set_http_status;
use crate::flash::FlashMessage;
use crate::staff::api::{StaffSignIn, TwoStepConfirm, TwoStepVerify, admin_door, two_step_begin};
use crate::staff::model::{AdminError, Door, Permission, StaffUser};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::components::Outlet;
use stylers_macro::style;

/// `/admin/...`: the door, then the page.
#[component]
pub fn AdminLayout() -> impl IntoView {
    let door = Resource::new(|| (), |_| admin_door());
    // The door is read once, by one `Suspend` (not a closure the door's arrival runs
    // again): the admin has no islands, so nothing re-renders it in the browser, and on
    // the server each run of a closure here built the frame and the page under it anew,
    // calling the page's server functions again (three builds per request, now one frame
    // and two page builds; the second comes from the router's `Outlet`).
    view! {
        <Meta name="robots" content="noindex, nofollow" />
        <Suspense fallback=|| ()>
            {Suspend::new(async move {
                match door.await {
                    Ok(Door::Open(user)) => view! { <AdminFrame user /> }.into_any(),
                    Ok(Door::SignIn) => {
                        view! {
                            <Doorway>
                                <SignInPanel />
                            </Doorway>
                        }
                            .into_any()
                    }
                    Ok(Door::NoAccess) => {
                        view! {
                            <Doorway>
                                <NoAccessPanel />
                            </Doorway>
                        }
                            .into_any()
                    }
                    Ok(Door::SecondStep) => {
                        view! {
                            <Doorway>
                                <SecondStepPanel />
                            </Doorway>
                        }
                            .into_any()
                    }
                    Ok(Door::SetUpTwoStep(user)) => {
                        view! {
                            <Doorway>
                                <SetUpPanel user />
                            </Doorway>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <Doorway>
                                <AdminError error />
                            </Doorway>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The admin with its navigation around the page.
#[component]
fn AdminFrame(user: StaffUser) -> impl IntoView {
    let cls = style! {
        .frame {
            display: grid;
            grid-template-columns: 14rem 1fr;
            min-height: 100vh;
        }
        @media (max-width: 48rem) {
            .frame {
                grid-template-columns: 1fr;
            }
        }
        nav {
            padding: 1.25rem 1rem;
            background: var(--ink);
            color: var(--paper);
        }
        nav a {
            display: block;
            padding: 0.4rem 0.6rem;
            border-radius: 0.4rem;
            color: var(--paper);
            text-decoration: none;
        }
        nav a:hover, nav a:focus-visible {
            background: rgba(255, 255, 255, 0.12);
        }
        .brand {
            font-weight: 700;
            font-size: 1.1rem;
            margin-bottom: 1rem;
        }
        .who {
            margin-top: 1.5rem;
            font-size: 0.85rem;
            opacity: 0.85;
            word-break: break-all;
        }
        nav button {
            margin-top: 0.5rem;
            padding: 0.3rem 0.7rem;
            font: inherit;
            border: 1px solid var(--paper);
            border-radius: 0.4rem;
            background: transparent;
            color: var(--paper);
            cursor: pointer;
        }
        .content {
            padding: 1.5rem 2rem;
            min-width: 0;
        }
    };
    let links = sections()
        .into_iter()
        .filter(|(_, _, p)| p.is_empty() || p.iter().any(|&p| user.may(p)))
        .map(|(href, label, _)| view! { class=cls, <a href=href>{label}</a> })
        .collect_view();
    view! { class=cls,
        <div class="frame">
            <nav aria-label="Admin" class="no-print">
                <div class="brand">"Mercato admin"</div>
                {links}
                <a href="/">"View the shop"</a>
                <div class="who">
                    {user.email.clone()}
                    <form method="post" action=crate::account::api::SignOut::url()>
                        <button type="submit">"Sign out"</button>
                    </form>
                </div>
            </nav>
            <main id="main" class="content" tabindex="-1">
                <FlashMessage />
                <Outlet />
            </main>
        </div>
    }
}

/// The admin's sections: link, label, and the permissions that open it (any of them;
/// none: anyone past the door).
pub fn sections() -> Vec<(&'static str, &'static str, &'static [Permission])> {
    vec![
        ("/admin", "Home", &[]),
        ("/admin/products", "Products", &[Permission::Products]),
        ("/admin/inventory", "Inventory", &[Permission::Inventory]),
        ("/admin/orders", "Orders", &[Permission::Orders]),
        ("/admin/customers", "Customers", &[Permission::Customers]),
        ("/admin/discounts", "Discounts", &[Permission::Discounts]),
        (
            "/admin/flash-sales",
            "Flash sales",
            &[Permission::Discounts],
        ),
        (
            "/admin/imports",
            "Import and export",
            &[Permission::Products, Permission::Inventory],
        ),
        ("/admin/staff", "Staff", &[Permission::Staff]),
        ("/admin/audit", "Audit log", &[Permission::Staff]),
    ]
}

/// A door's page: the shop's name and one panel.
#[component]
fn Doorway(children: Children) -> impl IntoView {
    let cls = style! {
        .doorway {
            max-width: 30rem;
            margin: 4rem auto;
            padding: 0 1rem;
        }
        .brand {
            font-weight: 700;
            margin-bottom: 1.5rem;
        }
    };
    view! { class=cls,
        <main id="main" class="doorway" tabindex="-1">
            <div class="brand">"Mercato admin"</div>
            <FlashMessage />
            {children()}
        </main>
    }
}

#[component]
fn SignInPanel() -> impl IntoView {
    let cls = page();
    set_http_status(401);
    view! { class=cls,
        <Title text="Sign in · Mercato admin" />
        <h1>"Sign in to the admin"</h1>
        <form class="panel" method="post" action=StaffSignIn::url() aria-label="Sign in">
            <label>
                "E-mail address"
                <input type="email" name="email" autocomplete="username" required maxlength="254" />
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit" class="primary">
                "Sign in"
            </button>
        </form>
        <p>
            <a href="/account/forgot">"Forgot your password?"</a>
        </p>
    }
}

#[component]
fn NoAccessPanel() -> impl IntoView {
    let cls = page();
    set_http_status(403);
    view! { class=cls,
        <Title text="No access · Mercato admin" />
        <h1>"No access"</h1>
        <p>"This account cannot open the admin. Staff are invited by an administrator."</p>
        <form method="post" action=crate::account::api::SignOut::url()>
            <button type="submit">"Sign out"</button>
        </form>
    }
}

#[component]
fn SecondStepPanel() -> impl IntoView {
    let cls = page();
    set_http_status(401);
    view! { class=cls,
        <Title text="Two-step sign-in · Mercato admin" />
        <h1>"Two-step sign-in"</h1>
        <form class="panel" method="post" action=TwoStepVerify::url() aria-label="Two-step sign-in">
            <label>
                "The code from your authenticator app, or a recovery code"
                <input
                    type="text"
                    name="code"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    required
                    maxlength="20"
                />
            </label>
            <button type="submit" class="primary">
                "Continue"
            </button>
        </form>
        <form method="post" action=crate::account::api::SignOut::url()>
            <button type="submit">"Sign out"</button>
        </form>
    }
}

/// Setting up two-step sign-in (required before an administrator's first page).
#[component]
pub fn SetUpPanel(user: StaffUser) -> impl IntoView {
    let cls = page();
    let pending = Resource::new(|| (), |_| two_step_begin());
    view! { class=cls,
        <Title text="Set up two-step sign-in · Mercato admin" />
        <h1>"Set up two-step sign-in"</h1>
        <p>
            {format!(
                "{}, administrators sign in with a password and a code from an authenticator app.",
                if user.name.is_empty() { user.email.clone() } else { user.name.clone() },
            )}
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match pending.await {
                    Ok(p) => view! { <SetUpSteps pending=p /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SetUpSteps(pending: crate::staff::model::TwoStepPending) -> impl IntoView {
    let cls = page();
    let codes = pending
        .recovery_codes
        .into_iter()
        .map(|c| view! { class=cls, <li>{c}</li> })
        .collect_view();
    view! { class=cls,
        <ol>
            <li>
                "Scan this code with your authenticator app, or type the key below it."
                <QrCode side=pending.setup.qr_side dark=pending.setup.qr_dark />
                <p>"Key: " <code data-test="totp-secret">{pending.setup.secret}</code></p>
            </li>
            <li>
                "Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone."
                <ul class="codes" data-test="recovery-codes">
                    {codes}
                </ul>
            </li>
            <li>
                <form
                    class="panel"
                    method="post"
                    action=TwoStepConfirm::url()
                    aria-label="Turn on two-step sign-in"
                >
                    <label>
                        "The code the app shows now"
                        <input
                            type="text"
                            name="code"
                            autocomplete="one-time-code"
                            inputmode="numeric"
                            required
                            maxlength="10"
                        />
                    </label>
                    <button type="submit" class="primary">
                        "Turn on two-step sign-in"
                    </button>
                </form>
            </li>
        </ol>
    }
}

/// A QR code drawn as SVG from its modules (no markup from elsewhere).
#[component]
fn QrCode(side: u32, dark: Vec<bool>) -> impl IntoView {
    let quiet = 4;
    let size = side + 2 * quiet;
    let mut path = String::new();
    for (i, d) in dark.iter().enumerate() {
        if *d {
            let x = (i as u32 % side) + quiet;
            let y = (i as u32 / side) + quiet;
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    view! {
        <svg
            role="img"
            aria-label="QR code of the two-step sign-in key"
            width="200"
            height="200"
            viewBox=format!("0 0 {size} {size}")
            shape-rendering="crispEdges"
        >
            <rect width="100%" height="100%" fill="#fff" />
            <path d=path fill="#000" />
        </svg>
    }
}

/// What an admin page shows instead of itself when its server function refuses: the
/// message, with the status of the error.
#[component]
pub fn AdminError(error: AdminError) -> impl IntoView {
    let cls = page();
    set_http_status(crate::api_error::HttpStatus::http_status(&error));
    view! { class=cls,
        <section role="alert">
            <h1>
                {match error {
                    AdminError::Forbidden => "No access",
                    AdminError::NotFound => "Not found",
                    _ => "Something went wrong",
                }}
            </h1>
            <p>{error.to_string()}</p>
        </section>
    }
}

/// `/admin/...` that is not a page.
#[component]
pub fn AdminNotFound() -> impl IntoView {
    view! { <AdminError error=AdminError::NotFound /> }
}

/// `/admin`: the sections this staff member may open.
#[component]
pub fn AdminHome() -> impl IntoView {
    let cls = page();
    let door = Resource::new(|| (), |_| admin_door());
    view! { class=cls,
        <Title text="Admin · Mercato" />
        <h1>"Admin"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(Door::Open(user)) = door.await else {
                    return ().into_any();
                };
                if user.may(Permission::Reports) {
                    return view! { <crate::reports::pages::DashboardSection /> }.into_any();
                }
                let links = sections()
                    .into_iter()
                    .skip(1)
                    .filter(|(_, _, p)| p.is_empty() || p.iter().any(|&p| user.may(p)))
                    .map(|(href, label, _)| {
                        view! {
                            <li>
                                <a href=href>{label}</a>
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul>{links}</ul> }.into_any()
            })}
        </Suspense>
    }
}

//! Sign-in, sign-up and account pages. Their forms are plain HTML forms posting to the
//! account server functions: nothing here needs the browser to run code.

use super::api::{
    ChangePassword, ConfirmAccount, RequestPasswordReset, ResetPassword, SignIn, SignOut, SignUp,
    whoami,
};
use super::model::MIN_PASSWORD_CHARS;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use stylers_macro::style;

/// The house style of a simple form (also the order look-up's).
pub fn form_style() -> &'static str {
    style! {
        form {
            display: grid;
            gap: 1rem;
            max-width: 26rem;
            margin: 1rem 0 2rem;
        }
        label {
            display: grid;
            gap: 0.3rem;
            font-weight: 600;
        }
        input {
            padding: 0.55rem 0.7rem;
            font: inherit;
            border: 1px solid var(--line-strong);
            border-radius: 0.5rem;
        }
        .hint {
            font-weight: 400;
            color: var(--muted);
            font-size: 0.9rem;
        }
        button {
            justify-self: start;
            padding: 0.6rem 1.4rem;
            font: inherit;
            font-weight: 600;
            border: 0;
            border-radius: 0.5rem;
            background: var(--ink);
            color: var(--paper);
            cursor: pointer;
        }
    }
}

/// For a page that needs a customer: sends whoever is not signed in to the sign-in page.
fn sign_in_first() -> AnyView {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect("/account/sign-in");
    view! { <p>"Please " <a href="/account/sign-in">"sign in"</a> " first."</p> }.into_any()
}

fn error_notice(error: &super::model::AccountError) -> AnyView {
    view! {
        <p class="flash flash-error" role="alert">
            {error.to_string()}
        </p>
    }
    .into_any()
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let cls = form_style();
    view! { class=cls,
        <Title text="Sign in · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Sign in"</h1>
        <form method="post" action=SignIn::url() aria-label="Sign in">
            <label>
                "E-mail address"
                <input type="email" name="email" autocomplete="username" required maxlength="254" />
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit">"Sign in"</button>
        </form>
        <p>
            <a href="/account/forgot">"Forgot your password?"</a>
        </p>
        <p>"New here? " <a href="/account/sign-up">"Create an account"</a></p>
    }
}

/// `/account/forgot`: asks for the address to send a reset link to.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let cls = form_style();
    view! { class=cls,
        <Title text="Reset your password · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Reset your password"</h1>
        <p>"We will e-mail you a link to choose a new password. It works once, for an hour."</p>
        <form method="post" action=RequestPasswordReset::url() aria-label="Reset your password">
            <label>
                "E-mail address"
                <input type="email" name="email" autocomplete="email" required maxlength="254" />
            </label>
            <button type="submit">"Send the link"</button>
        </form>
    }
}

/// The `token` of the e-mailed link that opened the page (checked when it is posted back).
fn link_token() -> String {
    leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default()
}

/// `/account/reset?token=...`: the page the e-mailed link opens.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let cls = form_style();
    let token = link_token();
    view! { class=cls,
        <Title text="Choose a new password · Mercato" />
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="same-origin" />
        <h1>"Choose a new password"</h1>
        <form method="post" action=ResetPassword::url() aria-label="Choose a new password">
            <input type="hidden" name="token" value=token />
            <label>
                "New password"
                <input
                    type="password"
                    name="new_password"
                    autocomplete="new-password"
                    minlength=MIN_PASSWORD_CHARS
                    required
                />
            </label>
            <button type="submit">"Set the new password"</button>
        </form>
    }
}

/// `/account/confirm?token=...`: the page the sign-up e-mail's link opens. Confirming is a
/// button, not the link itself: mail scanners open links, and must not confirm anything.
#[component]
pub fn ConfirmAccountPage() -> impl IntoView {
    let cls = form_style();
    let token = link_token();
    view! { class=cls,
        <Title text="Confirm your account · Mercato" />
        <Meta name="robots" content="noindex" />
        <Meta name="referrer" content="same-origin" />
        <h1>"Confirm your account"</h1>
        <p>
            "One step left: enter the password you chose when you signed up, and you are signed in."
        </p>
        <form method="post" action=ConfirmAccount::url() aria-label="Confirm your account">
            <input type="hidden" name="token" value=token />
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit">"Confirm my account"</button>
        </form>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let cls = form_style();
    let hint = format!("At least {MIN_PASSWORD_CHARS} characters; a short sentence works well.");
    view! { class=cls,
        <Title text="Create an account · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Create an account"</h1>
        <p>"Your cart comes with you."</p>
        <form method="post" action=SignUp::url() aria-label="Create an account">
            <label>
                "Name " <span class="hint">"(optional)"</span>
                <input type="text" name="name" autocomplete="name" maxlength="200" />
            </label>
            <label>
                "E-mail address"
                <input type="email" name="email" autocomplete="email" required maxlength="254" />
            </label>
            <label>
                "Password" <span class="hint" id="password-hint">
                    {hint}
                </span>
                <input
                    type="password"
                    name="password"
                    autocomplete="new-password"
                    minlength=MIN_PASSWORD_CHARS
                    aria-describedby="password-hint"
                    required
                />
            </label>
            <button type="submit">"Create account"</button>
        </form>
        <p>"Already have an account? " <a href="/account/sign-in">"Sign in"</a></p>
    }
}

/// `/account`: only for the signed-in customer; anyone else is sent to sign in.
#[component]
pub fn AccountPage() -> impl IntoView {
    let cls = form_style();
    let me = Resource::new(|| (), |_| whoami());
    view! { class=cls,
        <Title text="Your account · Mercato" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => {
                        view! { class=cls,
                            <h1>"Your account"</h1>
                            <p data-test="account-email">
                                "Signed in as " <strong>{user.email}</strong>
                            </p>
                            <p>
                                <a href="/account/orders">"Your orders"</a>
                                " · "
                                <a href="/account/addresses">"Your addresses"</a>
                            </p>
                            <form method="post" action=SignOut::url() aria-label="Sign out">
                                <button type="submit">"Sign out"</button>
                            </form>
                            <h2>"Change your password"</h2>
                            <form
                                method="post"
                                action=ChangePassword::url()
                                aria-label="Change your password"
                            >
                                <label>
                                    "Current password"
                                    <input
                                        type="password"
                                        name="current_password"
                                        autocomplete="current-password"
                                        required
                                    />
                                </label>
                                <label>
                                    "New password"
                                    <input
                                        type="password"
                                        name="new_password"
                                        autocomplete="new-password"
                                        minlength=MIN_PASSWORD_CHARS
                                        required
                                    />
                                </label>
                                <button type="submit">"Change password"</button>
                            </form>
                        }
                            .into_any()
                    }
                    Ok(None) => sign_in_first(),
                    Err(error) => error_notice(&error),
                }
            })}
        </Suspense>
    }
}

/// `/account/addresses`: the saved addresses, a form to add one, and one to remove each.
#[component]
pub fn AddressesPage() -> impl IntoView {
    use super::api::{AddAddress, DeleteAddress, list_addresses};
    let cls = form_style();
    let list = Resource::new(|| (), |_| list_addresses());
    let field = move |name: &'static str,
                      label: &'static str,
                      auto: &'static str,
                      required: bool| {
        view! { class=cls,
            <label>
                {label}
                <input type="text" name=name autocomplete=auto required=required maxlength="200" />
            </label>
        }
    };
    view! { class=cls,
        <Title text="Your addresses · Mercato" />
        <Meta name="robots" content="noindex" />
        <h1>"Your addresses"</h1>
        <p>
            <a href="/account">"Back to your account"</a>
        </p>
        <Suspense fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(addresses) if addresses.is_empty() => {
                        view! { <p data-test="no-addresses">"No saved addresses yet."</p> }
                            .into_any()
                    }
                    Ok(addresses) => {
                        view! { class=cls,
                            <ul aria-label="Saved addresses">
                                {addresses
                                    .into_iter()
                                    .map(|a| {
                                        let label = format!(
                                            "Remove the address of {}",
                                            a.address.full_name,
                                        );
                                        view! { class=cls,
                                            <li data-test="address">
                                                <address>
                                                    {a
                                                        .address
                                                        .lines()
                                                        .into_iter()
                                                        .map(|l| {
                                                            view! {
                                                                {l}
                                                                <br />
                                                            }
                                                        })
                                                        .collect_view()}
                                                </address>
                                                <form method="post" action=DeleteAddress::url()>
                                                    <input type="hidden" name="id" value=a.id />
                                                    <button type="submit" aria-label=label>
                                                        "Remove"
                                                    </button>
                                                </form>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(super::model::AccountError::NotSignedIn) => sign_in_first(),
                    Err(error) => error_notice(&error),
                }
            })}
        </Suspense>
        <h2>"Add an address"</h2>
        <form method="post" action=AddAddress::url() aria-label="Add an address">
            {field("full_name", "Full name", "name", true)}
            {field("line1", "Street address", "address-line1", true)}
            {field("line2", "Second line (optional)", "address-line2", false)}
            {field("city", "Town or city", "address-level2", true)}
            {field("region", "County, state or region (optional)", "address-level1", false)}
            {field("postal_code", "Postcode", "postal-code", true)}
            {field("country", "Country code (GB, US, …)", "country", true)}
            {field("phone", "Phone (optional)", "tel", false)}
            <button type="submit">"Save the address"</button>
        </form>
    }
}

//! `/sale/:id`: a flash sale's page. Before the start, a countdown and the pre-queue;
//! then the shopper's place and a fair estimate, their turn with the hold's end, or the
//! waitlist. Plain forms: without JavaScript the shopper reloads ("Check again"); with
//! it, the `LiveStanding` island asks at the pace the server suggests, announces the
//! place politely and reloads the page when the standing changes kind (no timed
//! refresh the shopper cannot stop: WCAG 2.2.1). `SaleBannerView` is the product page's
//! announcement.

use super::api::{BuyFlashSale, FlashLive, JoinFlashSale, JoinFlashWaitlist, flash_standing};
use super::model::{
    FlashError, LiveUpdate, SaleBanner, SalePage, SaleState, Standing, duration_words,
};
use crate::components::head::Title;
use crate::components::status::set_http_status;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::time::Duration;
use stylers_macro::style;

fn sale_style() -> &'static str {
    style! {
        .sale {
            max-width: 40rem;
        }
        .prices {
            display: flex;
            gap: 0.75rem;
            align-items: baseline;
        }
        .now {
            font-size: 2rem;
            font-weight: 700;
            color: var(--bad);
        }
        .was {
            text-decoration: line-through;
            color: var(--muted);
        }
        .standing {
            border: 2px solid var(--line);
            border-radius: 0.5rem;
            padding: 1rem;
            margin: 1rem 0;
        }
        .turn {
            border-color: var(--ok);
        }
        .big {
            font-size: 1.5rem;
            font-weight: 700;
        }
        .note {
            color: var(--muted);
            font-size: 0.9rem;
        }
        .banner {
            border: 2px solid var(--bad);
            border-radius: 0.5rem;
            padding: 0.5rem 1rem;
            margin: 0.5rem 0;
        }
    }
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[component]
pub fn SalePageView() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            (
                params.read().get("id").and_then(|i| i.parse::<i64>().ok()),
                query.read().get("token").unwrap_or_default(),
            )
        },
        |(id, token)| async move {
            match id {
                Some(id) => flash_standing(id, token).await,
                None => Err(super::model::FlashError::NotFound),
            }
        },
    );
    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Sale p /> }.into_any(),
                    Err(error) => {
                        set_http_status(crate::api_error::HttpStatus::http_status(&error));
                        view! {
                            <Title text="Flash sale · Mercato" />
                            <section class="error-panel" role="alert" data-test="flash-error">
                                <h1>"Flash sale"</h1>
                                <p>{error.to_string()}</p>
                            </section>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Sale(p: SalePage) -> impl IntoView {
    let cls = sale_style();
    let live = p.refresh_secs.map(|every| {
        view! {
            <LiveStanding
                id=p.id
                token=p.token.clone().unwrap_or_default()
                kind=p.standing.kind().to_owned()
                every
            />
            <p class="note">
                <a href=format!("/sale/{}", p.id) data-test="check-again">
                    "Check again"
                </a>
                " (this page updates itself when JavaScript runs; reloading never loses your place)"
            </p>
        }
    });
    let timing = match p.state {
        SaleState::Scheduled => format!(
            "Starts in {} (at {}).",
            duration_words((p.starts_at - p.now).num_seconds()),
            when(p.starts_at)
        ),
        SaleState::Live => format!(
            "On now: ends in {} (at {}).",
            duration_words((p.ends_at - p.now).num_seconds()),
            when(p.ends_at)
        ),
        SaleState::Ended => "This sale has ended.".to_owned(),
    };
    let left = match p.state {
        SaleState::Ended => String::new(),
        _ if p.left == 0 => "Every unit is held or sold right now.".to_owned(),
        SaleState::Scheduled => format!("{} units in this sale.", p.left),
        SaleState::Live => format!("{} units not yet held or sold.", p.left),
    };
    let variant = (!p.options.is_empty()).then(|| format!(" ({})", p.options));
    view! { class=cls,
        <Title text=format!("Flash sale: {} · Mercato", p.title) />
        <section class="sale" data-test="flash-sale" data-state=format!("{:?}", p.state)>
            <p class="note">"Flash sale"</p>
            <h1>
                <a href=format!("/p/{}", p.slug)>{p.title.clone()}</a>
                {variant}
            </h1>
            <p class="prices">
                <span class="now" data-test="sale-price">
                    {p.sale_price.to_string()}
                </span>
                <span class="was">{p.price.to_string()}</span>
            </p>
            <p data-test="sale-timing">{timing}</p>
            <p data-test="sale-left">{left}</p>
            <p class="note">
                {format!("At most {} per customer. ", p.per_customer_limit)}
                "One place in the queue per account. Everyone who joins before the start is put in a random order at the start, so arriving early gives no advantage over arriving on time; after the start, first come first served."
            </p>
            <StandingView p=p.clone() />
            {live}
        </section>
    }
}

#[component]
fn StandingView(p: SalePage) -> impl IntoView {
    let cls = sale_style();
    let id = p.id.to_string();
    let token = p.token.clone().unwrap_or_default();
    let ended = p.state == SaleState::Ended;
    let waitlist_form = {
        let (id, token) = (id.clone(), token.clone());
        move || {
            (!ended).then(|| {
                view! { class=cls,
                    <form method="post" action=JoinFlashWaitlist::url()>
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="token" value=token.clone() />
                        <button type="submit">"Join the waitlist"</button>
                    </form>
                }
            })
        }
    };
    let body = match p.standing.clone() {
        Standing::NotJoined if ended => view! { class=cls, <p>"This sale has ended."</p> }.into_any(),
        Standing::NotJoined if !p.signed_in => {
            view! { class=cls,
                <p>
                    <a href="/account/sign-in">"Sign in"</a>
                    " to join the queue (one place per account)."
                </p>
            }
                .into_any()
        }
        Standing::NotJoined => {
            let options = (1..=p.per_customer_limit)
                .map(|n| view! { <option value=n.to_string()>{n}</option> })
                .collect_view();
            view! { class=cls,
                <form method="post" action=JoinFlashSale::url() data-test="join">
                    <input type="hidden" name="id" value=id.clone() />
                    <label>"How many " <select name="quantity">{options}</select></label>
                    " "
                    <button type="submit" class="primary">
                        "Join the queue"
                    </button>
                </form>
            }
                .into_any()
        }
        Standing::Placing { early: true } => {
            view! { class=cls,
                <p class="big">"You are in the pre-queue."</p>
                <p>"At the start, everyone in the pre-queue is given a place at random."</p>
            }
                .into_any()
        }
        Standing::Placing { early: false } => {
            view! { class=cls, <p class="big">"Giving you your place in the queue…"</p> }
                .into_any()
        }
        Standing::Queued { position, ahead, wait_secs } => {
            let wait = match wait_secs {
                Some(s) if ahead > 0 => format!("About {} to wait.", duration_words(s)),
                Some(_) => "You are next.".to_owned(),
                None => "The pace will show once shoppers are being let in.".to_owned(),
            };
            view! { class=cls,
                <p class="big" data-test="position">
                    {format!("Your place: {position}")}
                </p>
                <p>{format!("{ahead} ahead of you. ")} {wait}</p>
            }
                .into_any()
        }
        Standing::Admitted { quantity, until, promoted } => {
            let why = if promoted {
                "Units came back and it is your turn! "
            } else {
                "It is your turn! "
            };
            view! { class=cls,
                <p class="big" data-test="admitted">
                    {why}
                </p>
                <p>
                    {format!(
                        "{quantity} held for you at {} each until {} ({} left).",
                        p.sale_price,
                        when(until),
                        duration_words((until - p.now).num_seconds()),
                    )}
                </p>
                <form method="post" action=BuyFlashSale::url()>
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="token" value=token.clone() />
                    <button type="submit" class="primary">
                        "Buy now"
                    </button>
                </form>
            }
                .into_any()
        }
        Standing::Ordered { order_number } => {
            view! { class=cls,
                <p class="big" data-test="ordered">
                    "Your order is placed."
                </p>
                <p>
                    <a href=format!("/orders/{order_number}")>{format!("Order {order_number}")}</a>
                </p>
            }
                .into_any()
        }
        Standing::Expired => {
            view! { class=cls,
                <p class="big" data-test="expired">
                    "Your hold ended before an order was paid."
                </p>
                <p>"Each place in the queue has one turn: the units went to the next shopper."</p>
            }
                .into_any()
        }
        Standing::SoldOut => {
            view! { class=cls,
                <p class="big" data-test="sold-out">
                    "Every unit is held or sold."
                </p>
                <p>
                    "Holds that run out and orders that fail give units back: join the waitlist and you will be let in, in the order people joined it, and told by e-mail."
                </p>
                {waitlist_form()}
            }
                .into_any()
        }
        Standing::Waitlisted { ahead } => {
            view! { class=cls,
                <p class="big" data-test="waitlisted">
                    "You are on the waitlist."
                </p>
                <p>{format!("{ahead} ahead of you. We will e-mail you if units come back.")}</p>
            }
                .into_any()
        }
        Standing::Closed => {
            view! { class=cls, <p class="big">"The sale ended before your turn."</p> }.into_any()
        }
    };
    let turn = matches!(p.standing, Standing::Admitted { .. });
    view! { class=cls,
        <div class="standing" class:turn=turn data-test="standing">
            {body}
        </div>
    }
}

/// With JavaScript: asks for the standing every `every` seconds (at most every 15), says
/// the place and the wait in a polite live region, and reloads the page when the
/// standing's kind changes (a turn came, the units are gone, the hold ended), so its
/// forms are the right ones.
#[component]
fn LiveStanding(id: i64, token: String, kind: String, every: u32) -> impl IntoView {
    let props = LiveStandingStart {
        id,
        token,
        kind,
        every,
    };
    crate::wire::island::with_props("live-standing", props, || {
        view! { <LiveStandingIsland /> }
    })
}

/// What the live standing starts from: the sale, the place's token, the standing's kind
/// as the page was drawn, and how often to ask.
#[derive(Clone, Default, serde::Serialize)]
struct LiveStandingStart {
    id: i64,
    token: String,
    kind: String,
    every: u32,
}

crate::from_js_struct!(LiveStandingStart {
    id,
    token,
    kind,
    every
});

#[island]
fn LiveStandingIsland() -> impl IntoView {
    let LiveStandingStart {
        id,
        token,
        kind,
        every,
    } = crate::wire::island::props("live-standing");
    let (said, say) = signal(String::new());
    let busy = StoredValue::new(false);
    Effect::new(move |_| {
        let (token, kind) = (token.clone(), kind.clone());
        let every = Duration::from_secs(u64::from(every.clamp(1, 15)));
        let _ = set_interval_with_handle(
            move || {
                if busy.get_value() {
                    return;
                }
                busy.set_value(true);
                let (token, kind) = (token.clone(), kind.clone());
                leptos::task::spawn_local(async move {
                    let id = id.to_string();
                    let args = [("id", id.as_str()), ("token", token.as_str())];
                    let live = crate::fetch::get::<LiveUpdate, FlashError>(FlashLive::PATH, &args);
                    if let Ok(live) = live.await {
                        if live.kind != kind {
                            let _ = window().location().reload();
                        } else if let Some(text) = live.progress {
                            say.set(text);
                        }
                    }
                    busy.set_value(false);
                });
            },
            every,
        );
    });
    view! {
        <p class="live" aria-live="polite" data-test="live">
            {said}
        </p>
    }
}

/// The product page's announcement of a sale of one of its variants.
#[component]
pub fn SaleBannerView(banner: SaleBanner) -> impl IntoView {
    let cls = sale_style();
    let timing = match banner.state {
        SaleState::Scheduled => format!(
            "starts in {} (at {})",
            duration_words((banner.starts_at - banner.now).num_seconds()),
            when(banner.starts_at)
        ),
        _ => format!("on now, until {}", when(banner.ends_at)),
    };
    view! { class=cls,
        <div class="banner" data-test="flash-banner">
            <strong>{format!("Flash sale: {} at {}", banner.sku, banner.sale_price)}</strong>
            {format!(", {timing}. ")}
            <a href=format!("/sale/{}", banner.id)>"Go to the sale"</a>
        </div>
    }
}

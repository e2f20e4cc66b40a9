use super::image::ProductImage;
use crate::catalog::model::ProductCard;
use crate::search::model::Marked;
use leptos::prelude::*;
use stylers_macro::style;

/// A titled grid of product cards.
#[component]
pub fn ProductGrid(
    cards: Vec<ProductCard>,
    /// Id of the heading that labels this grid.
    labelled_by: &'static str,
    #[prop(default = 0)] eager_count: usize,
    /// Search results: each card's title split into matched and unmatched runs.
    #[prop(optional)]
    marks: Vec<Vec<Marked>>,
) -> impl IntoView {
    let mut marks = marks.into_iter();
    let cls = style! {
        ul {
            display: grid;
            grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
            gap: 1.5rem;
            list-style: none;
            padding: 0;
            margin: 1rem 0 0;
        }
        li {
            display: flex;
        }
    };
    view! { class=cls,
        <ul aria-labelledby=labelled_by>
            {cards
                .into_iter()
                .enumerate()
                .map(|(i, card)| {
                    let marks = marks.next();
                    view! { class=cls,
                        <li>
                            <Card card eager=i < eager_count marks />
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Card(card: ProductCard, eager: bool, marks: Option<Vec<Marked>>) -> impl IntoView {
    crate::page_cache::shows(&card.slug);
    let cls = style! {
            article {
                display: flex;
                flex-direction: column;
                width: 100%;
                border: 1px solid var(--line);
                border-radius: 0.75rem;
                overflow: hidden;
                background: var(--card);
            }
    .photo :deep(img) {
                display: block;
                width: 100%;
                height: auto;
                aspect-ratio: 4 / 3;
                object-fit: cover;
                background: var(--line);
            }
            .body {
                padding: 0.75rem 1rem 1rem;
            }
            h3 {
                font-size: 1rem;
                margin: 0 0 0.25rem;
            }
            a {
                color: inherit;
                text-decoration: none;
            }
            a:hover h3 {
                text-decoration: underline;
            }
            .brand {
                color: var(--muted);
                font-size: 0.85rem;
                margin: 0;
            }
            .price {
                font-weight: 700;
                margin: 0.5rem 0 0;
            }
        };
    let price = if card.has_price_range {
        format!("from {}", card.price_from)
    } else {
        card.price_from.to_string()
    };
    let href = card.href();
    let stock =
        (!card.in_stock).then(|| view! { class=cls, <p class="stock-out">"Out of stock"</p> });
    view! { class=cls,
        <article data-test="product-card">
            <a href=href>
                <div class="photo">
                    {card
                        .image
                        .map(|image| {
                            view! {
                                <ProductImage
                                    image
                                    sizes="(min-width: 60rem) 18rem, (min-width: 30rem) 45vw, 90vw"
                                    width=320
                                    eager
                                />
                            }
                        })}
                </div>
                <div class="body">
                    <h3>
                        {match marks {
                            Some(runs) => {
                                runs.into_iter()
                                    .map(|m| {
                                        if m.hit {
                                            view! { <mark>{m.text}</mark> }.into_any()
                                        } else {
                                            m.text.into_any()
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                            None => card.title.into_any(),
                        }}
                    </h3>
                    {card.brand.map(|b| view! { class=cls, <p class="brand">{b}</p> })}
                    <p class="price">{price}</p>
                    {stock}
                </div>
            </a>
        </article>
    }
}

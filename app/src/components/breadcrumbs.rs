use crate::catalog::model::CategoryLink;
use leptos::prelude::*;

/// "Home / Electronics / Computers", the last item marked as the current page
/// unless a product title follows it.
#[component]
pub fn Breadcrumbs(
    trail: Vec<CategoryLink>,
    #[prop(optional, into)] current: Option<String>,
) -> impl IntoView {
    let last = trail.len().saturating_sub(1);
    let ends_with_category = current.is_none();
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumbs">
            <ol>
                <li>
                    <a href="/">"Home"</a>
                </li>
                {trail
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let here = ends_with_category && i == last;
                        let href = c.href();
                        view! {
                            <li>
                                <a href=href aria-current=here.then_some("page")>
                                    {c.name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
                {current.map(|title| view! { <li aria-current="page">{title}</li> })}
            </ol>
        </nav>
    }
}

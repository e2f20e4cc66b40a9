//! `/admin/products` (the list), `/admin/products/new` and `/admin/products/:id` (the
//! edit form with the product's revisions), `/admin/products/:id/compare` (two revisions
//! side by side). Plain forms and links throughout.

use super::api::{
    BulkProducts, ExportProducts, RollbackProduct, SaveProduct, admin_products, compare_revisions,
    product_for_staff,
};
use super::model::{Comparison, ProductEdit, ProductFilter, ProductList};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::catalog::model::ProductStatus;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

fn filter_from_url() -> ProductFilter {
    let q = use_query_map().read_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    ProductFilter {
        q: get("q"),
        status: get("status"),
        category: get("category"),
        brand: get("brand"),
        stock: get("stock"),
        sort: get("sort"),
        after: get("after"),
    }
}

fn status_label(s: ProductStatus) -> &'static str {
    match s {
        ProductStatus::Draft => "Draft",
        ProductStatus::Active => "Active",
        ProductStatus::Archived => "Archived",
    }
}

/// `<option>`s for `choices`, the one whose value is `chosen` selected.
fn options(choices: &[(String, String)], chosen: &str) -> impl IntoView + use<> {
    choices
        .iter()
        .map(|(value, label)| {
            let selected = value == chosen;
            view! {
                <option value=value.clone() selected=selected>
                    {label.clone()}
                </option>
            }
        })
        .collect_view()
}

fn id_choices(items: &[(i64, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let filter = filter_from_url();
    let asked = filter.clone();
    let listed = Resource::new(move || asked.clone(), admin_products);
    view! {
        <Title text="Products · Mercato admin" />
        <Suspense fallback=|| ()>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match listed.await {
                        Ok(list) => view! { <ProductListView list filter /> }.into_any(),
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ProductListView(list: ProductList, filter: ProductFilter) -> impl IntoView {
    let cls = page();
    let statuses = pairs(&[
        ("", "Any"),
        ("active", "Active"),
        ("draft", "Draft"),
        ("archived", "Archived"),
    ]);
    let stock = pairs(&[
        ("", "Any"),
        ("in", "In stock"),
        ("low", "Low (5 or fewer)"),
        ("out", "Out of stock"),
    ]);
    let sorts = pairs(&[
        ("updated", "Recently changed"),
        ("newest", "Newest"),
        ("title", "Title A–Z"),
    ]);
    let bulk_actions = pairs(&[
        ("status", "status"),
        ("category", "category"),
        ("price", "prices, by a percentage"),
    ]);
    let mut categories = vec![(String::new(), "Any".to_owned())];
    categories.extend(id_choices(&list.categories));
    let mut brands = vec![(String::new(), "Any".to_owned())];
    brands.extend(id_choices(&list.brands));
    let new_statuses = pairs(&[
        ("active", "Active"),
        ("draft", "Draft"),
        ("archived", "Archived"),
    ]);
    let mut new_categories = vec![(String::new(), "None".to_owned())];
    new_categories.extend(id_choices(&list.categories));
    let rows = list
        .rows
        .iter()
        .map(|p| {
            let href = format!("/admin/products/{}", p.id);
            view! { class=cls,
                <tr data-test="product-row">
                    <td>
                        <input
                            type="checkbox"
                            name="ids[]"
                            value=p.id.to_string()
                            form="bulk"
                            aria-label=format!("Choose {}", p.title)
                        />
                    </td>
                    <td>
                        <a href=href>{p.title.clone()}</a>
                        <br />
                        <span class="muted">{p.slug.clone()}</span>
                    </td>
                    <td>
                        <span class="tag">{status_label(p.status)}</span>
                    </td>
                    <td>{p.category.clone()}</td>
                    <td>{p.brand.clone()}</td>
                    <td class="num">{p.variants}</td>
                    <td class="num">{p.price_from.map(|m| m.to_string()).unwrap_or_default()}</td>
                    <td class="num">{p.available}</td>
                    <td>{p.updated.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = list
        .rows
        .is_empty()
        .then(|| view! { <p class="muted">"No products match."</p> });
    let older = list.next.as_deref().map(|after| {
        let href = format!("/admin/products{}", filter.query(Some(after)));
        view! {
            <a href=href rel="next">
                "Next page"
            </a>
        }
    });
    view! { class=cls,
        <h1>"Products"</h1>
        <p>
            <a href="/admin/products/new">"New product"</a>
        </p>
        <form
            class="filters"
            method="get"
            action="/admin/products"
            aria-label="Filter the products"
        >
            <label>
                "Title or SKU"
                <input type="search" name="q" value=filter.q.clone() maxlength="200" />
            </label>
            <label>
                "Status" <select name="status">{options(&statuses, &filter.status)}</select>
            </label>
            <label>
                "Category" <select name="category">{options(&categories, &filter.category)}</select>
            </label>
            <label>"Brand" <select name="brand">{options(&brands, &filter.brand)}</select></label>
            <label>"Stock" <select name="stock">{options(&stock, &filter.stock)}</select></label>
            <label>"Sort" <select name="sort">{options(&sorts, &filter.sort)}</select></label>
            <button type="submit">"Filter"</button>
        </form>
        <p data-test="product-count">
            {list.count.to_string()} " · "
            <a href=format!("{}{}", ExportProducts::url(), filter.query(None)) download="">
                "Export these as CSV"
            </a>
        </p>
        <form
            id="bulk"
            class="filters"
            method="post"
            action=BulkProducts::url()
            aria-label="Change the chosen products"
        >
            <input type="hidden" name="key" value=list.bulk_key.clone() />
            <label>
                "Change the chosen products'"
                <select name="action">{options(&bulk_actions, "")}</select>
            </label>
            <label>"New status" <select name="status">{options(&new_statuses, "")}</select></label>
            <label>
                "New category" <select name="category">{options(&new_categories, "")}</select>
            </label>
            <label>
                "Price change in % (such as -10)"
                <input type="text" name="percent" maxlength="10" inputmode="decimal" />
            </label>
            <button type="submit">"Apply"</button>
        </form>
        <table data-test="product-table">
            <caption class="visually-hidden">"Products"</caption>
            <thead>
                <tr>
                    <th scope="col">"Chosen"</th>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Category"</th>
                    <th scope="col">"Brand"</th>
                    <th scope="col" class="num">
                        "Variants"
                    </th>
                    <th scope="col" class="num">
                        "From"
                    </th>
                    <th scope="col" class="num">
                        "Available"
                    </th>
                    <th scope="col">"Changed (UTC)"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
        <nav class="pager" aria-label="Pages">
            {older}
        </nav>
    }
}

/// `/admin/products/:id`, and `/admin/products/new` (no `:id`).
#[component]
pub fn AdminProductPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let found = Resource::new(move || id, product_for_staff);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(p) => view! { <ProductForm p /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProductForm(p: ProductEdit) -> impl IntoView {
    let cls = page();
    let d = p.draft.clone();
    let heading = match p.id {
        Some(_) => format!("Edit {}", d.title),
        None => "New product".to_owned(),
    };
    let statuses = pairs(&[
        ("draft", "Draft"),
        ("active", "Active"),
        ("archived", "Archived"),
    ]);
    let status = format!("{:?}", d.status).to_lowercase();
    let mut categories = vec![(String::new(), "None".to_owned())];
    categories.extend(id_choices(&p.categories));
    let mut brands = vec![(String::new(), "None".to_owned())];
    brands.extend(id_choices(&p.brands));
    let category = d.category_id.map(|c| c.to_string()).unwrap_or_default();
    let brand = d.brand_id.map(|c| c.to_string()).unwrap_or_default();
    // The product's variants, then an empty row for a new one.
    let mut rows: Vec<(String, String, String, String)> = d
        .variants
        .iter()
        .map(|v| {
            (
                v.id.map(|i| i.to_string()).unwrap_or_default(),
                v.sku.clone(),
                v.price.decimal_string(),
                v.options.join(", "),
            )
        })
        .collect();
    rows.push(Default::default());
    let variants = rows
        .into_iter()
        .enumerate()
        .map(|(i, (id, sku, price, values))| {
            let n = i + 1;
            let remove = (!id.is_empty()).then(|| {
                view! { class=cls,
                    <label class="choice">
                        <input type="checkbox" name="remove[]" value=id.clone() />
                        "Remove"
                    </label>
                }
            });
            view! { class=cls,
                <tr data-test="variant-row">
                    <td>
                        <input type="hidden" name="variant_id[]" value=id.clone() />
                        <input
                            type="text"
                            name="sku[]"
                            value=sku
                            maxlength="64"
                            aria-label=format!("SKU of variant {n}")
                        />
                    </td>
                    <td>
                        <input
                            type="text"
                            name="price[]"
                            value=price
                            inputmode="decimal"
                            maxlength="20"
                            aria-label=format!("Price of variant {n}")
                        />
                    </td>
                    <td>
                        <input
                            type="text"
                            name="values[]"
                            value=values
                            maxlength="500"
                            aria-label=format!("Option values of variant {n}")
                        />
                    </td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let revisions = p.id.map(|id| view! { <Revisions p=p.clone() id /> });
    let storefront = p.storefront.clone().map(|href| {
        view! {
            <p>
                <a href=href>"See it in the shop"</a>
            </p>
        }
    });
    view! { class=cls,
        <Title text=format!("{heading} · Mercato admin") />
        <h1>{heading}</h1>
        {storefront}
        <form class="panel wide" method="post" action=SaveProduct::url() aria-label="Product">
            <input type="hidden" name="id" value=p.id.map(|i| i.to_string()).unwrap_or_default() />
            <input type="hidden" name="version" value=p.version.to_string() />
            <input type="hidden" name="currency" value=p.currency.clone() />
            <label>
                "Title"
                <input type="text" name="title" value=d.title.clone() required maxlength="300" />
            </label>
            <label>
                "Address (slug)"
                <input type="text" name="slug" value=d.slug.clone() required maxlength="200" />
            </label>
            <label>
                "Description" <textarea name="description" rows="6" maxlength="20000">
                    {d.description.clone()}
                </textarea>
            </label>
            <label>"Status" <select name="status">{options(&statuses, &status)}</select></label>
            <label>
                "Category" <select name="category">{options(&categories, &category)}</select>
            </label>
            <label>"Brand" <select name="brand">{options(&brands, &brand)}</select></label>
            <label class="choice">
                <input type="checkbox" name="featured" value="true" checked=d.featured />
                "Featured on the home page"
            </label>
            <label>
                "SEO title (up to 70 characters; the title when empty)"
                <input type="text" name="seo_title" value=d.seo_title.clone() maxlength="70" />
            </label>
            <label>
                "SEO description (up to 320 characters)"
                <textarea name="seo_description" rows="2" maxlength="320">
                    {d.seo_description.clone()}
                </textarea>
            </label>
            <label>
                "Options (names separated by commas, such as Size, Colour)"
                <input type="text" name="options" value=d.option_names.join(", ") maxlength="500" />
            </label>
            <label>
                "Attributes (one per line, such as Material = Oak; numbers and yes/no where the attribute is one)"
                <textarea name="attributes" rows="4" maxlength="20000">
                    {d.attributes.as_deref().map(super::model::attribute_lines).unwrap_or_default()}
                </textarea>
            </label>
            <table data-test="variants">
                <caption>{format!("Variants (prices in {})", p.currency)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"SKU"</th>
                        <th scope="col">"Price"</th>
                        <th scope="col">"Option values (in the options' order)"</th>
                        <th scope="col">"Remove"</th>
                    </tr>
                </thead>
                <tbody>{variants}</tbody>
            </table>
            <button type="submit" class="primary">
                "Save"
            </button>
        </form>
        {p.id.map(|id| view! { <super::images::ProductImages id /> })}
        {revisions}
    }
}

#[component]
fn Revisions(p: ProductEdit, id: i64) -> impl IntoView {
    let cls = page();
    let latest = p.revisions.first().map(|r| r.revision).unwrap_or(0);
    let rows = p
        .revisions
        .iter()
        .map(|r| {
            let rollback = (r.revision != latest).then(|| {
                view! { class=cls,
                    <form class="inline" method="post" action=RollbackProduct::url()>
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="revision" value=r.revision.to_string() />
                        <input type="hidden" name="version" value=p.version.to_string() />
                        <button type="submit">{format!("Roll back to {}", r.revision)}</button>
                    </form>
                }
            });
            let compare = (r.revision != latest).then(|| {
                let href = format!(
                    "/admin/products/{id}/compare?from={}&to={latest}",
                    r.revision
                );
                view! { <a href=href>{format!("Compare with {latest}")}</a> }
            });
            view! { class=cls,
                <tr data-test="revision-row">
                    <td class="num">{r.revision}</td>
                    <td>{r.at.clone()}</td>
                    <td>{r.actor.clone()}</td>
                    <td>{r.note.clone()}</td>
                    <td>{compare} " " {rollback}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = p.revisions.is_empty().then(|| {
        view! { <p class="muted">"No revisions yet: the first save keeps the product as it was."</p> }
    });
    view! { class=cls,
        <h2>"Revisions"</h2>
        <table data-test="revisions">
            <thead>
                <tr>
                    <th scope="col" class="num">
                        "Revision"
                    </th>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"By"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
    }
}

/// `/admin/products/:id/compare?from=&to=`
#[component]
pub fn CompareRevisionsPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let q = use_query_map().read_untracked();
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i32>().ok()).unwrap_or(0);
    let (from, to) = (num("from"), num("to"));
    let found = Resource::new(
        move || (id, from, to),
        |(id, from, to)| compare_revisions(id, from, to),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(c) => view! { <ComparisonView c id /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ComparisonView(c: Comparison, id: i64) -> impl IntoView {
    let cls = page();
    let rows = c
        .changes
        .iter()
        .map(|ch| {
            view! { class=cls,
                <tr data-test="change-row">
                    <th scope="row">{ch.field.clone()}</th>
                    <td>{ch.before.clone()}</td>
                    <td>{ch.after.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = c
        .changes
        .is_empty()
        .then(|| view! { <p class="muted">"The two revisions are the same."</p> });
    let back = format!("/admin/products/{id}");
    view! { class=cls,
        <Title text=format!("Revisions {} and {} · Mercato admin", c.from, c.to) />
        <h1>{format!("{}: revision {} against {}", c.title, c.from, c.to)}</h1>
        <p>
            <a href=back>"Back to the product"</a>
        </p>
        <table data-test="changes">
            <thead>
                <tr>
                    <th scope="col">"Field"</th>
                    <th scope="col">{format!("Revision {}", c.from)}</th>
                    <th scope="col">{format!("Revision {}", c.to)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {empty}
    }
}

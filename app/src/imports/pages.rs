//! `/admin/imports`: upload a products or stock CSV file, start an export, and the
//! latest CSV jobs with their progress. Plain forms; each job has its own page.

use super::api::{ExportCsv, UploadCsv, imports_page};
use super::model::{ImportsBoard, PRODUCT_COLUMNS, STOCK_COLUMNS};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ImportsAdminPage() -> impl IntoView {
    let board = Resource::new(|| (), |_| imports_page());
    let cls = page();
    view! { class=cls,
        <Title text="Import and export · Mercato admin" />
        <h1>"Import and export"</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(p) => view! { <Board p /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The upload form and the export button of one subject.
#[component]
fn Subject(
    subject: &'static str,
    heading: &'static str,
    columns: &'static [&'static str],
    help: &'static str,
    upload_key: String,
    export_key: String,
) -> impl IntoView {
    let cls = page();
    let field = format!("file-{subject}");
    view! { class=cls,
        <section aria-labelledby=format!("{subject}-heading")>
            <h2 id=format!("{subject}-heading")>{heading}</h2>
            <p class="muted">{help}</p>
            <p>"The first line must be: " <code>{columns.join(",")}</code></p>
            <form
                method="post"
                action=UploadCsv::url()
                enctype="multipart/form-data"
                aria-label=format!("Import {}", heading.to_lowercase())
                data-test=format!("import-{subject}")
            >
                <input type="hidden" name="subject" value=subject />
                <input type="hidden" name="key" value=upload_key />
                <label for=field.clone()>"CSV file (up to 20 MB)"</label>
                <input id=field type="file" name="file" accept=".csv,text/csv" required />
                <button type="submit">"Import"</button>
            </form>
            <form
                method="post"
                action=ExportCsv::url()
                aria-label=format!("Export {}", heading.to_lowercase())
                data-test=format!("export-{subject}")
            >
                <input type="hidden" name="subject" value=subject />
                <input type="hidden" name="key" value=export_key />
                <button type="submit">"Export every row"</button>
            </form>
        </section>
    }
}

#[component]
fn Board(p: ImportsBoard) -> impl IntoView {
    let cls = page();
    let [k1, k2, k3, k4] = p.keys.clone();
    let products = p.products.then(|| {
        view! {
            <Subject
                subject="products"
                heading="Products"
                columns=&PRODUCT_COLUMNS
                help="One variant per row; rows with the same handle are one product, and its first row carries the product's fields. A product is matched by its SKUs, so importing a file again updates what changed. Lists inside a cell are separated by |. Photos are added on each product's page."
                upload_key=k1
                export_key=k2
            />
        }
    });
    let stock = p.stock.then(|| {
        view! {
            <Subject
                subject="stock"
                heading="Stock counts"
                columns=&STOCK_COLUMNS
                help="Units counted on hand of a SKU in a warehouse (its code). Each change is a stock adjustment in the ledger; a count below what is held for checkouts or sold there is refused."
                upload_key=k3
                export_key=k4
            />
        }
    });
    let rows = p
        .jobs
        .iter()
        .map(|j| {
            view! { class=cls,
                <tr data-test="csv-job">
                    <td>
                        <a href=format!("/admin/jobs/{}", j.id)>{j.title.clone()}</a>
                    </td>
                    <td>{j.file.clone()}</td>
                    <td>{j.status.label()}</td>
                    <td class="num">{format!("{}%", j.percent)}</td>
                    <td>{format!("{} UTC", j.created)}</td>
                </tr>
            }
        })
        .collect_view();
    let jobs = if p.jobs.is_empty() {
        view! { class=cls, <p class="muted">"No imports or exports yet."</p> }.into_any()
    } else {
        view! { class=cls,
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Job"</th>
                        <th scope="col">"File"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">
                            "Done"
                        </th>
                        <th scope="col">"Started"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! { class=cls,
        {products}
        {stock}
        <h2>"Latest imports and exports"</h2>
        {jobs}
    }
}

//! `/admin/audit`: the log, filtered by actor, entity, action and dates, newest first,
//! with the values before and after each change; and its export.

use super::api::{ExportAuditLog, audit_log};
use super::model::{Entry, Filter};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// The filter in the page's URL.
fn filter_from_url() -> Filter {
    let q = use_query_map().read_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    Filter {
        actor: get("actor"),
        entity: get("entity"),
        entity_id: get("entity_id"),
        action: get("action"),
        from: get("from"),
        to: get("to"),
        before_id: q.get("before_id").and_then(|v| v.parse().ok()),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let cls = page();
    let filter = filter_from_url();
    let asked = filter.clone();
    let page_of = Resource::new(move || asked.clone(), audit_log);
    let export = format!("{}{}", ExportAuditLog::url(), filter.query(None));
    let shown = filter.clone();
    view! { class=cls,
        <Title text="Audit log · Mercato admin" />
        <h1>"Audit log"</h1>
        <form class="filters" method="get" action="/admin/audit" aria-label="Filter the log">
            <label>"Actor" <input type="search" name="actor" value=filter.actor.clone() /></label>
            <label>
                "Entity" <input type="text" name="entity" value=filter.entity.clone() size="12" />
            </label>
            <label>
                "Entity id"
                <input type="text" name="entity_id" value=filter.entity_id.clone() size="10" />
            </label>
            <label>
                "Action" <input type="text" name="action" value=filter.action.clone() size="14" />
            </label>
            <label>"From" <input type="date" name="from" value=filter.from.clone() /></label>
            <label>"To" <input type="date" name="to" value=filter.to.clone() /></label>
            <button type="submit">"Filter"</button>
            <a href=export download>
                "Export CSV"
            </a>
        </form>
        <Suspense fallback=|| ()>
            {move || {
                let filter = shown.clone();
                Suspend::new(async move {
                    match page_of.await {
                        Ok(p) => {
                            view! { <Entries entries=p.entries next=p.next filter /> }.into_any()
                        }
                        Err(error) => view! { <AdminError error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Entries(entries: Vec<Entry>, next: Option<i64>, filter: Filter) -> impl IntoView {
    let cls = page();
    let empty = entries
        .is_empty()
        .then(|| view! { <p>"No entries match."</p> });
    let rows = entries
        .into_iter()
        .map(|e| view! { <EntryRow e /> })
        .collect_view();
    let older = next.map(|id| {
        let href = format!("/admin/audit{}", filter.query(Some(id)));
        view! {
            <a href=href rel="next">
                "Older entries"
            </a>
        }
    });
    view! { class=cls,
        <table data-test="audit-table">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Before"</th>
                    <th scope="col">"After"</th>
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

#[component]
fn EntryRow(e: Entry) -> impl IntoView {
    let cls = page();
    let values = |v: Option<String>| v.map(|text| view! { class=cls, <pre>{text}</pre> });
    view! { class=cls,
        <tr data-test="audit-row">
            <td>{e.at}</td>
            <td>{e.actor} <br /> <span class="muted">{e.ip.unwrap_or_default()}</span></td>
            <td>
                <strong>{e.action}</strong>
                <br />
                <span class="muted">
                    {format!("{} {}", e.entity, e.entity_id.unwrap_or_default())}
                </span>
            </td>
            <td>{values(e.before)}</td>
            <td>{values(e.after)}</td>
        </tr>
    }
}

//! `/admin/jobs/:id`: a job's progress and what came of it; while it runs, a link
//! refreshes it.

use super::api::job;
use super::model::{JobView, title};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn JobPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let view_of = Resource::new(move || id, job);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(j) => view! { <JobDetail j /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn JobDetail(j: JobView) -> impl IntoView {
    let cls = page();
    // A link, not an automatic refresh: a page that reloads itself is a barrier to
    // people who need time to read it (WCAG 2.2.1).
    let refresh = (!j.status.is_over())
        .then(|| view! { <a href=format!("/admin/jobs/{}", j.id)>"Refresh"</a> });
    let counts = j
        .counts
        .iter()
        .map(|(k, v)| {
            view! { class=cls,
                <tr>
                    <th scope="row">{k.clone()}</th>
                    <td class="num">{v.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let left_out = (!j.left_out.is_empty()).then(|| {
        let rows = j
            .left_out
            .iter()
            .map(|(line, reason)| {
                view! { class=cls,
                    <tr>
                        <td class="num">{*line}</td>
                        <td>{reason.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        let more = (j.left_out_total > j.left_out.len())
            .then(|| format!("The first {} of {}.", j.left_out.len(), j.left_out_total));
        view! { class=cls,
            <h2>"Rows left out"</h2>
            <p class="muted">{more}</p>
            <table data-test="job-left-out">
                <thead>
                    <tr>
                        <th scope="col" class="num">
                            "Line"
                        </th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! { class=cls,
        <Title text=format!("{} · Mercato admin", title(&j.kind)) />
        <h1>{title(&j.kind)}</h1>
        <JobProgress j=j.clone() />
        {refresh}
        {j.error.clone().map(|e| view! { class=cls, <p role="alert">{e}</p> })}
        <p class="muted">
            {format!("Started {} UTC", j.created)}
            {j.finished.clone().map(|f| format!(", finished {f} UTC"))}
        </p>
        <table data-test="job-counts">
            <tbody>{counts}</tbody>
        </table>
        {left_out}
    }
}

/// A job's status and progress bar.
#[component]
pub fn JobProgress(j: JobView) -> impl IntoView {
    let cls = page();
    let label = format!("{}: {}", title(&j.kind), j.status.label());
    let detail = if j.total > 0 {
        format!("{} ({} of {}, {}%)", j.stage, j.done, j.total, j.percent())
    } else {
        j.stage.clone()
    };
    view! { class=cls,
        <div class="job" data-test="job-progress">
            <label>
                {label} " " <progress max="100" value=j.percent().to_string()>
                    {format!("{}%", j.percent())}
                </progress>
            </label>
            <span class="muted">{detail}</span>
        </div>
    }
}

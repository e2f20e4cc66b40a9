//! `/admin/jobs/:id`: a job's progress and what came of it; while it runs, a link
//! refreshes it.

use super::api::job;
use super::model::{JobView, title};
use crate::admin::layout::AdminError;
use crate::admin::style::page;
use crate::components::head::Title;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
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
    // While it runs: with JavaScript, a small script (not part of the storefront's WASM)
    // moves the bar in place and draws the page again when the job ends; without, the
    // page refreshes itself every five seconds, and the link does it at once.
    let refresh = (!j.status.is_over()).then(|| {
        view! {
            <a href=format!("/admin/jobs/{}", j.id)>"Refresh"</a>
            <noscript>
                <meta http-equiv="refresh" content="5" />
            </noscript>
            <script src="/admin-jobs.js" defer></script>
        }
    });
    let files = (j.status == super::model::JobStatus::Done).then(|| {
        let result = super::model::has_result(&j.kind).then(|| {
            view! { class=cls,
                <a
                    class="button"
                    data-test="job-result"
                    href=format!("{}?id={}", crate::imports::api::JobResult::url(), j.id)
                >
                    "Download the file"
                </a>
            }
        });
        let rejected = (j.left_out_total > 0).then(|| {
            view! { class=cls,
                <a
                    data-test="job-rejected"
                    href=format!("{}?id={}", crate::imports::api::JobRejected::url(), j.id)
                >
                    {format!(
                        "Download the {} rows left out, with their reasons (CSV)",
                        j.left_out_total,
                    )}
                </a>
            }
        });
        view! { class=cls, <p>{result} " " {rejected}</p> }
    });
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
        {files}
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
        <div
            class="job"
            data-test="job-progress"
            data-job-live=(!j.status.is_over()).then(|| j.id.to_string())
        >
            <label>
                {label} " " <progress max="100" value=j.percent().to_string()>
                    {format!("{}%", j.percent())}
                </progress>
            </label>
            <span class="muted" data-job-detail aria-live="polite">
                {detail}
            </span>
        </div>
    }
}

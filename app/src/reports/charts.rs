//! Charts drawn on the server as SVG: readable without JavaScript, titled for screen
//! readers, each with its figures as a table beside it.

use crate::admin::style::page;
use leptos::prelude::*;
use stylers_macro::style;

/// One slot of a chart: its label, the value now and in the previous period, and both as
/// text.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub label: String,
    pub current: i64,
    pub previous: i64,
    pub current_text: String,
    pub previous_text: String,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 160;

/// Bars for this period, a line for the one before.
#[component]
pub fn BarChart(
    /// Unique on the page (the SVG's title is referenced by id).
    id: &'static str,
    title: String,
    slots: Vec<Slot>,
) -> impl IntoView {
    let cls = page();
    let chart = style! {
        .chart svg {
            width: 100%;
            height: auto;
            max-width: 48rem;
            display: block;
        }
        .chart .bar {
            fill: var(--accent, #2f5bd3);
        }
        .chart .before {
            fill: none;
            stroke: var(--muted, #666);
            stroke-width: 2;
            stroke-dasharray: 4 3;
        }
        .chart .axis {
            stroke: var(--line, #ccc);
        }
        .chart .legend {
            font-size: 0.85rem;
            color: var(--muted);
        }
    };
    let n = slots.len().max(1) as i64;
    let top = slots
        .iter()
        .map(|s| s.current.max(s.previous))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot_w = WIDTH / n;
    let y = move |v: i64| HEIGHT - (v.max(0) * (HEIGHT - 4)) / top;
    let bars = slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = i as i64 * slot_w + slot_w / 8;
            let w = (slot_w * 3 / 4).max(1);
            let top_y = y(s.current);
            view! {
                <rect class="bar" x=x y=top_y width=w height=HEIGHT - top_y>
                    <title>{format!("{}: {}", s.label, s.current_text)}</title>
                </rect>
            }
        })
        .collect_view();
    let before: String = slots
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{},{}", i as i64 * slot_w + slot_w / 2, y(s.previous)))
        .collect::<Vec<_>>()
        .join(" ");
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let rows = slots
        .iter()
        .map(|s| {
            view! { class=cls,
                <tr>
                    <th scope="row">{s.label.clone()}</th>
                    <td class="num">{s.current_text.clone()}</td>
                    <td class="num">{s.previous_text.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! { class=cls,
        <figure class=format!("chart {chart}") data-test=id>
            <svg
                role="img"
                aria-labelledby=labelled_by
                viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 1)
                preserveAspectRatio="none"
            >
                <title id=title_id.clone()>{title.clone()}</title>
                <line class="axis" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
                {bars}
                <polyline class="before" points=before />
            </svg>
            <figcaption class=format!(
                "legend {chart}",
            )>"Bars: this period. Dashed line: the period before."</figcaption>
            <details>
                <summary>{format!("{title} as a table")}</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col" class="num">
                                "This period"
                            </th>
                            <th scope="col" class="num">
                                "The period before"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

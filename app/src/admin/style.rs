//! The admin's house style: dense tables, compact forms, quiet buttons. Every admin page
//! puts `class=page()` on its view so these rules reach its elements.

use stylers_macro::style;

pub fn page() -> &'static str {
    style! {
        h1 {
            margin: 0 0 1rem;
            font-size: 1.5rem;
        }
        h2 {
            margin: 2rem 0 0.75rem;
            font-size: 1.15rem;
        }
        table {
            width: 100%;
            border-collapse: collapse;
            font-size: 0.92rem;
        }
        th, td {
            text-align: left;
            padding: 0.45rem 0.6rem;
            border-bottom: 1px solid var(--line);
            vertical-align: top;
        }
        th {
            font-weight: 600;
            color: var(--muted);
        }
        td.num, th.num {
            text-align: right;
            font-variant-numeric: tabular-nums;
        }
        form {
            margin: 0;
        }
        form.panel {
            display: grid;
            gap: 0.8rem;
            max-width: 32rem;
            padding: 1rem 1.25rem;
            border: 1px solid var(--line);
            border-radius: 0.75rem;
            margin: 0.5rem 0 1.5rem;
        }
        form.inline {
            display: inline-flex;
            flex-wrap: wrap;
            gap: 0.4rem;
            align-items: center;
        }
        ol.photos {
            list-style: none;
            padding: 0;
            display: grid;
            grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr));
            gap: 1rem;
        }
        ol.photos li {
            border: 1px solid var(--line);
            border-radius: 0.75rem;
            padding: 0.75rem;
        }
        ol.photos img {
            display: block;
            max-width: 100%;
            height: auto;
        }
        ol.photos form {
            margin: 0.5rem 0;
            padding: 0;
            border: 0;
        }
        form.filters {
            display: flex;
            flex-wrap: wrap;
            gap: 0.6rem;
            align-items: end;
            margin: 0 0 1rem;
        }
        label {
            display: grid;
            gap: 0.25rem;
            font-weight: 600;
            font-size: 0.9rem;
        }
        label.choice {
            display: flex;
            gap: 0.45rem;
            align-items: baseline;
            font-weight: 400;
        }
        fieldset {
            border: 1px solid var(--line);
            border-radius: 0.5rem;
            padding: 0.5rem 0.8rem;
            display: grid;
            gap: 0.3rem;
        }
        legend {
            font-weight: 600;
            font-size: 0.9rem;
        }
        input, select, textarea {
            padding: 0.4rem 0.55rem;
            font: inherit;
            border: 1px solid var(--line-strong);
            border-radius: 0.4rem;
            background: var(--paper);
            color: var(--ink);
        }
        button {
            padding: 0.4rem 0.9rem;
            font: inherit;
            font-weight: 600;
            border: 1px solid var(--ink);
            border-radius: 0.4rem;
            background: var(--paper);
            color: var(--ink);
            cursor: pointer;
        }
        button.primary {
            background: var(--ink);
            color: var(--paper);
        }
        button.danger {
            border-color: var(--bad);
            color: var(--bad);
        }
        .muted {
            color: var(--muted);
        }
        .tag {
            display: inline-block;
            padding: 0.05rem 0.45rem;
            border-radius: 999px;
            border: 1px solid var(--line-strong);
            font-size: 0.8rem;
        }
        .tag.medium {
            border-color: var(--warn);
            color: var(--warn);
        }
        .tag.high {
            border-color: var(--bad);
            color: var(--bad);
            font-weight: 600;
        }
        pre {
            margin: 0;
            max-width: 28rem;
            max-height: 12rem;
            overflow: auto;
            font-size: 0.8rem;
            white-space: pre-wrap;
            word-break: break-word;
        }
        .codes {
            columns: 2;
            font-family: ui-monospace, monospace;
            font-size: 1.05rem;
        }
        .pager {
            display: flex;
            gap: 1rem;
            margin: 1rem 0;
        }
    }
}

//! Past orders from the Online Retail line items (or any file of that format): each
//! invoice becomes an order in the state it reached by now, each customer an account
//! that cannot sign in, each cancellation line (`C` invoices) a refund on the customer's
//! latest earlier order of that product. What is not a sale is left out and reported
//! with its line number. Parsing and planning are pure (this file); `write.rs` writes the
//! plan in batches, each one transaction, and a second run writes nothing twice.

pub mod write;

use super::Skip;
use super::online_retail::{self, is_product_code};
use app::orders::model::OrderStatus;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use std::collections::HashMap;
use std::path::Path;

/// How long an order took to reach each state after it was placed (the history has only
/// the invoice's time; these are a small shop's usual pace).
pub const PACE: [(OrderStatus, Duration); 5] = [
    (OrderStatus::PaymentProcessing, Duration::seconds(2)),
    (OrderStatus::Confirmed, Duration::seconds(5)),
    (OrderStatus::Fulfilment, Duration::hours(2)),
    (OrderStatus::Shipped, Duration::hours(26)),
    (OrderStatus::Delivered, Duration::hours(74)),
];

/// Stock codes that are the postage of the invoice, not goods.
const POSTAGE: [&str; 3] = ["POST", "DOT", "C2"];

/// One line of goods on an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub line: u64,
    pub sku: String,
    pub title: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
}

/// An invoice: one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub number: String,
    pub line: u64,
    pub at: DateTime<Utc>,
    pub customer: Option<String>,
    /// ISO 3166 alpha-2 (`ZZ` when the file does not say).
    pub country: &'static str,
    pub lines: Vec<Line>,
    pub postage_minor: i64,
}

impl Invoice {
    pub fn subtotal_minor(&self) -> i64 {
        self.lines
            .iter()
            .map(|l| i64::from(l.quantity) * l.unit_price_minor)
            .sum()
    }

    pub fn total_minor(&self) -> i64 {
        self.subtotal_minor() + self.postage_minor
    }

    /// The states it went through, with when, up to `now`.
    pub fn timeline(&self, now: DateTime<Utc>) -> Vec<(OrderStatus, DateTime<Utc>)> {
        std::iter::once((OrderStatus::Pending, self.at))
            .chain(PACE.iter().map(|(s, after)| (*s, self.at + *after)))
            .take_while(|(_, at)| *at <= now)
            .collect()
    }

    /// The e-mail address its order is under: the customer's, or one of its own.
    pub fn email(&self) -> String {
        match &self.customer {
            Some(c) => customer_email(c),
            None => format!("guest-{}@online-retail.invalid", self.number.to_lowercase()),
        }
    }
}

pub fn customer_email(id: &str) -> String {
    format!("customer-{id}@online-retail.invalid")
}

/// Money given back for returned goods of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The cancellation invoice, e.g. `C536379`.
    pub invoice: String,
    /// The invoice of the order it refunds.
    pub order: String,
    pub at: DateTime<Utc>,
    /// (position of the order's line, quantity, amount).
    pub lines: Vec<(i32, i32, i64)>,
}

impl Refund {
    pub fn amount_minor(&self) -> i64 {
        self.lines.iter().map(|(_, _, a)| a).sum()
    }

    pub fn key(&self) -> String {
        format!("online-retail:refund:{}:{}", self.invoice, self.order)
    }
}

/// What a file holds: the orders (oldest first), their refunds (in time order), and
/// everything left out.
#[derive(Debug, Default)]
pub struct History {
    pub invoices: Vec<Invoice>,
    pub refunds: Vec<Refund>,
    pub skipped: Vec<Skip>,
    pub lines_read: u64,
}

impl History {
    /// Customers and when each was first seen.
    pub fn customers(&self) -> Vec<(String, DateTime<Utc>)> {
        let mut first: HashMap<&str, DateTime<Utc>> = HashMap::new();
        for i in &self.invoices {
            if let Some(c) = &i.customer {
                first.entry(c).or_insert(i.at);
            }
        }
        let mut out: Vec<_> = first
            .into_iter()
            .map(|(c, at)| (c.to_owned(), at))
            .collect();
        out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        out
    }

    /// Moves every time by whole weeks (weekdays and hours stay true) so that the last
    /// invoice or return falls within the week before `now`. Never moves backwards.
    pub fn shift_to(&mut self, now: DateTime<Utc>) -> Duration {
        let last = self
            .invoices
            .iter()
            .map(|i| i.at)
            .chain(self.refunds.iter().map(|r| r.at))
            .max();
        let Some(last) = last else {
            return Duration::zero();
        };
        let weeks = (now - last).num_weeks().max(0);
        let shift = Duration::weeks(weeks);
        for i in &mut self.invoices {
            i.at += shift;
        }
        for r in &mut self.refunds {
            r.at += shift;
        }
        shift
    }

    /// Leaves out what has not happened by `now` (a file from the future, or a shift).
    pub fn until(&mut self, now: DateTime<Utc>) {
        let (kept, later): (Vec<_>, Vec<_>) = self.invoices.drain(..).partition(|i| i.at <= now);
        self.invoices = kept;
        for i in later {
            self.skipped.push(Skip::new(
                i.line,
                format!("invoice {} is in the future", i.number),
            ));
        }
        self.refunds.retain(|r| r.at <= now);
    }
}

/// How to import a history.
pub struct HistoryOptions {
    /// Move it by whole weeks so that it ends within the last week (a demo shop's
    /// dashboard then shows a year of trading up to now).
    pub shift_to_now: bool,
    /// How its stock codes become products (archived by default).
    pub products: online_retail::RetailOptions,
}

impl Default for HistoryOptions {
    fn default() -> Self {
        HistoryOptions {
            shift_to_now: false,
            products: write::product_options(),
        }
    }
}

/// Reads, plans and writes a history file. A file that cannot be read fails before any
/// write; see `write.rs` for what a write promises.
pub async fn import_file(
    pool: &sqlx::PgPool,
    store: &super::images::ImageStore,
    path: &Path,
    opts: HistoryOptions,
    on_progress: write::OnProgress<'_>,
) -> Result<write::HistoryReport, super::ImportError> {
    on_progress(0, 0, "reading");
    let owned = path.to_owned();
    let now = Utc::now();
    let (history, products, shift) = tokio::task::spawn_blocking(move || {
        let bytes = online_retail::read(&owned)?;
        let mut history = parse_bytes(&bytes, &owned)?;
        // Lines that are not a product's are reported once, by the history.
        let products: Vec<super::Row> = online_retail::products(&bytes, &owned, &opts.products)?
            .into_iter()
            .filter(Result::is_ok)
            .collect();
        let shift = if opts.shift_to_now {
            history.shift_to(now)
        } else {
            Duration::zero()
        };
        Ok::<_, super::ImportError>((history, products, shift))
    })
    .await
    .map_err(|e| super::ImportError::File(format!("reading the file stopped: {e}")))??;
    let mut report = write::import(pool, store, history, products, now, on_progress).await?;
    report.shifted_days = shift.num_days();
    Ok(report)
}

/// Reads a file of Online Retail line items (`.csv` or `.csv.xz`).
pub fn parse(path: &Path) -> Result<History, super::ImportError> {
    let bytes = online_retail::read(path)?;
    parse_bytes(&bytes, path)
}

/// A sale's line or a return's, as read.
struct Raw {
    line: u64,
    invoice: String,
    code: String,
    title: String,
    quantity: i32,
    price_minor: i64,
    at: DateTime<Utc>,
    customer: Option<String>,
    country: &'static str,
}

pub fn parse_bytes(bytes: &[u8], path: &Path) -> Result<History, super::ImportError> {
    let mut reader = online_retail::reader(bytes, path)?;
    let mut history = History::default();
    let mut sales: Vec<Raw> = Vec::new();
    let mut returns: Vec<Raw> = Vec::new();
    for row in super::csv_rows(&mut reader, bytes, online_retail::COLUMNS.len()) {
        history.lines_read += 1;
        let (line, record) = match row {
            Ok(ok) => ok,
            Err(skip) => {
                history.skipped.push(skip);
                continue;
            }
        };
        match read_line(&record, line) {
            Ok(raw) if raw.invoice.starts_with('C') => returns.push(raw),
            Ok(raw) => sales.push(raw),
            Err(skip) => history.skipped.push(skip),
        }
    }
    history.invoices = invoices(sales, &mut history.skipped);
    history.refunds = refunds(&history.invoices, returns, &mut history.skipped);
    history.skipped.sort_by_key(|s| s.line);
    Ok(history)
}

fn read_line(record: &csv::StringRecord, line: u64) -> Result<Raw, Skip> {
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    let invoice = field(0).to_owned();
    if invoice.is_empty()
        || invoice.len() > 20
        || !invoice.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(Skip::new(
            line,
            format!("invoice number `{invoice}` is not one"),
        ));
    }
    let code = field(1).to_uppercase();
    let quantity: i32 = field(3)
        .parse()
        .map_err(|_| Skip::new(line, format!("quantity `{}` is not a number", field(3))))?;
    let price = app::money::Money::parse_major(field(5), app::money::Currency::GBP)
        .map_err(|e| Skip::new(line, format!("unit price: {e}")))?;
    let at = NaiveDateTime::parse_from_str(field(4), "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(field(4), "%m/%d/%Y %H:%M"))
        .map_err(|_| Skip::new(line, format!("invoice date `{}` is not a date", field(4))))?
        .and_utc();
    // Customer ids come as `17850` or `17850.0`.
    let customer = field(6).trim_end_matches(".0");
    let customer = (!customer.is_empty()).then(|| customer.to_owned());
    if customer
        .as_deref()
        .is_some_and(|c| c.len() > 12 || !c.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Skip::new(
            line,
            format!("customer id `{}` is not a number", field(6)),
        ));
    }
    let is_return = invoice.starts_with('C');
    let postage = POSTAGE.contains(&code.as_str()) && !is_return;
    if !is_product_code(&code) && !postage {
        return Err(Skip::new(
            line,
            format!("stock code `{code}` is not a product"),
        ));
    }
    if price.minor() <= 0 {
        return Err(Skip::new(line, "zero price: not a sale"));
    }
    match (is_return, quantity) {
        (false, q) if q <= 0 => {
            return Err(Skip::new(line, format!("quantity {q} on a sale")));
        }
        (true, q) if q >= 0 => {
            return Err(Skip::new(line, format!("quantity {q} on a cancellation")));
        }
        _ => {}
    }
    Ok(Raw {
        line,
        invoice,
        title: super::title_case(field(2)),
        code,
        quantity: quantity.saturating_abs(),
        price_minor: price.minor(),
        at,
        customer,
        country: country_code(field(7)),
    })
}

/// Sales lines grouped into invoices, oldest first; an invoice of postage alone is not
/// an order.
fn invoices(sales: Vec<Raw>, skipped: &mut Vec<Skip>) -> Vec<Invoice> {
    let mut by_number: HashMap<String, Invoice> = HashMap::new();
    for raw in sales {
        let invoice = by_number
            .entry(raw.invoice.clone())
            .or_insert_with(|| Invoice {
                number: raw.invoice.clone(),
                line: raw.line,
                at: raw.at,
                customer: raw.customer.clone(),
                country: raw.country,
                lines: Vec::new(),
                postage_minor: 0,
            });
        // (A long invoice's lines may be a minute apart: the first line's time counts.)
        if raw.customer != invoice.customer {
            skipped.push(Skip::new(
                raw.line,
                format!("another customer than the rest of invoice {}", raw.invoice),
            ));
        } else if POSTAGE.contains(&raw.code.as_str()) {
            invoice.postage_minor += i64::from(raw.quantity) * raw.price_minor;
        } else if raw.title.is_empty() {
            skipped.push(Skip::new(raw.line, "no description"));
        } else {
            invoice.lines.push(Line {
                line: raw.line,
                sku: raw.code,
                title: raw.title,
                quantity: raw.quantity,
                unit_price_minor: raw.price_minor,
            });
        }
    }
    let mut out: Vec<Invoice> = Vec::with_capacity(by_number.len());
    for (_, invoice) in by_number {
        if invoice.lines.is_empty() {
            skipped.push(Skip::new(
                invoice.line,
                format!("invoice {} has no goods", invoice.number),
            ));
        } else {
            out.push(invoice);
        }
    }
    out.sort_by(|a, b| (a.at, &a.number).cmp(&(b.at, &b.number)));
    out
}

/// Each returned line against the customer's latest earlier order of that product that
/// still has units not returned. A return with no such order is reported, not guessed.
fn refunds(invoices: &[Invoice], mut returns: Vec<Raw>, skipped: &mut Vec<Skip>) -> Vec<Refund> {
    returns.sort_by_key(|r| (r.at, r.line));
    // (customer, sku) -> the orders with that product, oldest first: (invoice index, position).
    let mut bought: HashMap<(&str, &str), Vec<(usize, usize)>> = HashMap::new();
    for (i, invoice) in invoices.iter().enumerate() {
        if let Some(c) = &invoice.customer {
            for (p, line) in invoice.lines.iter().enumerate() {
                bought.entry((c, &line.sku)).or_default().push((i, p));
            }
        }
    }
    let mut returned: HashMap<(usize, usize), i32> = HashMap::new();
    let mut out: Vec<Refund> = Vec::new();
    let mut index: HashMap<(String, usize), usize> = HashMap::new();
    for raw in returns {
        let Some(customer) = raw.customer.as_deref() else {
            skipped.push(Skip::new(raw.line, "a return without a customer"));
            continue;
        };
        let candidates = bought.get(&(customer, raw.code.as_str()));
        let mut wanted = raw.quantity;
        while wanted > 0 {
            let target = candidates.and_then(|c| {
                c.iter().rev().find(|(i, p)| {
                    invoices[*i].at < raw.at
                        && invoices[*i].lines[*p].quantity
                            - returned.get(&(*i, *p)).copied().unwrap_or(0)
                            > 0
                })
            });
            let Some(&(i, p)) = target else {
                skipped.push(Skip::new(
                    raw.line,
                    format!(
                        "return of {wanted} x {} with no earlier order of it by customer {customer}",
                        raw.code
                    ),
                ));
                break;
            };
            let line = &invoices[i].lines[p];
            let left = line.quantity - returned.get(&(i, p)).copied().unwrap_or(0);
            let quantity = wanted.min(left);
            wanted -= quantity;
            let amount = i64::from(quantity) * raw.price_minor.min(line.unit_price_minor);
            *returned.entry((i, p)).or_default() += quantity;
            let slot = *index.entry((raw.invoice.clone(), i)).or_insert_with(|| {
                out.push(Refund {
                    invoice: raw.invoice.clone(),
                    order: invoices[i].number.clone(),
                    at: raw.at,
                    lines: Vec::new(),
                });
                out.len() - 1
            });
            let position = p as i32 + 1;
            let refund = &mut out[slot];
            match refund.lines.iter_mut().find(|(pos, _, _)| *pos == position) {
                Some(l) => {
                    l.1 += quantity;
                    l.2 += amount;
                }
                None => refund.lines.push((position, quantity, amount)),
            }
        }
    }
    out.retain(|r| r.amount_minor() > 0);
    out
}

/// The ISO 3166 alpha-2 code of a country as the file names it (`ZZ`: unknown).
pub fn country_code(name: &str) -> &'static str {
    match name.trim() {
        "United Kingdom" => "GB",
        "EIRE" | "Ireland" => "IE",
        "France" => "FR",
        "Germany" => "DE",
        "Netherlands" => "NL",
        "Belgium" => "BE",
        "Switzerland" => "CH",
        "Spain" => "ES",
        "Portugal" => "PT",
        "Italy" => "IT",
        "Austria" => "AT",
        "Norway" => "NO",
        "Sweden" => "SE",
        "Denmark" => "DK",
        "Finland" => "FI",
        "Iceland" => "IS",
        "Poland" => "PL",
        "Lithuania" => "LT",
        "Czech Republic" => "CZ",
        "Greece" => "GR",
        "Cyprus" => "CY",
        "Malta" => "MT",
        "Channel Islands" => "JE",
        "Australia" => "AU",
        "Japan" => "JP",
        "Singapore" => "SG",
        "Hong Kong" => "HK",
        "Israel" => "IL",
        "Lebanon" => "LB",
        "Bahrain" => "BH",
        "United Arab Emirates" => "AE",
        "Saudi Arabia" => "SA",
        "Canada" => "CA",
        "USA" | "United States" => "US",
        "Brazil" => "BR",
        "RSA" | "South Africa" => "ZA",
        _ => "ZZ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::orders::model::TRANSITIONS;

    const HEADER: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    fn history(rows: &str) -> History {
        parse_bytes(format!("{HEADER}{rows}").as_bytes(), Path::new("test.csv")).unwrap()
    }

    #[test]
    fn the_pace_walks_the_state_machine() {
        let mut from = OrderStatus::Pending;
        for (to, _) in PACE {
            assert!(TRANSITIONS.contains(&(from, to)), "{from:?} -> {to:?}");
            from = to;
        }
    }

    #[test]
    fn invoices_become_orders_with_postage_and_every_skip_reported() {
        let h = history(
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n\
             536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom\n\
             536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom\n\
             536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,France\n\
             536367,M,Manual,1,2010-12-01 08:30:00,5.00,12583,France\n\
             536368,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:34:00,0.00,13047,United Kingdom\n\
             536369,POST,POSTAGE,1,2010-12-01 08:35:00,18.00,13047,United Kingdom\n\
             536370,22752,SET 7 BABUSHKA NESTING BOXES,-2,2010-12-01 08:36:00,7.65,13047,Atlantis\n\
             536371,22752,SET 7 BABUSHKA NESTING BOXES,two,2010-12-01 08:36:00,7.65,13047,United Kingdom\n",
        );
        assert_eq!(h.lines_read, 9);
        let numbers: Vec<&str> = h.invoices.iter().map(|i| i.number.as_str()).collect();
        assert_eq!(numbers, ["536365", "536366"]);
        let first = &h.invoices[0];
        assert_eq!(first.lines.len(), 2);
        assert_eq!(first.subtotal_minor(), 6 * 255 + 6 * 339);
        assert_eq!(first.postage_minor, 1800);
        assert_eq!(first.country, "GB");
        assert_eq!(first.email(), "customer-17850@online-retail.invalid");
        assert_eq!(first.lines[0].title, "White Hanging Heart T-Light Holder");
        assert_eq!(h.invoices[1].email(), "guest-536366@online-retail.invalid");
        assert_eq!(h.invoices[1].country, "FR");
        let skipped: Vec<u64> = h.skipped.iter().map(|s| s.line).collect();
        assert_eq!(skipped, [6, 7, 8, 9, 10], "{:?}", h.skipped);
        assert!(h.skipped[0].reason.contains("`M` is not a product"));
        assert!(h.skipped[1].reason.contains("zero price"));
        assert!(h.skipped[2].reason.contains("has no goods"));
        assert!(h.skipped[3].reason.contains("quantity -2 on a sale"));
        assert!(h.skipped[4].reason.contains("`two`"));
    }

    #[test]
    fn returns_refund_the_latest_earlier_order_of_that_product() {
        let h = history(
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n\
             536400,85123A,HEART,2,2010-12-05 10:00:00,2.55,17850,United Kingdom\n\
             536400,71053,LANTERN,1,2010-12-05 10:00:00,3.39,17850,United Kingdom\n\
             C536500,85123A,HEART,-3,2010-12-09 10:00:00,2.55,17850,United Kingdom\n\
             C536500,71053,LANTERN,-1,2010-12-09 10:00:00,3.39,17850,United Kingdom\n\
             C536501,22633,HAND WARMER,-1,2010-12-09 11:00:00,1.85,17850,United Kingdom\n\
             C536502,85123A,HEART,-1,2010-12-09 11:00:00,2.55,,United Kingdom\n\
             C536503,85123A,HEART,-1,2010-11-30 11:00:00,2.55,17850,United Kingdom\n",
        );
        // Two units from the latest order (all it had), the third from the one before.
        assert_eq!(h.refunds.len(), 2, "{:?}", h.refunds);
        let latest = h.refunds.iter().find(|r| r.order == "536400").unwrap();
        assert_eq!(latest.lines, vec![(1, 2, 510), (2, 1, 339)]);
        assert_eq!(latest.amount_minor(), 849);
        let earlier = h.refunds.iter().find(|r| r.order == "536365").unwrap();
        assert_eq!(earlier.lines, vec![(1, 1, 255)]);
        assert_eq!(earlier.key(), "online-retail:refund:C536500:536365");
        let reasons: Vec<&str> = h.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("22633"));
        assert!(reasons[1].contains("without a customer"));
        assert!(reasons[2].contains("no earlier order"));
    }

    #[test]
    fn a_shift_keeps_weekdays_and_ends_in_the_last_week() {
        let mut h = history(
            "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n\
             536366,85123A,HEART,6,2011-09-30 17:00:00,2.55,17850,United Kingdom\n",
        );
        let now = "2026-12-02T15:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let shift = h.shift_to(now);
        assert_eq!(shift.num_days() % 7, 0);
        let last = h.invoices[1].at;
        assert!(last <= now && now - last < Duration::weeks(1), "{last}");
        assert_eq!(
            chrono::Datelike::weekday(&last),
            chrono::Weekday::Fri,
            "2011-09-30 was a Friday"
        );
        // Its states by now: it has not been delivered yet if placed less than 74 h ago.
        let states: Vec<OrderStatus> = h.invoices[1]
            .timeline(now)
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(states.first(), Some(&OrderStatus::Pending));
        assert_eq!(
            h.invoices[0].timeline(now).last().map(|s| s.0),
            Some(OrderStatus::Delivered)
        );
    }

    #[test]
    fn the_shipped_history_reads_whole() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("seed/online-retail/orders-2010-12-01_2011-09-30.csv.xz");
        let h = parse(&path).unwrap();
        assert_eq!(h.lines_read, 370_931);
        eprintln!(
            "{} invoices, {} refunds, {} customers, {} lines left out",
            h.invoices.len(),
            h.refunds.len(),
            h.customers().len(),
            h.skipped.len()
        );
        assert!(h.invoices.len() > 14_000, "{}", h.invoices.len());
        assert!(h.refunds.len() > 1_000, "{}", h.refunds.len());
        assert!(h.customers().len() > 3_000);
        // Everything read is an order's line, a refund's, or reported.
        let sale_lines: usize = h.invoices.iter().map(|i| i.lines.len()).sum();
        assert!(sale_lines + h.skipped.len() <= 370_931);
        assert!(h.invoices.iter().all(|i| i.total_minor() > 0));
    }
}

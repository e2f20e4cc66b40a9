//! What a refund gives back, worked out from the order and what was asked (pure, so the
//! rules are tested without a database).
//!
//! The money an order's lines took is its total less the shipping charge, shared over
//! the lines by their prices (largest remainder: discount and tax fall on the lines in
//! proportion, and no minor unit is lost or invented). A line's units are refunded in
//! cumulative steps, so refunding a line one unit at a time gives back exactly what
//! refunding it at once would.

/// One line of the order as a refund sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineState {
    pub position: i32,
    pub quantity: i32,
    pub unit_price: i64,
    /// Units already refunded (or being refunded).
    pub refunded: i32,
}

/// The order's money as a refund sees it (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    pub total: i64,
    pub shipping: i64,
    pub lines: Vec<LineState>,
    /// Captured and not yet refunded (or being refunded).
    pub left: i64,
    pub shipping_refunded: bool,
}

/// What staff asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ask {
    /// (line position, units)
    pub lines: Vec<(i32, i32)>,
    pub shipping: bool,
    /// An amount that replaces the computed one (a goodwill refund, or less than the
    /// lines' worth).
    pub amount: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub amount: i64,
    /// (position, units, their worth)
    pub lines: Vec<(i32, i32, i64)>,
    pub shipping: bool,
}

/// What each line took of the order's total, by position order.
pub fn line_worths(state: &OrderState) -> Vec<i64> {
    let goods = (state.total - state.shipping).max(0);
    let weights: Vec<i128> = state
        .lines
        .iter()
        .map(|l| i128::from(l.unit_price) * i128::from(l.quantity))
        .collect();
    let sum: i128 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let goods = i128::from(goods);
    let mut parts: Vec<i128> = weights.iter().map(|w| goods * w / sum).collect();
    let mut order: Vec<(i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| ((goods * w) % sum, i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = goods - parts.iter().sum::<i128>();
    for (_, i) in order.iter().take(left as usize) {
        parts[*i] += 1;
    }
    parts.into_iter().map(|p| p as i64).collect()
}

/// The worth of units `from..from + units` of a line worth `worth` over `quantity` units.
fn units_worth(worth: i64, quantity: i32, from: i32, units: i32) -> i64 {
    let at = |n: i32| (i128::from(worth) * i128::from(n) / i128::from(quantity)) as i64;
    at(from + units) - at(from)
}

/// The refund `ask` comes to, or why it cannot be given.
pub fn plan(state: &OrderState, ask: &Ask) -> Result<Plan, String> {
    let worths = line_worths(state);
    let mut lines = Vec::new();
    let mut amount: i64 = 0;
    for &(position, units) in &ask.lines {
        if units == 0 {
            continue;
        }
        let Some(i) = state.lines.iter().position(|l| l.position == position) else {
            return Err(format!("the order has no line {position}"));
        };
        let line = &state.lines[i];
        if lines.iter().any(|(p, _, _)| *p == position) {
            return Err(format!("line {position} is named twice"));
        }
        let open = line.quantity - line.refunded;
        if units < 0 || units > open {
            return Err(format!(
                "line {position} has {open} unit(s) left to refund, not {units}"
            ));
        }
        let worth = units_worth(worths[i], line.quantity, line.refunded, units);
        amount += worth;
        lines.push((position, units, worth));
    }
    if ask.shipping {
        if state.shipping_refunded {
            return Err("the shipping charge has been refunded already".into());
        }
        let shipping = state.shipping.min(state.total);
        amount += shipping;
    }
    let amount = match ask.amount {
        Some(given) => given,
        None => amount,
    };
    if amount <= 0 {
        return Err("choose the units to refund, the shipping charge, or an amount".into());
    }
    if amount > state.left {
        return Err(format!(
            "only {} (minor units) of the payment is left to refund",
            state.left
        ));
    }
    Ok(Plan {
        amount,
        lines,
        shipping: ask.shipping,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn order(total: i64, shipping: i64, lines: &[(i32, i64)]) -> OrderState {
        OrderState {
            total,
            shipping,
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, &(quantity, unit_price))| LineState {
                    position: i as i32 + 1,
                    quantity,
                    unit_price,
                    refunded: 0,
                })
                .collect(),
            left: total,
            shipping_refunded: false,
        }
    }

    #[test]
    fn everything_refunded_is_the_total_to_the_unit() {
        // 3 × 9.99 + 1 × 20.00, 10% off, 4.95 shipping, tax on top.
        let s = order(4_953, 495, &[(3, 999), (1, 2_000)]);
        let p = plan(
            &s,
            &Ask {
                lines: vec![(1, 3), (2, 1)],
                shipping: true,
                amount: None,
            },
        )
        .unwrap();
        assert_eq!(p.amount, 4_953);
        assert_eq!(p.lines.iter().map(|l| l.2).sum::<i64>(), 4_953 - 495);
    }

    #[test]
    fn refusals_say_why() {
        let s = order(2_000, 0, &[(2, 1_000)]);
        let ask = |lines: Vec<(i32, i32)>, shipping, amount| Ask {
            lines,
            shipping,
            amount,
        };
        assert!(
            plan(&s, &ask(vec![(1, 3)], false, None)).is_err(),
            "too many"
        );
        assert!(
            plan(&s, &ask(vec![(9, 1)], false, None)).is_err(),
            "no line"
        );
        assert!(plan(&s, &ask(vec![(1, -1)], false, None)).is_err());
        assert!(plan(&s, &ask(vec![(1, 1), (1, 1)], false, None)).is_err());
        assert!(plan(&s, &ask(vec![], false, None)).is_err(), "nothing");
        assert!(
            plan(&s, &ask(vec![], false, Some(2_001))).is_err(),
            "more than paid"
        );
        assert_eq!(
            plan(&s, &ask(vec![], false, Some(500))).unwrap().amount,
            500
        );
        let mut done = s.clone();
        done.left = 0;
        assert!(
            plan(&done, &ask(vec![(1, 1)], false, None)).is_err(),
            "all given back"
        );
    }

    proptest! {
        /// Refunding every unit one at a time, then the shipping, gives back exactly the
        /// total: no minor unit lost or invented, whatever the prices and discount.
        #[test]
        fn unit_by_unit_adds_up_to_the_total(
            lines in proptest::collection::vec((1i32..6, 0i64..50_000), 1..5),
            shipping in 0i64..2_000,
            off in 0u8..100,
        ) {
            let subtotal: i64 = lines.iter().map(|(q, p)| i64::from(*q) * p).sum();
            let total = subtotal - subtotal * i64::from(off) / 100 + shipping;
            let mut s = order(total, shipping, &lines);
            let mut given = 0;
            for i in 0..s.lines.len() {
                for _ in 0..s.lines[i].quantity {
                    let position = s.lines[i].position;
                    if let Ok(p) = plan(&s, &Ask { lines: vec![(position, 1)], shipping: false, amount: None }) {
                        given += p.amount;
                        s.left -= p.amount;
                    }
                    s.lines[i].refunded += 1;
                }
            }
            if let Ok(p) = plan(&s, &Ask { lines: vec![], shipping: true, amount: None }) {
                given += p.amount;
            }
            prop_assert_eq!(given, total);
        }
    }
}

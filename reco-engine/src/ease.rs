//! EASE (Steck, 2019): item-item weights W minimising ‖X − XW‖² + λ‖W‖² with a zero
//! diagonal, where X is customers × products (1 if bought). Closed form: P = (XᵀX + λI)⁻¹,
//! W[i][j] = −P[i][j] / P[j][j]. The shop keeps each product's strongest neighbours.

use super::linalg::{Square, spd_inverse};
use super::{Data, Neighbours};

/// The L2 penalty. Set once from the literature's range for sparse purchase data (a few
/// hundred), not fitted to any split.
pub const LAMBDA: f64 = 300.0;
/// Neighbours kept per product.
pub const KEEP: usize = 50;

/// Each product's `keep` strongest positive neighbours under EASE, or None when the
/// regularised Gram matrix cannot be inverted (it always can with λ > 0).
pub fn fit(
    data: &Data,
    lambda: f64,
    keep: usize,
    progress: impl FnMut(usize, usize),
) -> Option<Vec<Neighbours>> {
    let n = data.len();
    let mut g = Square::zeros(n);
    for c in &data.customers {
        for (x, &(i, _)) in c.iter().enumerate() {
            g.a[i * n + i] += 1.0;
            // Lower triangle only: c is sorted by product, so j < i for earlier entries.
            for &(j, _) in &c[..x] {
                g.a[i * n + j] += 1.0;
            }
        }
    }
    for i in 0..n {
        g.a[i * n + i] += lambda;
    }
    let p = spd_inverse(g, progress)?;
    let diag: Vec<f64> = (0..n).map(|j| p.at(j, j)).collect();
    Some(
        (0..n)
            .map(|i| {
                let row: Vec<f64> = p
                    .row(i)
                    .iter()
                    .zip(&diag)
                    .enumerate()
                    .map(|(j, (v, d))| if j == i { 0.0 } else { -v / d })
                    .collect();
                super::top_k(&row, keep, |j| j == i)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::{Data, Purchase};

    #[test]
    fn a_product_bought_with_another_by_many_customers_is_its_neighbour() {
        let mut all = Vec::new();
        for c in 0..30 {
            let mut buy = |product| {
                all.push(Purchase {
                    customer: c,
                    order: c,
                    product,
                    at: 0,
                })
            };
            // 1 and 2 go together, 3 and 4 go together, 5 with everything a little.
            if c % 2 == 0 {
                buy(1);
                buy(2);
            } else {
                buy(3);
                buy(4);
            }
            if c % 5 == 0 {
                buy(5);
            }
        }
        let d = Data::new(&all);
        let w = super::fit(&d, 10.0, 3, |_, _| {}).unwrap();
        let first = |product: i64| d.products[w[d.index[&product]][0].0];
        assert_eq!(first(1), 2);
        assert_eq!(first(2), 1);
        assert_eq!(first(3), 4);
        assert_eq!(first(4), 3);
    }
}

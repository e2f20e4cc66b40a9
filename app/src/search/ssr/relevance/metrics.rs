//! nDCG, recall and the zero-result rate.

/// Discounted cumulative gain of graded results (gain `2^g - 1`), to `depth`.
pub fn dcg_at(grades: &[u8], depth: usize) -> f64 {
    grades
        .iter()
        .take(depth)
        .enumerate()
        .map(|(i, &g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// `dcg` of the results over the `dcg` of the best possible order of every judged
/// product (`ideal`, any order).
pub fn ndcg_at(results: &[u8], ideal: &[u8], depth: usize) -> f64 {
    let mut best = ideal.to_vec();
    best.sort_unstable_by(|a, b| b.cmp(a));
    let max = dcg_at(&best, depth);
    if max <= 0.0 {
        return 0.0;
    }
    dcg_at(results, depth) / max
}

/// The share of the relevant products found in the first `depth` results (of at most
/// `depth`, so a query with more relevant products than places can still score 1).
pub fn recall_at(results: &[u8], relevant: usize, depth: usize) -> f64 {
    if relevant == 0 {
        return 0.0;
    }
    let found = results.iter().take(depth).filter(|&&g| g > 0).count();
    found as f64 / relevant.min(depth) as f64
}

/// Sums over queries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measures {
    pub queries: usize,
    ndcg: f64,
    recall: f64,
    zero: usize,
}

impl Measures {
    pub fn add(&mut self, ndcg: f64, recall: f64, zero: bool) {
        self.queries += 1;
        self.ndcg += ndcg;
        self.recall += recall;
        self.zero += usize::from(zero);
    }

    fn mean(&self, sum: f64) -> f64 {
        if self.queries == 0 {
            0.0
        } else {
            sum / self.queries as f64
        }
    }

    pub fn ndcg(&self) -> f64 {
        self.mean(self.ndcg)
    }

    pub fn recall(&self) -> f64 {
        self.mean(self.recall)
    }

    pub fn zero_rate(&self) -> f64 {
        self.mean(self.zero as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_reversed_orders() {
        assert!((ndcg_at(&[3, 2, 1], &[1, 2, 3], 10) - 1.0).abs() < 1e-12);
        let reversed = ndcg_at(&[1, 2, 3], &[3, 2, 1], 10);
        assert!(reversed < 1.0 && reversed > 0.0);
        assert_eq!(ndcg_at(&[0, 0], &[3], 10), 0.0);
        // The textbook value: gains 3, 2 at ranks 1 and 3 against the ideal 3, 2.
        let got = ndcg_at(&[3, 0, 2], &[3, 2], 10);
        let want = (7.0 + 3.0 / 4f64.log2()) / (7.0 + 3.0 / 3f64.log2());
        assert!((got - want).abs() < 1e-12);
    }

    #[test]
    fn recall_counts_relevant_results_up_to_the_depth() {
        assert_eq!(recall_at(&[3, 0, 1], 4, 10), 0.5);
        assert_eq!(recall_at(&[1; 10], 30, 10), 1.0);
        assert_eq!(recall_at(&[], 3, 10), 0.0);
    }
}

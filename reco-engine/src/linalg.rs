//! The one piece of dense linear algebra the models need: the inverse of a symmetric
//! positive definite matrix, through its Cholesky factor. Row-major, every inner loop
//! over contiguous memory (so the compiler vectorises it); about n³/2 multiply-adds.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Square {
    pub n: usize,
    pub a: Vec<f64>,
}

impl Square {
    pub fn zeros(n: usize) -> Self {
        Square {
            n,
            a: vec![0.0; n * n],
        }
    }

    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.a[i * self.n..(i + 1) * self.n]
    }
}

fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// The inverse of the symmetric positive definite `m` (only its lower triangle is read),
/// or None if it is not positive definite. `progress(step, of)` is told as it goes.
pub fn spd_inverse(mut m: Square, mut progress: impl FnMut(usize, usize)) -> Option<Square> {
    let n = m.n;
    // Cholesky, in place: m's lower triangle becomes L (m = L Lᵀ).
    for j in 0..n {
        let row_j = &mut m.a[j * n..(j + 1) * n];
        let d = row_j[j] - dot(&row_j[..j], &row_j[..j]);
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        row_j[j] = d.sqrt();
        let (upto, after) = m.a.split_at_mut((j + 1) * n);
        let lj = &upto[j * n..j * n + j + 1];
        let ljj = lj[j];
        for i in (j + 1)..n {
            let row_i = &mut after[(i - j - 1) * n..(i - j) * n];
            row_i[j] = (row_i[j] - dot(&row_i[..j], &lj[..j])) / ljj;
        }
        if j % 64 == 0 {
            progress(j, 3 * n);
        }
    }
    // M = L⁻¹, lower triangular, row by row: M[i] = (e_i − Σ_k<i L[i][k] M[k]) / L[i][i].
    let mut inv = Square::zeros(n);
    for i in 0..n {
        let (before, rest) = inv.a.split_at_mut(i * n);
        let row = &mut rest[..n];
        row[i] = 1.0;
        for k in 0..i {
            let lik = m.a[i * n + k];
            if lik != 0.0 {
                let mk = &before[k * n..k * n + k + 1];
                for (r, v) in row[..=k].iter_mut().zip(mk) {
                    *r -= lik * v;
                }
            }
        }
        let lii = m.a[i * n + i];
        for r in &mut row[..=i] {
            *r /= lii;
        }
        if i % 64 == 0 {
            progress(n + i, 3 * n);
        }
    }
    // P = Mᵀ M: each row k of M adds its outer product; the lower triangle, then mirrored.
    let p = &mut m.a;
    p.iter_mut().for_each(|x| *x = 0.0);
    for k in 0..n {
        let mk = &inv.a[k * n..k * n + k + 1];
        for a in 0..=k {
            let v = mk[a];
            if v != 0.0 {
                let row = &mut p[a * n..a * n + a + 1];
                for (r, w) in row.iter_mut().zip(&mk[..=a]) {
                    *r += v * w;
                }
            }
        }
        if k % 64 == 0 {
            progress(2 * n + k, 3 * n);
        }
    }
    for a in 0..n {
        for b in 0..a {
            p[b * n + a] = p[a * n + b];
        }
    }
    progress(3 * n, 3 * n);
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inverse_times_the_matrix_is_the_identity() {
        let n = 7;
        // A symmetric positive definite matrix: Bᵀ B + I for a fixed B.
        let b: Vec<f64> = (0..n * n).map(|k| ((k * 37 % 11) as f64) - 5.0).collect();
        let mut m = Square::zeros(n);
        for i in 0..n {
            for j in 0..n {
                let s: f64 = (0..n).map(|k| b[k * n + i] * b[k * n + j]).sum();
                m.a[i * n + j] = s + if i == j { 1.0 } else { 0.0 };
            }
        }
        let inv = spd_inverse(m.clone(), |_, _| {}).expect("positive definite");
        for i in 0..n {
            for j in 0..n {
                let s: f64 = (0..n).map(|k| m.at(i, k) * inv.at(k, j)).sum();
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((s - want).abs() < 1e-9, "({i},{j}) = {s}");
            }
        }
        let mut bad = Square::zeros(2);
        bad.a = vec![1.0, 2.0, 2.0, 1.0];
        assert!(
            spd_inverse(bad, |_, _| {}).is_none(),
            "not positive definite"
        );
    }
}

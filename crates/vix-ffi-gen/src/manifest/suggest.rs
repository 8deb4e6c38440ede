//! "Did you mean …?" for misspelt keys, types, kinds and function names.

/// The candidate closest to `found`, if one is close enough to be a likely typo: equal
/// ignoring case, or at most a quarter of its length (at least 1, at most 3) edits away.
pub(crate) fn closest<'c>(
    found: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == found {
            continue;
        }
        let distance = if candidate.eq_ignore_ascii_case(found) {
            0
        } else {
            edit_distance(found, candidate)
        };
        let limit = (candidate.chars().count() / 4).clamp(1, 3);
        let better = match best {
            Some((d, _)) => distance < d,
            None => true,
        };
        if distance <= limit && better {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `; did you mean "x"?`, or nothing.
pub(crate) fn did_you_mean<'c>(
    found: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> String {
    closest(found, candidates)
        .map(|c| format!("; did you mean {c:?}?"))
        .unwrap_or_default()
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let types = ["void", "int", "size_t", "size_t_ptr", "u8_ptr"];
        assert_eq!(closest("sizet", types), Some("size_t"));
        assert_eq!(closest("SIZE_T", types), Some("size_t"));
        assert_eq!(closest("nit", types), Some("int"));
        assert_eq!(closest("float", types), None);
        assert_eq!(
            closest("fucntions", ["functions", "python"]),
            Some("functions")
        );
        assert_eq!(
            did_you_mean("nmae", ["name", "symbol"]),
            "; did you mean \"name\"?"
        );
        assert_eq!(did_you_mean("zzz", ["name"]), "");
    }
}

//! Bounded edit distances, shared by lookups ([`super::Index`]) and the quiz's answer checker:
//! both ask "are these two short words within a few typos?", and both must count a typo the
//! same way (an adjacent transposition is one edit).

/// The optimal-string-alignment distance of two byte strings (an adjacent transposition counts
/// as one edit), if it is at most `max`. Unequal lengths beyond `max`, and a row whose minimum
/// exceeds `max`, end the work early. For the short words of names and queries only the band
/// of cells within `max` of the diagonal is computed (a cell outside it is already more than
/// `max` edits away), in three rows of bytes on the stack. Shared by lookups and the quiz's
/// answer checker.
pub(crate) fn osa_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    if let Some(d) = osa_bit_parallel(a, b) {
        return (d <= max).then_some(d);
    }
    osa_within_banded(a, b, max)
}

/// A byte's place in a [`Pattern`]'s table: letters 0..26, digits 26..36 (normalised words
/// hold nothing else), and [`OTHER`] for every other byte, whose column stays empty.
static SLOTS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 26 {
        t[b'a' as usize + i] = i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 26 + d as u8;
        d += 1;
    }
    t
};

/// [`SLOTS`]' place for bytes that are neither letters nor digits.
const OTHER: u8 = 36;

/// One string prepared for Hyyrö's bit-parallel distance: where each symbol occurs in it, as
/// bits. Built once per query word and reused against every candidate word (building it
/// costs about as much as one comparison).
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    /// Occurrences per [`SLOTS`] place; the last place, for other bytes, stays zero.
    peq: [u64; OTHER as usize + 1],
    /// The string's length, 1 to 64.
    len: usize,
}

impl Pattern {
    /// The pattern of `a`: 1 to 64 letters and digits, `None` otherwise.
    pub(crate) fn new(a: &[u8]) -> Option<Pattern> {
        let len = a.len();
        if len == 0 || len > 64 {
            return None;
        }
        let mut peq = [0u64; OTHER as usize + 1];
        for (i, &c) in a.iter().enumerate() {
            let s = SLOTS[usize::from(c)];
            if s == OTHER {
                return None;
            }
            peq[usize::from(s)] |= 1 << i;
        }
        Some(Pattern { peq, len })
    }

    /// The OSA distance of the pattern's string to `b` if it is at most `max`, as
    /// [`osa_within`] of the same strings answers.
    pub(crate) fn within(&self, b: &[u8], max: usize) -> Option<usize> {
        if self.len.abs_diff(b.len()) > max {
            return None;
        }
        let d = self.distance(b);
        (d <= max).then_some(d)
    }

    /// The optimal-string-alignment distance by Hyyrö's bit-parallel algorithm (2003, as
    /// rapidfuzz computes it): one machine word per column of the table instead of a cell. A
    /// byte of `b` that the pattern lacks reads an empty column, as it should.
    fn distance(&self, b: &[u8]) -> usize {
        let m = self.len;
        let mut vp: u64 = if m == 64 { !0 } else { (1 << m) - 1 };
        let mut vn: u64 = 0;
        let mut d0: u64 = 0;
        let mut pm_old: u64 = 0;
        let last = 1u64 << (m - 1);
        let mut dist = m;
        for &c in b {
            let pm_j = self.peq[usize::from(SLOTS[usize::from(c)])];
            let tr = (((!d0) & pm_j) << 1) & pm_old;
            d0 = ((((pm_j & vp).wrapping_add(vp)) ^ vp) | pm_j | vn) | tr;
            let mut hp = vn | !(d0 | vp);
            let mut hn = d0 & vp;
            if hp & last != 0 {
                dist += 1;
            } else if hn & last != 0 {
                dist -= 1;
            }
            hp = (hp << 1) | 1;
            hn <<= 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            pm_old = pm_j;
        }
        dist
    }
}

/// The optimal-string-alignment distance by [`Pattern`], for `a` of 1 to 64 letters and
/// digits; `None` for anything else, which takes the table.
fn osa_bit_parallel(a: &[u8], b: &[u8]) -> Option<usize> {
    Some(Pattern::new(a)?.distance(b))
}

/// [`osa_within`] by the banded table (strings of other symbols, or longer than 64).
fn osa_within_banded(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if b.len() >= BAND_CAP || max >= 200 {
        return osa_within_full(a, b, max);
    }
    let (n, m) = (a.len(), b.len());
    // Every value above `max` is as good as infinite: it cannot lead to a distance within it.
    let inf = (max + 1) as u8;
    let mut rows = [[inf; BAND_CAP + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(m.min(max) + 1) {
        *cell = j as u8;
    }
    for i in 1..=n {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        // The cell left of the band: column 0, or out of reach.
        rows[cur][lo - 1] = if lo == 1 { i.min(max + 1) as u8 } else { inf };
        let mut row_min = rows[cur][lo - 1];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2][j - 2] + 1);
            }
            let v = v.min(inf);
            rows[cur][j] = v;
            row_min = row_min.min(v);
        }
        // The cell right of the band, which the next row reads.
        rows[cur][hi + 1] = inf;
        if row_min > max as u8 {
            return None;
        }
    }
    let d = usize::from(rows[n % 3][m]);
    (d <= max).then_some(d)
}

/// Words at least this long, or budgets this large, take the full table.
const BAND_CAP: usize = 48;

/// [`osa_within`] over the whole table, for long strings.
fn osa_within_full(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let m = b.len();
    let width = m + 1;
    let mut rows = vec![0usize; 3 * width];
    let at = |row: usize, j: usize| (row % 3) * width + j;
    for j in 0..=m {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        rows[at(i, 0)] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let d = rows[at(a.len(), m)];
    (d <= max).then_some(d)
}

/// The set of letters and digits in a word, as bits: one edit changes at most two bits of the
/// difference of two sets, so words whose sets differ a lot cannot be within a typo budget.
pub(crate) fn letter_mask(word: &str) -> u64 {
    word.bytes().fold(0u64, |m, b| m | 1u64 << (b % 64))
}

/// Whether two words' letter sets allow them to be within `budget` edits.
pub(crate) fn masks_allow(a: u64, b: u64, budget: u32) -> bool {
    (a ^ b).count_ones() <= 2 * budget
}

/// Whether `a` is `b` with exactly one pair of neighbouring letters swapped.
pub(crate) fn is_one_swap(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(diff[..], [i, j] if j == i + 1 && a[i] == b[j] && a[j] == b[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to six letters over a three-letter alphabet, the empty one first.
    fn every_short_word() -> Vec<String> {
        let mut words = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|w| ["a", "b", "c"].map(|c| format!("{w}{c}")))
                .collect();
            words.extend(last.iter().cloned());
        }
        words
    }

    #[test]
    fn bounded_distance_agrees_with_strsim() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "india",
            "inida",
            "indai",
            "kazakhstan",
            "kazakhsatn",
            "kazakstan",
            "kyrgyzstan",
            "tajikistan",
            "tadjikstan",
            "iran",
            "irna",
            "iraq",
            "nonalignment",
        ];
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                for max in 0..5 {
                    let want = (d <= max).then_some(d);
                    assert_eq!(
                        osa_within(a.as_bytes(), b.as_bytes(), max),
                        want,
                        "{a} {b} {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_banded_distance_agrees_with_strsim_on_every_short_string_pair() {
        // Every shape of insertion, deletion, substitution and transposition near the band's
        // edges (the six-letter words thinned to those starting "ab").
        let words: Vec<String> = every_short_word()
            .into_iter()
            .filter(|w| w.len() < 5 || w.starts_with("ab"))
            .collect();
        for a in &words {
            for b in &words {
                let d = strsim::osa_distance(a, b);
                for max in 0..4 {
                    let want = (d <= max).then_some(d);
                    assert_eq!(
                        osa_within(a.as_bytes(), b.as_bytes(), max),
                        want,
                        "{a} {b} {max}"
                    );
                }
            }
        }
        // Long strings take the full table, with the same answers.
        let long_a = "kazakhstan".repeat(6);
        let long_b = long_a.replacen("kh", "hk", 2);
        assert_eq!(osa_within(long_a.as_bytes(), long_b.as_bytes(), 3), Some(2));
        assert_eq!(osa_within(long_a.as_bytes(), long_b.as_bytes(), 1), None);
    }

    #[test]
    fn the_bit_parallel_and_banded_distances_agree_with_strsim() {
        // Every short word, both ways, and longer words of names.
        let mut words = every_short_word();
        words.extend(
            [
                "kazakhstan",
                "kazakhsatn",
                "kyrgyzstan",
                "regionalantiterroriststructure",
                "regionalantiteroriststructure",
                "2017",
                "summit2017",
            ]
            .map(String::from),
        );
        words.push("ab".repeat(32));
        words.push("ba".repeat(32));
        for a in words.iter().step_by(3) {
            for b in &words {
                let d = strsim::osa_distance(a, b);
                let fast = osa_bit_parallel(a.as_bytes(), b.as_bytes());
                assert!(fast.is_none_or(|f| f == d), "{a} {b}");
                assert_eq!(fast.is_some(), !a.is_empty(), "{a} {b}");
                for max in 0..4 {
                    let want = (d <= max).then_some(d);
                    assert_eq!(
                        osa_within_banded(a.as_bytes(), b.as_bytes(), max),
                        want,
                        "{a} {b} {max}"
                    );
                }
            }
        }
        assert_eq!(osa_bit_parallel(b"caf\xc3\xa9", b"cafe"), None);
        // A pattern reads bytes it lacks (anything but letters and digits) as empty columns.
        let cafe = "café".as_bytes();
        assert_eq!(
            osa_bit_parallel(b"cafe", cafe),
            osa_within_banded(b"cafe", cafe, 5)
        );
        assert_eq!(osa_bit_parallel(b"cafe", cafe), Some(2));
    }

    #[test]
    fn a_transposition_is_one_edit() {
        assert_eq!(osa_within(b"kazakhstan", b"kazahkstan", 3), Some(1));
        assert_eq!(osa_within(b"kazakhstan", b"kyrgyzstan", 3), None);
        assert_eq!(osa_within(b"", b"abc", 3), Some(3));
        assert_eq!(osa_within(b"abc", b"", 2), None);
    }

    #[test]
    fn one_swap_is_exactly_one_pair_of_neighbours() {
        assert!(is_one_swap(b"inida", b"india"));
        assert!(!is_one_swap(b"india", b"india"));
        assert!(!is_one_swap(b"indai", b"inida"));
        assert!(!is_one_swap(b"iidna", b"india"));
        assert!(!is_one_swap(b"indi", b"india"));
    }

    #[test]
    fn letter_masks_rule_out_only_what_the_budget_cannot_reach() {
        let allow = |a: &str, b: &str, budget| masks_allow(letter_mask(a), letter_mask(b), budget);
        assert!(allow("kazakhstan", "kazakstan", 1));
        assert!(allow("china", "chile", 2));
        assert!(!allow("china", "chile", 1));
        assert!(!allow("iran", "kyrgyzstan", 3));
    }
}

//! The small deterministic randomness quizzes need: splitmix64 seeded from a seed mixed with an
//! FNV-1a hash of a text (a question id, a user id), so the same inputs give the same order.

/// FNV-1a: a stable 64-bit hash of a text (unlike std's hasher, the same in every build).
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: a few lines, no dependency, and plenty for drawing and shuffling short lists.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for one text (a question id): the seed mixed with its hash.
    pub(crate) fn new(seed: u64, id: &str) -> Rng {
        Rng(seed ^ fnv1a(id))
    }

    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0); the modulo bias is irrelevant for lists this short.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Fisher–Yates.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prng_is_deterministic_and_shuffles_every_element_into_place() {
        let mut a = Rng::new(7, "summit-city/summit-2017");
        let mut b = Rng::new(7, "summit-city/summit-2017");
        let xs: Vec<u64> = (0..4).map(|_| a.next()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8, "x").next(), Rng::new(7, "x").next());
        assert_ne!(Rng::new(7, "x").next(), Rng::new(7, "y").next());
        // Over many ids, each of four items lands in each position.
        let mut seen = [[false; 4]; 4];
        for i in 0..200 {
            let mut items = [0, 1, 2, 3];
            Rng::new(1, &i.to_string()).shuffle(&mut items);
            for (pos, item) in items.iter().enumerate() {
                seen[*item][pos] = true;
            }
        }
        assert!(seen.iter().flatten().all(|s| *s));
    }
}

//! Fuzzy lookup that is never confidently wrong, and autocomplete.
//!
//! Every entry gets search keys (its name, aliases, Russian and Chinese names, official names,
//! initialisms, and a few generated forms such as a summit's city). A query is normalised the
//! same way ([`normalize`]); candidates come from an exact-form hash map and a bigram index, so a
//! lookup never scans every key; each candidate key is scored in 0..1 with words aligned one to
//! one (typos allowed by word length, numbers exact); a match is accepted only when it is good
//! and clearly ahead of the runner-up, otherwise the reply carries ranked suggestions. Real
//! countries outside the SCO (from ISO 3166) are candidates too, so "france" is answered as
//! "not a member or partner" instead of being matched to a look-alike.

pub(crate) mod distance;
pub mod normalize;
pub mod world;

use std::cell::RefCell;
use std::collections::HashMap;

use crate::facts::{Details, Entry, FactBase, Kind};
use distance::{Pattern, letter_mask, masks_allow, osa_within};
use normalize::{Token, TokenRef};

/// A match needs at least this score...
pub const ACCEPT: f32 = 0.78;
/// ...and this lead over the best other candidate, unless it is the only exact match.
pub const MARGIN: f32 = 0.08;
/// Suggestions below this score are not worth showing.
pub const SUGGEST: f32 = 0.55;
/// A real non-SCO country must score at least this to be named in a reply.
const WORLD_ACCEPT: f32 = ACCEPT;
/// Keys shown to the scorer per query, best bigram overlap first.
const CANDIDATES: usize = 24;
/// Postings counted per query before the commonest bigrams are left out.
const POSTING_BUDGET: usize = 20_000;
/// Discord's limit on autocomplete choices.
pub const AUTOCOMPLETE_LIMIT: usize = 25;

/// What a search key points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Target {
    /// An entry of the fact base (its index).
    Entry(u32),
    /// A real country outside the SCO (index into [`world::all`]).
    World(u32),
}

/// A searchable form of a name.
#[derive(Debug)]
struct Key {
    target: Target,
    words: Vec<Word>,
    numbers: Vec<u32>,
    /// The words joined without spaces.
    compact: Box<str>,
    /// Initialisms match only exactly.
    initialism: bool,
    /// Generated forms weigh a little less than names a curator wrote.
    weight: f32,
    /// How many distinct bigrams the key's words have (for the Dice overlap).
    grams: u16,
}

/// What the scorer knows about an entry beyond its keys.
#[derive(Debug, Default)]
struct Context {
    /// Years and numbers that a query may name (a summit's year and number, ...).
    numbers: Vec<u32>,
    /// Words that may qualify a query without being a name (a body's seat, a summit's country).
    words: Vec<Word>,
}

/// A scored entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// Index into [`FactBase::entries`].
    pub entry: usize,
    /// Score in 0..1.
    pub score: f32,
}

/// How a query was resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// One entry, good and clearly ahead.
    Match(Hit),
    /// A real country that has no relation to the SCO.
    NotInSco {
        /// Its common English name.
        name: String,
        /// Its ISO 3166-1 alpha-2 code.
        iso: String,
    },
    /// Nothing good enough, or a tie; see the suggestions.
    NoMatch,
}

/// The answer to a lookup: an outcome and ranked suggestions (the match excluded).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// What was found.
    pub outcome: Outcome,
    /// Other close entries, best first (at most 5).
    pub suggestions: Vec<Hit>,
}

impl Resolution {
    /// The matched entry, if any.
    pub fn matched(&self) -> Option<Hit> {
        match self.outcome {
            Outcome::Match(h) => Some(h),
            _ => None,
        }
    }
}

/// One autocomplete choice.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// Index into [`FactBase::entries`].
    pub entry: usize,
}

/// The query, normalised once. Its buffers are kept from one lookup to the next on a thread
/// ([`Index::lookup`]), so a query is prepared without allocating.
#[derive(Default)]
struct Query {
    words: Vec<QueryWord>,
    numbers: Vec<u32>,
    /// The words joined without spaces; each [`QueryWord`] is a range of it.
    compact: String,
    /// [`Query::compact`]'s pattern when the query has several words (a one-word query's
    /// compact form is its word, whose pattern is built already), for [`joined_similarity`].
    compact_pattern: Option<Pattern>,
    /// Compact form with numbers, for the exact map.
    full: String,
    tokenizer: normalize::Tokenizer,
}

/// A word of a [`Query`].
struct QueryWord {
    /// Where it is in [`Query::compact`].
    start: usize,
    end: usize,
    /// Its letter set ([`letter_mask`]).
    mask: u64,
    /// Built once, compared with every candidate's words.
    pattern: Option<Pattern>,
}

impl QueryWord {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

impl Query {
    fn new(text: &str) -> Query {
        let mut q = Query::default();
        q.parse(text);
        q
    }

    /// Replaces the query with `text`, normalised.
    fn parse(&mut self, text: &str) {
        use std::fmt::Write;
        let Query {
            words,
            numbers,
            compact,
            compact_pattern,
            full,
            tokenizer,
        } = self;
        words.clear();
        numbers.clear();
        compact.clear();
        full.clear();
        for t in tokenizer.run(text) {
            match t {
                TokenRef::Word(w) => {
                    full.push_str(w);
                    let start = compact.len();
                    compact.push_str(w);
                    words.push(QueryWord {
                        start,
                        end: compact.len(),
                        mask: letter_mask(w),
                        pattern: Pattern::new(w.as_bytes()),
                    });
                }
                TokenRef::Number(n) => {
                    write!(full, "{n}").expect("writing to a String cannot fail");
                    numbers.push(n);
                }
            }
        }
        *compact_pattern = if words.len() > 1 {
            Pattern::new(compact.as_bytes())
        } else {
            None
        };
    }

    /// The text of word `i`.
    fn word(&self, i: usize) -> &str {
        let w = &self.words[i];
        &self.compact[w.start..w.end]
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.numbers.is_empty()
    }
}

/// The search index over one fact base.
pub struct Index {
    keys: Vec<Key>,
    contexts: Vec<Context>,
    kinds: Vec<Kind>,
    /// Full compact form → keys.
    exact: HashMap<Box<str>, Vec<u32>, FastHash>,
    /// Bigram of a key's compact words ([`bigrams`]' code) → keys (each key once per bigram),
    /// grouped by the key's [`class`] within each bigram: the keys of bigram `g` and classes
    /// `lo..hi` are `postings[offsets[g * CLASSES + lo]..offsets[g * CLASSES + hi]]`, so a
    /// lookup in one kind counts only that kind's keys, and no hashing.
    postings: Vec<u32>,
    /// Where each (bigram, class) run of [`Index::postings`] starts, and the end.
    offsets: Vec<u32>,
    /// Each key's bigram count (as [`Key::grams`]), contiguous for the counting loop.
    key_grams: Vec<u16>,
    /// Bigram → keys while the index is built; emptied into [`Index::postings`] at the end.
    building: Vec<Vec<u32>>,
    /// Number → entries whose context or keys hold it.
    by_number: HashMap<u32, Vec<u32>, FastHash>,
    /// (compact suffix starting at a word, entry, word position, generated name) sorted by
    /// suffix, for prefix search.
    prefixes: Vec<(Box<str>, u32, u8, bool)>,
    /// Entries per kind in file order, for empty autocomplete.
    browse: HashMap<Kind, Vec<u32>>,
}

/// Symbols of a bigram: the start and end marks, digits and letters (normalised words hold
/// nothing else; anything else would share the last code).
const SYMBOLS: usize = 39;
/// How many bigram codes there are.
const GRAM_CODES: usize = SYMBOLS * SYMBOLS;

/// Classes of key for the postings: country entries, countries outside the SCO, then each
/// other kind, so that every lookup scope is one run of classes ([`class_range`]).
const CLASSES: usize = Kind::ALL.len() + 1;

/// A key's class: countries 0, the world's other countries 1, the other kinds after them.
fn class(target: Target, kinds: &[Kind]) -> usize {
    match target {
        Target::Entry(e) => match kinds[e as usize] {
            Kind::Country => 0,
            k => 1 + Kind::ALL.iter().position(|&a| a == k).unwrap_or(0),
        },
        Target::World(_) => 1,
    }
}

/// The classes a scope covers (as [`Index::in_scope`]): a country lookup covers the world's
/// countries too.
fn class_range(scope: Option<Kind>) -> (usize, usize) {
    match scope {
        None => (0, CLASSES),
        Some(Kind::Country) => (0, 2),
        Some(k) => {
            let c = 1 + Kind::ALL.iter().position(|&a| a == k).unwrap_or(0);
            (c, c + 1)
        }
    }
}

/// A byte's place among [`SYMBOLS`]: `^` (a word's start) 0, `$` (its end) 1, digits, letters.
const fn symbol(b: u8) -> u16 {
    match b {
        b'^' => 0,
        b'$' => 1,
        b'0'..=b'9' => 2 + (b - b'0') as u16,
        b'a'..=b'z' => 12 + (b - b'a') as u16,
        _ => SYMBOLS as u16 - 1,
    }
}

/// The bigrams of a word with its start and end marked, as codes below [`GRAM_CODES`].
fn bigrams(word: &str) -> impl Iterator<Item = u16> + '_ {
    let bytes = word.as_bytes();
    let padded = std::iter::once(b'^')
        .chain(bytes.iter().copied())
        .chain(std::iter::once(b'$'));
    let next = padded.clone().skip(1);
    padded
        .zip(next)
        .map(|(a, b)| symbol(a) * SYMBOLS as u16 + symbol(b))
}

/// A hasher for the index's small keys (normalised names, numbers): the multiply-rotate of
/// rustc's FxHash. The keys come from the fact base and queries, and a query touches one
/// bucket, so flooding is no concern; SipHash's cost per lookup is.
#[derive(Clone, Copy, Default)]
struct FastHash;

/// [`FastHash`]'s state.
#[derive(Default)]
struct FastHasher(u64);

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A normalised word with its letter set.
#[derive(Debug)]
struct Word {
    text: Box<str>,
    mask: u64,
}

impl Word {
    fn new(text: &str) -> Word {
        Word {
            text: text.into(),
            mask: letter_mask(text),
        }
    }

    fn len(&self) -> usize {
        self.text.len()
    }
}

/// Similarity of two normalised words in 0..1: exact, or within a typo budget that grows with
/// length (transpositions count once). Numbers never reach here: they must be equal.
#[cfg(test)]
fn similar(a: &Word, b: &Word) -> f32 {
    similar_to(&a.text, a.mask, Pattern::new(a.text.as_bytes()).as_ref(), b)
}

/// [`similar`] of a query word (its text, [`letter_mask`] and [`Pattern`], `None` when it has
/// none) and a key's word.
fn similar_to(a: &str, mask_a: u64, pattern: Option<&Pattern>, b: &Word) -> f32 {
    let mask_b = b.mask;
    let b = &*b.text;
    if a == b {
        return 1.0;
    }
    let (la, lb) = (a.len(), b.len());
    let longest = la.max(lb);
    if la.min(lb) < 3 {
        return 0.0;
    }
    // A query word typed only in part ("afghan", "uzbek") names the word it starts: partial
    // names are what users type. The shorter the part, the weaker the match.
    let partial = if la >= 4 && lb > la && b.starts_with(a) {
        0.75 + 0.25 * la as f32 / lb as f32
    } else {
        0.0
    };
    let budget = match longest {
        0..=4 => 1,
        5..=8 => 2,
        9..=13 => 3,
        _ => 4,
    };
    if !masks_allow(mask_a, mask_b, budget as u32) {
        return partial;
    }
    let d = match pattern {
        Some(p) => p.within(b.as_bytes(), budget),
        None => osa_within(a.as_bytes(), b.as_bytes(), budget),
    };
    let Some(d) = d else {
        return partial;
    };
    // One more than the length in the denominator: one typo in a short word is still a typo,
    // not a quarter of the word.
    let edit = 1.0 - d as f32 / (longest + 1) as f32;
    // Tie-breaker: the same letters in another order (a transposition) or a shared start.
    let same_letters = la == lb && mask_a == mask_b;
    let typo = 0.9 * edit
        + 0.1
            * if same_letters {
                1.0
            } else {
                prefix_share(a, b)
            };
    typo.max(partial)
}

/// How much of the shorter word's first four letters the words share: a tie-breaker that, like
/// Jaro-Winkler's prefix bonus, prefers "china" to "chile" for "chine".
fn prefix_share(a: &str, b: &str) -> f32 {
    let n = a.len().min(b.len()).min(4);
    let shared = a
        .bytes()
        .zip(b.bytes())
        .take(n)
        .take_while(|(x, y)| x == y)
        .count();
    if n == 0 {
        0.0
    } else {
        shared as f32 / n as f32
    }
}

/// Similarity of two names with their spaces removed ("nonalignment" / "non alignment"):
/// for differences in spacing, so only a small typo budget.
fn joined_similarity(a: &str, pattern: Option<&Pattern>, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let longest = a.len().max(b.len());
    let budget = (longest / 6).max(1);
    if a.len().min(b.len()) < 3 {
        return 0.0;
    }
    let d = match pattern {
        Some(p) => p.within(b.as_bytes(), budget),
        None => osa_within(a.as_bytes(), b.as_bytes(), budget),
    };
    let Some(d) = d else {
        return 0.0;
    };
    0.9 * (1.0 - d as f32 / (longest + 1) as f32) + 0.1 * prefix_share(a, b)
}

/// Keys and context for one entry.
fn entry_keys(fb: &FactBase, e: &Entry) -> (Vec<(String, f32)>, Context) {
    let mut names: Vec<(String, f32)> = e.names().map(|n| (n.to_string(), 1.0)).collect();
    let mut ctx = Context::default();
    let ctx_words = |text: &str, ctx: &mut Context| {
        for t in normalize::tokens(text) {
            if let Token::Word(w) = t {
                ctx.words.push(Word::new(&w));
            }
        }
    };
    match &e.details {
        Details::Country(c) => {
            ctx.numbers
                .extend(c.history.iter().map(|s| s.date.year as u32));
            if let Some(cap) = &c.capital {
                ctx_words(cap, &mut ctx);
            }
            if let Some(w) = world::by_alpha2(&c.iso) {
                names.extend(w.names.iter().map(|n| (n.to_string(), 0.97)));
            }
        }
        Details::Summit(s) => {
            ctx.numbers.extend([s.year as u32, s.number]);
            names.push((s.city.clone(), 0.97));
            ctx_words(&fb.name_of(Kind::Country, &s.country), &mut ctx);
            if let Some(format) = s.format {
                ctx_words(format.label(), &mut ctx);
            }
        }
        Details::Document(d) => {
            ctx.numbers.push(d.signed.year as u32);
            ctx.numbers.extend(d.in_force.map(|f| f.year as u32));
            ctx_words(&d.place, &mut ctx);
        }
        Details::Body(b) => {
            ctx.numbers.extend(b.founded.map(|f| f.year as u32));
            if let Some(seat) = &b.seat {
                ctx_words(seat, &mut ctx);
            }
        }
        Details::Person(p) => {
            ctx.numbers
                .extend((p.from_year..=p.to_year).map(|y| y as u32));
            ctx.numbers.push(p.order);
            ctx_words(&fb.name_of(Kind::Country, &p.country), &mut ctx);
            ctx_words("secretary general executive", &mut ctx);
            let words: Vec<&str> = e.name.split_whitespace().collect();
            if words.len() >= 2 {
                for w in [words[0], words[words.len() - 1]] {
                    names.push((w.to_string(), 0.95));
                }
            }
        }
        Details::Principle(g) => ctx_words(g.label(), &mut ctx),
        Details::Term { .. } | Details::Claim(_) => {}
    }
    ctx.numbers.sort_unstable();
    ctx.numbers.dedup();
    (names, ctx)
}

impl Index {
    /// Builds the index of a fact base. Countries of the world that the fact base does not
    /// cover become "not in the SCO" targets.
    pub fn build(fb: &FactBase) -> Index {
        let mut index = Index {
            keys: Vec::new(),
            contexts: Vec::with_capacity(fb.entries.len()),
            kinds: Vec::with_capacity(fb.entries.len()),
            exact: HashMap::default(),
            postings: Vec::new(),
            offsets: Vec::new(),
            key_grams: Vec::new(),
            building: vec![Vec::new(); GRAM_CODES],
            by_number: HashMap::default(),
            prefixes: Vec::new(),
            browse: HashMap::new(),
        };
        let mut covered = std::collections::HashSet::new();
        for (i, e) in fb.entries.iter().enumerate() {
            let i = i as u32;
            let (names, ctx) = entry_keys(fb, e);
            if let Details::Country(c) = &e.details {
                covered.insert(c.iso.as_str());
            }
            for &n in &ctx.numbers {
                index.by_number.entry(n).or_default().push(i);
            }
            index.contexts.push(ctx);
            index.kinds.push(e.kind);
            index.browse.entry(e.kind).or_default().push(i);
            for (name, weight) in &names {
                index.add_key(Target::Entry(i), name, *weight, true);
            }
            let mut named: Vec<u32> = Vec::new();
            for key in index.keys.iter().rev() {
                if key.target != Target::Entry(i) {
                    break;
                }
                named.extend(&key.numbers);
            }
            for n in named {
                index.by_number.entry(n).or_default().push(i);
            }
        }
        for (w, country) in world::all().iter().enumerate() {
            if covered.contains(country.alpha2.as_str()) {
                continue;
            }
            for name in &country.names {
                index.add_key(Target::World(w as u32), name, 1.0, false);
            }
        }
        for list in index.by_number.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        index.prefixes.sort_unstable();
        index.prefixes.dedup();
        index.seal_postings();
        index
    }

    /// Moves the bigram lists into [`Index::postings`], grouped by class within each bigram.
    fn seal_postings(&mut self) {
        let classes: Vec<u8> = self
            .keys
            .iter()
            .map(|k| class(k.target, &self.kinds) as u8)
            .collect();
        self.key_grams = self.keys.iter().map(|k| k.grams).collect();
        let lists = std::mem::take(&mut self.building);
        self.offsets = Vec::with_capacity(GRAM_CODES * CLASSES + 1);
        self.postings = Vec::with_capacity(lists.iter().map(Vec::len).sum());
        for list in &lists {
            for c in 0..CLASSES {
                self.offsets.push(self.postings.len() as u32);
                self.postings.extend(
                    list.iter()
                        .filter(|&&k| usize::from(classes[k as usize]) == c),
                );
            }
        }
        self.offsets.push(self.postings.len() as u32);
    }

    /// The keys of bigram `g` in classes `lo..hi`.
    fn posting(&self, g: u16, (lo, hi): (usize, usize)) -> &[u32] {
        let at = usize::from(g) * CLASSES;
        &self.postings[self.offsets[at + lo] as usize..self.offsets[at + hi] as usize]
    }

    fn add_key(&mut self, target: Target, name: &str, weight: f32, complete: bool) {
        let mut words = Vec::new();
        let mut numbers = Vec::new();
        let mut parts: Vec<String> = Vec::new();
        for t in normalize::tokens(name) {
            match t {
                Token::Word(w) => {
                    words.push(Word::new(&w));
                    parts.push(w);
                }
                Token::Number(n) => {
                    parts.push(n.to_string());
                    numbers.push(n);
                }
            }
        }
        if parts.is_empty() {
            return;
        }
        let full: String = parts.concat();
        // The same form twice for one target (a curated name and the ISO data's spelling of
        // it) is one key, with the higher weight.
        if let Some(ids) = self.exact.get(full.as_str())
            && let Some(&same) = ids
                .iter()
                .find(|&&k| self.keys[k as usize].target == target)
        {
            let key = &mut self.keys[same as usize];
            key.weight = key.weight.max(weight);
            return;
        }
        let compact: String = words.iter().map(|w| &*w.text).collect();
        let id = self.keys.len() as u32;
        if let (true, Target::Entry(e)) = (complete, target) {
            for start in 0..parts.len().min(8) {
                let suffix: String = parts[start..].concat();
                self.prefixes
                    .push((suffix.into_boxed_str(), e, start as u8, weight < 1.0));
            }
        }
        self.exact
            .entry(full.into_boxed_str())
            .or_default()
            .push(id);
        let mut seen: Vec<u16> = Vec::new();
        for w in &words {
            for g in bigrams(&w.text) {
                if !seen.contains(&g) {
                    seen.push(g);
                    self.building[usize::from(g)].push(id);
                }
            }
        }
        self.keys.push(Key {
            target,
            words,
            numbers,
            compact: compact.into_boxed_str(),
            initialism: false,
            weight,
            grams: u16::try_from(seen.len()).unwrap_or(u16::MAX),
        });
        if let Some(init) = normalize::initialism(name)
            && init.len() >= 2
        {
            let id = self.keys.len() as u32;
            self.exact
                .entry(init.clone().into_boxed_str())
                .or_default()
                .push(id);
            self.keys.push(Key {
                target,
                words: vec![Word::new(&init)],
                numbers: Vec::new(),
                compact: init.into_boxed_str(),
                initialism: true,
                weight: 0.97,
                grams: 0,
            });
        }
    }

    fn in_scope(&self, target: Target, scope: Option<Kind>) -> bool {
        match target {
            Target::Entry(e) => scope.is_none_or(|k| self.kinds[e as usize] == k),
            Target::World(_) => matches!(scope, None | Some(Kind::Country)),
        }
    }

    /// Scores one key against the query, in 0..1.
    fn score(&self, q: &Query, key: &Key) -> f32 {
        let ctx = match key.target {
            Target::Entry(e) => Some(&self.contexts[e as usize]),
            Target::World(_) => None,
        };
        // Numbers decide exactly: each number of the query must be the key's or the entry's.
        for n in &q.numbers {
            let known = key.numbers.contains(n) || ctx.is_some_and(|c| c.numbers.contains(n));
            if !known {
                return 0.0;
            }
        }
        let missing = key
            .numbers
            .iter()
            .filter(|n| !q.numbers.contains(n))
            .count();
        let penalty = 0.85f32.powi(missing as i32) * key.weight;
        if key.initialism {
            let same = q.words.len() == 1 && q.compact.as_str() == &*key.compact;
            return if same { penalty } else { 0.0 };
        }
        if q.words.is_empty() {
            // A query of numbers alone ("2018") names what holds those numbers, equally.
            return 0.98;
        }
        if key.words.is_empty() {
            return 0.0;
        }
        let q_total: usize = q.compact.len();
        // The words' lengths summed: the compact forms are the words joined.
        let k_total: usize = key.compact.len();
        // Candidate word pairs, on the stack: queries and names have few words.
        let mut pairs = [(0.0f32, 0usize, 0usize); 32];
        let mut n = 0;
        for (i, qw) in q.words.iter().enumerate() {
            for (j, kw) in key.words.iter().enumerate() {
                let s = similar_to(q.word(i), qw.mask, qw.pattern.as_ref(), kw);
                if s >= 0.6 && n < pairs.len() {
                    pairs[n] = (s, i, j);
                    n += 1;
                }
            }
        }
        let pairs = &mut pairs[..n];
        pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
        let (mut q_used, mut k_used) = (0u64, 0u64);
        let (mut q_hit, mut k_hit) = (0.0f32, 0.0f32);
        for &mut (s, i, j) in pairs {
            if i >= 64 || j >= 64 || q_used & (1 << i) != 0 || k_used & (1 << j) != 0 {
                continue;
            }
            q_used |= 1 << i;
            k_used |= 1 << j;
            q_hit += s * q.words[i].len() as f32;
            // How much of the key is covered; how well is already counted on the query side.
            k_hit += key.words[j].len() as f32;
        }
        // Query words that name no part of the key may still be context ("secretariat
        // beijing", "summit kazakhstan 2017"); they explain the query, not the key.
        let mut c_hit = 0.0f32;
        if let Some(ctx) = ctx {
            for (i, qw) in q.words.iter().enumerate() {
                if i < 64 && q_used & (1 << i) == 0 {
                    let best = ctx
                        .words
                        .iter()
                        .map(|cw| similar_to(q.word(i), qw.mask, qw.pattern.as_ref(), cw))
                        .fold(0.0f32, f32::max);
                    if best >= 0.8 {
                        c_hit += best * qw.len() as f32;
                    }
                }
            }
        }
        let q_cov = (q_hit + c_hit) / q_total as f32;
        let k_cov = k_hit / k_total as f32;
        let token = if k_hit > 0.0 {
            // Users type part of a long name ("anti terrorist"): covering the query matters
            // most, covering the whole name a little.
            q_cov * (0.7 + 0.3 * k_cov)
        } else if !q.numbers.is_empty() {
            // Context and numbers alone ("secretary general 2014") can single an entry out.
            0.8 * q_cov
        } else {
            0.6 * q_cov
        };
        let joined = if q.words.len() > 1 || key.words.len() > 1 {
            let pattern = match &q.words[..] {
                [one] => one.pattern.as_ref(),
                _ => q.compact_pattern.as_ref(),
            };
            joined_similarity(&q.compact, pattern, &key.compact)
        } else {
            0.0
        };
        token.max(joined).min(1.0) * penalty
    }

    /// Keys worth scoring: exact forms, keys sharing bigrams, and entries holding the numbers.
    fn candidates(&self, q: &Query, scope: Option<Kind>, out: &mut Vec<u32>) {
        /// Buffers reused from one lookup to the next on a thread.
        #[derive(Default)]
        struct Scratch {
            /// Shared bigrams per key, zero between lookups. A count is at most the query's
            /// distinct bigrams, fewer than [`GRAM_CODES`], so it never overflows.
            counts: Vec<u16>,
            /// Keys whose count is not zero (one slot per key and one more, written ahead).
            touched: Vec<u32>,
            query_grams: Vec<u16>,
            /// (posting length over every class, bigram) of the query's bigrams.
            lists: Vec<(usize, u16)>,
            /// (Dice overlap, key).
            ranked: Vec<(u32, u32)>,
        }
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        if !q.compact.is_empty() {
            SCRATCH.with(|scratch| {
                let scratch = &mut *scratch.borrow_mut();
                let Scratch {
                    counts,
                    touched,
                    query_grams,
                    lists,
                    ranked,
                } = scratch;
                if counts.len() < self.keys.len() {
                    counts.resize(self.keys.len(), 0);
                    touched.resize(self.keys.len() + 1, 0);
                }
                query_grams.clear();
                lists.clear();
                ranked.clear();
                for i in 0..q.words.len() {
                    for g in bigrams(q.word(i)) {
                        if !query_grams.contains(&g) {
                            query_grams.push(g);
                        }
                    }
                }
                // Rarest bigrams first; once many postings are counted, the common bigrams
                // left add cost but little information (this only happens in very large
                // fact bases: the real one counts about a thousand postings per query). The
                // budget and the overlap below count every kind's keys, whatever the scope.
                lists.extend(
                    query_grams
                        .iter()
                        .map(|&g| (self.posting(g, (0, CLASSES)).len(), g))
                        .filter(|&(len, _)| len > 0),
                );
                lists.sort_by_key(|&(len, _)| len);
                let mut total = 0;
                let keep = lists
                    .iter()
                    .take_while(|&&(len, _)| {
                        total += len;
                        total <= POSTING_BUDGET
                    })
                    .count()
                    .max(3.min(lists.len()));
                lists.truncate(keep);
                let classes = class_range(scope);
                // Only keys sharing `need` of the query's bigrams are ranked below. Such a key
                // is in at least one of the first `qn - need + 1` lists (it misses at most
                // `qn - need` of them), so only those lists add keys to `touched`; the last
                // `need - 1` lists, the longest, only count keys already there.
                let qn = lists.len() as u32;
                let need = qn.div_ceil(4).max(1);
                let (opening, closing) = lists.split_at(lists.len() + 1 - need as usize);
                // The hot loops, over every posting of the query's bigrams in scope; locals,
                // so the compiler keeps them in registers. A key is written to `touched` every
                // time and kept there (the length grows) only the first time, which spares a
                // branch the processor cannot predict.
                let counts = &mut counts[..self.keys.len()];
                let touched = &mut touched[..];
                let mut n = 0;
                for &(_, g) in opening {
                    for &k in self.posting(g, classes) {
                        let c = &mut counts[k as usize];
                        touched[n] = k;
                        n += usize::from(*c == 0);
                        *c += 1;
                    }
                }
                for &(_, g) in closing {
                    for &k in self.posting(g, classes) {
                        let c = &mut counts[k as usize];
                        *c += u16::from(*c != 0);
                    }
                }
                // Rank by Dice overlap (shared bigrams over both sizes), which favours keys of
                // the query's length over long keys that merely contain its letters.
                let mut best = 0;
                let mut local = std::mem::take(ranked);
                for &k in &touched[..n] {
                    let shared = u32::from(counts[k as usize]);
                    counts[k as usize] = 0;
                    if shared >= need {
                        let grams = u32::from(self.key_grams[k as usize]);
                        let dice = 2000 * shared / (qn + grams).max(1);
                        best = best.max(dice);
                        local.push((dice, k));
                    }
                }
                *ranked = local;
                // Far weaker overlaps than the best cannot win; don't spend time scoring them.
                // Of the rest, the best CANDIDATES (the same keys as taking the best first and
                // then dropping the weak: the cut only removes a tail).
                ranked.retain(|r| r.0 * 2 >= best);
                let take = CANDIDATES.min(ranked.len());
                if ranked.len() > take {
                    ranked.select_nth_unstable_by(take - 1, |a, b| b.cmp(a));
                }
                out.extend(ranked[..take].iter().map(|&(_, k)| k));
            });
        }
        // Entries holding the query's first number: with no words, or words that only
        // describe the entry ("secretary general 2014"), the number finds them. One key per
        // entry suffices: such a score does not depend on the key's words.
        if let Some(entries) = q.numbers.first().and_then(|n| self.by_number.get(n)) {
            for &e in entries.iter().take(CANDIDATES) {
                if let Some(k) = self.first_key_of(e) {
                    out.push(k);
                }
            }
        }
    }

    fn first_key_of(&self, entry: u32) -> Option<u32> {
        // Keys are added entry by entry; a binary search finds the first key of an entry.
        let i = self.keys.partition_point(|k| match k.target {
            Target::Entry(e) => e < entry,
            Target::World(_) => false,
        });
        (i < self.keys.len() && self.keys[i].target == Target::Entry(entry)).then_some(i as u32)
    }

    /// Resolves a query to an entry of `scope` (or of any kind), or to suggestions.
    pub fn lookup(&self, text: &str, scope: Option<Kind>) -> Resolution {
        /// Buffers a lookup reuses from one call to the next on a thread.
        #[derive(Default)]
        struct Scratch {
            query: Query,
            candidates: Vec<u32>,
            ranked: Vec<(Target, f32)>,
        }
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                let Scratch {
                    query,
                    candidates,
                    ranked,
                } = &mut *scratch;
                query.parse(text);
                self.lookup_query(query, scope, candidates, ranked)
            }
            // Not reached today (nothing looks up while a lookup runs), but cheap to allow.
            Err(_) => {
                let q = Query::new(text);
                self.lookup_query(&q, scope, &mut Vec::new(), &mut Vec::new())
            }
        })
    }

    /// [`Index::lookup`] of a prepared query, with buffers for the candidate keys and the
    /// scored targets.
    fn lookup_query(
        &self,
        q: &Query,
        scope: Option<Kind>,
        candidates: &mut Vec<u32>,
        ranked: &mut Vec<(Target, f32)>,
    ) -> Resolution {
        if q.is_empty() {
            return Resolution {
                outcome: Outcome::NoMatch,
                suggestions: Vec::new(),
            };
        }
        let exact = self
            .exact
            .get(q.full.as_str())
            .map_or(&[][..], Vec::as_slice);
        if let Some(hit) = self.sole_exact(exact, scope) {
            return hit;
        }
        candidates.clear();
        candidates.extend_from_slice(exact);
        self.candidates(q, scope, candidates);
        ranked.clear();
        for &k in candidates.iter() {
            let key = &self.keys[k as usize];
            if !self.in_scope(key.target, scope) {
                continue;
            }
            let s = self.score(q, key);
            if s > 0.0 {
                match ranked.iter_mut().find(|(t, _)| *t == key.target) {
                    Some(slot) => slot.1 = slot.1.max(s),
                    None => ranked.push((key.target, s)),
                }
            }
        }
        // Targets are unique in `ranked` and `tie_order` orders every two, so an unstable sort
        // gives the one order.
        ranked.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| tie_order(a.0, b.0)));
        self.decide(ranked)
    }

    /// The common case answered without fuzzy scoring: the query is exactly a curated name
    /// of one target in scope and of nothing else.
    /// `keys` are the keys whose full compact form is the query's.
    fn sole_exact(&self, keys: &[u32], scope: Option<Kind>) -> Option<Resolution> {
        let mut target = None;
        let mut score = 0.0f32;
        for &k in keys {
            let key = &self.keys[k as usize];
            if !self.in_scope(key.target, scope) {
                continue;
            }
            if target.is_some_and(|t| t != key.target) {
                return None;
            }
            target = Some(key.target);
            score = score.max(key.weight);
        }
        let outcome = match target? {
            Target::Entry(e) => Outcome::Match(Hit {
                entry: e as usize,
                score,
            }),
            Target::World(w) => {
                let c = &world::all()[w as usize];
                Outcome::NotInSco {
                    name: c.name.to_string(),
                    iso: c.alpha2.clone(),
                }
            }
        };
        Some(Resolution {
            outcome,
            suggestions: Vec::new(),
        })
    }

    fn decide(&self, ranked: &[(Target, f32)]) -> Resolution {
        let entries = || {
            ranked.iter().filter_map(|&(t, score)| match t {
                Target::Entry(e) => Some(Hit {
                    entry: e as usize,
                    score,
                }),
                Target::World(_) => None,
            })
        };
        let mut worlds = ranked.iter().filter_map(|&(t, s)| match t {
            Target::World(w) => Some((w as usize, s)),
            Target::Entry(_) => None,
        });
        let world = worlds.next();
        let world_second = worlds.next().map_or(0.0, |w| w.1);
        let top = entries().next();
        let second = entries().nth(1).map_or(0.0, |h| h.score);
        let world_score = world.map_or(0.0, |w| w.1);
        let suggest = |skip: Option<usize>| -> Vec<Hit> {
            entries()
                .filter(|h| Some(h.entry) != skip && h.score >= SUGGEST)
                .take(5)
                .collect()
        };
        if let Some((w, ws)) = world {
            let lead = ws - top.map_or(0.0, |t| t.score).max(world_second);
            if ws >= WORLD_ACCEPT && (lead >= MARGIN || (ws >= 0.999 && lead > 0.0)) {
                let c = &world::all()[w];
                return Resolution {
                    outcome: Outcome::NotInSco {
                        name: c.name.to_string(),
                        iso: c.alpha2.clone(),
                    },
                    suggestions: suggest(None),
                };
            }
        }
        if let Some(t) = top {
            let rival = second.max(world_score);
            let clear = t.score >= ACCEPT && t.score - rival >= MARGIN;
            let sole_exact = t.score >= 0.999 && rival < 0.999;
            if clear || sole_exact {
                return Resolution {
                    outcome: Outcome::Match(t),
                    suggestions: suggest(Some(t.entry)),
                };
            }
        }
        Resolution {
            outcome: Outcome::NoMatch,
            suggestions: suggest(None),
        }
    }

    /// Up to `limit` completions of a partial query, for autocomplete: names that start with
    /// it, then names with a word that starts with it, then fuzzy suggestions.
    pub fn complete(&self, partial: &str, scope: Option<Kind>, limit: usize) -> Vec<Completion> {
        let q = Query::new(partial);
        let mut out: Vec<u32> = Vec::new();
        if q.full.is_empty() {
            let kinds: Vec<Kind> = scope.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
            for k in kinds {
                if let Some(list) = self.browse.get(&k) {
                    out.extend(list.iter().take(limit - out.len().min(limit)));
                }
            }
            out.truncate(limit);
            return out
                .into_iter()
                .map(|e| Completion { entry: e as usize })
                .collect();
        }
        let prefix = q.full.as_str();
        let start = self.prefixes.partition_point(|(s, ..)| &**s < prefix);
        // Whole names before words inside names, curated names before generated ones (such
        // as other languages' names for a country), shorter before longer.
        let mut hits: Vec<(bool, bool, usize, u32)> = Vec::new();
        for (suffix, e, pos, generated) in self.prefixes[start..].iter().take(4000) {
            if !suffix.starts_with(prefix) {
                break;
            }
            if scope.is_some_and(|k| self.kinds[*e as usize] != k) {
                continue;
            }
            hits.push((*pos > 0, *generated, suffix.len(), *e));
        }
        hits.sort_unstable();
        for (.., e) in hits {
            if !out.contains(&e) {
                out.push(e);
                if out.len() == limit {
                    break;
                }
            }
        }
        if out.len() < limit && q.full.len() >= 3 {
            let r = self.lookup(partial, scope);
            let fuzzy = r.matched().into_iter().chain(r.suggestions);
            for h in fuzzy {
                let e = h.entry as u32;
                if !out.contains(&e) && out.len() < limit {
                    out.push(e);
                }
            }
        }
        out.into_iter()
            .map(|e| Completion { entry: e as usize })
            .collect()
    }
}

/// Among equal scores, entries before world countries, then by position (stable results).
fn tie_order(a: Target, b: Target) -> std::cmp::Ordering {
    let rank = |t: Target| match t {
        Target::Entry(e) => (0u8, e),
        Target::World(w) => (1, w),
    };
    rank(a).cmp(&rank(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> (FactBase, Index) {
        let fb = FactBase::bundled().expect("the built-in facts load");
        let index = Index::build(&fb);
        (fb, index)
    }

    fn id_of(fb: &FactBase, index: &Index, query: &str, scope: Option<Kind>) -> Option<String> {
        index
            .lookup(query, scope)
            .matched()
            .map(|h| fb.entries[h.entry].id.clone())
    }

    #[test]
    fn word_similarity_allows_typos_by_length_and_never_numbers() {
        let word_similarity = |a: &str, b: &str| similar(&Word::new(a), &Word::new(b));
        assert_eq!(word_similarity("kazakhstan", "kazakhstan"), 1.0);
        assert!(
            word_similarity("kazakhsatn", "kazakhstan") > 0.85,
            "transposition"
        );
        assert!(
            word_similarity("kazakstan", "kazakhstan") > 0.85,
            "missing letter"
        );
        assert!(
            word_similarity("belaruss", "belarus") > 0.85,
            "doubled letter"
        );
        assert!(
            word_similarity("kyrgyzstan", "kazakhstan") < 0.6,
            "near neighbours differ"
        );
        assert_eq!(word_similarity("of", "or"), 0.0, "short words are exact");
        assert!(word_similarity("iraq", "iran") < 0.85);
    }

    #[test]
    fn typos_aliases_and_near_neighbours() {
        let (fb, index) = index();
        let country = Some(Kind::Country);
        let table = [
            ("kazakstan", "kazakhstan"),
            ("kazakhsatn", "kazakhstan"),
            ("kyrgyzstan", "kyrgyzstan"),
            ("kyrgizstan", "kyrgyzstan"),
            ("kirghizia", "kyrgyzstan"),
            ("tadzhikistan", "tajikistan"),
            ("inida", "india"),
            ("bharat", "india"),
            ("türkiye", "turkey"),
            ("rossiya", "russia"),
            ("zhongguo", "china"),
            ("prc", "china"),
            ("u.a.e.", "united-arab-emirates"),
        ];
        for (query, want) in table {
            assert_eq!(
                id_of(&fb, &index, query, country).as_deref(),
                Some(want),
                "{query}"
            );
        }
    }

    #[test]
    fn neighbours_outside_the_sco_are_not_confused_with_members() {
        let (fb, index) = index();
        for query in ["indonesia", "iraq", "chile", "france", "brazil", "austria"] {
            let r = index.lookup(query, Some(Kind::Country));
            assert!(
                matches!(r.outcome, Outcome::NotInSco { .. }),
                "{query}: {:?}",
                r.matched().map(|h| &fb.entries[h.entry].name)
            );
        }
        for query in ["pizza", "zzqqxx", "spaghetti"] {
            assert_eq!(
                index.lookup(query, None).outcome,
                Outcome::NoMatch,
                "{query}"
            );
        }
    }

    #[test]
    fn years_decide_exactly() {
        let (fb, index) = index();
        let summit = Some(Kind::Summit);
        assert_eq!(
            id_of(&fb, &index, "2001", summit).as_deref(),
            Some("summit-2001")
        );
        assert_eq!(
            id_of(&fb, &index, "2002", summit).as_deref(),
            Some("summit-2002")
        );
        assert_eq!(
            id_of(&fb, &index, "2017", summit).as_deref(),
            Some("summit-2017")
        );
        assert_eq!(
            id_of(&fb, &index, "2007", summit).as_deref(),
            Some("summit-2007")
        );
        assert_eq!(
            id_of(&fb, &index, "bishkek 2007", summit).as_deref(),
            Some("summit-2007")
        );
        assert_eq!(
            id_of(&fb, &index, "astana 2017", summit).as_deref(),
            Some("summit-2017")
        );
        assert_eq!(
            id_of(&fb, &index, "astana 2007", summit),
            None,
            "no summit in Astana in 2007"
        );
    }

    #[test]
    fn a_tie_gives_suggestions_not_a_guess() {
        let (fb, index) = index();
        let r = index.lookup("astana", Some(Kind::Summit));
        assert_eq!(r.outcome, Outcome::NoMatch);
        let mut years: Vec<String> = r
            .suggestions
            .iter()
            .map(|h| fb.entries[h.entry].id.clone())
            .collect();
        years.sort();
        assert_eq!(
            years,
            ["summit-2005", "summit-2011", "summit-2017", "summit-2024"]
        );
    }

    #[test]
    fn scores_are_in_range_and_ranked() {
        let (_, index) = index();
        for query in ["kazakstan", "council", "2017", "shanghai", "zz", "三股势力"] {
            let r = index.lookup(query, None);
            let scores: Vec<f32> = r
                .matched()
                .into_iter()
                .chain(r.suggestions.clone())
                .map(|h| h.score)
                .collect();
            assert!(
                scores.iter().all(|s| (0.0..=1.0).contains(s)),
                "{query}: {scores:?}"
            );
            assert!(
                r.suggestions.windows(2).all(|w| w[0].score >= w[1].score),
                "{query}"
            );
            assert!(r.suggestions.len() <= 5);
        }
    }

    #[test]
    fn autocomplete_ranks_prefixes_then_words_within_the_limit() {
        let (fb, index) = index();
        let names = |partial: &str, scope| -> Vec<String> {
            index
                .complete(partial, scope, AUTOCOMPLETE_LIMIT)
                .into_iter()
                .map(|c| fb.entries[c.entry].name.clone())
                .collect()
        };
        let ka = names("ka", Some(Kind::Country));
        assert_eq!(ka.first().map(String::as_str), Some("Kazakhstan"), "{ka:?}");
        let heads = names("heads of", Some(Kind::Body));
        assert!(
            heads.iter().any(|n| n == "Council of Heads of State"),
            "{heads:?}"
        );
        let empty = names("", Some(Kind::Country));
        assert_eq!(empty.len(), AUTOCOMPLETE_LIMIT);
        assert_eq!(
            empty.first().map(String::as_str),
            Some("China"),
            "file order: members first"
        );
        let all = names("", None);
        assert_eq!(all.len(), AUTOCOMPLETE_LIMIT);
        let typo = names("kyrgiz", Some(Kind::Country));
        assert_eq!(
            typo.first().map(String::as_str),
            Some("Kyrgyzstan"),
            "fuzzy fallback"
        );
        let years = names("201", Some(Kind::Summit));
        assert!(
            years.len() >= 10 && years.iter().all(|n| n.contains("201")),
            "{years:?}"
        );
    }
}

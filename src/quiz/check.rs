//! Fair answer checking: a typed answer against a [`Question`].
//!
//! The rules, and why (see the lessons on answer matching in the peer-bot review):
//! - The **whole** normalised answer is compared, never "contains": containment rewards
//!   negation ("not Bishkek") and shotgun replies ("Kazakhstan Kyrgyzstan Uzbekistan").
//! - Normalisation first ([`normalize`]: NFKC, transliteration, case, quotes, dashes,
//!   punctuation, `&` = "and", number words as digits, filler words and leading articles), so
//!   that no threshold has to absorb character noise.
//! - Years, numbers and dates are compared as values, exactly: "6" = "six", but 1921 is never
//!   1920. Acronyms ("RATS", "U.A.E.", the initials of a multi-word answer) match exactly.
//! - Names ([`AnswerKind::Name`]) forgive typos only within a budget that grows with word length
//!   and only when the answer is clearly closer to a right form than to every known wrong one
//!   (`q.wrong` and the other choices): "Kazakstan" is Kazakhstan, "Kyrgyzstan" is not.
//! - Other text ([`AnswerKind::Text`]) is exact after normalisation.
//!
//! - An answer that names a **broader or partial** thing (a city that hosted several
//!   summits, "strategy" for "SCO Development Strategy until 2035", a year for a date) is
//!   neither right nor wrong: [`Judgement::MoreSpecific`] asks for more, and the player may try
//!   once more. It never matches a known wrong answer exactly.
//!
//! **Invariant:** a false accept is worse than a false reject (it is unfair to every other
//! player), so every doubtful case is a reject, at most with a "close, but not quite" hint.

use crate::facts::MONTHS;
use crate::quiz::{AnswerKind, Question};
use crate::search::distance::{is_one_swap, osa_within};
use crate::search::normalize::{self, NumberWord, Token, number_word};

/// The verdict on a typed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// Right. `canonical` is the question's answer (always shown, even on a correct reply),
    /// `matched` the accepted form the answer matched, `exact` false when a typo was forgiven.
    Correct {
        /// The question's canonical answer.
        canonical: String,
        /// The form (the answer or one of `accepted`) that the typed answer matched.
        matched: String,
        /// False when a typo was forgiven.
        exact: bool,
    },
    /// Wrong; `close` when it was near the answer but not clearly (a "close, but not quite" hint
    /// without revealing it), and `canonical` for the reveal.
    Wrong {
        /// The question's canonical answer, for the reveal.
        canonical: String,
        /// The answer was near a right form (and nearer to it than to any wrong one).
        close: bool,
    },
    /// "More specific, please": the answer names a broader or partial thing that includes the
    /// answer (a city that hosted several summits, one word of a longer name, the year of a
    /// date). Neither right nor wrong; the player may try once more.
    MoreSpecific {
        /// What the answer was taken as: the broader form it matched, or the typed text.
        broader: String,
    },
}

/// Answers longer than this are rejected unread: the longest answer in the fact base is under
/// 100 characters (under 300 bytes in Chinese), so anything this long is a paste, not a reply,
/// and reading it would only give a spammer CPU time.
const MAX_ANSWER_BYTES: usize = 2048;

/// Judges a typed answer to `q` (typed mode: text only; a letter such as "B" is not a choice).
pub fn judge(answer: &str, q: &Question) -> Judgement {
    let verdict = if answer.len() > MAX_ANSWER_BYTES {
        Verdict::Wrong { close: false }
    } else {
        let answer = &without_pictographs(answer);
        match q.answer_kind {
            AnswerKind::Year => judge_number(answer, q, true),
            AnswerKind::Number => judge_number(answer, q, false),
            AnswerKind::Date => judge_date(answer, q),
            AnswerKind::Name(_) => judge_text(answer, q, true),
            AnswerKind::Text => judge_text(answer, q, false),
        }
    };
    let canonical = q.answer.clone();
    match verdict {
        Verdict::Right { matched, exact } => Judgement::Correct {
            canonical,
            matched,
            exact,
        },
        Verdict::Wrong { close } => Judgement::Wrong { canonical, close },
        Verdict::Broader { broader } => Judgement::MoreSpecific { broader },
    }
}

/// The reveal text: the canonical answer and every accepted alternative, e.g.
/// "Kazakhstan (also accepted: Kazakstan, Qazaqstan, Казахстан)".
pub fn reveal(q: &Question) -> String {
    let canonical = q.answer.trim();
    let mut shown: Vec<&str> = Vec::new();
    for alt in &q.accepted {
        let alt = alt.trim();
        // Only literal repeats are dropped: "Казахстан" folds to the same letters as
        // "Kazakhstan" but is worth showing to a learner.
        let repeat = |s: &str| s.to_lowercase() == alt.to_lowercase();
        if alt.is_empty() || repeat(canonical) || shown.iter().any(|s| repeat(s)) {
            continue;
        }
        shown.push(alt);
    }
    if shown.is_empty() {
        canonical.to_string()
    } else {
        format!("{canonical} (also accepted: {})", shown.join(", "))
    }
}

/// The answer with emoji and pictographs (flags, thumbs, ticks, their modifiers and joiners) as
/// spaces. Chat users decorate answers ("Kazakhstan 🇰🇿"), and the transliteration would turn
/// them into letters or even numbers (👍 is ":+1:"), breaking whole-answer and number matching.
fn without_pictographs(answer: &str) -> std::borrow::Cow<'_, str> {
    let pictograph = |c: char| {
        matches!(
            u32::from(c),
            0x1F000..=0x1FAFF // flags, emoticons, pictographs, transport, supplemental symbols
                | 0x2600..=0x27BF // miscellaneous symbols and dingbats (☀, ✅, ❌)
                | 0x2B00..=0x2BFF // stars and arrows (⭐)
                | 0xFE00..=0xFE0F // variation selectors
                | 0x200D // zero-width joiner inside emoji sequences
                | 0xE0020..=0xE007F // tag characters of subdivision flags
        )
    };
    if answer.chars().any(pictograph) {
        answer
            .chars()
            .map(|c| if pictograph(c) { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        answer.into()
    }
}

/// [`Judgement`] without the canonical answer, which [`judge`] adds.
enum Verdict {
    Right { matched: String, exact: bool },
    Wrong { close: bool },
    Broader { broader: String },
}

/// The right forms of a question: the canonical answer first, then the accepted ones.
fn right_forms(q: &Question) -> impl Iterator<Item = &str> {
    std::iter::once(q.answer.as_str()).chain(q.accepted.iter().map(String::as_str))
}

/// The known wrong answers: `q.wrong` and the choices other than the right one.
fn wrong_forms(q: &Question) -> impl Iterator<Item = &str> {
    let choices = q
        .choices
        .iter()
        .enumerate()
        .filter(move |(i, _)| *i != q.correct)
        .map(|(_, c)| c.as_str());
    q.wrong.iter().map(String::as_str).chain(choices)
}

// ---------------------------------------------------------------------------------------------
// Names and text
// ---------------------------------------------------------------------------------------------

/// A normalised answer or answer form.
#[derive(Debug)]
struct Form {
    /// Words, in order (letters only; numbers are in `numbers`).
    words: Vec<String>,
    /// Numbers, in order: they must be equal for any match, fuzzy or not.
    numbers: Vec<u32>,
    /// Words and numbers joined without spaces (numbers as `#n#`, so "2 1" ≠ "21"): equal keys
    /// mean an exact match, and spacing differences ("non alignment") are not even typos.
    key: String,
    /// Written as an acronym ("RATS", "U.A.E.", "ШОС"): only an exact match will do.
    acronym: bool,
}

impl Form {
    fn new(text: &str) -> Form {
        let folded = normalize::fold(text);
        let mut words: Vec<&str> = folded.split_ascii_whitespace().collect();
        // The normaliser drops "the", "a" and "an" anywhere unless only filler is left, so
        // "the SCO" would stay "thesco"; a leading article always goes. A lone "a" before
        // another single letter is an initial ("A.B.C."), not an article.
        while words.len() > 1
            && (matches!(words[0], "the" | "an") || (words[0] == "a" && words[1].len() > 1))
        {
            words.remove(0);
        }
        let mut form = Form {
            words: Vec::new(),
            numbers: Vec::new(),
            key: String::new(),
            acronym: is_acronym(text),
        };
        for token in normalize::tokens(&words.join(" ")) {
            match token {
                Token::Word(w) => {
                    form.key.push_str(&w);
                    form.words.push(w);
                }
                Token::Number(n) => {
                    form.key.push_str(&format!("#{n}#"));
                    form.numbers.push(n);
                }
            }
        }
        form
    }

    /// How many words and numbers.
    fn len(&self) -> usize {
        self.words.len() + self.numbers.len()
    }

    /// The letters of the words, spaces removed.
    fn letters(&self) -> String {
        self.words.concat()
    }
}

/// Whether a form is written as an acronym: 2 to 6 letters, all capitals ("SCO", "U.A.E.",
/// "КНР"). Such forms are never matched fuzzily: "RAT" is not "RATS".
fn is_acronym(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    (2..=6).contains(&letters.len())
        && letters.iter().all(|c| !c.is_lowercase())
        && letters.iter().any(|c| c.is_uppercase())
}

/// The acronym of a multi-word form, if it has at least three initials ("Regional
/// Anti-Terrorist Structure" → "rats"). Two-letter initials ("SA" for Saudi Arabia) are too
/// easy to hit by accident to accept unless a curator lists them.
fn initials_of(text: &str) -> Option<String> {
    normalize::initialism(text).filter(|i| i.len() >= 3)
}

fn judge_text(answer: &str, q: &Question, fuzzy: bool) -> Verdict {
    let typed = Form::new(answer);
    if typed.key.is_empty() {
        return Verdict::Wrong { close: false };
    }
    let rights: Vec<(&str, Form)> = right_forms(q)
        .map(|s| (s, Form::new(s)))
        .filter(|(_, f)| !f.key.is_empty())
        .collect();
    if let Some((s, _)) = rights.iter().find(|(_, f)| f.key == typed.key) {
        return Verdict::Right {
            matched: s.to_string(),
            exact: true,
        };
    }
    // A wrong form equal to a right one is a content slip, not a wrong answer: leaving it in
    // would make the right answer's own typos unforgivable.
    let wrongs: Vec<(&str, Form)> = wrong_forms(q)
        .map(|s| (s, Form::new(s)))
        .filter(|(_, f)| !f.key.is_empty() && rights.iter().all(|(_, r)| r.key != f.key))
        .collect();
    if wrongs.iter().any(|(_, f)| f.key == typed.key) {
        return Verdict::Wrong { close: false };
    }
    if let Some(b) = q.broader.iter().find(|b| Form::new(b).key == typed.key) {
        return Verdict::Broader { broader: b.clone() };
    }
    if fuzzy {
        // The initials of a long name are as exact as the name, unless a wrong answer has the
        // same initials (then the reply cannot tell which one was meant).
        let is_typed = |i: &String| *i == typed.key;
        let initials_of_wrong = wrongs
            .iter()
            .any(|(s, _)| initials_of(s).is_some_and(|i| is_typed(&i)));
        if !initials_of_wrong
            && typed.numbers.is_empty()
            && typed.words.len() == 1
            && let Some(initials) = rights
                .iter()
                .find_map(|(s, _)| initials_of(s).filter(is_typed))
        {
            return Verdict::Right {
                matched: initials.to_uppercase(),
                exact: true,
            };
        }
        if let Some(v) = forgive_typo(&typed, &rights, &wrongs) {
            return v;
        }
    }
    if rights.iter().any(|(_, r)| is_part_of(&typed, r)) {
        return Verdict::Broader {
            broader: answer.trim().to_string(),
        };
    }
    Verdict::Wrong {
        close: is_close(&typed, &rights, &wrongs, fuzzy),
    }
}

/// Whether an answer is a strict part of a right form: fewer words, each a word of the form
/// ("strategy", "Development Strategy" of "SCO Development Strategy until 2035"), its numbers
/// among the form's. Words of one or two letters do not count ("a", "of"), and an acronym is
/// exact or nothing.
fn is_part_of(typed: &Form, right: &Form) -> bool {
    if typed.words.is_empty() || typed.acronym || typed.len() >= right.len() {
        return false;
    }
    if typed.words.iter().any(|w| w.len() < 3) {
        return false;
    }
    let mut words = right.words.clone();
    let words_ok = typed
        .words
        .iter()
        .all(|w| match words.iter().position(|r| r == w) {
            Some(i) => {
                words.remove(i);
                true
            }
            None => false,
        });
    words_ok && typed.numbers.iter().all(|n| right.numbers.contains(n))
}

/// Accepts a typo of a right form when it is within the typo budget and the answer is more
/// than twice as far (in edits) from every wrong form: "Kazakstan" (1 edit from Kazakhstan,
/// 5 from Kyrgyzstan) passes, "Austrlia" (1 from Australia, 1 from Austria) does not.
fn forgive_typo(typed: &Form, rights: &[(&str, Form)], wrongs: &[(&str, Form)]) -> Option<Verdict> {
    let (matched, d) = rights
        .iter()
        .filter_map(|(s, f)| typo_distance(typed, f).map(|d| (*s, d)))
        .min_by_key(|&(_, d)| d)?;
    // A wrong form with other numbers cannot be what was meant (numbers are never fuzzy), so
    // "Strategy until 2035" does not crowd out a typo in "Strategy until 2025".
    let typed_key = typed.key.as_bytes();
    let clear = wrongs
        .iter()
        .filter(|(_, w)| w.numbers == typed.numbers)
        .all(|(_, w)| osa_within(typed_key, w.key.as_bytes(), 2 * d).is_none());
    clear.then(|| Verdict::Right {
        matched: matched.to_string(),
        exact: false,
    })
}

/// The edits between an answer and a right form, if they are all forgivable typos: same
/// numbers, not an acronym, every word within its own budget (or, for a space typed or missed,
/// the joined letters within one edit), and every typed word at least three letters long so
/// that "no Bishkek" or "x Bishkek" cannot pass as a typo.
fn typo_distance(typed: &Form, right: &Form) -> Option<usize> {
    if right.acronym || typed.numbers != right.numbers || typed.words.is_empty() {
        return None;
    }
    if typed.words.iter().any(|w| w.len() < 3) {
        return None;
    }
    let letters = right.letters();
    let total_budget = typo_budget(letters.len());
    if typed.words.len() == right.words.len() {
        let total: Option<usize> = (typed.words.iter().zip(&right.words))
            .map(|(t, r)| word_typos(t, r))
            .sum();
        if let Some(total) = total.filter(|&d| d <= total_budget.max(1)) {
            return Some(total);
        }
    }
    // A space in the wrong place ("Kazak stan", "SriLanka") plus at most one typo.
    if letters.len() >= 8 && typed.words.len().abs_diff(right.words.len()) == 1 {
        let d = osa_within(typed.letters().as_bytes(), letters.as_bytes(), 1)?;
        return Some(d.max(1));
    }
    None
}

/// Typos forgiven in a word of `len` letters: none up to five (Iran/Iraq, India/Indio,
/// Nepal/Natal are one letter apart), one up to nine, two up to fourteen, then three.
fn typo_budget(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=9 => 1,
        10..=14 => 2,
        _ => 3,
    }
}

/// Edits between a typed word and a right word, if forgivable. A five-letter word may have two
/// neighbouring letters swapped ("Inida", "Chnia"): the same letters, so not another name.
fn word_typos(typed: &str, right: &str) -> Option<usize> {
    if typed == right {
        return Some(0);
    }
    if right.len() == 5 && is_one_swap(typed.as_bytes(), right.as_bytes()) {
        return Some(1);
    }
    osa_within(typed.as_bytes(), right.as_bytes(), typo_budget(right.len())).filter(|&d| d > 0)
}

/// "Close, but not quite": a right form with as many words and numbers is within one edit
/// more than its typo budget (names) or within one edit (text, which forgives none), and no
/// wrong form is as near (a typo of a wrong answer gets no hint that it was nearly right).
/// An added or missing word is never close: "not Kazakhstan", "Kazakh SSR", "Wily".
fn is_close(typed: &Form, rights: &[(&str, Form)], wrongs: &[(&str, Form)], names: bool) -> bool {
    let typed_key = typed.key.as_bytes();
    let nearest = rights
        .iter()
        .filter(|(_, f)| f.len() == typed.len())
        .filter_map(|(_, f)| {
            let limit = if names {
                typo_budget(f.key.len()) + 1
            } else {
                1
            };
            osa_within(typed_key, f.key.as_bytes(), limit)
        })
        .min();
    let Some(d) = nearest else {
        return false;
    };
    d > 0
        && wrongs
            .iter()
            .all(|(_, w)| osa_within(typed_key, w.key.as_bytes(), d).is_none())
}

// ---------------------------------------------------------------------------------------------
// Years and numbers
// ---------------------------------------------------------------------------------------------

/// Words that turn a number into a different claim ("not 6", "more than 6", "6 or 7",
/// "before 2001"): never accepted around a number, even if the prompt uses them.
const HEDGES: &[&str] = &[
    "not",
    "no",
    "never",
    "nor",
    "neither",
    "none",
    "except",
    "but",
    "or",
    "maybe",
    "perhaps",
    "probably",
    "either",
    "than",
    "before",
    "after",
    "around",
    "about",
    "approximately",
    "approx",
    "circa",
    "ca",
    "over",
    "under",
    "more",
    "less",
    "fewer",
    "least",
    "most",
    "almost",
    "nearly",
    "between",
    "until",
    "till",
    "since",
    "above",
    "below",
    "beyond",
    "within",
    "roughly",
    "like",
    "plus",
    "minus",
    "isnt",
    "wasnt",
    "arent",
    "to",
];

/// Words that may stand around any number ("in 2001", "the year 2001", "2001 AD").
const NUMBER_FRAME: &[&str] = &[
    "in", "the", "year", "a", "an", "of", "on", "ad", "ce", "it", "is", "was", "its",
];

fn judge_number(answer: &str, q: &Question, year: bool) -> Verdict {
    // Right forms that are numbers are compared as values; any that are not (a content choice
    // such as "none") fall back to exact text.
    let mut values: Vec<(&str, u64)> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for s in right_forms(q) {
        // A right form may carry its own unit ("10 member states").
        let words = words_of(s);
        match parse_number(&words, &words, year) {
            Some(v) => values.push((s, v)),
            None => texts.push(s),
        }
    }
    let mut allowed: Vec<String> = Vec::new();
    for s in right_forms(q).chain(std::iter::once(q.prompt.as_str())) {
        allowed.extend(words_of(s));
    }
    allowed.retain(|w| !HEDGES.contains(&w.as_str()));
    let typed = words_of(answer);
    if let Some(v) = parse_number(&typed, &allowed, year) {
        if let Some((s, _)) = values.iter().find(|(_, r)| *r == v) {
            return Verdict::Right {
                matched: s.to_string(),
                exact: true,
            };
        }
        // Off by one is close: a fair hint that does not give the number away.
        let close = values.iter().any(|(_, r)| r.abs_diff(v) == 1);
        return Verdict::Wrong { close };
    }
    same_text(answer, &texts)
}

/// Right when the answer, normalised, is one of `texts` exactly: the fallback for numbers and
/// dates written in a form their parsers don't read.
fn same_text(answer: &str, texts: &[&str]) -> Verdict {
    let key = Form::new(answer).key;
    if !key.is_empty()
        && let Some(s) = texts.iter().find(|s| Form::new(s).key == key)
    {
        return Verdict::Right {
            matched: s.to_string(),
            exact: true,
        };
    }
    Verdict::Wrong { close: false }
}

/// The folded words of a text.
fn words_of(text: &str) -> Vec<String> {
    normalize::fold(text)
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect()
}

/// The one number an answer states, if it states exactly one and every other word is allowed
/// (`allowed` or [`NUMBER_FRAME`]; a plural "s" is ignored). Hedges are never allowed, so "not
/// 6" and "6 or 7" state no number. `year` also reads "nineteen ninety-six" and "twenty
/// twenty-three" as years.
fn parse_number(words: &[String], allowed: &[String], year: bool) -> Option<u64> {
    let numeric: Vec<bool> = (0..words.len()).map(|i| is_number_part(words, i)).collect();
    let start = numeric.iter().position(|&n| n)?;
    let end = numeric.iter().rposition(|&n| n)? + 1;
    // One run of number words; everything around it must be allowed words.
    if numeric[start..end].iter().any(|&n| !n) {
        return None;
    }
    let framed = |w: &String| {
        let bare = w.strip_suffix('s').unwrap_or(w);
        !HEDGES.contains(&w.as_str())
            && (NUMBER_FRAME.contains(&w.as_str())
                || allowed
                    .iter()
                    .any(|a| a == w || a == bare || a.strip_suffix('s') == Some(w.as_str())))
    };
    if !words[..start].iter().chain(&words[end..]).all(framed) {
        return None;
    }
    let run = &words[start..end];
    parse_run(run).or_else(|| if year { parse_year_pair(run) } else { None })
}

/// Whether word `i` belongs to a written number: a number word, or "and"/"a" inside one
/// ("two hundred and six", "a thousand").
fn is_number_part(words: &[String], i: usize) -> bool {
    let next = words.get(i + 1).and_then(|w| number_word(w));
    match words[i].as_str() {
        "and" => {
            i > 0
                && number_word(&words[i - 1]).is_some()
                && next.is_some_and(|n| !matches!(n, NumberWord::Hundred | NumberWord::Thousand))
        }
        "a" => matches!(next, Some(NumberWord::Hundred | NumberWord::Thousand)),
        w => number_word(w).is_some(),
    }
}

/// The value of a run of number words, if it is well formed English or digits: "2001",
/// "1 000" (from "1,000"), "six", "twenty-five", "two thousand and one", "nineteen hundred",
/// "17th", "seventeenth". "two five" or "2 5" is no number.
fn parse_run(run: &[String]) -> Option<u64> {
    #[derive(PartialEq)]
    enum Last {
        Start,
        Digits(usize),
        Unit,
        Tens,
        Hundred,
        Thousand,
        And,
    }
    let mut total = 0u64;
    let mut group = 0u64;
    let mut last = Last::Start;
    let mut ended = false;
    for word in run {
        if ended {
            // Nothing follows an ordinal ("17th 5").
            return None;
        }
        if word == "and" {
            if !matches!(last, Last::Hundred | Last::Thousand) {
                return None;
            }
            last = Last::And;
            continue;
        }
        let part = if word == "a" {
            NumberWord::Unit {
                value: 1,
                ordinal: false,
            }
        } else {
            number_word(word)?
        };
        match part {
            NumberWord::Digits {
                value,
                len,
                ordinal,
            } => {
                match last {
                    Last::Start => group = value,
                    // Thousands groups: "1 000", "10 000 000".
                    Last::Digits(prev) if len == 3 && (1..=3).contains(&prev) => {
                        group = group.checked_mul(1000)?.checked_add(value)?;
                    }
                    _ => return None,
                }
                last = Last::Digits(if matches!(last, Last::Start) { len } else { 3 });
                ended = ordinal;
            }
            NumberWord::Unit { value, ordinal } => {
                let fresh = matches!(
                    last,
                    Last::Start | Last::Hundred | Last::Thousand | Last::And
                );
                let after_tens = last == Last::Tens && (1..=9).contains(&value);
                if !(fresh || after_tens) || (value == 0 && run.len() > 1) {
                    return None;
                }
                group += value;
                last = Last::Unit;
                ended = ordinal;
            }
            NumberWord::Tens { value, ordinal } => {
                if !matches!(
                    last,
                    Last::Start | Last::Hundred | Last::Thousand | Last::And
                ) {
                    return None;
                }
                group += value;
                last = Last::Tens;
                ended = ordinal;
            }
            NumberWord::Hundred => {
                if !matches!(last, Last::Unit | Last::Tens | Last::Digits(_))
                    || group.is_multiple_of(100)
                {
                    return None;
                }
                // "nineteen hundred" = 1900, "three hundred" = 300; "2 thousand 3 hundred" no.
                if group >= 100 {
                    return None;
                }
                group *= 100;
                last = Last::Hundred;
            }
            NumberWord::Thousand => {
                if total != 0
                    || group == 0
                    || group >= 1000
                    || !matches!(
                        last,
                        Last::Unit | Last::Tens | Last::Hundred | Last::Digits(_)
                    )
                {
                    return None;
                }
                total = group * 1000;
                group = 0;
                last = Last::Thousand;
            }
        }
    }
    if matches!(last, Last::Start | Last::And) {
        return None;
    }
    total.checked_add(group)
}

/// A year said as two pairs of words ("nineteen ninety-six", "twenty twenty-three"): each half
/// from ten to ninety-nine, written in words (digits "20 23" are not a year).
fn parse_year_pair(run: &[String]) -> Option<u64> {
    if run
        .iter()
        .any(|w| matches!(number_word(w), Some(NumberWord::Digits { .. })))
    {
        return None;
    }
    (1..run.len()).find_map(|k| {
        let high = parse_run(&run[..k]).filter(|v| (10..=99).contains(v))?;
        let low = parse_run(&run[k..]).filter(|v| (10..=99).contains(v))?;
        Some(high * 100 + low)
    })
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// A calendar date as (year, month, day).
type Ymd = (u32, u32, u32);

fn judge_date(answer: &str, q: &Question) -> Verdict {
    let mut dates: Vec<(&str, Ymd)> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for s in right_forms(q) {
        match parse_date(s) {
            Some(d) => dates.push((s, d)),
            None => texts.push(s),
        }
    }
    if let Some((year, month)) = parse_year_month(answer)
        && dates
            .iter()
            .any(|(_, d)| d.0 == year && month.is_none_or(|m| m == d.1))
    {
        return Verdict::Broader {
            broader: answer.trim().to_string(),
        };
    }
    if let Some(typed) = parse_date(answer) {
        if let Some((s, _)) = dates.iter().find(|(_, d)| *d == typed) {
            return Verdict::Right {
                matched: s.to_string(),
                exact: true,
            };
        }
        // One part wrong (the day, the month or the year) is close.
        let close = dates.iter().any(|(_, d)| {
            usize::from(d.0 != typed.0) + usize::from(d.1 != typed.1) + usize::from(d.2 != typed.2)
                == 1
        });
        return Verdict::Wrong { close };
    }
    same_text(answer, &texts)
}

/// A year alone ("2001") or a month and a year ("June 2001", "2001-06"): part of a date.
fn parse_year_month(text: &str) -> Option<(u32, Option<u32>)> {
    let words: Vec<String> = words_of(text)
        .into_iter()
        .filter(|w| !matches!(w.as_str(), "in" | "the" | "of"))
        .collect();
    let year4 = |w: &str| plain_digits(w, 4).filter(|_| w.len() == 4);
    match words.as_slice() {
        [y] => Some((year4(y)?, None)),
        [a, b] => match (month_of(a), year4(b)) {
            (Some(m), Some(y)) => Some((y, Some(m))),
            _ => {
                let month = month_of(b).or_else(|| plain_digits(b, 2))?;
                Some((year4(a)?, Some(month)))
            }
        },
        _ => None,
    }
}

/// The month named by a word: "june", "jun", "sept".
fn month_of(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    // Month names are ASCII, so a byte slice of one is a slice of letters.
    let starts = |m: &str| {
        m.get(..word.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(word))
    };
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(word) || (word.len() <= 4 && starts(m)))
        .map(|i| i as u32 + 1)
}

/// A day of the month as digits, possibly ordinal ("15", "15th").
fn day_of(word: &str) -> Option<u32> {
    match number_word(word)? {
        NumberWord::Digits { value, len, .. } if len <= 2 && (1..=31).contains(&value) => {
            u32::try_from(value).ok()
        }
        _ => None,
    }
}

/// A plain number of at most `max_len` digits.
fn plain_digits(word: &str, max_len: usize) -> Option<u32> {
    (word.len() <= max_len && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// A date written as "15 June 2001", "15th of June 2001", "June 15, 2001", "2001-06-15",
/// "2001 June 15" or "15.06.2001" / "06/15/2001" when the day cannot be read as a month (a day
/// of 12 or less would be ambiguous between European and American order, so it is refused).
/// The year has four digits; without it the date is incomplete.
fn parse_date(text: &str) -> Option<Ymd> {
    let words: Vec<String> = words_of(text)
        .into_iter()
        .filter(|w| !matches!(w.as_str(), "on" | "the" | "of"))
        .collect();
    let [a, b, c] = <&[String; 3]>::try_from(words.as_slice()).ok()?;
    let year4 = |w: &str| plain_digits(w, 4).filter(|_| w.len() == 4);
    let date = if let Some(y) = year4(a) {
        // Year first: ISO order, the month as digits or a name.
        let m = month_of(b).or_else(|| plain_digits(b, 2))?;
        (y, m, day_of(c)?)
    } else {
        let y = year4(c)?;
        if let Some(m) = month_of(b) {
            (y, m, day_of(a)?)
        } else if let Some(m) = month_of(a) {
            (y, m, day_of(b)?)
        } else {
            let (x, z) = (plain_digits(a, 2)?, plain_digits(b, 2)?);
            match (x > 12, z > 12) {
                (true, false) => (y, z, x),
                (false, true) => (y, x, z),
                _ if x == z => (y, x, x),
                _ => return None,
            }
        }
    };
    valid_date(date).then_some(date)
}

/// Whether a (year, month, day) exists in the Gregorian calendar.
fn valid_date((y, m, d): Ymd) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Kind;
    use crate::quiz::Topic;

    /// A question as the generator would build one: the answer is choice A, the first three
    /// wrong candidates the other choices.
    fn question(kind: AnswerKind, answer: &str, accepted: &[&str], wrong: &[&str]) -> Question {
        let mut choices = vec![answer.to_string()];
        choices.extend(wrong.iter().take(3).map(|w| w.to_string()));
        Question {
            id: "test/q".to_string(),
            topic: Topic::Members,
            prompt: String::new(),
            answer: answer.to_string(),
            accepted: accepted.iter().map(|s| s.to_string()).collect(),
            choices,
            correct: 0,
            wrong: wrong.iter().map(|s| s.to_string()).collect(),
            answer_kind: kind,
            explanation: String::new(),
            facts: Vec::new(),
            sources: Vec::new(),
            broader: Vec::new(),
        }
    }

    /// Whether a typed answer is accepted, as the session engine asks.
    fn is_correct(answer: &str, q: &Question) -> bool {
        matches!(judge(answer, q), Judgement::Correct { .. })
    }

    fn kind_of(column: &str) -> AnswerKind {
        match column.split_once(':') {
            Some(("name", entry)) => {
                AnswerKind::Name(Kind::from_key(entry).expect("a known entry kind"))
            }
            _ => match column {
                "name" => AnswerKind::Name(Kind::Country),
                "text" => AnswerKind::Text,
                "year" => AnswerKind::Year,
                "number" => AnswerKind::Number,
                "date" => AnswerKind::Date,
                other => panic!("unknown answer kind {other:?}"),
            },
        }
    }

    /// The typed-answer column with its escapes resolved.
    fn unescape(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    let code = u32::from_str_radix(&hex, 16).expect("hex in \\u{...}");
                    out.push(char::from_u32(code).expect("a Unicode scalar value"));
                }
                other => panic!("unknown escape \\{other:?}"),
            }
        }
        out
    }

    fn list(column: &str) -> Vec<&str> {
        column.split('|').filter(|s| !s.is_empty()).collect()
    }

    #[test]
    fn golden_accept_reject_table() {
        let table = include_str!("../../tests/fixtures/answers.tsv");
        let mut failures = Vec::new();
        let mut rows = 0;
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for (n, line) in table.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            // A seventh column, when present, lists broader forms ('|').
            let (kind, answer, accepted, wrong, typed, expected, broader) = match cols[..] {
                [k, a, acc, w, t, e] => (k, a, acc, w, t, e, ""),
                [k, a, acc, w, t, e, b] => (k, a, acc, w, t, e, b),
                _ => panic!(
                    "answers.tsv:{}: expected 6 or 7 columns, found {}",
                    n + 1,
                    cols.len()
                ),
            };
            rows += 1;
            let mut q = question(kind_of(kind), answer, &list(accepted), &list(wrong));
            q.broader = list(broader).iter().map(|s| s.to_string()).collect();
            let got = match judge(&unescape(typed), &q) {
                Judgement::Correct { exact: true, .. } => "accept",
                Judgement::Correct { exact: false, .. } => "accept-typo",
                Judgement::Wrong { close: false, .. } => "reject",
                Judgement::Wrong { close: true, .. } => "reject-close",
                Judgement::MoreSpecific { .. } => "more-specific",
            };
            *counts.entry(got).or_insert(0) += 1;
            if got != expected {
                failures.push(format!(
                    "answers.tsv:{}: {typed:?} for {answer:?}: expected {expected}, got {got}",
                    n + 1
                ));
            }
        }
        assert!(rows >= 120, "only {rows} rows");
        // Every verdict is exercised, "more specific, please" included.
        for verdict in [
            "accept",
            "accept-typo",
            "reject",
            "reject-close",
            "more-specific",
        ] {
            assert!(counts.get(verdict).is_some_and(|n| *n >= 10), "{counts:?}");
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    fn kazakhstan() -> Question {
        question(
            AnswerKind::Name(Kind::Country),
            "Kazakhstan",
            &["Kazakstan", "Qazaqstan", "Казахстан", "Kazakstan"],
            &["Kyrgyzstan", "Uzbekistan", "Tajikistan", "Turkmenistan"],
        )
    }

    #[test]
    fn a_correct_reply_names_the_canonical_answer_and_the_form_it_matched() {
        let q = kazakhstan();
        let correct = |canonical: &str, matched: &str, exact: bool| Judgement::Correct {
            canonical: canonical.to_string(),
            matched: matched.to_string(),
            exact,
        };
        assert_eq!(
            judge("qazaqstan", &q),
            correct("Kazakhstan", "Qazaqstan", true)
        );
        assert_eq!(
            judge("Kazahkstan", &q),
            correct("Kazakhstan", "Kazakhstan", false)
        );
        let rats = question(
            AnswerKind::Name(Kind::Body),
            "Regional Anti-Terrorist Structure",
            &[],
            &["Secretariat"],
        );
        assert_eq!(
            judge("r.a.t.s.", &rats),
            correct("Regional Anti-Terrorist Structure", "RATS", true)
        );
        assert_eq!(
            judge("Kyrgyzstan", &q),
            Judgement::Wrong {
                canonical: "Kazakhstan".to_string(),
                close: false
            }
        );
    }

    #[test]
    fn reveal_lists_every_accepted_form_once() {
        assert_eq!(
            reveal(&kazakhstan()),
            "Kazakhstan (also accepted: Kazakstan, Qazaqstan, Казахстан)"
        );
        let plain = question(AnswerKind::Year, "2001", &["", " 2001 "], &[]);
        assert_eq!(reveal(&plain), "2001");
    }

    #[test]
    fn the_letter_of_the_right_choice_is_not_a_typed_answer() {
        // Typed mode judges text only; a choice is picked by index, not typed.
        let q = kazakhstan();
        assert_eq!(q.choices[q.correct], "Kazakhstan");
        assert!(!is_correct("A", &q));
    }

    #[test]
    fn the_answer_listed_among_the_wrong_ones_does_not_block_its_typos() {
        let mut q = kazakhstan();
        q.accepted.clear();
        q.wrong.push("Kazakhstan".to_string());
        assert!(is_correct("Kazakhstan", &q));
        assert!(is_correct("Kazakhtsan", &q));
    }

    #[test]
    fn words_of_the_prompt_may_frame_a_number_but_hedges_may_not() {
        let mut q = question(AnswerKind::Number, "10", &[], &[]);
        q.prompt = "How many member states does the SCO have, not counting observers?".to_string();
        assert!(is_correct("ten members", &q));
        assert!(is_correct("10 member states", &q));
        assert!(!is_correct("10 countries", &q));
        assert!(!is_correct("not 10", &q));
        assert!(!is_correct("10 observers or 9", &q));
    }

    #[test]
    fn written_numbers_parse_only_when_well_formed() {
        let parse = |text: &str| parse_number(&words_of(text), &[], false);
        assert_eq!(parse("a hundred and six"), Some(106));
        assert_eq!(parse("two thousand three hundred"), Some(2300));
        assert_eq!(parse("nineteen hundred"), Some(1900));
        assert_eq!(parse("1,000,000"), Some(1_000_000));
        assert_eq!(parse("zero"), Some(0));
        assert_eq!(parse("twenty-first"), Some(21));
        assert_eq!(parse("twenty fifteen"), None);
        assert_eq!(parse("one two"), None);
        assert_eq!(parse("thousand"), None);
        assert_eq!(parse("six and"), None);
        assert_eq!(parse("17th 5"), None);
        assert_eq!(parse("99999999999999999999"), None);
        assert_eq!(parse("999999999999 000 000 000"), None);
    }

    #[test]
    fn months_are_read_from_the_one_list_in_full_or_abbreviated() {
        assert_eq!(month_of("june"), Some(6));
        assert_eq!(month_of("jun"), Some(6));
        assert_eq!(month_of("sept"), Some(9));
        assert_eq!(month_of("december"), Some(12));
        assert_eq!(month_of("ju"), None);
        assert_eq!(month_of("septem"), None);
        assert_eq!(parse_date("15 June 2001"), Some((2001, 6, 15)));
    }

    /// Pastes and floods: every kind of question, inputs of 10 kB (refused unread) and just
    /// under the limit (read in full), in shapes that stress each step (one huge word, a run
    /// of single letters that the normaliser joins, thousands of numbers, CJK).
    #[test]
    fn huge_answers_are_wrong_and_do_not_panic() {
        let questions = [
            kazakhstan(),
            question(AnswerKind::Text, "observer", &[], &[]),
            question(AnswerKind::Year, "2001", &[], &[]),
            question(AnswerKind::Number, "6", &["six"], &[]),
            question(AnswerKind::Date, "15 June 2001", &[], &[]),
        ];
        for size in [10_240, MAX_ANSWER_BYTES] {
            let fill = |unit: &str| unit.repeat(size / unit.len());
            let inputs = [
                fill("Kazakhstan "),
                fill("k"),
                fill("a "),
                fill("9"),
                fill("six "),
                fill("1 000 "),
                fill("the "),
                fill("中"),
                fill("15 June 2001 "),
                fill("observer "),
            ];
            for q in &questions {
                for input in &inputs {
                    assert!(input.len() <= size);
                    assert!(!is_correct(input, q), "{} bytes", input.len());
                }
            }
        }
    }
}

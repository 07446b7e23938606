//! Normalisation shared by the index and the queries, so that both sides fold the same way.
//!
//! The pipeline: NFKC; transliteration of every script to Latin letters (`any_ascii`, which also
//! drops diacritics: Türkiye → turkiye, Россия → rossiya, 中国 → zhongguo); lower case; `&` as
//! "and"; apostrophes dropped; every other non-alphanumeric character a word break; number
//! words and numerals as digits ("three" → 3, "17th" → 17); runs of single letters joined
//! ("U.A.E." → uae); filler words dropped unless nothing else is left.

use unicode_normalization::UnicodeNormalization;

/// Words that carry no identity in a query or a name ("the Republic of ...", "SCO ...",
/// "... summit", question words): the list [`is_filler`] matches, kept for its test.
#[cfg(test)]
const FILLER: &[&str] = &[
    "a", "about", "an", "and", "any", "are", "at", "by", "did", "do", "does", "for", "how", "in",
    "is", "me", "meeting", "of", "on", "please", "republic", "sco", "summit", "tell", "the", "to",
    "was", "were", "what", "when", "where", "which", "who",
];

/// Whether a word carries no identity in a query or a name ("the Republic of ...", "SCO ...",
/// "... summit", question words): one of `FILLER` (a `match` the compiler turns into a few comparisons
/// of lengths and bytes; a test checks that it agrees with the list).
fn is_filler(word: &str) -> bool {
    matches!(
        word,
        "a" | "about"
            | "an"
            | "and"
            | "any"
            | "are"
            | "at"
            | "by"
            | "did"
            | "do"
            | "does"
            | "for"
            | "how"
            | "in"
            | "is"
            | "me"
            | "meeting"
            | "of"
            | "on"
            | "please"
            | "republic"
            | "sco"
            | "summit"
            | "tell"
            | "the"
            | "to"
            | "was"
            | "were"
            | "what"
            | "when"
            | "where"
            | "which"
            | "who"
    )
}

/// Folds text to lower-case ASCII words separated by single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    fold_into(text, &mut out);
    out
}

/// [`fold`], appended to `out` (a buffer reused from one text to the next).
fn fold_into(text: &str, out: &mut String) {
    let push = |c: char, out: &mut String| match c {
        'a'..='z' | '0'..='9' => out.push(c),
        'A'..='Z' => out.push(c.to_ascii_lowercase()),
        '\'' | '`' => {}
        '&' => out.push_str(" and "),
        _ => out.push(' '),
    };
    // A sign before a number ("-2017", "−1") is kept as part of the word ("minus2017"), which
    // is not a number: numbers decide exactly, and no entry has a negative year or number.
    let signed = |prev: Option<char>, c: char, next: Option<char>| {
        matches!(c, '-' | '\u{2212}')
            && next.is_some_and(|n| n.is_ascii_digit())
            && !prev.is_some_and(char::is_alphanumeric)
    };
    if text.is_ascii() {
        let mut prev = None;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if signed(prev, c, chars.peek().copied()) {
                out.push_str(" minus");
            } else {
                push(c, out);
            }
            prev = Some(c);
        }
    } else {
        let nfkc: String = text.nfkc().collect();
        let mut prev = None;
        let mut chars = nfkc.chars().peekable();
        // any_ascii separates CJK syllables by capitals only ("ZhongGuo"); keep them together.
        while let Some(c) = chars.next() {
            let sign = signed(prev, c, chars.peek().copied());
            prev = Some(c);
            if sign {
                out.push_str(" minus");
            } else if c.is_ascii() {
                push(c, out);
            } else if matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}') {
                // Typographic apostrophes, like ASCII ones, join the word ("People’s").
            } else {
                for t in any_ascii::any_ascii_char(c).chars() {
                    push(t, out);
                }
            }
        }
    }
}

/// What one word contributes to a number written in words or digits. The one reading of
/// number words: the normaliser keeps the cardinal ones as search numbers ([`tokens`]), the
/// answer checker composes whole numbers from them ("two thousand and one").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberWord {
    /// Digits ("2001", "17th"), at most twelve; `len` is their count, for "1,000" written as
    /// "1 000".
    Digits {
        /// Their value.
        value: u64,
        /// How many digits.
        len: usize,
        /// Written with an ordinal suffix ("17th").
        ordinal: bool,
    },
    /// "zero" to "nineteen", or "zeroth" to "nineteenth".
    Unit {
        /// 0 to 19.
        value: u64,
        /// Written as an ordinal ("third").
        ordinal: bool,
    },
    /// "twenty" to "ninety", or "twentieth" to "ninetieth".
    Tens {
        /// 20, 30, ... 90.
        value: u64,
        /// Written as an ordinal ("twentieth").
        ordinal: bool,
    },
    /// "hundred".
    Hundred,
    /// "thousand".
    Thousand,
}

const UNITS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const UNIT_ORDINALS: [&str; 20] = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const TENS_ORDINALS: [&str; 8] = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];

/// The number a folded word is or helps write ("five", "fifth", "ninety", "hundred", "17",
/// "17th"), if any.
pub(crate) fn number_word(word: &str) -> Option<NumberWord> {
    if word.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return numeral(word);
    }
    let position = |list: &[&str]| list.iter().position(|&w| w == word).map(|i| i as u64);
    if let Some(value) = position(&UNITS) {
        return Some(NumberWord::Unit {
            value,
            ordinal: false,
        });
    }
    if let Some(value) = position(&UNIT_ORDINALS) {
        return Some(NumberWord::Unit {
            value,
            ordinal: true,
        });
    }
    if let Some(i) = position(&TENS) {
        return Some(NumberWord::Tens {
            value: 20 + 10 * i,
            ordinal: false,
        });
    }
    if let Some(i) = position(&TENS_ORDINALS) {
        return Some(NumberWord::Tens {
            value: 20 + 10 * i,
            ordinal: true,
        });
    }
    match word {
        "hundred" => Some(NumberWord::Hundred),
        "thousand" => Some(NumberWord::Thousand),
        _ => None,
    }
}

/// Digits with an optional ordinal suffix ("2001", "17th"), at most twelve of them.
fn numeral(word: &str) -> Option<NumberWord> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ordinal = match suffix {
        "" => false,
        "st" | "nd" | "rd" | "th" => true,
        _ => return None,
    };
    Some(NumberWord::Digits {
        value: digits.parse().ok()?,
        len: digits.len(),
        ordinal,
    })
}

/// The number a word stands for in a search token: numerals (ordinal or not, up to
/// `u32::MAX`) and cardinal words. Ordinal words stay words ("third party" is not about the
/// number three), and so do "hundred" and "thousand" alone.
fn token_number(word: &str) -> Option<u32> {
    match number_word(word)? {
        NumberWord::Digits { value, .. }
        | NumberWord::Unit {
            value,
            ordinal: false,
        }
        | NumberWord::Tens {
            value,
            ordinal: false,
        } => u32::try_from(value).ok(),
        _ => None,
    }
}

/// A token of normalised text: a word or a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// Lower-case ASCII letters (and digits mixed with letters).
    Word(String),
    /// A whole number, from digits or words.
    Number(u32),
}

/// Splits text into normalised tokens, with filler words dropped unless nothing else is left.
pub fn tokens(text: &str) -> Vec<Token> {
    Tokenizer::default()
        .run(text)
        .map(|t| match t {
            TokenRef::Word(w) => Token::Word(w.to_string()),
            TokenRef::Number(n) => Token::Number(n),
        })
        .collect()
}

/// A [`Token`] borrowed from a [`Tokenizer`]'s buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenRef<'a> {
    /// Lower-case ASCII letters (and digits mixed with letters).
    Word(&'a str),
    /// A whole number, from digits or words.
    Number(u32),
}

/// [`tokens`]' pipeline with its buffers kept from one text to the next, so that a lookup
/// splits its query without allocating once the buffers have grown.
#[derive(Debug, Default)]
pub(crate) struct Tokenizer {
    /// The text [`fold`]ed.
    folded: String,
    /// The words, one after another; [`Raw::Word`] holds where each is.
    words: String,
    /// The tokens before filler words are dropped.
    raw: Vec<Raw>,
}

/// A token in a [`Tokenizer`]: a word as its byte range in [`Tokenizer::words`], or a number.
#[derive(Clone, Copy, Debug)]
enum Raw {
    Word(u32, u32),
    Number(u32),
}

impl Tokenizer {
    /// The tokens of `text`, as [`tokens`] gives them.
    pub(crate) fn run(&mut self, text: &str) -> impl Iterator<Item = TokenRef<'_>> {
        let Tokenizer { folded, words, raw } = self;
        folded.clear();
        words.clear();
        raw.clear();
        fold_into(text, folded);
        // Where the run of single letters being joined starts in `words`.
        let mut singles: Option<usize> = None;
        let word_at = |start: usize, words: &String| Raw::Word(start as u32, words.len() as u32);
        for word in folded.split_ascii_whitespace() {
            if word.len() == 1 && word.as_bytes()[0].is_ascii_alphabetic() {
                // Initials written with dots or spaces ("U.A.E.") become one word.
                singles.get_or_insert(words.len());
                words.push_str(word);
                continue;
            }
            if let Some(start) = singles.take() {
                raw.push(word_at(start, words));
            }
            match token_number(word) {
                Some(n) => {
                    // "twenty five" / "twenty-fifth" → 25.
                    if let (Some(Raw::Number(prev)), true) = (raw.last(), n < 10)
                        && prev % 10 == 0
                        && (20..100).contains(prev)
                    {
                        let sum = prev + n;
                        raw.pop();
                        raw.push(Raw::Number(sum));
                        continue;
                    }
                    raw.push(Raw::Number(n));
                }
                None => {
                    let start = words.len();
                    words.push_str(word);
                    raw.push(word_at(start, words));
                }
            }
        }
        if let Some(start) = singles.take() {
            raw.push(word_at(start, words));
        }
        let words: &str = words;
        let raw: &[Raw] = raw;
        let text = move |r: Raw| match r {
            Raw::Word(start, end) => TokenRef::Word(&words[start as usize..end as usize]),
            Raw::Number(n) => TokenRef::Number(n),
        };
        let filler = move |r: &Raw| matches!(text(*r), TokenRef::Word(w) if is_filler(w));
        // Filler words drop unless nothing else is left.
        let keep_all = raw.iter().all(filler);
        raw.iter()
            .filter(move |r| keep_all || !filler(r))
            .map(move |&r| text(r))
    }
}

/// The normalised words of a text joined without spaces, numbers included as digits: the form
/// under which names are compared for equality ("Non-alignment" = "non alignment" = "nonalignment").
pub fn compact(text: &str) -> String {
    let mut out = String::new();
    for t in tokens(text) {
        match t {
            Token::Word(w) => out.push_str(&w),
            Token::Number(n) => out.push_str(&n.to_string()),
        }
    }
    out
}

/// The initials of a multi-word name ("Regional Anti-Terrorist Structure" → "rats"), taken
/// before filler removal but skipping small joining words; `None` for single words.
pub fn initialism(text: &str) -> Option<String> {
    const SKIP: &[&str] = &["of", "the", "and", "for", "on", "in", "a", "an", "to"];
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split_ascii_whitespace()
        .filter(|w| !SKIP.contains(w))
        .collect();
    if words.len() < 2 || words.len() > 8 {
        return None;
    }
    let letters: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphabetic)
        .collect();
    (letters.len() == words.len()).then_some(letters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        tokens(text)
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                Token::Number(n) => format!("#{n}"),
            })
            .collect()
    }

    #[test]
    fn a_sign_before_a_number_is_kept_and_a_hyphen_is_not() {
        assert_eq!(fold("-2017"), " minus2017");
        assert_eq!(fold("summit \u{2212}1"), "summit  minus1");
        assert_eq!(fold("2001-2017"), "2001 2017");
        assert_eq!(fold("SCO-2017"), "sco 2017");
        assert_eq!(
            tokens("-2017"),
            [Token::Word("minus2017".into())],
            "not the number 2017"
        );
    }

    #[test]
    fn case_accents_and_punctuation_fold_away() {
        assert_eq!(compact("Türkiye"), "turkiye");
        assert_eq!(compact("TURKIYE"), "turkiye");
        assert_eq!(compact("Non-alignment"), "nonalignment");
        assert_eq!(compact("non alignment"), "nonalignment");
        assert_eq!(compact("nonalignment"), "nonalignment");
        assert_eq!(compact("People’s Republic of China"), "peopleschina");
        assert_eq!(compact("People's Republic of China"), "peopleschina");
        assert_eq!(compact("St. Petersburg"), "stpetersburg");
    }

    #[test]
    fn other_scripts_are_transliterated() {
        assert_eq!(compact("Россия"), "rossiya");
        assert_eq!(compact("中国"), "zhongguo");
        assert_eq!(compact("Китай"), "kitay");
        assert_eq!(compact("ШОС"), "shos");
        assert_eq!(compact("Ｔａｓｈｋｅｎｔ"), "tashkent");
    }

    #[test]
    fn is_filler_is_the_filler_list() {
        for w in FILLER {
            assert!(is_filler(w), "{w}");
        }
        let filler: Vec<&str> = ["", "th", "thee", "summits", "whom", "sc", "meetings", "x"]
            .into_iter()
            .filter(|w| is_filler(w))
            .collect();
        assert!(filler.is_empty(), "{filler:?}");
        assert_eq!(FILLER.len(), 33);
    }

    #[test]
    fn filler_words_drop_unless_nothing_is_left() {
        assert_eq!(words("the Russian Federation"), ["russian", "federation"]);
        assert_eq!(words("Republic of Kazakhstan"), ["kazakhstan"]);
        assert_eq!(words("SCO Charter"), ["charter"]);
        assert_eq!(words("SCO"), ["sco"]);
        assert_eq!(words("the"), ["the"]);
    }

    #[test]
    fn numbers_as_digits_words_and_ordinals_are_equal() {
        assert_eq!(words("3 evils"), words("three evils"));
        assert_eq!(words("Shanghai 5"), words("Shanghai Five"));
        assert_eq!(words("17th summit"), ["#17"]);
        assert_eq!(words("third party"), ["third", "party"]);
        assert_eq!(words("twenty five"), ["#25"]);
        assert_eq!(words("2017"), ["#2017"]);
        assert_ne!(words("2017"), words("2007"));
    }

    #[test]
    fn one_reading_of_number_words_covers_both_callers_ranges() {
        let unit = |value, ordinal| Some(NumberWord::Unit { value, ordinal });
        let tens = |value, ordinal| Some(NumberWord::Tens { value, ordinal });
        assert_eq!(number_word("zero"), unit(0, false));
        assert_eq!(number_word("nineteen"), unit(19, false));
        assert_eq!(number_word("third"), unit(3, true));
        assert_eq!(number_word("twenty"), tens(20, false));
        assert_eq!(number_word("ninety"), tens(90, false));
        assert_eq!(number_word("ninetieth"), tens(90, true));
        assert_eq!(number_word("hundred"), Some(NumberWord::Hundred));
        assert_eq!(number_word("thousand"), Some(NumberWord::Thousand));
        let digits = |value, len, ordinal| {
            Some(NumberWord::Digits {
                value,
                len,
                ordinal,
            })
        };
        assert_eq!(number_word("17th"), digits(17, 2, true));
        assert_eq!(number_word("2001"), digits(2001, 4, false));
        assert_eq!(
            number_word("999999999999"),
            digits(999_999_999_999, 12, false)
        );
        assert_eq!(number_word("1000000000000"), None);
        assert_eq!(number_word("17xy"), None);
        assert_eq!(number_word("million"), None);
        // The search keeps cardinals as numbers, through ninety; ordinal words stay words.
        assert_eq!(words("sixty five"), ["#65"]);
        assert_eq!(words("ninety"), ["#90"]);
        assert_eq!(words("ninetieth"), ["ninetieth"]);
        assert_eq!(words("hundred"), ["hundred"]);
        assert_eq!(words("1234567"), ["#1234567"]);
        assert_eq!(words("99999999999"), ["99999999999"]);
    }

    #[test]
    fn dotted_initials_join() {
        assert_eq!(compact("U.A.E."), "uae");
        assert_eq!(compact("u a e"), "uae");
        assert_eq!(words("a carpenter"), ["carpenter"]);
    }

    #[test]
    fn initialisms_of_multi_word_names() {
        assert_eq!(
            initialism("Regional Anti-Terrorist Structure").as_deref(),
            Some("rats")
        );
        assert_eq!(
            initialism("People's Republic of China").as_deref(),
            Some("prc")
        );
        assert_eq!(
            initialism("Council of Heads of State").as_deref(),
            Some("chs")
        );
        assert_eq!(initialism("Kazakhstan"), None);
    }
}

//! The fact base: its typed schema, and loading it from `facts.toml` with every problem reported.
//!
//! A [`FactBase`] is immutable once loaded; a reload builds a new one and swaps it in whole.

mod load;
mod reader;
mod topic;

use std::collections::HashMap;
use std::fmt;

pub use load::{
    Diagnostic, FactsError, MAX_ARRAY_ITEMS, MAX_DEPTH, MAX_DIAGNOSTICS, MAX_FILE_BYTES, MAX_LINES,
    MAX_VALUES, load_path, more_problems, parse_bytes, parse_str, read_limited,
};
pub use topic::Topic;

/// The fact base compiled into the binary, used when no `facts.toml` is found.
pub const BUNDLED_FACTS: &str = include_str!("../../facts.toml");

/// A calendar date (proleptic Gregorian), as written in facts.toml (`2001-06-15`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Four-digit year.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

/// The English month names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// The date as `2001-06-15`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The English name of the month.
    pub fn month_name(&self) -> &'static str {
        MONTHS[usize::from(self.month.clamp(1, 12) - 1)]
    }
}

/// 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, ...
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A date or a span of days, as short as it reads well: "8–9 June 2017",
/// "31 August – 1 September 2025", "1 June 2001".
pub fn span(start: Date, end: Option<Date>) -> String {
    match end {
        Some(e) if e != start && (e.year, e.month) == (start.year, start.month) => {
            format!("{}–{e}", start.day)
        }
        Some(e) if e != start && e.year == start.year => {
            format!("{} {} – {e}", start.day, start.month_name())
        }
        Some(e) if e != start => format!("{start} – {e}"),
        _ => start.to_string(),
    }
}

impl fmt::Display for Date {
    /// Human form, `15 June 2001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.day, self.month_name(), self.year)
    }
}

/// The kinds of entry, one `[[array]]` of tables each in facts.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A state with a relation to the SCO (member, partner, guest).
    Country,
    /// A principle: the Shanghai Spirit's components, external principles, Charter principles.
    Principle,
    /// A body or institution.
    Body,
    /// A Heads of State Council meeting or a Shanghai Five meeting.
    Summit,
    /// A founding or key document.
    Document,
    /// A glossary term.
    Term,
    /// A person (the secretaries-general).
    Person,
    /// One of the seed article's claims, with its verdict.
    Claim,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 8] = [
        Kind::Country,
        Kind::Principle,
        Kind::Body,
        Kind::Summit,
        Kind::Document,
        Kind::Term,
        Kind::Person,
        Kind::Claim,
    ];

    /// The name of the kind's array of tables in facts.toml, and its name in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Country => "country",
            Kind::Principle => "principle",
            Kind::Body => "body",
            Kind::Summit => "summit",
            Kind::Document => "document",
            Kind::Term => "term",
            Kind::Person => "person",
            Kind::Claim => "claim",
        }
    }

    /// The kind named by a facts.toml array or JSON `kind` value.
    pub fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// A plural English label, for counts and headings.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Country => "countries",
            Kind::Principle => "principles",
            Kind::Body => "bodies",
            Kind::Summit => "summits and meetings",
            Kind::Document => "documents",
            Kind::Term => "terms",
            Kind::Person => "people",
            Kind::Claim => "seed-article claims",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Declares a string-valued enum of facts.toml with its accepted spellings.
macro_rules! toml_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $label:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The spelling used in facts.toml.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// A human label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// Parses the facts.toml spelling.
            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

toml_enum! {
    /// How sure the fact sheet is of an entry.
    Confidence {
        /// A primary or official source, or two independent sources that agree.
        High = "high" / "high",
        /// One good source, or sources that differ slightly.
        Medium = "medium" / "medium",
        /// A weak source, an inference, or unconfirmed.
        Low = "low" / "low",
    }
}

toml_enum! {
    /// A country's relation to the SCO at some date.
    Status {
        /// One of the Shanghai Five (1996–2001), before the SCO existed.
        ShanghaiFive = "shanghai_five" / "Shanghai Five member",
        /// A member state.
        Member = "member" / "member state",
        /// An observer state (a category merged into "partner" in September 2025).
        Observer = "observer" / "observer",
        /// A dialogue partner (a category merged into "partner" in September 2025).
        DialoguePartner = "dialogue_partner" / "dialogue partner",
        /// An "SCO partner", the single category created at Tianjin on 1 September 2025.
        Partner = "partner" / "SCO partner",
        /// Not a member or partner; attends summits as the host's guest.
        Guest = "guest" / "guest (not a member or partner)",
    }
}

toml_enum! {
    /// The group a principle belongs to.
    PrincipleGroup {
        /// A component of the "Shanghai Spirit".
        ShanghaiSpirit = "shanghai_spirit" / "component of the Shanghai Spirit",
        /// An external principle (non-alignment, non-confrontation, ...).
        External = "external" / "external principle",
        /// A principle of the SCO Charter, Article 2.
        Charter = "charter" / "Charter principle (Art. 2)",
    }
}

toml_enum! {
    /// What sort of body an institution is.
    BodyCategory {
        /// A council of the member states.
        Council = "council" / "council",
        /// A permanent body.
        Permanent = "permanent" / "permanent body",
        /// A non-governmental body.
        NonGovernmental = "non_governmental" / "non-governmental body",
        /// A network of existing institutions.
        Network = "network" / "network",
        /// A specialised centre.
        Centre = "centre" / "specialised centre",
    }
}

toml_enum! {
    /// Which series a meeting belongs to.
    Series {
        /// A Shanghai Five meeting (1996–2000).
        ShanghaiFive = "shanghai_five" / "Shanghai Five meeting",
        /// A meeting of the SCO Council of Heads of State (2001–).
        HeadsOfState = "heads_of_state" / "Council of Heads of State meeting",
    }
}

toml_enum! {
    /// How a summit was held.
    Format {
        /// In person.
        InPerson = "in_person" / "in person",
        /// By videoconference.
        Virtual = "virtual" / "virtual (videoconference)",
        /// Partly in person, partly online.
        Hybrid = "hybrid" / "hybrid",
    }
}

toml_enum! {
    /// What sort of document a document is.
    DocType {
        /// A declaration.
        Declaration = "declaration" / "declaration",
        /// The Charter.
        Charter = "charter" / "charter",
        /// A convention.
        Convention = "convention" / "convention",
        /// An agreement.
        Agreement = "agreement" / "agreement",
        /// A treaty.
        Treaty = "treaty" / "treaty",
        /// A strategy.
        Strategy = "strategy" / "strategy",
        /// A decision.
        Decision = "decision" / "decision",
        /// A joint statement.
        Statement = "statement" / "joint statement",
    }
}

toml_enum! {
    /// A person's role.
    Role {
        /// Secretary-General.
        SecretaryGeneral = "secretary_general" / "Secretary-General",
        /// Executive Secretary: the title of the head of the Secretariat in the original
        /// Charter (Art. 11), before an amendment renamed the post Secretary-General.
        ExecutiveSecretary = "executive_secretary" / "Executive Secretary",
    }
}

toml_enum! {
    /// The fact sheet's verdict on a claim of the seed article.
    Verdict {
        /// The claim checks out.
        Correct = "correct" / "correct",
        /// The claim checks out, with dates the article did not give.
        CorrectWithDates = "correct_with_dates" / "correct (dates added)",
        /// The claim is imprecise or unverified.
        Imprecise = "imprecise" / "imprecise",
        /// The claim is wrong.
        Wrong = "wrong" / "wrong",
        /// The fact sheet does not check the claim: nothing is known here about whether it
        /// is true, so no quiz question asks about it.
        Unchecked = "unchecked" / "not checked",
    }
}

/// The `[meta]` table.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Version of the fact base (semver).
    pub version: String,
    /// The date the facts were last checked.
    pub as_of: Date,
    /// Title of the fact base.
    pub title: String,
    /// How to cite the fact base.
    pub cite: String,
}

/// A `[[source]]` entry.
#[derive(Clone, Debug)]
pub struct Source {
    /// Source id, referred to by entries.
    pub id: String,
    /// Title of the page or publication.
    pub title: String,
    /// Who published it.
    pub publisher: String,
    /// Where it is (absent for print sources).
    pub url: Option<String>,
    /// When it was accessed.
    pub accessed: Date,
    /// A curator's note.
    pub note: Option<String>,
}

/// One step of a country's history with the SCO.
#[derive(Clone, Debug)]
pub struct Step {
    /// When it happened.
    pub date: Date,
    /// The status the country has from this date, if the step changed it.
    pub status: Option<Status>,
    /// What happened.
    pub event: String,
    /// The summit at which it happened, if any (a summit id).
    pub summit: Option<String>,
}

/// Fields of a `[[country]]`.
#[derive(Clone, Debug)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code.
    pub iso: String,
    /// Official long name.
    pub official_name: Option<String>,
    /// Capital city.
    pub capital: Option<String>,
    /// Official long name in Russian.
    pub official_name_ru: Option<String>,
    /// Official long name in Chinese.
    pub official_name_zh: Option<String>,
    /// Dated steps, in date order.
    pub history: Vec<Step>,
    /// Explicit status for a country with no dated status step.
    pub declared_status: Option<Status>,
}

impl Status {
    /// The label with an indefinite article, for sentences ("an observer").
    pub fn with_article(self) -> String {
        let label = self.label();
        let article = match label.as_bytes().first() {
            Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
            _ if label.starts_with("SCO") => "an",
            _ => "a",
        };
        format!("{article} {label}")
    }
}

impl Country {
    /// The current status: the last step that set one, else the declared status.
    pub fn status(&self) -> Status {
        self.history
            .iter()
            .rev()
            .find_map(|s| s.status)
            .or(self.declared_status)
            .unwrap_or(Status::Guest)
    }

    /// The step from which the current status holds.
    pub fn status_since(&self) -> Option<&Step> {
        let status = self.status();
        self.history.iter().rev().find(|s| s.status == Some(status))
    }

    /// The status the country had on a date, from its history: the last step on or before
    /// that date that set one. `None` before its first status step (or, for a country with
    /// only a declared status, always).
    pub fn status_on(&self, date: Date) -> Option<Status> {
        self.history
            .iter()
            .filter(|s| s.date <= date)
            .filter_map(|s| s.status)
            .next_back()
    }

    /// The first step that gave the country one of `statuses`, if any.
    pub fn first_step(&self, statuses: &[Status]) -> Option<&Step> {
        self.history
            .iter()
            .find(|s| s.status.is_some_and(|st| statuses.contains(&st)))
    }

    /// The first step that made the country a member, if any.
    pub fn accession(&self) -> Option<&Step> {
        self.history
            .iter()
            .find(|s| s.status == Some(Status::Member))
    }
}

/// Fields of a `[[body]]`.
#[derive(Clone, Debug)]
pub struct Body {
    /// What sort of body, where a source says.
    pub category: Option<BodyCategory>,
    /// Its seat, if it has one.
    pub seat: Option<String>,
    /// When it was founded or launched.
    pub founded: Option<Date>,
    /// Whether Article 4 of the Charter lists it.
    pub in_charter: bool,
}

/// Fields of a `[[summit]]`.
#[derive(Clone, Debug)]
pub struct Summit {
    /// Shanghai Five or Heads of State.
    pub series: Series,
    /// Meeting number within the series.
    pub number: u32,
    /// Year.
    pub year: i32,
    /// First day.
    pub start: Date,
    /// Last day, for meetings of more than one day.
    pub end: Option<Date>,
    /// Host city (for virtual meetings, where the chair sat).
    pub city: String,
    /// Host country (a country id).
    pub country: String,
    /// How it was held, where a source says.
    pub format: Option<Format>,
    /// Key outcomes.
    pub outcomes: Vec<String>,
}

/// Fields of a `[[document]]`.
#[derive(Clone, Debug)]
pub struct Document {
    /// What sort of document.
    pub doc_type: DocType,
    /// When it was signed, approved or adopted.
    pub signed: Date,
    /// Where.
    pub place: String,
    /// When it entered into force, if known.
    pub in_force: Option<Date>,
    /// The summit where it was signed (a summit id).
    pub summit: Option<String>,
}

/// Fields of a `[[person]]`.
#[derive(Clone, Debug)]
pub struct Person {
    /// Role.
    pub role: Role,
    /// Order in which holders of the role served (1 = first).
    pub order: u32,
    /// Country (a country id).
    pub country: String,
    /// First year in office.
    pub from_year: i32,
    /// Last year in office (or of the term, for a current holder).
    pub to_year: i32,
    /// Exact first day in office, if known.
    pub took_office: Option<Date>,
    /// Exact last day in office, if known.
    pub left_office: Option<Date>,
    /// When appointed, if known.
    pub appointed: Option<Date>,
    /// The summit that appointed them (a summit id).
    pub appointed_at: Option<String>,
}

/// Fields of a `[[claim]]`.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The article's words.
    pub claim: String,
    /// The verdict.
    pub verdict: Verdict,
    /// What is right instead.
    pub correction: Option<String>,
}

/// The kind-specific, typed part of an entry.
#[derive(Clone, Debug)]
pub enum Details {
    /// A country.
    Country(Country),
    /// A principle and its group.
    Principle(PrincipleGroup),
    /// A body.
    Body(Body),
    /// A summit.
    Summit(Summit),
    /// A document.
    Document(Document),
    /// A term, and the term it is part of.
    Term {
        /// The id of the term this one is part of.
        part_of: Option<String>,
    },
    /// A person.
    Person(Person),
    /// A claim.
    Claim(Claim),
}

/// One entry of the fact base, of any kind.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Which kind.
    pub kind: Kind,
    /// Unique within the kind.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other names users may type.
    pub aliases: Vec<String>,
    /// Historical names the fact sheet rejects as aliases ("Persia"): never matched as a
    /// name, but a lookup of one answers with this entry and a line saying what it is.
    pub historical_names: Vec<String>,
    /// Russian name.
    pub name_ru: Option<String>,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// One paragraph.
    pub summary: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// How sure the sheet is.
    pub confidence: Confidence,
    /// What is uncertain.
    pub caveat: Option<String>,
    /// Kind-specific fields.
    pub details: Details,
}

impl Entry {
    /// Every name a user may type for this entry, as written in facts.toml.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let extra: [Option<&str>; 4] = match &self.details {
            Details::Country(c) => [
                c.official_name.as_deref(),
                c.official_name_ru.as_deref(),
                c.official_name_zh.as_deref(),
                None,
            ],
            _ => [None; 4],
        };
        std::iter::once(self.name.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.name_ru.as_deref())
            .chain(self.name_zh.as_deref())
            .chain(extra.into_iter().flatten())
    }

    /// The date an entry is best placed at on a timeline, if it has one.
    pub fn date(&self) -> Option<Date> {
        match &self.details {
            Details::Summit(s) => Some(s.start),
            Details::Document(d) => Some(d.signed),
            Details::Body(b) => b.founded,
            Details::Person(p) => p.took_office.or(p.appointed),
            Details::Country(c) => c.history.first().map(|s| s.date),
            _ => None,
        }
    }
}

/// A hand-written quiz question (`[[question]]`), for what the generator cannot make from typed
/// fields. The loader has checked it: known topic, sources and facts, three distractors that
/// differ from the answer and from each other.
#[derive(Clone, Debug, PartialEq)]
pub struct CuratedQuestion {
    /// Unique among `[[question]]` entries.
    pub id: String,
    /// What it is about.
    pub topic: Topic,
    /// The question as asked.
    pub prompt: String,
    /// The correct answer.
    pub answer: String,
    /// Other accepted spellings of the answer.
    pub accepted: Vec<String>,
    /// The three wrong answers offered with it (`choices` in facts.toml).
    pub distractors: Vec<String>,
    /// Shown after the answer.
    pub explanation: String,
    /// Source ids.
    pub sources: Vec<String>,
    /// The entries it is about (`"kind:id"` in facts.toml).
    pub facts: Vec<(Kind, String)>,
}

/// A loaded, validated fact base.
#[derive(Clone, Debug)]
pub struct FactBase {
    /// The `[meta]` table.
    pub meta: Meta,
    /// Every source.
    pub sources: Vec<Source>,
    /// Every entry, in file order within each kind, kinds in [`Kind::ALL`] order.
    pub entries: Vec<Entry>,
    /// Curated quiz questions, in file order (empty unless the loader found `[[question]]`s).
    pub questions: Vec<CuratedQuestion>,
    by_id: HashMap<(Kind, String), usize>,
    source_by_id: HashMap<String, usize>,
}

impl FactBase {
    /// Assembles a fact base from parts without validating them (the loader validates; tests
    /// and benchmarks use this to build synthetic fact bases). Later duplicates of an id win.
    /// It has no curated questions; set [`FactBase::questions`] to add some.
    pub fn from_parts(meta: Meta, sources: Vec<Source>, mut entries: Vec<Entry>) -> FactBase {
        entries.sort_by_key(|e| e.kind);
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.kind, e.id.clone()), i))
            .collect();
        let source_by_id = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        FactBase {
            meta,
            sources,
            entries,
            questions: Vec::new(),
            by_id,
            source_by_id,
        }
    }

    /// The fact base compiled into the binary.
    pub fn bundled() -> Result<FactBase, FactsError> {
        parse_str(BUNDLED_FACTS, "facts.toml (built in)")
    }

    /// The entry of a kind with an id.
    pub fn get(&self, kind: Kind, id: &str) -> Option<&Entry> {
        self.by_id
            .get(&(kind, id.to_string()))
            .map(|&i| &self.entries[i])
    }

    /// A source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_by_id.get(id).map(|&i| &self.sources[i])
    }

    /// Entries of one kind, in file order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// How many entries each kind has, in [`Kind::ALL`] order.
    pub fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL
            .iter()
            .map(|&k| (k, self.of_kind(k).count()))
            .collect()
    }

    /// The display name of an entry referred to by id, or the id itself.
    pub fn name_of(&self, kind: Kind, id: &str) -> String {
        self.get(kind, id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    }
}

//! Quiz topics. They live with the facts because a curated `[[question]]` names its topic,
//! and the fact base must not depend on the quiz that reads it.

/// What a question is about; `/quiz start topic:` and `/study topic:` choose among these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// Member states: founders, accessions, years.
    Members,
    /// Observers, dialogue partners, SCO partners, guests.
    Partners,
    /// Heads of State Council summits: hosts, years, numbers.
    Summits,
    /// Shanghai Five meetings and the road to the SCO.
    ShanghaiFive,
    /// Bodies and institutions: seats, founding dates.
    Bodies,
    /// Founding and key documents: dates, places.
    Documents,
    /// The Shanghai Spirit and other principles.
    Principles,
    /// Glossary terms, the three evils.
    Terms,
    /// Secretaries-general.
    People,
    /// The seed article's claims and their verdicts.
    Claims,
}

impl Topic {
    /// Every topic, in display order.
    pub const ALL: [Topic; 10] = [
        Topic::Members,
        Topic::Partners,
        Topic::Summits,
        Topic::ShanghaiFive,
        Topic::Bodies,
        Topic::Documents,
        Topic::Principles,
        Topic::Terms,
        Topic::People,
        Topic::Claims,
    ];

    /// The word used in commands, JSON and the store.
    pub fn key(self) -> &'static str {
        match self {
            Topic::Members => "members",
            Topic::Partners => "partners",
            Topic::Summits => "summits",
            Topic::ShanghaiFive => "shanghai-five",
            Topic::Bodies => "bodies",
            Topic::Documents => "documents",
            Topic::Principles => "principles",
            Topic::Terms => "terms",
            Topic::People => "people",
            Topic::Claims => "claims",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Members => "Member states",
            Topic::Partners => "Partners and observers",
            Topic::Summits => "Summits",
            Topic::ShanghaiFive => "The Shanghai Five",
            Topic::Bodies => "Bodies",
            Topic::Documents => "Documents",
            Topic::Principles => "Principles",
            Topic::Terms => "Terms",
            Topic::People => "Secretaries-general",
            Topic::Claims => "The seed article's claims",
        }
    }

    /// The topic named by its key.
    pub fn from_key(key: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.key() == key)
    }
}

//! sco-bot: a fact-and-quiz bot about the Shanghai Cooperation Organisation.
//!
//! The core is transport-neutral and never imports a chat library:
//! - [`facts`]: the schema of `facts.toml`, loading and validation with every problem reported;
//! - [`search`]: normalisation, the index, fuzzy lookup and autocomplete;
//! - [`commands`]: the one command table every front end uses, and the handlers;
//! - [`reply`]: the transport-neutral reply and its plain-text form;
//! - [`quiz`]: questions generated from the facts, answer checking, sessions, spaced repetition;
//! - [`store`]: the SQLite database of sessions, answers, scores and study history (the only
//!   module that writes SQL).
//!
//! Front ends are thin adapters over the core:
//! - [`cli`]: `sco-bot ask`, `repl` and `check`, offline;
//! - [`discord`]: slash commands over Discord's gateway (serenity).

pub mod cli;
pub mod commands;
pub mod discord;
pub mod facts;
pub mod quiz;
pub mod reply;
pub mod search;
pub mod store;

use std::path::{Path, PathBuf};

use facts::{FactBase, FactsError};
use search::Index;

/// A fact base and its search index: everything a command needs to answer.
pub struct Knowledge {
    /// The facts.
    pub facts: FactBase,
    /// The index over them.
    pub index: Index,
}

/// Where a fact base was loaded from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk.
    File(PathBuf),
    /// The copy compiled into the binary.
    Bundled,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Bundled => f.write_str("the fact base built into sco-bot"),
        }
    }
}

impl Knowledge {
    /// Indexes a fact base.
    pub fn new(facts: FactBase) -> Knowledge {
        let index = Index::build(&facts);
        Knowledge { facts, index }
    }

    /// Loads the fact base: `path` if given; else `./facts.toml` if it exists; else the copy
    /// compiled into the binary, so the program works from any folder.
    pub fn load(path: Option<&Path>) -> Result<(Knowledge, Origin), FactsError> {
        let local = Path::new("facts.toml");
        let (facts, origin) = match path {
            Some(p) => (facts::load_path(p)?, Origin::File(p.to_path_buf())),
            None if local.is_file() => (facts::load_path(local)?, Origin::File(local.into())),
            None => (FactBase::bundled()?, Origin::Bundled),
        };
        Ok((Knowledge::new(facts), origin))
    }
}

//! `/reload`: reads the facts file again now, for those who run the bot (Manage Server on
//! Discord, the local operator in a terminal), and says what happened: a new version is served,
//! nothing changed, or the file is broken and the last good version keeps serving.

use std::path::Path;

use super::{Args, Ctx};
use crate::facts::FactsError;
use crate::reply::Reply;
use crate::reply::capitalise;

/// Problems of a broken file shown at most; the rest are counted.
pub const SHOWN_PROBLEMS: usize = 5;

/// Characters of one problem shown at most.
const PROBLEM_MAX: usize = 200;

fn private(title: &str, body: impl Into<String>) -> Reply {
    let mut r = Reply::new(title, body);
    r.ephemeral = true;
    r
}

/// `/reload`.
pub fn reload(c: &Ctx<'_>, _args: &Args) -> Reply {
    if !c.can_manage_server {
        return Reply::notice(
            "Sorry, only members who may manage this server (the Manage Server permission) can reload the bot's facts. The facts you see are the ones the bot serves now.",
        );
    }
    let m = &c.knowledge.facts.meta;
    let Some(reloader) = c.reloader else {
        // `sco-bot ask`: the facts were read when it started and it ends after answering.
        return private(
            "Nothing to reload",
            format!(
                "This command read the facts when it started (version {}, facts as of {}) and ends after answering, so each run reads them afresh.",
                m.version,
                m.as_of.iso()
            ),
        );
    };
    if reloader.path().is_none() {
        return private(
            "No facts file to reload",
            format!(
                "This bot serves the fact base built into it (version {}, facts as of {}), so there is no file to read again. To reload facts, start it with --facts FILE, or with a facts.toml in its folder.",
                m.version,
                m.as_of.iso()
            ),
        );
    }
    let before = reloader.current().facts.meta.version.clone();
    // The forced check reads the file even if its time and length look unchanged.
    let checked = reloader.check_now(true);
    let now = reloader.current();
    let m = &now.facts.meta;
    let problem = match checked {
        Ok(true) => {
            let mut r = private(
                "Reloaded the facts",
                format!(
                    "Now serving version {}, facts as of {} (was version {before}).",
                    m.version,
                    m.as_of.iso()
                ),
            );
            for (kind, n) in now.facts.counts() {
                r.field(&capitalise(kind.plural()), n.to_string(), true);
            }
            r.field("Sources", now.facts.sources.len().to_string(), true);
            return r;
        }
        Err(e) => e,
        // Unchanged since it was last read; broken then (and still) or good.
        Ok(false) => match reloader.problem_error() {
            Some(e) => e,
            None => {
                return private(
                    "The facts are up to date",
                    format!(
                        "The facts file has not changed since it was loaded: serving version {}, facts as of {}.",
                        m.version,
                        m.as_of.iso()
                    ),
                );
            }
        },
    };
    let mut r = private(
        "The facts file is broken",
        format!(
            "Still serving version {}, facts as of {}. Fix the file and run /reload again:",
            m.version,
            m.as_of.iso()
        ),
    );
    r.code = Some(problem_lines(&problem).join("\n"));
    r
}

/// The first [`SHOWN_PROBLEMS`] problems as `FILE:LINE:COL: message` (the file's name only,
/// not where it lives), then "… and N more"; cleaned of control characters and cut to length.
pub fn problem_lines(e: &FactsError) -> Vec<String> {
    let mut lines: Vec<String> = match e {
        FactsError::Invalid {
            path,
            diagnostics,
            omitted,
        } => {
            let name = Path::new(path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            let mut lines: Vec<String> = diagnostics
                .iter()
                .take(SHOWN_PROBLEMS)
                .map(|d| d.render(&name))
                .collect();
            let more = diagnostics.len().saturating_sub(SHOWN_PROBLEMS) + omitted;
            if more > 0 {
                lines.push(format!(
                    "… and {} more problem{}",
                    crate::limits::thousands(more as u64),
                    if more == 1 { "" } else { "s" }
                ));
            }
            lines
        }
        // Unreadable, too large, not a file: one sentence.
        other => vec![other.to_string()],
    };
    for line in &mut lines {
        *line = clean(line);
    }
    lines
}

/// A line fit to show: no control or private-use characters (user references), at most
/// [`PROBLEM_MAX`] characters.
fn clean(line: &str) -> String {
    let clean: String = line
        .chars()
        .filter(|c| !matches!(c, '\u{E000}'..='\u{F8FF}'))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > PROBLEM_MAX {
        let cut: String = clean.chars().take(PROBLEM_MAX - 1).collect();
        format!("{cut}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{Knowledge, Reloader};

    const MINI: &str = include_str!("../../tests/fixtures/mini.toml");

    fn ask(k: &Knowledge, reloader: Option<&Reloader>, may: bool) -> Reply {
        let mut c = Ctx::offline(k);
        c.can_manage_server = may;
        c.reloader = reloader;
        reload(&c, &Args::default())
    }

    #[test]
    fn reloads_now_keeps_the_last_good_file_and_lists_a_few_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("facts.toml");
        std::fs::write(&path, MINI).expect("write");
        let (k, _) = Knowledge::load(Some(&path)).expect("valid");
        let reloader = Reloader::watching(&path, Arc::new(k));
        let k = reloader.current();

        let same = ask(&k, Some(&reloader), true);
        assert_eq!(same.title, "The facts are up to date", "{same:?}");

        std::fs::write(&path, MINI.replace("0.0.1", "0.0.2")).expect("write");
        let r = ask(&k, Some(&reloader), true);
        assert_eq!(r.title, "Reloaded the facts");
        assert!(r.body.contains("version 0.0.2"), "{}", r.body);
        assert!(r.body.contains("was version 0.0.1"), "{}", r.body);
        assert!(r.fields.iter().any(|f| f.name == "Sources"));
        assert!(r.ephemeral);

        // More than five problems: five shown, the rest counted.
        let mut broken = MINI.replace("0.0.1", "0.0.3");
        for _ in 0..7 {
            broken = broken.replacen("name = \"", "name = 5 #\"", 1);
        }
        std::fs::write(&path, broken).expect("write");
        let total = match Knowledge::load(Some(&path)) {
            Err(FactsError::Invalid {
                diagnostics,
                omitted,
                ..
            }) => diagnostics.len() + omitted,
            _ => panic!("the file is broken"),
        };
        assert!(total > SHOWN_PROBLEMS + 1, "{total}");
        for _ in 0..2 {
            // Reported again on a second /reload, though the file did not change.
            let r = ask(&k, Some(&reloader), true);
            assert_eq!(r.title, "The facts file is broken", "{r:?}");
            assert!(r.body.contains("Still serving version 0.0.2"), "{}", r.body);
            let code = r.code.expect("the problems");
            let lines: Vec<&str> = code.lines().collect();
            assert_eq!(lines.len(), SHOWN_PROBLEMS + 1, "{code}");
            assert!(lines[0].starts_with("facts.toml:"), "the name only: {code}");
            assert!(lines[0].contains("`name` must be a string"), "{code}");
            let more = format!("… and {} more problems", total - SHOWN_PROBLEMS);
            assert_eq!(lines[SHOWN_PROBLEMS], more);
            assert_eq!(reloader.current().facts.meta.version, "0.0.2");
        }
    }

    #[test]
    fn refuses_without_manage_server_and_says_when_no_file_is_watched() {
        let k = Knowledge::new(crate::facts::FactBase::bundled().expect("facts"));
        let fixed = Reloader::fixed(Arc::new(Knowledge::new(
            crate::facts::FactBase::bundled().expect("facts"),
        )));
        let refused = ask(&k, Some(&fixed), false);
        assert!(refused.is_notice() && refused.ephemeral);
        assert!(refused.body.contains("Manage Server"), "{}", refused.body);
        let none = ask(&k, Some(&fixed), true);
        assert_eq!(none.title, "No facts file to reload");
        assert!(none.body.contains("built into it"), "{}", none.body);
    }

    #[test]
    fn problem_lines_are_cleaned_and_cut() {
        let e = FactsError::Invalid {
            path: "/srv/bot/facts.toml".into(),
            diagnostics: vec![crate::facts::Diagnostic {
                line: 3,
                col: 1,
                message: format!("bad \u{E000}42\u{E001} value\u{7}{}", "x".repeat(400)),
            }],
            omitted: 0,
        };
        let lines = problem_lines(&e);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("facts.toml:3:1: bad 42 value "),
            "{}",
            lines[0]
        );
        assert_eq!(lines[0].chars().count(), PROBLEM_MAX);
    }
}

//! Rate limits per user and per channel, so that one user (or one busy channel) cannot make
//! the bot work for everyone else's share: a token bucket per (user, class) and per
//! (channel, class), in memory, on the caller's clock (`now_ms`), so tests fix the time.
//!
//! The interaction layer consults [`RateLimiter::check`] before running a handler and answers a
//! refused request privately with when to try again. Quiz answers are never limited (a lost
//! answer is worse than a busy bot), nor is autocomplete (it cannot show a message).

use std::collections::HashMap;
use std::sync::Mutex;

/// What kind of work a request asks for; each has its own limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Lookups and lists: /member, /summit, /fact, /timeline, /help, pages, suggestions.
    Lookup,
    /// Plain questions: /ask.
    Ask,
    /// Starting a quiz: /quiz start.
    QuizStart,
    /// Scores: /stats, /leaderboard, /quiz stats.
    Report,
    /// Personal study: /study and its buttons.
    Study,
    /// Reports about questions ("Report", "I was right", the terminal's /report).
    Feedback,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 6] = [
        Class::Lookup,
        Class::Ask,
        Class::QuizStart,
        Class::Report,
        Class::Study,
        Class::Feedback,
    ];

    /// The name used in settings: `lookup`, `ask`, `quiz-start`, `report`, `study`,
    /// `feedback`.
    pub fn key(self) -> &'static str {
        match self {
            Class::Lookup => "lookup",
            Class::Ask => "ask",
            Class::QuizStart => "quiz-start",
            Class::Report => "report",
            Class::Study => "study",
            Class::Feedback => "feedback",
        }
    }

    fn index(self) -> usize {
        match self {
            Class::Lookup => 0,
            Class::Ask => 1,
            Class::QuizStart => 2,
            Class::Report => 3,
            Class::Study => 4,
            Class::Feedback => 5,
        }
    }
}

/// How many requests of a class a user, and a channel, may make per period. Each is a bucket
/// that holds that many and refills evenly over the period; 0 means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Requests per period for one user.
    pub per_user: u32,
    /// Requests per period for one channel, all users together.
    pub per_channel: u32,
    /// The period, in seconds.
    pub seconds: u32,
}

/// The limits of every class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits([Limit; 6]);

impl Default for RateLimits {
    /// Generous for people, tight for scripts: see README, "Rate limits".
    fn default() -> RateLimits {
        let l = |per_user, per_channel, seconds| Limit {
            per_user,
            per_channel,
            seconds,
        };
        RateLimits([
            l(20, 60, 60), // lookup
            l(10, 30, 60), // ask
            l(3, 5, 300),  // quiz-start
            l(6, 20, 60),  // report
            l(30, 90, 60), // study
            l(5, 20, 600), // feedback: reports about questions
        ])
    }
}

impl RateLimits {
    /// The limit of a class.
    pub fn get(&self, class: Class) -> Limit {
        self.0[class.index()]
    }

    /// Sets the limit of a class.
    pub fn set(&mut self, class: Class, limit: Limit) {
        self.0[class.index()] = limit;
    }

    /// The defaults changed by `spec`: items separated by spaces, commas or semicolons, each
    /// `CLASS=USER/CHANNEL/SECONDS` (`ask=5/20/60`: 5 per user and 20 per channel a minute),
    /// or `CLASS=off`; `off` alone turns every limit off.
    pub fn parse(spec: &str) -> Result<RateLimits, String> {
        let mut limits = RateLimits::default();
        for item in spec.split([' ', ',', ';']).filter(|s| !s.is_empty()) {
            let off = Limit {
                per_user: 0,
                per_channel: 0,
                seconds: 1,
            };
            if item == "off" {
                limits = RateLimits([off; 6]);
                continue;
            }
            let keys: Vec<&str> = Class::ALL.iter().map(|c| c.key()).collect();
            let bad = || {
                format!(
                    "the rate limit \"{item}\" is not CLASS=USER/CHANNEL/SECONDS (like ask=5/20/60) or CLASS=off; CLASS is one of {}",
                    keys.join(", ")
                )
            };
            let (name, value) = item.split_once('=').ok_or_else(bad)?;
            let class = Class::ALL
                .into_iter()
                .find(|c| c.key() == name)
                .ok_or_else(bad)?;
            if value == "off" {
                limits.set(class, off);
                continue;
            }
            let numbers: Vec<u32> = value
                .split('/')
                .map(|n| n.parse::<u32>().map_err(|_| bad()))
                .collect::<Result<_, _>>()?;
            match numbers[..] {
                [per_user, per_channel, seconds] if seconds > 0 => limits.set(
                    class,
                    Limit {
                        per_user,
                        per_channel,
                        seconds,
                    },
                ),
                _ => return Err(bad()),
            }
        }
        Ok(limits)
    }
}

/// A bucket: tokens left (in thousandths, so refills need no floats) as of a time.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    milli: u64,
    at_ms: i64,
}

/// Buckets kept at most; beyond, full buckets (idle users) are forgotten.
const MAX_BUCKETS: usize = 50_000;

/// The rate limiter: buckets per (user or channel, class).
#[derive(Debug)]
pub struct RateLimiter {
    limits: RateLimits,
    buckets: Mutex<HashMap<(bool, String, Class), Bucket>>,
}

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limits it applies.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Takes one request of `class` from `user`'s and `channel`'s buckets at `now_ms`, or, if
    /// either is empty, takes nothing and says in how many whole seconds (at least 1) to retry.
    pub fn check(&self, user: &str, channel: &str, class: Class, now_ms: i64) -> Result<(), u64> {
        let limit = self.limits.get(class);
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > MAX_BUCKETS {
            buckets.retain(|(is_user, _, c), b| {
                let l = self.limits.get(*c);
                let cap = if *is_user { l.per_user } else { l.per_channel };
                level(b, cap, l.seconds, now_ms) < u64::from(cap) * 1000
            });
            if buckets.len() > MAX_BUCKETS {
                // Every bucket in use: forgetting them all errs on the side of answering.
                buckets.clear();
            }
        }
        let mut wait_ms = 0;
        let mut levels = [None, None];
        for (slot, (is_user, who, cap)) in [
            (true, user, limit.per_user),
            (false, channel, limit.per_channel),
        ]
        .into_iter()
        .enumerate()
        {
            if cap == 0 {
                continue;
            }
            let full = u64::from(cap) * 1000;
            let b = buckets
                .get(&(is_user, who.to_string(), class))
                .copied()
                .unwrap_or(Bucket {
                    milli: full,
                    at_ms: now_ms,
                });
            let milli = level(&b, cap, limit.seconds, now_ms).min(full);
            if milli < 1000 {
                // Tokens come back at cap per period: 1000 thousandths take period / cap.
                let per_token_ms = u64::from(limit.seconds) * 1000 / u64::from(cap);
                wait_ms = wait_ms.max((1000 - milli) * per_token_ms / 1000);
            }
            levels[slot] = Some((is_user, who, milli));
        }
        if wait_ms > 0 {
            return Err(wait_ms.div_ceil(1000).max(1));
        }
        for (is_user, who, milli) in levels.into_iter().flatten() {
            buckets.insert(
                (is_user, who.to_string(), class),
                Bucket {
                    milli: milli - 1000,
                    at_ms: now_ms,
                },
            );
        }
        Ok(())
    }
}

/// A bucket's level at `now_ms`: what it held plus the refill since (`cap` per `seconds`).
fn level(b: &Bucket, cap: u32, seconds: u32, now_ms: i64) -> u64 {
    let elapsed = u64::try_from(now_ms.saturating_sub(b.at_ms)).unwrap_or(0);
    let refill = elapsed * u64::from(cap) / u64::from(seconds.max(1));
    b.milli.saturating_add(refill)
}

/// What a user sees when refused.
pub fn slow_down(seconds: u64) -> String {
    format!(
        "You're going a bit fast: try again in {seconds} second{}.",
        if seconds == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_user: u32, per_channel: u32, seconds: u32) -> RateLimiter {
        let mut limits = RateLimits::default();
        limits.set(
            Class::Ask,
            Limit {
                per_user,
                per_channel,
                seconds,
            },
        );
        RateLimiter::new(limits)
    }

    #[test]
    fn a_user_gets_the_burst_then_waits_for_one_token() {
        let l = limiter(3, 100, 60);
        for _ in 0..3 {
            assert_eq!(l.check("u", "c", Class::Ask, 0), Ok(()));
        }
        // One token comes back every 20 s.
        assert_eq!(l.check("u", "c", Class::Ask, 0), Err(20));
        assert_eq!(l.check("u", "c", Class::Ask, 15_000), Err(5));
        assert_eq!(l.check("u", "c", Class::Ask, 19_999), Err(1));
        assert_eq!(l.check("u", "c", Class::Ask, 20_000), Ok(()));
        assert_eq!(l.check("u", "c", Class::Ask, 20_000), Err(20));
        // Others, and other classes, are not affected.
        assert_eq!(l.check("v", "c", Class::Ask, 20_000), Ok(()));
        assert_eq!(l.check("u", "c", Class::Lookup, 20_000), Ok(()));
    }

    #[test]
    fn a_channel_limit_binds_all_users_together_and_a_refusal_costs_nothing() {
        let l = limiter(10, 2, 10);
        assert_eq!(l.check("a", "c", Class::Ask, 0), Ok(()));
        assert_eq!(l.check("b", "c", Class::Ask, 0), Ok(()));
        assert_eq!(l.check("c", "c", Class::Ask, 0), Err(5));
        assert_eq!(l.check("c", "other", Class::Ask, 0), Ok(()));
        // "a" was refused nothing but spent nothing either while the channel was full.
        for _ in 0..5 {
            let _ = l.check("a", "c", Class::Ask, 1000);
        }
        assert_eq!(l.check("a", "other", Class::Ask, 1000), Ok(()));
    }

    #[test]
    fn zero_means_no_limit_and_settings_parse() {
        let l = limiter(0, 0, 60);
        for _ in 0..1000 {
            assert_eq!(l.check("u", "c", Class::Ask, 0), Ok(()));
        }
        let p = RateLimits::parse("ask=5/20/60; quiz-start=off").expect("valid");
        assert_eq!(
            p.get(Class::Ask),
            Limit {
                per_user: 5,
                per_channel: 20,
                seconds: 60
            }
        );
        assert_eq!(p.get(Class::QuizStart).per_user, 0);
        assert_eq!(
            p.get(Class::Lookup),
            RateLimits::default().get(Class::Lookup)
        );
        let off = RateLimits::parse("off").expect("valid");
        assert!(Class::ALL.iter().all(|c| off.get(*c).per_user == 0));
        let e = RateLimits::parse("ask=5/20").expect_err("three numbers");
        assert!(e.contains("CLASS=USER/CHANNEL/SECONDS"), "{e}");
        assert!(RateLimits::parse("asks=1/1/1").is_err());
        assert!(RateLimits::parse("ask=1/1/0").is_err());
    }

    #[test]
    fn the_message_says_when() {
        assert_eq!(
            slow_down(1),
            "You're going a bit fast: try again in 1 second."
        );
        assert_eq!(
            slow_down(20),
            "You're going a bit fast: try again in 20 seconds."
        );
    }
}

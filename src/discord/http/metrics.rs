//! The endpoint's counters, served at `GET /metrics` in Prometheus' text format. Written by
//! hand: a few atomic counters and one histogram need no framework.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// What a request asked, as far as the endpoint could tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Discord checking the endpoint (type 1).
    Ping,
    /// A slash command.
    Command,
    /// Autocomplete of an option.
    Autocomplete,
    /// A button click.
    Button,
    /// A submitted form.
    Modal,
    /// Refused before its kind was known (unsigned, forged, stale, too large, malformed).
    Unknown,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Ping,
        Kind::Command,
        Kind::Autocomplete,
        Kind::Button,
        Kind::Modal,
        Kind::Unknown,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::Ping => "ping",
            Kind::Command => "command",
            Kind::Autocomplete => "autocomplete",
            Kind::Button => "button",
            Kind::Modal => "modal",
            Kind::Unknown => "unknown",
        }
    }
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered in the HTTP response.
    Answered,
    /// Acknowledged in the HTTP response, answered later through the interaction's webhook.
    Deferred,
    /// 401: unsigned, forged or stale.
    Unauthorized,
    /// 413: the body is over the limit.
    TooLarge,
    /// 400: not an interaction the bot can read.
    Malformed,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Answered,
        Outcome::Deferred,
        Outcome::Unauthorized,
        Outcome::TooLarge,
        Outcome::Malformed,
    ];

    fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Deferred => "deferred",
            Outcome::Unauthorized => "unauthorized",
            Outcome::TooLarge => "too_large",
            Outcome::Malformed => "malformed",
        }
    }
}

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 3.0,
];

/// The endpoint's counters; every method is lock-free.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: [[AtomicU64; 5]; 6],
    /// Per bucket (not cumulative; summed when written), plus one for above the last bound.
    latency: [AtomicU64; 13],
    latency_micros: AtomicU64,
    no_match: AtomicU64,
    quiz_answers: AtomicU64,
    rounds_closed: AtomicU64,
}

fn index<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|a| a == x).unwrap_or(0)
}

impl Metrics {
    /// Counts a request and, if it reached the bot, how long it took to answer.
    pub fn request(&self, kind: Kind, outcome: Outcome, took: Duration) {
        self.requests[index(&Kind::ALL, &kind)][index(&Outcome::ALL, &outcome)]
            .fetch_add(1, Relaxed);
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Relaxed);
        self.latency_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
    }

    /// Counts a lookup that matched nothing.
    pub fn no_match(&self) {
        self.no_match.fetch_add(1, Relaxed);
    }

    /// Counts an answer to a quiz question.
    pub fn quiz_answer(&self) {
        self.quiz_answers.fetch_add(1, Relaxed);
    }

    /// Counts a closed quiz round.
    pub fn round_closed(&self) {
        self.rounds_closed.fetch_add(1, Relaxed);
    }

    /// Everything, in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP sco_bot_requests_total Interaction requests by kind and outcome.\n");
        out.push_str("# TYPE sco_bot_requests_total counter\n");
        for (k, kind) in Kind::ALL.iter().enumerate() {
            for (o, outcome) in Outcome::ALL.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "sco_bot_requests_total{{kind=\"{}\",outcome=\"{}\"}} {}",
                    kind.label(),
                    outcome.label(),
                    self.requests[k][o].load(Relaxed)
                );
            }
        }
        out.push_str(
            "# HELP sco_bot_request_seconds Time from a request's arrival to its HTTP response.\n",
        );
        out.push_str("# TYPE sco_bot_request_seconds histogram\n");
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.latency[i].load(Relaxed);
            let _ = writeln!(
                out,
                "sco_bot_request_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.latency[BUCKETS.len()].load(Relaxed);
        let _ = writeln!(
            out,
            "sco_bot_request_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let _ = writeln!(
            out,
            "sco_bot_request_seconds_sum {}",
            self.latency_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "sco_bot_request_seconds_count {cumulative}");
        for (name, help, value) in [
            (
                "sco_bot_lookups_no_match_total",
                "Lookups that matched no entry.",
                &self.no_match,
            ),
            (
                "sco_bot_quiz_answers_total",
                "Answers to quiz questions.",
                &self.quiz_answers,
            ),
            (
                "sco_bot_quiz_rounds_closed_total",
                "Quiz rounds closed and revealed.",
                &self.rounds_closed,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Relaxed)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_counts_every_request() {
        let m = Metrics::default();
        m.request(Kind::Command, Outcome::Answered, Duration::from_micros(200));
        m.request(Kind::Command, Outcome::Answered, Duration::from_millis(3));
        m.request(Kind::Unknown, Outcome::Unauthorized, Duration::from_secs(9));
        m.no_match();
        let text = m.render();
        assert!(text.contains("sco_bot_requests_total{kind=\"command\",outcome=\"answered\"} 2\n"));
        assert!(
            text.contains("sco_bot_requests_total{kind=\"unknown\",outcome=\"unauthorized\"} 1\n")
        );
        assert!(text.contains("sco_bot_request_seconds_bucket{le=\"0.00025\"} 1\n"));
        assert!(text.contains("sco_bot_request_seconds_bucket{le=\"0.005\"} 2\n"));
        assert!(text.contains("sco_bot_request_seconds_bucket{le=\"3\"} 2\n"));
        assert!(text.contains("sco_bot_request_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("sco_bot_request_seconds_count 3\n"));
        assert!(text.contains("sco_bot_lookups_no_match_total 1\n"));
    }
}

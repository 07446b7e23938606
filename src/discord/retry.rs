//! Retrying what Discord refused for now: a 429 (rate limited) or a 5xx (Discord's own fault).
//!
//! serenity's rate limiter already waits out a 429's `retry-after` and sends again, but it
//! has no deadline (an interaction callback must land within 3 s of the interaction), it
//! never retries a 5xx, and it is off whenever the client talks to a proxy (the tests' fake
//! Discord). This module adds what is missing, around each request the bot makes:
//!
//! - a **deadline**: a retry is only sent if its backoff ends before it, and a request still
//!   waiting (in serenity's limiter, or on the network) at the deadline is given up;
//! - **backoff** of 250 ms, 500 ms, 1 s, 2 s between attempts (four retries at most);
//! - **no duplicate message**: a request that may have been carried out before Discord failed
//!   (a 5xx, a lost connection) is retried only where sending it twice cannot show twice: an
//!   interaction callback (Discord takes one and refuses the next with 40060, read here as
//!   success), an edit, and a channel post sent with a nonce Discord enforces (a repeat
//!   returns the first message). A follow-up (a webhook post, which has no nonce) is retried
//!   only after a 429, which Discord sends before doing anything.

use std::future::Future;
use std::time::Duration;

use serenity::all::{HttpError, StatusCode};
use tokio::time::Instant;

/// Waits before the first, second, … retry.
pub const BACKOFF: [Duration; 4] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_millis(1000),
    Duration::from_millis(2000),
];

/// How long after receiving an interaction its callback may still be sent: Discord allows
/// 3 s from its side, and the network takes some of that.
pub const CALLBACK_WITHIN: Duration = Duration::from_millis(2800);

/// How long a channel post, an edit or a follow-up keeps being retried.
pub const POST_WITHIN: Duration = Duration::from_secs(10);

/// Whether sending a request twice could show something twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Sending it again is harmless (a callback, an edit, a post with an enforced nonce):
    /// retried after a 429, a 5xx or a failed connection.
    Harmless,
    /// Sending it again could post it twice (a follow-up): retried only after a 429.
    Doubles,
}

/// What one failed attempt means.
#[derive(Debug, PartialEq, Eq)]
enum Failure {
    /// 429: Discord did nothing; try again later.
    RateLimited,
    /// A 5xx or a lost connection: Discord may or may not have done it.
    Unsure,
    /// Anything else (a 4xx): retrying cannot help.
    Final,
}

/// How a serenity error reads: see [`Failure`].
fn failure(e: &serenity::Error) -> Failure {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            if r.status_code == StatusCode::TOO_MANY_REQUESTS {
                Failure::RateLimited
            } else if r.status_code.is_server_error() {
                Failure::Unsure
            } else {
                Failure::Final
            }
        }
        serenity::Error::Http(HttpError::Request(r)) if r.is_connect() || r.is_timeout() => {
            Failure::Unsure
        }
        _ => Failure::Final,
    }
}

/// Whether `e` is Discord's "Interaction has already been acknowledged" (40060).
pub fn already_acknowledged(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.error.code == 40060)
}

/// Sends with `attempt` until it succeeds, fails for good, or the next try would end after
/// `deadline`; `what` names the request in logs. Returns the last error when it gives up.
pub async fn send<T, F, Fut>(
    what: &str,
    deadline: Instant,
    repeat: Repeat,
    attempt: F,
) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    retrying(what, deadline, repeat, attempt, failure, || {
        serenity::Error::Other("Discord did not answer before the deadline")
    })
    .await
}

/// [`send`] for any error type, read by `classify`; `late` is the error when the deadline
/// passes during an attempt.
async fn retrying<T, E, F, Fut>(
    what: &str,
    deadline: Instant,
    repeat: Repeat,
    mut attempt: F,
    classify: impl Fn(&E) -> Failure,
    late: impl Fn() -> E,
) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = 0;
    loop {
        let e = match tokio::time::timeout_at(deadline, attempt()).await {
            Ok(Ok(done)) => return Ok(done),
            Ok(Err(e)) => e,
            Err(_) => return Err(late()),
        };
        let retry = match classify(&e) {
            Failure::RateLimited => true,
            Failure::Unsure => repeat == Repeat::Harmless,
            Failure::Final => false,
        };
        match BACKOFF.get(tries).copied() {
            Some(wait) if retry && Instant::now() + wait < deadline => {
                tries += 1;
                tracing::warn!("{what}: Discord refused for now ({e}); retry {tries} in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            _ => return Err(e),
        }
    }
}

/// A nonce for a channel post (at most 25 characters, as Discord allows): the same for every
/// attempt of one post, so Discord keeps one message however often it is sent.
pub fn nonce(parts: &str) -> String {
    format!("sco{:016x}", crate::quiz::rng::fnv1a(parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A status as the failure it is read as, the way [`failure`] reads serenity's errors.
    fn classify(status: &u16) -> Failure {
        match status {
            429 => Failure::RateLimited,
            500..=599 => Failure::Unsure,
            _ => Failure::Final,
        }
    }

    async fn run(statuses: &[u16], repeat: Repeat, within: Duration) -> (bool, usize) {
        let calls = AtomicUsize::new(0);
        let attempt = || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let status = statuses.get(n).copied();
            async move { status.map_or(Ok(()), Err) }
        };
        let result = retrying(
            "test",
            Instant::now() + within,
            repeat,
            attempt,
            classify,
            || 0,
        )
        .await;
        (result.is_ok(), calls.load(Ordering::SeqCst))
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_or_5xx_is_retried_after_a_backoff_and_a_4xx_is_not() {
        assert_eq!(
            run(&[429, 503], Repeat::Harmless, POST_WITHIN).await,
            (true, 3)
        );
        assert_eq!(run(&[400], Repeat::Harmless, POST_WITHIN).await, (false, 1));
        assert_eq!(run(&[500], Repeat::Doubles, POST_WITHIN).await, (false, 1));
        assert_eq!(run(&[429], Repeat::Doubles, POST_WITHIN).await, (true, 2));
    }

    #[tokio::test(start_paused = true)]
    async fn no_retry_ends_after_the_deadline() {
        // 250 + 500 + 1000 ms fit in 2.8 s; the 2 s after them do not.
        let (ok, calls) = run(&[429; 10], Repeat::Harmless, CALLBACK_WITHIN).await;
        assert_eq!((ok, calls), (false, 4));
    }

    #[test]
    fn nonces_fit_discord_and_differ_per_post() {
        assert!(nonce("q 1 2").len() <= 25);
        assert_ne!(nonce("q 1 2"), nonce("q 1 3"));
    }
}

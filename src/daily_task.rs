//! The question-of-the-day task: at each server's due time (and at start-up, for a post
//! missed while the bot was down) it claims the day's post in the store (`daily::claim_due`:
//! once per server and local date, whichever process asks first) and, if this process won the
//! claim, posts the question through the front end's [`Poster`]. It reads "now" from the
//! injected [`daily::Clock`], so tests walk through days by setting it.

use std::sync::Arc;

use crate::commands::daily::post_reply;
use crate::daily;
use crate::interaction::Services;
use crate::reply::Reply;

/// How long the task waits at most between looks at the schedules: a schedule set or changed
/// with `/daily set` is seen within this.
pub const LOOK_EVERY_MS: i64 = 60_000;

/// Where the task posts: a front end that can post in a channel (the Discord gateway's).
pub trait Poster: Send + Sync + 'static {
    /// Posts `reply` in `channel`; `key` names the post, so a front end that retries can make
    /// a repeat show once. `false` if it could not be posted (the front end logs why).
    fn post(&self, channel: &str, key: &str, reply: &Reply) -> impl Future<Output = bool> + Send;
}

/// One look at the schedules at `now_ms`: posts what this call claimed; returns when to look
/// again (ms since the epoch).
pub async fn tick<P: Poster>(services: &Arc<Services>, poster: &P, now_ms: i64) -> i64 {
    let Some(engine) = services.engine.clone() else {
        return now_ms + LOOK_EVERY_MS;
    };
    let knowledge = services.facts.current();
    let k = Arc::clone(&knowledge);
    let store = Arc::clone(&engine);
    let looked = tokio::task::spawn_blocking(move || {
        let claimed = daily::claim_due(store.store(), k.bank(), now_ms)?;
        let schedules = store.store().daily_schedules()?;
        Ok::<_, crate::store::StoreError>((claimed, schedules))
    })
    .await;
    let (claimed, schedules) = match looked {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            tracing::error!("the question of the day could not read the store: {e}");
            return now_ms + LOOK_EVERY_MS;
        }
        Err(e) => {
            tracing::error!("the question of the day's store step failed: {e}");
            return now_ms + LOOK_EVERY_MS;
        }
    };
    for post in claimed {
        let Some(q) = knowledge.bank().get(&post.question_id) else {
            continue;
        };
        let key = format!("daily {} {}", post.guild, post.date);
        if poster
            .post(&post.channel, &key, &post_reply(q, &post.date))
            .await
        {
            tracing::info!(guild = %post.guild, date = %post.date, "posted the question of the day");
        }
    }
    schedules
        .iter()
        .filter_map(|s| daily::next_due(s.minute, &s.zone, now_ms))
        .map(|d| d.at_ms)
        .fold(now_ms + LOOK_EVERY_MS, i64::min)
}

/// Starts the task: one look now (a post missed while the bot was down goes out before this
/// returns), then a task that looks again at each next due time, or every
/// [`LOOK_EVERY_MS`], until aborted.
pub async fn start<P: Poster>(services: Arc<Services>, poster: P) -> tokio::task::JoinHandle<()> {
    let mut next = tick(&services, &poster, services.clock.now_ms()).await;
    tokio::spawn(async move {
        loop {
            services.clock.wait(next - services.clock.now_ms()).await;
            next = tick(&services, &poster, services.clock.now_ms()).await;
        }
    })
}

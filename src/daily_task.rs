//! The question-of-the-day task: at each server's due time (and at start-up, for a post
//! missed while the bot was down) it claims the day's post in the store (`daily::claim_due`:
//! once per server and local date, whichever process asks first) and, if this process won the
//! claim, posts the question through the front end's [`Poster`]. When a day's answer is due
//! ([`reveal_at`]: 12 hours after the post, or the next post if sooner) it claims the reveal
//! once (`Store::claim_daily_reveal`) and posts the answer and who got it right. It reads "now" from the
//! injected [`daily::Clock`], so tests walk through days by setting it.

use std::sync::Arc;

use crate::commands::daily::{post_reply, reveal_reply};
use crate::daily;
use crate::interaction::Services;
use crate::reply::Reply;
use crate::store::{DailyPost, DailySchedule};

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
        let store = store.store();
        let schedules = store.daily_schedules()?;
        // Reveals first, so that yesterday's answer comes before today's question.
        let mut reveals = Vec::new();
        let mut pending = Vec::new();
        for post in store.daily_unrevealed()? {
            let at = reveal_at(&post, schedules.iter().find(|s| s.guild == post.guild));
            if at > now_ms {
                pending.push(at);
            } else if store.claim_daily_reveal(&post.guild, &post.date, now_ms)? {
                let answers = store.daily_answers(&post.guild, &post.date)?;
                reveals.push((post, answers));
            }
        }
        let claimed = daily::claim_due(store, k.bank(), now_ms)?;
        Ok::<_, crate::store::StoreError>((reveals, pending, claimed, schedules))
    })
    .await;
    let (reveals, pending, claimed, schedules) = match looked {
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
    for (post, answers) in reveals {
        let key = format!("daily reveal {} {}", post.guild, post.date);
        let reply = reveal_reply(&knowledge, &post, &answers);
        if poster.post(&post.channel, &key, &reply).await {
            tracing::info!(guild = %post.guild, date = %post.date, "revealed the question of the day");
        }
    }
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
        .chain(pending)
        .fold(now_ms + LOOK_EVERY_MS, i64::min)
}

/// When a day's answer is revealed: its schedule's reveal delay after the post, or the next
/// post, whichever comes first (a post whose schedule was turned off: the default delay).
pub fn reveal_at(post: &DailyPost, schedule: Option<&DailySchedule>) -> i64 {
    let minutes = schedule.map_or(daily::REVEAL_AFTER_MINUTES, |s| s.reveal_minutes);
    let after = post.posted_ms + i64::from(minutes) * 60_000;
    schedule
        .and_then(|s| daily::next_due(s.minute, &s.zone, post.posted_ms))
        .map_or(after, |next| after.min(next.at_ms))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> i64 {
        let t: jiff::Timestamp = format!("{text}:00Z").parse().expect("an instant");
        t.as_millisecond()
    }

    #[test]
    fn the_answer_is_revealed_after_the_delay_or_at_the_next_post_if_sooner() {
        let schedule = DailySchedule {
            guild: "g".into(),
            channel: "c".into(),
            minute: 540,
            zone: "UTC".into(),
            reveal_minutes: 720,
            updated_ms: 0,
        };
        let post = |at: i64| DailyPost {
            guild: "g".into(),
            date: "2026-06-10".into(),
            channel: "c".into(),
            question_id: "q".into(),
            posted_ms: at,
        };
        // Posted on time at 09:00: revealed at 21:00.
        let on_time = post(utc("2026-06-10T09:00"));
        assert_eq!(
            reveal_at(&on_time, Some(&schedule)),
            utc("2026-06-10T21:00")
        );
        // A missed post sent at 05:00 the next day: revealed at the next post, 09:00.
        let late = post(utc("2026-06-11T05:00"));
        assert_eq!(reveal_at(&late, Some(&schedule)), utc("2026-06-11T09:00"));
        // Its schedule turned off: the default delay.
        assert_eq!(reveal_at(&late, None), utc("2026-06-11T17:00"));
    }
}

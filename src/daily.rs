//! A question of the day: when a server's daily question is due, in its own time zone.
//!
//! Pure functions over a schedule (a local time of day and an IANA zone) and an instant: the
//! store keeps the schedules and claims each day's post once (`Store::claim_daily`, a unique
//! key on server and local date), and the scheduler asks these functions what is due. Time
//! zones come from `jiff` with its bundled copy of the tz database, so a machine without
//! tzdata (a CI container) computes the same instants.
//!
//! Daylight saving: a post time that a spring-forward gap skips moves forward by the gap's
//! length (02:30 on a day that jumps from 02:00 to 03:00 is posted at 03:30: jiff's
//! "compatible" rule); a time that a fall-back fold repeats is posted at its first
//! occurrence. Either way one post per local date.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The clock the bot reads "now" from: the wall clock, or (in tests) a hand-set one that
/// wakes the question-of-the-day task whenever it is moved, so a test walks through days
/// without sleeping.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<std::sync::Arc<Manual>>);

#[derive(Debug)]
struct Manual {
    now_ms: std::sync::atomic::AtomicI64,
    moved: tokio::sync::Notify,
}

impl Clock {
    /// The wall clock.
    pub fn wall() -> Clock {
        Clock(None)
    }

    /// A clock that reads `now_ms` until [`Clock::set`] moves it.
    pub fn manual(now_ms: i64) -> Clock {
        Clock(Some(std::sync::Arc::new(Manual {
            now_ms: std::sync::atomic::AtomicI64::new(now_ms),
            moved: tokio::sync::Notify::new(),
        })))
    }

    /// Now, in ms since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(m) => m.now_ms.load(std::sync::atomic::Ordering::SeqCst),
            None => crate::quiz::session::wall_clock_ms(),
        }
    }

    /// Moves a manual clock to `now_ms` and wakes whoever waits on it (the wall clock ignores
    /// this).
    pub fn set(&self, now_ms: i64) {
        if let Some(m) = &self.0 {
            m.now_ms.store(now_ms, std::sync::atomic::Ordering::SeqCst);
            m.moved.notify_one();
        }
    }

    /// Waits `ms` milliseconds of tokio's clock, or (a manual clock) until it is moved.
    pub async fn wait(&self, ms: i64) {
        let sleep = tokio::time::sleep(std::time::Duration::from_millis(ms.max(0) as u64));
        match &self.0 {
            Some(m) => {
                tokio::select! {
                    () = sleep => {}
                    () = m.moved.notified() => {}
                }
            }
            None => sleep.await,
        }
    }
}

/// Minutes in a day: a post time is `0..MINUTES_PER_DAY` minutes after local midnight.
pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// A time of day typed as `HH:MM` (24-hour; `9:05` too), as minutes after midnight.
pub fn parse_time(text: &str) -> Result<u16, String> {
    let bad = || {
        format!(
            "“{}” is not a time of day: give hours and minutes on a 24-hour clock, such as 09:00 or 18:30",
            crate::reply::echo(text)
        )
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    match (digits(h, 1..=2), digits(m, 2..=2)) {
        (Some(h), Some(m)) if h < 24 && m < 60 => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

/// `HH:MM` for minutes after midnight.
pub fn show_time(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// An IANA time zone name (`Europe/Moscow`, `Asia/Shanghai`, `UTC`), checked against the
/// bundled tz database; returns its canonical spelling.
pub fn parse_zone(text: &str) -> Result<String, String> {
    let name = text.trim();
    let bad = || {
        format!(
            "“{}” is not a time zone I know: give an IANA name such as Europe/Moscow, Asia/Shanghai, Asia/Almaty or UTC",
            crate::reply::echo(name)
        )
    };
    if name.is_empty() || name.len() > 64 {
        return Err(bad());
    }
    let tz = TimeZone::get(name).map_err(|_| bad())?;
    Ok(tz.iana_name().unwrap_or(name).to_string())
}

/// When a post is due: the server's local date (`YYYY-MM-DD`, the key of that day's post)
/// and the instant, in ms since the Unix epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// The local date.
    pub date: String,
    /// The instant.
    pub at_ms: i64,
}

fn due_on(date: Date, minute: u16, tz: &TimeZone) -> Option<Due> {
    let minute = minute.min(MINUTES_PER_DAY - 1);
    let local = date.at(
        i8::try_from(minute / 60).ok()?,
        i8::try_from(minute % 60).ok()?,
        0,
        0,
    );
    // "Compatible" disambiguation: a gap moves forward, a fold takes the earlier instant.
    let zoned = local.to_zoned(tz.clone()).ok()?;
    Some(Due {
        date: date.to_string(),
        at_ms: zoned.timestamp().as_millisecond(),
    })
}

fn today(zone: &str, now_ms: i64) -> Option<(TimeZone, Date)> {
    let tz = TimeZone::get(zone).ok()?;
    let now = Timestamp::from_millisecond(now_ms).ok()?;
    let date = now.to_zoned(tz.clone()).date();
    Some((tz, date))
}

/// The latest post due at or before `now_ms`: today's if its time has come, else
/// yesterday's. `None` for a zone the database does not know.
pub fn latest_due(minute: u16, zone: &str, now_ms: i64) -> Option<Due> {
    let (tz, date) = today(zone, now_ms)?;
    let due = due_on(date, minute, &tz)?;
    if due.at_ms <= now_ms {
        return Some(due);
    }
    due_on(date.yesterday().ok()?, minute, &tz)
}

/// The first post due strictly after `now_ms`.
pub fn next_due(minute: u16, zone: &str, now_ms: i64) -> Option<Due> {
    let (tz, date) = today(zone, now_ms)?;
    let due = due_on(date, minute, &tz)?;
    if due.at_ms > now_ms {
        return Some(due);
    }
    due_on(date.tomorrow().ok()?, minute, &tz)
}

/// The local date (`YYYY-MM-DD`) at `now_ms` in `zone`; `None` for an unknown zone.
pub fn local_date(zone: &str, now_ms: i64) -> Option<String> {
    today(zone, now_ms).map(|(_, d)| d.to_string())
}

/// The local date before `date` (`YYYY-MM-DD`), if it is one.
pub fn day_before(date: &str) -> Option<String> {
    date.parse::<Date>()
        .ok()?
        .yesterday()
        .ok()
        .map(|d| d.to_string())
}

/// An instant as the zone's local date and time, such as `2026-06-10 09:00 (Europe/Moscow)`.
pub fn show_instant(at_ms: i64, zone: &str) -> String {
    let shown = TimeZone::get(zone).ok().and_then(|tz| {
        let t = Timestamp::from_millisecond(at_ms).ok()?;
        Some(t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
    });
    match shown {
        Some(s) => format!("{s} ({zone})"),
        None => format!("{at_ms} ms"),
    }
}

/// How long after its post a day's answer is revealed (unless the next post comes first).
pub const REVEAL_AFTER_MINUTES: u32 = 12 * 60;

/// A user's streak: how many consecutive local dates, ending today (or yesterday, since
/// today's question may not be answered yet), are among `right_dates` (the dates they answered
/// the question of the day right, as `Store::daily_right_dates` gives them). A day missed or
/// answered wrong ends it.
pub fn streak(right_dates: &[String], today: &str) -> u32 {
    let right: std::collections::HashSet<&str> = right_dates.iter().map(String::as_str).collect();
    let Ok(mut day) = today.parse::<Date>() else {
        return 0;
    };
    if !right.contains(day.to_string().as_str()) {
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => return 0,
        }
    }
    let mut n = 0;
    while right.contains(day.to_string().as_str()) {
        n += 1;
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    n
}

/// The scheduler's claim step: for every schedule whose latest due post (at or before
/// `now_ms`) has not been claimed yet, picks that day's question (the same for a server and
/// date, whoever picks it) and claims the day in the store; returns the posts this call
/// claimed, which its caller then posts. A post due while the bot was down is claimed on the
/// first call after it returns, and only once (the claim is the store's insert-if-absent, so
/// two processes cannot both claim it); a post due before the schedule was set is not owed.
pub fn claim_due(
    store: &dyn crate::store::Store,
    bank: &crate::quiz::bank::Bank,
    now_ms: i64,
) -> Result<Vec<crate::store::DailyPost>, crate::store::StoreError> {
    let mut claimed = Vec::new();
    for s in store.daily_schedules()? {
        let Some(due) = latest_due(s.minute, &s.zone, now_ms) else {
            tracing::warn!(guild = %s.guild, zone = %s.zone, "a daily schedule names an unknown time zone");
            continue;
        };
        if due.at_ms < s.updated_ms {
            continue;
        }
        let seed = crate::quiz::rng::fnv1a(&format!("{}|{}", s.guild, due.date));
        let Some(q) = bank.order(None, seed).into_iter().next() else {
            continue;
        };
        let post = crate::store::DailyPost {
            guild: s.guild.clone(),
            date: due.date,
            channel: s.channel.clone(),
            question_id: q.id.clone(),
            posted_ms: now_ms,
        };
        if store.claim_daily(&post)? {
            claimed.push(post);
        }
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds of a UTC instant written `YYYY-MM-DDTHH:MM`.
    fn utc(text: &str) -> i64 {
        let t: Timestamp = format!("{text}:00Z").parse().expect("an instant");
        t.as_millisecond()
    }

    #[test]
    fn times_of_day_parse_on_a_24_hour_clock_and_bad_ones_say_how() {
        assert_eq!(parse_time("09:00"), Ok(540));
        assert_eq!(parse_time(" 9:05 "), Ok(545));
        assert_eq!(parse_time("23:59"), Ok(1439));
        assert_eq!(parse_time("00:00"), Ok(0));
        for bad in [
            "24:00",
            "12:60",
            "12",
            "12:5",
            "noon",
            "-1:00",
            "1:00pm",
            "",
            "٠٩:٠٠",
        ] {
            let e = parse_time(bad).expect_err(bad);
            assert!(e.contains("such as 09:00"), "{e}");
        }
        assert_eq!(show_time(545), "09:05");
    }

    #[test]
    fn zones_are_iana_names_from_the_bundled_database() {
        assert_eq!(parse_zone("Europe/Moscow").as_deref(), Ok("Europe/Moscow"));
        assert_eq!(parse_zone("UTC").as_deref(), Ok("UTC"));
        assert_eq!(parse_zone("Asia/Shanghai").as_deref(), Ok("Asia/Shanghai"));
        for bad in ["Mars/Olympus", "", "MSK+3", &"A/".repeat(50)] {
            let e = parse_zone(bad).expect_err(bad);
            assert!(e.contains("IANA name"), "{e}");
        }
    }

    #[test]
    fn the_due_instant_is_the_local_time_in_each_zone() {
        // 09:00 in Moscow (UTC+3, no DST), Shanghai (UTC+8), Kathmandu (UTC+5:45), UTC.
        let now = utc("2026-06-10T12:00");
        let at = |zone| latest_due(540, zone, now).expect("a known zone");
        assert_eq!(
            at("Europe/Moscow"),
            Due {
                date: "2026-06-10".into(),
                at_ms: utc("2026-06-10T06:00")
            }
        );
        assert_eq!(at("Asia/Shanghai").at_ms, utc("2026-06-10T01:00"));
        assert_eq!(at("Asia/Kathmandu").at_ms, utc("2026-06-10T03:15"));
        assert_eq!(at("UTC").at_ms, utc("2026-06-10T09:00"));
        // In Los Angeles it is still 05:00: today's 09:00 has not come, yesterday's is due.
        let la = latest_due(540, "America/Los_Angeles", now).expect("known");
        assert_eq!(la.date, "2026-06-09");
        assert_eq!(la.at_ms, utc("2026-06-09T16:00"));
        let next = next_due(540, "America/Los_Angeles", now).expect("known");
        assert_eq!(next.date, "2026-06-10");
        assert_eq!(next.at_ms, utc("2026-06-10T16:00"));
    }

    #[test]
    fn the_local_date_not_the_utc_date_keys_the_post() {
        // 00:30 in Shanghai on 11 June is 16:30 UTC on 10 June.
        let now = utc("2026-06-10T16:45");
        let due = latest_due(30, "Asia/Shanghai", now).expect("known");
        assert_eq!(due.date, "2026-06-11");
        assert_eq!(due.at_ms, utc("2026-06-10T16:30"));
        // Exactly at the due instant it is due; a millisecond before, the day before is.
        assert_eq!(
            latest_due(30, "Asia/Shanghai", due.at_ms),
            Some(due.clone())
        );
        assert_eq!(
            latest_due(30, "Asia/Shanghai", due.at_ms - 1).map(|d| d.date),
            Some("2026-06-10".into())
        );
        assert_eq!(next_due(30, "Asia/Shanghai", due.at_ms - 1), Some(due));
    }

    #[test]
    fn daylight_saving_moves_the_instant_and_never_skips_or_repeats_a_day() {
        // Berlin: UTC+1 in winter, UTC+2 from 29 March 2026 (02:00 → 03:00), back on 25
        // October 2026 (03:00 → 02:00).
        let z = "Europe/Berlin";
        let nine = |day: &str| next_due(540, z, utc(&format!("{day}T00:00"))).expect("known");
        assert_eq!(nine("2026-03-28").at_ms, utc("2026-03-28T08:00"));
        assert_eq!(nine("2026-03-29").at_ms, utc("2026-03-29T07:00"));
        assert_eq!(nine("2026-10-25").at_ms, utc("2026-10-25T08:00"));
        // 02:30 does not exist on 29 March: posted once, at 03:30 local (01:30 UTC).
        let gap = next_due(150, z, utc("2026-03-28T23:00")).expect("known");
        assert_eq!(gap.date, "2026-03-29");
        assert_eq!(gap.at_ms, utc("2026-03-29T01:30"));
        // 02:30 happens twice on 25 October: posted at the first (00:30 UTC), once.
        let fold = next_due(150, z, utc("2026-10-24T23:00")).expect("known");
        assert_eq!(fold.date, "2026-10-25");
        assert_eq!(fold.at_ms, utc("2026-10-25T00:30"));
        let after = next_due(150, z, fold.at_ms).expect("known");
        assert_eq!(
            after.date, "2026-10-26",
            "the repeated hour is not a second post"
        );
        // Walking a year of days by next_due visits every local date once, in order.
        let mut now = utc("2026-01-01T00:00");
        let mut dates = Vec::new();
        loop {
            let d = next_due(150, z, now).expect("known");
            assert!(d.at_ms > now);
            if d.date.starts_with("2027") {
                break;
            }
            now = d.at_ms;
            dates.push(d.date);
        }
        assert_eq!(dates.len(), 365);
        let unique: std::collections::BTreeSet<_> = dates.iter().collect();
        assert_eq!(unique.len(), 365);
    }

    #[test]
    fn a_streak_counts_consecutive_right_days_up_to_today_or_yesterday() {
        let dates = |list: &[&str]| list.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        let run = dates(&["2026-03-01", "2026-02-28", "2026-02-27", "2026-02-25"]);
        assert_eq!(streak(&run, "2026-03-01"), 3, "today answered");
        assert_eq!(streak(&run, "2026-03-02"), 3, "today not answered yet");
        assert_eq!(streak(&run, "2026-03-03"), 0, "a day missed");
        assert_eq!(streak(&run, "2026-02-26"), 1);
        // Across a month and a year end, and in a leap year.
        let leap = dates(&["2028-03-01", "2028-02-29", "2028-02-28"]);
        assert_eq!(streak(&leap, "2028-03-01"), 3);
        let new_year = dates(&["2027-01-01", "2026-12-31"]);
        assert_eq!(streak(&new_year, "2027-01-01"), 2);
        assert_eq!(streak(&[], "2026-03-01"), 0);
        assert_eq!(streak(&run, "not a date"), 0);
    }

    #[test]
    fn an_unknown_zone_has_no_due_time() {
        assert_eq!(latest_due(540, "Mars/Olympus", 0), None);
        assert_eq!(next_due(540, "Mars/Olympus", 0), None);
    }
}

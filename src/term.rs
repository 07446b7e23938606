//! Text laid out for a terminal: how wide the terminal is, and wrapping to that width.
//!
//! The terminal front end wraps only when standard output is a terminal; piped output (the
//! probes, `| grep`, a file) stays one line per line so that scripts see whole sentences.
//! Widths are display columns (`unicode-width`): a Chinese character takes two.

use unicode_width::UnicodeWidthStr;

/// The narrowest width worth wrapping to; below it, text is left as it is.
pub const MIN_WIDTH: usize = 20;

/// The narrowest width [`wrap`] wraps to (a column of a table may be this narrow).
pub const NARROWEST: usize = 8;

/// The width of a terminal that says nothing about its size.
pub const DEFAULT_WIDTH: usize = 80;

/// Display columns of `text`.
pub fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The width to wrap standard output to: `None` when it is not a terminal (piped, a file);
/// otherwise `COLUMNS` if set to a number, else what the terminal reports, else 80.
pub fn stdout_width() -> Option<usize> {
    if !stdout_is_tty() {
        return None;
    }
    let env = std::env::var("COLUMNS").ok();
    Some(choose_width(env.as_deref(), window_columns()))
}

/// The width from `COLUMNS` (when it is a usable number) or the terminal's own report.
pub fn choose_width(columns_env: Option<&str>, reported: Option<usize>) -> usize {
    columns_env
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c >= MIN_WIDTH)
        .or(reported.filter(|&c| c >= MIN_WIDTH))
        .unwrap_or(DEFAULT_WIDTH)
}

fn stdout_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// What the terminal reports (TIOCGWINSZ on Unix, through the `terminal_size` crate: the
/// crate denies `unsafe`, and clap's help wrapping already builds it).
fn window_columns() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
}

/// Wraps every line of `text` to `width` columns at spaces. A continuation line keeps the
/// line's indentation and hangs under its text: after a bullet (`• `, `- `, `[3] `, `A) `), or
/// after a column gap (two or more spaces, as in `/help` and `/compare`). A word longer than
/// the room (a URL) is kept whole on a line of its own.
pub fn wrap(text: &str, width: usize) -> String {
    if width < NARROWEST {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / width.max(1));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        wrap_line(line, width, &mut out);
    }
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    if columns(line) <= width {
        out.push_str(line);
        return;
    }
    let hang = hanging_indent(line);
    if hang > width / 2 {
        // A column too far right to hang under (a long label in a narrow terminal): the
        // label keeps its line, the text goes below it, indented.
        let lead = line.len() - line.trim_start().len();
        let cut = line[lead..].find("  ").map(|g| lead + g);
        if let Some(cut) = cut {
            out.push_str(line[..cut].trim_end());
            out.push('\n');
            let indent = columns(&line[..lead]) + 4;
            let rest = format!("{}{}", " ".repeat(indent), line[cut..].trim_start());
            wrap_line(&rest, width, out);
            return;
        }
    }
    let hang = hang.min(width / 2);
    let pad = " ".repeat(hang);
    let lead_len = line.len() - line.trim_start().len();
    let mut current = line[..lead_len].to_string();
    let mut used = columns(&current);
    let mut rest = &line[lead_len..];
    let mut first = true;
    loop {
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        rest = &rest[spaces..];
        let end = rest.find(' ').unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        if word.is_empty() {
            break;
        }
        let w = columns(word);
        if !first && used + spaces + w > width {
            out.push_str(current.trim_end());
            out.push('\n');
            current.clone_from(&pad);
            used = hang;
        } else {
            // Column gaps (runs of spaces) are kept as they are.
            current.push_str(&" ".repeat(spaces));
            used += spaces;
        }
        current.push_str(word);
        used += w;
        first = false;
    }
    out.push_str(current.trim_end());
}

/// Where continuation lines of `line` start.
fn hanging_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start().len();
    let rest = &line[lead..];
    // A column gap: the text after the first run of two or more spaces.
    if let Some(gap) = rest.find("  ") {
        let after = rest[gap..].trim_start();
        if !after.is_empty() {
            let start = line.len() - after.len();
            return columns(&line[..start]);
        }
    }
    let bullet = ["• ", "- ", "* "]
        .iter()
        .find(|b| rest.starts_with(*b))
        .map(|b| b.len())
        .or_else(|| {
            // "[12] " or "A) "
            let close = rest.find([']', ')'])?;
            (close <= 4 && rest[close + 1..].starts_with(' ')).then_some(close + 2)
        });
    columns(&line[..lead]) + bullet.map_or(0, |b| columns(&rest[..b]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_and_words_stay_whole() {
        let text = "India is a member state of the SCO since 9 June 2017 (Astana summit 2017).";
        let wrapped = wrap(text, 30);
        for line in wrapped.lines() {
            assert!(columns(line) <= 30, "{line:?}");
        }
        assert_eq!(wrapped.replace('\n', " "), text);
    }

    #[test]
    fn continuation_lines_hang_under_bullets_and_columns() {
        let wrapped = wrap("  [1] TASS report on the Tianjin summit (tass.com)", 24);
        assert_eq!(
            wrapped,
            "  [1] TASS report on the\n      Tianjin summit\n      (tass.com)"
        );
        let wrapped = wrap("/member <name>    A country's relation to the SCO", 36);
        assert_eq!(
            wrapped,
            "/member <name>    A country's\n                  relation to the\n                  SCO"
        );
    }

    #[test]
    fn a_column_too_far_right_moves_below_its_label() {
        let wrapped = wrap("/leaderboard [scope] [period]  Top quiz players", 40);
        assert_eq!(
            wrapped,
            "/leaderboard [scope] [period]\n    Top quiz players"
        );
    }

    #[test]
    fn a_long_url_keeps_a_line_of_its_own() {
        let url = "https://example.org/a/very/long/path/that/does/not/fit";
        let wrapped = wrap(&format!("see {url} now"), 24);
        assert_eq!(wrapped, format!("see\n{url}\nnow"));
    }

    #[test]
    fn chinese_counts_two_columns_a_character() {
        assert_eq!(columns("上海合作组织"), 12);
        let wrapped = wrap("上海 合作 组织 上海 合作 组织 上海 合作 组织 上海 合作", 20);
        assert!(wrapped.lines().all(|l| columns(l) <= 20), "{wrapped}");
    }

    #[test]
    fn width_comes_from_columns_then_the_terminal() {
        assert_eq!(choose_width(Some("100"), Some(60)), 100);
        assert_eq!(choose_width(Some("junk"), Some(60)), 60);
        assert_eq!(choose_width(Some("5"), None), DEFAULT_WIDTH);
        assert_eq!(choose_width(None, None), DEFAULT_WIDTH);
    }

    #[test]
    fn short_lines_are_untouched() {
        assert_eq!(wrap("a  b\n\nc", 40), "a  b\n\nc");
        assert_eq!(wrap("anything goes", 5), "anything goes");
    }
}

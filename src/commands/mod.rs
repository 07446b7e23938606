//! The one command table that every front end uses: names, descriptions, options, handlers.
//!
//! Help text, CLI parsing, Discord registration, autocomplete and dispatch all read [`COMMANDS`].
//! Adding a command is one handler and one entry here.

pub mod quiz;

use std::fmt::Write as _;

use crate::Knowledge;
use crate::facts::{Date, Details, Entry, FactBase, Kind, Status, ordinal, span};
use crate::reply::{EntryRef, Reply, capitalise, echo};
use crate::search::{Hit, Outcome, Resolution};

/// What an option holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// Free text looked up in the fact base; autocompleted from entries of the kind (or all).
    Lookup(Option<Kind>),
    /// The name of a command (for `/help`); choices come from the table.
    CommandName,
    /// A whole number in a range.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// A user (a Discord user id; offline, any name).
    User,
    /// Free text, not looked up or autocompleted (a question).
    Text,
}

/// One option of a command.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// Name, as typed (`name`, `from`).
    pub name: &'static str,
    /// Its name in Russian and in Chinese (Discord shows these to users of those locales).
    pub name_ru_zh: (&'static str, &'static str),
    /// What it is for, in English.
    pub description: &'static str,
    /// The same in Russian.
    pub description_ru: &'static str,
    /// The same in Chinese.
    pub description_zh: &'static str,
    /// Its type.
    pub kind: OptionKind,
    /// Whether it must be given.
    pub required: bool,
}

/// A command: its name, help, options and handler.
#[derive(Clone, Copy)]
pub struct CommandSpec {
    /// Name without the slash.
    pub name: &'static str,
    /// Its name in Russian and in Chinese, where a translated name reads well.
    pub name_ru_zh: Option<(&'static str, &'static str)>,
    /// One line of help, in English (Discord allows 100 characters).
    pub description: &'static str,
    /// The same in Russian.
    pub description_ru: &'static str,
    /// The same in Chinese.
    pub description_zh: &'static str,
    /// An example invocation.
    pub example: &'static str,
    /// Options, required ones first (empty when the command has subcommands).
    pub options: &'static [OptionSpec],
    /// Subcommands (`/quiz start`, `/quiz stop`), each with its own options.
    pub subcommands: &'static [SubcommandSpec],
    /// Produces the reply.
    pub run: fn(&Ctx<'_>, &Args) -> Reply,
}

/// A subcommand: a name, help and options; the parent's handler runs it.
#[derive(Clone, Copy, Debug)]
pub struct SubcommandSpec {
    /// Name, as typed after the command.
    pub name: &'static str,
    /// Its name in Russian and in Chinese.
    pub name_ru_zh: (&'static str, &'static str),
    /// One line of help, in English.
    pub description: &'static str,
    /// The same in Russian.
    pub description_ru: &'static str,
    /// The same in Chinese.
    pub description_zh: &'static str,
    /// Its options.
    pub options: &'static [OptionSpec],
}

/// The options that apply to a command as invoked: its subcommand's, or its own.
pub fn options_for(spec: &'static CommandSpec, args: &Args) -> &'static [OptionSpec] {
    args.subcommand
        .and_then(|name| spec.subcommands.iter().find(|s| s.name == name))
        .map_or(spec.options, |s| s.options)
}

impl std::fmt::Debug for CommandSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandSpec")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A value given for an option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A whole number.
    Integer(i64),
}

/// The options given to a command, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// The subcommand invoked, if the command has subcommands.
    pub subcommand: Option<&'static str>,
    values: Vec<(String, Value)>,
}

impl Args {
    /// Sets an option.
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.retain(|(n, _)| n != name);
        self.values.push((name.to_string(), value));
    }

    /// Text of an option, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.values.iter().find_map(|(n, v)| match v {
            Value::Text(t) if n == name => Some(t.as_str()),
            _ => None,
        })
    }

    /// Integer value of an option, if given.
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.values.iter().find_map(|(n, v)| match v {
            Value::Integer(i) if n == name => Some(*i),
            _ => None,
        })
    }

    /// The text the user searched for, if the command takes one.
    pub fn query(&self) -> Option<&str> {
        self.values.iter().find_map(|(_, v)| match v {
            Value::Text(t) => Some(t.as_str()),
            Value::Integer(_) => None,
        })
    }
}

const fn lookup(
    kind: Option<Kind>,
    description: &'static str,
    ru: &'static str,
    zh: &'static str,
) -> [OptionSpec; 1] {
    [OptionSpec {
        name: "name",
        name_ru_zh: ("название", "名称"),
        description,
        description_ru: ru,
        description_zh: zh,
        kind: OptionKind::Lookup(kind),
        required: true,
    }]
}

const MEMBER_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Country),
    "A country, e.g. Kazakhstan (typos, Russian and Chinese names are fine)",
    "Страна, например Казахстан",
    "国家，例如哈萨克斯坦",
);
const PRINCIPLE_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Principle),
    "A principle, e.g. mutual trust or non-alignment",
    "Принцип, например взаимное доверие",
    "原则，例如互信",
);
const BODY_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Body),
    "A body, e.g. Secretariat or RATS",
    "Орган, например Секретариат или РАТС",
    "机构，例如秘书处",
);
const SUMMIT_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Summit),
    "A year or a city, e.g. 2017 or Samarkand",
    "Год или город, например 2017 или Самарканд",
    "年份或城市，例如2017或撒马尔罕",
);
const DOCUMENT_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Document),
    "A document, e.g. Charter",
    "Документ, например Хартия",
    "文件，例如宪章",
);
const TERM_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Term),
    "A term, e.g. three evils",
    "Термин, например три зла",
    "术语，例如三股势力",
);
const PERSON_OPTS: [OptionSpec; 1] = lookup(
    Some(Kind::Person),
    "A person, e.g. Zhang Ming",
    "Человек, например Чжан Мин",
    "人物，例如张明",
);
const FACT_OPTS: [OptionSpec; 1] = lookup(
    None,
    "Anything: a country, body, summit, document, term, person...",
    "Что угодно: страна, орган, саммит, документ...",
    "任何内容：国家、机构、峰会、文件……",
);
const TIMELINE_OPTS: [OptionSpec; 2] = [
    OptionSpec {
        name: "from",
        name_ru_zh: ("от", "起始"),
        description: "First year to show (1996 or later)",
        description_ru: "Первый год",
        description_zh: "起始年份",
        kind: OptionKind::Integer {
            min: 1996,
            max: 2100,
        },
        required: false,
    },
    OptionSpec {
        name: "to",
        name_ru_zh: ("до", "结束"),
        description: "Last year to show",
        description_ru: "Последний год",
        description_zh: "结束年份",
        kind: OptionKind::Integer {
            min: 1996,
            max: 2100,
        },
        required: false,
    },
];
const ASK_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "question",
    name_ru_zh: ("вопрос", "问题"),
    description: "A plain question, e.g. when did India join? (English, Russian or Chinese)",
    description_ru: "Вопрос, например: когда Индия вступила в ШОС?",
    description_zh: "问题，例如：印度什么时候加入上合组织？",
    kind: OptionKind::Text,
    required: true,
}];
const MEMBERS_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "year",
    name_ru_zh: ("год", "年份"),
    description: "Show membership as it stood at the end of this year",
    description_ru: "Состав на конец этого года",
    description_zh: "显示该年年底的成员情况",
    kind: OptionKind::Integer {
        min: 1996,
        max: 2100,
    },
    required: false,
}];
const HELP_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "command",
    name_ru_zh: ("команда", "命令"),
    description: "A command to explain",
    description_ru: "Команда, о которой рассказать",
    description_zh: "要说明的命令",
    kind: OptionKind::CommandName,
    required: false,
}];

const TOPIC_OPT: OptionSpec = OptionSpec {
    name: "topic",
    name_ru_zh: ("тема", "主题"),
    description: "Only questions on this topic (default: all)",
    description_ru: "Только вопросы на эту тему (по умолчанию все)",
    description_zh: "只出这个主题的题目（默认全部）",
    kind: OptionKind::Choice(quiz::TOPIC_CHOICES),
    required: false,
};
const QUIZ_START_OPTS: [OptionSpec; 4] = [
    TOPIC_OPT,
    OptionSpec {
        name: "questions",
        name_ru_zh: ("вопросов", "题数"),
        description: "How many questions, 1–50 (default 10)",
        description_ru: "Сколько вопросов, 1–50 (по умолчанию 10)",
        description_zh: "题目数量，1–50（默认10）",
        kind: OptionKind::Integer { min: 1, max: 50 },
        required: false,
    },
    OptionSpec {
        name: "seconds",
        name_ru_zh: ("секунд", "秒数"),
        description: "Seconds per question, 10–120 (default 30)",
        description_ru: "Секунд на вопрос, 10–120 (по умолчанию 30)",
        description_zh: "每题秒数，10–120（默认30）",
        kind: OptionKind::Integer { min: 10, max: 120 },
        required: false,
    },
    OptionSpec {
        name: "mode",
        name_ru_zh: ("режим", "模式"),
        description: "buttons: pick one of four; typed: type the answer (free recall)",
        description_ru: "buttons: выбрать из четырёх; typed: ввести ответ",
        description_zh: "buttons：四选一；typed：输入答案",
        kind: OptionKind::Choice(&["buttons", "typed"]),
        required: false,
    },
];
const STUDY_NEXT_OPTS: [OptionSpec; 1] = [TOPIC_OPT];
const QUIZ_SUBS: [SubcommandSpec; 2] = [
    SubcommandSpec {
        name: "start",
        name_ru_zh: ("начать", "开始"),
        description: "Start a quiz in this channel: everyone can answer",
        description_ru: "Начать викторину в этом канале",
        description_zh: "在本频道开始答题，所有人都可参加",
        options: &QUIZ_START_OPTS,
    },
    SubcommandSpec {
        name: "stop",
        name_ru_zh: ("стоп", "停止"),
        description: "Stop this channel's quiz (its starter or a moderator)",
        description_ru: "Остановить викторину (её автор или модератор)",
        description_zh: "停止本频道的答题（发起人或管理员）",
        options: &[],
    },
];
const STUDY_SUBS: [SubcommandSpec; 2] = [
    SubcommandSpec {
        name: "next",
        name_ru_zh: ("дальше", "下一题"),
        description: "Your next question: what you missed comes back sooner",
        description_ru: "Следующий вопрос: ошибки повторяются чаще",
        description_zh: "下一道题：答错的题会更早复习",
        options: &STUDY_NEXT_OPTS,
    },
    SubcommandSpec {
        name: "stats",
        name_ru_zh: ("итоги", "统计"),
        description: "Your accuracy per topic, and what is due for review",
        description_ru: "Точность по темам и что пора повторить",
        description_zh: "各主题正确率及待复习题目",
        options: &[],
    },
];
const LEADERBOARD_OPTS: [OptionSpec; 2] = [
    OptionSpec {
        name: "scope",
        name_ru_zh: ("где", "范围"),
        description: "This server (default) or everywhere",
        description_ru: "Этот сервер (по умолчанию) или везде",
        description_zh: "本服务器（默认）或全部",
        kind: OptionKind::Choice(&["server", "global"]),
        required: false,
    },
    OptionSpec {
        name: "period",
        name_ru_zh: ("период", "时段"),
        description: "week, month or all (default)",
        description_ru: "неделя, месяц или всё время",
        description_zh: "周、月或全部（默认）",
        kind: OptionKind::Choice(&["week", "month", "all"]),
        required: false,
    },
];
const STATS_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "user",
    name_ru_zh: ("игрок", "用户"),
    description: "Whose statistics (default: yours)",
    description_ru: "Чья статистика (по умолчанию ваша)",
    description_zh: "查看谁的统计（默认自己）",
    kind: OptionKind::User,
    required: false,
}];

/// Every command, in the order help lists them.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "member",
        name_ru_zh: Some(("страна", "国家")),
        description: "A country's relation to the SCO: member, partner or neither, since when",
        description_ru: "Отношение страны к ШОС: член, партнёр или нет, с какого времени",
        description_zh: "国家与上合组织的关系：成员国、伙伴国或都不是，自何时起",
        example: "/member kazakhstan",
        options: &MEMBER_OPTS,
        subcommands: &[],
        run: member,
    },
    CommandSpec {
        name: "members",
        name_ru_zh: Some(("участники", "成员国")),
        description: "All member states and partners, grouped by status (now, or in a year)",
        description_ru: "Все государства-члены и партнёры по статусу (сейчас или в году)",
        description_zh: "按地位分组列出所有成员国和伙伴国（现在或某年）",
        example: "/members 2010",
        options: &MEMBERS_OPTS,
        subcommands: &[],
        run: |c, a| match a.integer("year") {
            Some(y) => crate::ask::members_at(c.knowledge, y as i32),
            None => members(c, a),
        },
    },
    CommandSpec {
        name: "principle",
        name_ru_zh: Some(("принцип", "原则")),
        description: "A principle: the Shanghai Spirit, non-alignment, the Charter's principles",
        description_ru: "Принцип: «шанхайский дух», неприсоединение, принципы Хартии",
        description_zh: "原则：上海精神、不结盟、宪章原则",
        example: "/principle non-alignment",
        options: &PRINCIPLE_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Principle)),
    },
    CommandSpec {
        name: "body",
        name_ru_zh: Some(("орган", "机构")),
        description: "An SCO body: councils, Secretariat, RATS and other institutions",
        description_ru: "Орган ШОС: советы, Секретариат, РАТС и другие",
        description_zh: "上合组织机构：理事会、秘书处、地区反恐怖机构等",
        example: "/body rats",
        options: &BODY_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Body)),
    },
    CommandSpec {
        name: "summit",
        name_ru_zh: Some(("саммит", "峰会")),
        description: "A summit of the Heads of State Council or a Shanghai Five meeting",
        description_ru: "Саммит Совета глав государств или встреча «Шанхайской пятёрки»",
        description_zh: "元首理事会会议或上海五国会晤",
        example: "/summit 2017",
        options: &SUMMIT_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Summit)),
    },
    CommandSpec {
        name: "document",
        name_ru_zh: Some(("документ", "文件")),
        description: "A founding or key document: declarations, Charter, conventions, treaty",
        description_ru: "Основополагающий документ: декларации, Хартия, конвенции, договор",
        description_zh: "重要文件：宣言、宪章、公约、条约",
        example: "/document charter",
        options: &DOCUMENT_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Document)),
    },
    CommandSpec {
        name: "term",
        name_ru_zh: Some(("термин", "术语")),
        description: "A glossary term: Shanghai Five, three evils, SCO partner...",
        description_ru: "Термин: «Шанхайская пятёрка», три зла, партнёр ШОС...",
        description_zh: "术语：上海五国、三股势力、上合组织伙伴……",
        example: "/term three evils",
        options: &TERM_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Term)),
    },
    CommandSpec {
        name: "person",
        name_ru_zh: Some(("персона", "人物")),
        description: "A secretary-general of the SCO and their term",
        description_ru: "Генеральный секретарь ШОС и срок его полномочий",
        description_zh: "上合组织秘书长及其任期",
        example: "/person norov",
        options: &PERSON_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, Some(Kind::Person)),
    },
    CommandSpec {
        name: "fact",
        name_ru_zh: Some(("факт", "事实")),
        description: "Search everything: countries, bodies, summits, documents, terms, people",
        description_ru: "Поиск по всему: страны, органы, саммиты, документы, термины, люди",
        description_zh: "搜索全部：国家、机构、峰会、文件、术语、人物",
        example: "/fact secretariat beijing",
        options: &FACT_OPTS,
        subcommands: &[],
        run: |c, a| lookup_command(c.knowledge, a, None),
    },
    CommandSpec {
        name: "ask",
        name_ru_zh: Some(("спросить", "提问")),
        description: "Ask a plain question: when did India join? who is the Secretary-General?",
        description_ru: "Задать вопрос: когда Индия вступила в ШОС? кто генеральный секретарь?",
        description_zh: "直接提问：印度什么时候加入上合组织？现任秘书长是谁？",
        example: "/ask when did india join the sco",
        options: &ASK_OPTS,
        subcommands: &[],
        run: |c, a| crate::ask::answer(c.knowledge, a.text("question").unwrap_or_default()),
    },
    CommandSpec {
        name: "timeline",
        name_ru_zh: Some(("хронология", "时间线")),
        description: "Accessions, status changes and summits in date order",
        description_ru: "Вступления, изменения статуса и саммиты по датам",
        description_zh: "按日期排列的加入、地位变化和峰会",
        example: "/timeline from:2015 to:2025",
        options: &TIMELINE_OPTS,
        subcommands: &[],
        run: timeline,
    },
    CommandSpec {
        name: "quiz",
        name_ru_zh: Some(("викторина", "答题")),
        description: "A quiz in this channel: questions from the fact base, scores, streaks",
        description_ru: "Викторина в канале: вопросы из базы фактов, очки, серии",
        description_zh: "频道答题：题目来自事实库，计分与连对",
        example: "/quiz start topic:summits questions:10",
        options: &[],
        subcommands: &QUIZ_SUBS,
        run: quiz::quiz,
    },
    CommandSpec {
        name: "study",
        name_ru_zh: Some(("учёба", "学习")),
        description: "Study alone with spaced repetition: missed questions return sooner",
        description_ru: "Учёба с интервальным повторением",
        description_zh: "间隔重复自学：答错的题更早再出现",
        example: "/study next topic:documents",
        options: &[],
        subcommands: &STUDY_SUBS,
        run: quiz::study,
    },
    CommandSpec {
        name: "leaderboard",
        name_ru_zh: Some(("рейтинг", "排行榜")),
        description: "Top quiz players on this server or everywhere, by week, month or all time",
        description_ru: "Лучшие игроки сервера или всех серверов",
        description_zh: "本服务器或全部的答题排行榜",
        example: "/leaderboard scope:server period:week",
        options: &LEADERBOARD_OPTS,
        subcommands: &[],
        run: quiz::leaderboard,
    },
    CommandSpec {
        name: "stats",
        name_ru_zh: Some(("статистика", "统计")),
        description: "Quiz statistics: games, answers, accuracy per topic, best streak",
        description_ru: "Статистика: игры, ответы, точность по темам, лучшая серия",
        description_zh: "答题统计：场次、作答、各主题正确率、最佳连对",
        example: "/stats",
        options: &STATS_OPTS,
        subcommands: &[],
        run: quiz::stats,
    },
    CommandSpec {
        name: "about",
        name_ru_zh: Some(("о-боте", "关于")),
        description: "The fact base: version, as-of date, counts, and how to cite it",
        description_ru: "База фактов: версия, дата, объём и как цитировать",
        description_zh: "事实库：版本、截至日期、数量及引用方式",
        example: "/about",
        options: &[],
        subcommands: &[],
        run: about,
    },
    CommandSpec {
        name: "help",
        name_ru_zh: Some(("помощь", "帮助")),
        description: "What sco-bot can do, and how to use each command",
        description_ru: "Что умеет sco-bot и как пользоваться командами",
        description_zh: "sco-bot 的功能及各命令的用法",
        example: "/help member",
        options: &HELP_OPTS,
        subcommands: &[],
        run: help,
    },
];

/// The command with a name (case-insensitive, with or without the slash).
pub fn find(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim_start_matches('/');
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The closest command name to a mistyped one.
pub fn closest(name: &str) -> Option<&'static CommandSpec> {
    let name = name.trim_start_matches('/').to_lowercase();
    COMMANDS
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&name, c.name), c))
        .filter(|(d, c)| *d <= 2 && *d < c.name.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Why a command line could not be run; the message is a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The line is blank.
    #[error("the line is empty; type a command such as /member kazakhstan, or /help")]
    Empty,
    /// No command has this name.
    #[error("there is no command /{name}{}; /help lists them", .suggestion.map(|s| format!(" (did you mean /{s}?)")).unwrap_or_default())]
    UnknownCommand {
        /// What was typed.
        name: String,
        /// The closest command, if any.
        suggestion: Option<&'static str>,
    },
    /// A required option is missing.
    #[error("/{command} needs a {option}: for example {example}")]
    Missing {
        /// The command.
        command: &'static str,
        /// The missing option's name.
        option: &'static str,
        /// An example.
        example: &'static str,
    },
    /// An option has a bad value.
    #[error("/{command}: {message}")]
    BadValue {
        /// The command.
        command: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Parses a command line such as `/member kazakstan` or `/timeline from:2001 to:2010`.
///
/// Text after the command fills its text option; `name:value` pairs set options by name;
/// bare numbers fill integer options in order.
pub fn parse_line(line: &str) -> Result<(&'static CommandSpec, Args), ParseError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(ParseError::Empty);
    }
    let (head, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let spec = find(head).ok_or_else(|| ParseError::UnknownCommand {
        name: echo(head.trim_start_matches('/')),
        suggestion: closest(head).map(|c| c.name),
    })?;
    let mut args = Args::default();
    let mut rest = rest.trim();
    if !spec.subcommands.is_empty() {
        let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let names: Vec<&str> = spec.subcommands.iter().map(|s| s.name).collect();
        let sub = spec
            .subcommands
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(word))
            .ok_or_else(|| ParseError::BadValue {
                command: spec.name,
                message: format!(
                    "say what to do: /{} {}; for example {}",
                    spec.name,
                    names.join(" or /{} ").replace("{}", spec.name),
                    spec.example
                ),
            })?;
        args.subcommand = Some(sub.name);
        rest = after.trim();
    }
    let options = options_for(spec, &args);
    let mut free: Vec<&str> = Vec::new();
    let mut integers = options
        .iter()
        .filter(|o| matches!(o.kind, OptionKind::Integer { .. }));
    for word in rest.split_whitespace() {
        let named = word
            .split_once(':')
            .and_then(|(n, v)| options.iter().find(|o| o.name == n).map(|o| (o, v)));
        match named {
            Some((opt, value)) => set_option(spec, &mut args, opt, value)?,
            None => {
                let is_number = word.parse::<i64>().is_ok();
                let has_text = options
                    .iter()
                    .any(|o| !matches!(o.kind, OptionKind::Integer { .. }));
                match (is_number && !has_text, integers.next()) {
                    (true, Some(opt)) => set_option(spec, &mut args, opt, word)?,
                    _ => free.push(word),
                }
            }
        }
    }
    if !free.is_empty() {
        let text_opt = options
            .iter()
            .find(|o| !matches!(o.kind, OptionKind::Integer { .. }));
        match text_opt {
            Some(opt) => set_option(spec, &mut args, opt, &free.join(" "))?,
            None => {
                return Err(ParseError::BadValue {
                    command: spec.name,
                    message: format!(
                        "this command does not take \"{}\"; for example {}",
                        echo(&free.join(" ")),
                        spec.example
                    ),
                });
            }
        }
    }
    check_required(spec, &args)?;
    Ok((spec, args))
}

fn set_option(
    spec: &'static CommandSpec,
    args: &mut Args,
    opt: &OptionSpec,
    value: &str,
) -> Result<(), ParseError> {
    match opt.kind {
        OptionKind::Integer { min, max } => match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => {
                args.set(opt.name, Value::Integer(n));
                Ok(())
            }
            _ => Err(ParseError::BadValue {
                command: spec.name,
                message: format!(
                    "`{}` must be a whole number from {min} to {max}, not \"{}\"",
                    opt.name,
                    echo(value)
                ),
            }),
        },
        OptionKind::Choice(words) => {
            match words.iter().find(|w| w.eq_ignore_ascii_case(value.trim())) {
                Some(w) => {
                    args.set(opt.name, Value::Text((*w).to_string()));
                    Ok(())
                }
                None => Err(ParseError::BadValue {
                    command: spec.name,
                    message: format!(
                        "`{}` must be one of {}, not \"{}\"",
                        opt.name,
                        words.join(", "),
                        echo(value)
                    ),
                }),
            }
        }
        _ => {
            let joined = match args.text(opt.name) {
                Some(prev) => format!("{prev} {value}"),
                None => value.to_string(),
            };
            args.set(opt.name, Value::Text(joined));
            Ok(())
        }
    }
}

/// Checks that every required option of a command is present and not blank.
pub fn check_required(spec: &'static CommandSpec, args: &Args) -> Result<(), ParseError> {
    if !spec.subcommands.is_empty() && args.subcommand.is_none() {
        return Err(ParseError::Missing {
            command: spec.name,
            option: "subcommand",
            example: spec.example,
        });
    }
    for opt in options_for(spec, args).iter().filter(|o| o.required) {
        let present = match opt.kind {
            OptionKind::Integer { .. } => args.integer(opt.name).is_some(),
            _ => args.text(opt.name).is_some_and(|t| !t.trim().is_empty()),
        };
        if !present {
            return Err(ParseError::Missing {
                command: spec.name,
                option: opt.name,
                example: spec.example,
            });
        }
    }
    Ok(())
}

/// Who is asking, where, and what the command may use besides the facts.
pub struct Ctx<'a> {
    /// The facts and their index.
    pub knowledge: &'a Knowledge,
    /// The user (a Discord id, or "local" offline).
    pub user: &'a str,
    /// The server, if any.
    pub guild: Option<&'a str>,
    /// The channel (or "local").
    pub channel: &'a str,
    /// Whether the user may manage messages in the channel (may stop others' quizzes).
    pub can_manage: bool,
    /// Now, in ms since the Unix epoch.
    pub now_ms: i64,
    /// The quiz engine and its store, when the front end has one.
    pub quiz: Option<&'a crate::quiz::session::Engine>,
}

impl<'a> Ctx<'a> {
    /// A context for offline use: the local user, no quiz engine.
    pub fn offline(knowledge: &'a Knowledge) -> Ctx<'a> {
        Ctx {
            knowledge,
            user: "local",
            guild: None,
            channel: "local",
            can_manage: true,
            now_ms: crate::quiz::session::wall_clock_ms(),
            quiz: None,
        }
    }
}

/// Runs a parsed command.
pub fn run(ctx: &Ctx<'_>, spec: &CommandSpec, args: &Args) -> Reply {
    (spec.run)(ctx, args)
}

fn entry_ref(facts: &FactBase, hit: Hit) -> EntryRef {
    let e = &facts.entries[hit.entry];
    EntryRef {
        kind: e.kind,
        id: e.id.clone(),
        title: e.name.clone(),
        score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
    }
}

/// "a country", "a principle", ... for messages.
fn a_kind(kind: Option<Kind>) -> &'static str {
    match kind {
        Some(Kind::Country) => "country",
        Some(Kind::Principle) => "principle",
        Some(Kind::Body) => "body",
        Some(Kind::Summit) => "summit or meeting",
        Some(Kind::Document) => "document",
        Some(Kind::Term) => "term",
        Some(Kind::Person) => "person",
        Some(Kind::Claim) => "claim",
        None => "entry",
    }
}

/// Looks up the query of a command in one kind (or all) and answers it.
fn lookup_command(k: &Knowledge, args: &Args, scope: Option<Kind>) -> Reply {
    let query = args.query().unwrap_or_default();
    let resolution = k.index.lookup(query, scope);
    answer(k, query, scope, &resolution)
}

/// Turns a resolution into a reply: the entry, "not part of the SCO", or suggestions.
pub fn answer(k: &Knowledge, query: &str, scope: Option<Kind>, r: &Resolution) -> Reply {
    let facts = &k.facts;
    let suggestions: Vec<EntryRef> = r.suggestions.iter().map(|&h| entry_ref(facts, h)).collect();
    match &r.outcome {
        Outcome::Match(hit) => {
            let mut reply = entry_reply(facts, &facts.entries[hit.entry]);
            reply.matched = Some(entry_ref(facts, *hit));
            reply.suggestions = suggestions;
            reply
        }
        Outcome::NotInSco { name, .. } => {
            let mut reply = Reply::new(
                format!("{name} is not part of the SCO"),
                format!(
                    "{name} is not a member or partner of the Shanghai Cooperation Organisation. \
                     /members lists the {}.",
                    membership_counts(facts)
                ),
            );
            reply.kind = Some(Kind::Country);
            reply.suggestions = suggestions;
            reply.as_of = Some(facts.meta.as_of);
            reply
        }
        Outcome::NoMatch => {
            let shown = echo(query);
            let mut reply = Reply::new(
                format!("No {} matches “{shown}”", a_kind(scope)),
                if suggestions.is_empty() {
                    format!(
                        "I found nothing close to “{shown}”. Check the spelling, or try /fact to search everything and /help for examples."
                    )
                } else {
                    "I am not sure which one you mean. Did you mean one of these?".to_string()
                },
            );
            reply.suggestions = suggestions;
            reply.ephemeral = true;
            reply.kind = scope;
            reply
        }
    }
}

fn member(c: &Ctx<'_>, args: &Args) -> Reply {
    lookup_command(c.knowledge, args, Some(Kind::Country))
}

/// The summit name for a summit id, with its date, for history lines.
fn summit_label(facts: &FactBase, id: &str) -> String {
    facts.name_of(Kind::Summit, id)
}

/// The full reply for one entry.
pub fn entry_reply(facts: &FactBase, e: &Entry) -> Reply {
    let mut reply = Reply::new(e.name.clone(), e.summary.clone());
    reply.title_ru = e.name_ru.clone();
    reply.title_zh = e.name_zh.clone();
    reply.kind = Some(e.kind);
    match &e.details {
        Details::Country(c) => {
            let status = c.status();
            let lead = match (status, c.status_since()) {
                (Status::Member, _) => {
                    let since = c.accession().map(|s| {
                        let at = s
                            .summit
                            .as_deref()
                            .map(|id| format!(" ({})", summit_label(facts, id)))
                            .unwrap_or_default();
                        format!(" since {}{at}", s.date)
                    });
                    format!(
                        "{} is a member state of the SCO{}.",
                        e.name,
                        since.unwrap_or_default()
                    )
                }
                (Status::Guest, _) => format!(
                    "{} is not a member or partner of the SCO; it attends summits as a guest of the host.",
                    e.name
                ),
                (s, since) => {
                    let since = since
                        .map(|st| format!(" since {}", st.date))
                        .unwrap_or_default();
                    let earlier: Vec<String> = c
                        .history
                        .iter()
                        .filter_map(|st| st.status.filter(|&x| x != s).map(|x| (x, st.date)))
                        .map(|(x, d)| format!("{} from {d}", x.with_article()))
                        .collect();
                    let before = if earlier.is_empty() {
                        String::new()
                    } else {
                        format!(" Before that it was {}.", earlier.join(", then "))
                    };
                    format!(
                        "{} is not a member of the SCO: it is {}{since}.{before}",
                        e.name,
                        s.with_article()
                    )
                }
            };
            reply.body = format!("{lead}\n\n{}", e.summary);
            reply.field("Status", status.label(), true);
            if let Some(acc) = c.accession() {
                reply.field("Member since", acc.date.to_string(), true);
            }
            if let Some(cap) = &c.capital {
                reply.field("Capital", cap.clone(), true);
            }
            if let Some(off) = &c.official_name {
                reply.field("Official name", off.clone(), true);
            }
            let ru = [e.name_ru.as_deref(), c.official_name_ru.as_deref()];
            let ru: Vec<&str> = ru.into_iter().flatten().collect();
            reply.field("Russian", ru.join(" / "), true);
            let zh = [e.name_zh.as_deref(), c.official_name_zh.as_deref()];
            let zh: Vec<&str> = zh.into_iter().flatten().collect();
            reply.field("Chinese", zh.join(" / "), true);
            let mut history = String::new();
            for st in &c.history {
                let _ = write!(history, "{} — {}", st.date.iso(), st.event);
                if let Some(s) = &st.summit {
                    let _ = write!(history, " · {}", summit_label(facts, s));
                }
                history.push('\n');
            }
            reply.field("History", history.trim_end(), false);
        }
        Details::Principle(group) => {
            reply.field("Group", group.label(), true);
        }
        Details::Body(b) => {
            reply.field("Category", b.category.label(), true);
            if let Some(seat) = &b.seat {
                reply.field("Seat", seat.clone(), true);
            }
            if let Some(f) = b.founded {
                reply.field("Founded", f.to_string(), true);
            }
            if b.in_charter {
                reply.field("In the Charter", "yes, Article 4", true);
            }
        }
        Details::Summit(s) => {
            reply.field("Date", span(s.start, s.end), true);
            let country = facts.name_of(Kind::Country, &s.country);
            reply.field("Place", format!("{}, {country}", s.city), true);
            reply.field(
                "Meeting",
                format!("{} {}", ordinal(s.number), s.series.label()),
                true,
            );
            reply.field("Format", s.format.label(), true);
            let outcomes: Vec<String> = s.outcomes.iter().map(|o| format!("• {o}")).collect();
            reply.field("Outcomes", outcomes.join("\n"), false);
        }
        Details::Document(d) => {
            reply.field("Type", d.doc_type.label(), true);
            reply.field("Signed", format!("{}, {}", d.signed, d.place), true);
            if let Some(f) = d.in_force {
                reply.field("In force", f.to_string(), true);
            }
            if let Some(s) = &d.summit {
                reply.field("Summit", summit_label(facts, s), true);
            }
        }
        Details::Term { part_of } => {
            if let Some(p) = part_of {
                reply.field("Part of", facts.name_of(Kind::Term, p), true);
            }
            let parts: Vec<&str> = facts
                .of_kind(Kind::Term)
                .filter(|t| matches!(&t.details, Details::Term { part_of: Some(p) } if *p == e.id))
                .map(|t| t.name.as_str())
                .collect();
            reply.field("Parts", parts.join(", "), true);
        }
        Details::Person(p) => {
            reply.field(
                "Role",
                format!("{} {}", ordinal(p.order), p.role.label()),
                true,
            );
            reply.field("Country", facts.name_of(Kind::Country, &p.country), true);
            let term = match (p.took_office, p.left_office) {
                (Some(a), Some(b)) => format!("{a} – {b}"),
                (Some(a), None) => format!("from {a} (term to {})", p.to_year),
                _ => format!("{}–{}", p.from_year, p.to_year),
            };
            reply.field("Term", term, true);
            if let Some(a) = p.appointed {
                let at = p
                    .appointed_at
                    .as_deref()
                    .map(|s| format!(" ({})", summit_label(facts, s)))
                    .unwrap_or_default();
                reply.field("Appointed", format!("{a}{at}"), true);
            }
        }
        Details::Claim(c) => {
            reply.field("The seed article says", format!("“{}”", c.claim), false);
            reply.field("Verdict", c.verdict.label(), true);
            if let Some(fix) = &c.correction {
                reply.field("Correction", fix.clone(), false);
            }
        }
    }
    if !e.aliases.is_empty() {
        let shown: Vec<&str> = e.aliases.iter().take(8).map(String::as_str).collect();
        reply.field("Also known as", shown.join(", "), false);
    }
    if let Some(c) = &e.caveat {
        reply.field("Uncertain", c.clone(), false);
    }
    if e.confidence != crate::facts::Confidence::High {
        reply.field("Confidence", e.confidence.label(), true);
    }
    reply.cite(facts, e.sources.iter().map(String::as_str));
    reply
}

fn members(c: &Ctx<'_>, _args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let countries: Vec<&Entry> = facts.of_kind(Kind::Country).collect();
    let mut reply = Reply::new("SCO member states and partners", String::new());
    reply.kind = Some(Kind::Country);
    let groups: [(&str, &[Status]); 3] = [
        ("Member states", &[Status::Member]),
        (
            "Partners (formerly observers and dialogue partners)",
            &[Status::Partner, Status::Observer, Status::DialoguePartner],
        ),
        ("Guests (not members or partners)", &[Status::Guest]),
    ];
    for (heading, statuses) in groups {
        let list: Vec<&&Entry> = countries
            .iter()
            .filter(|e| matches!(&e.details, Details::Country(c) if statuses.contains(&c.status())))
            .collect();
        if list.is_empty() {
            continue;
        }
        reply.items.push(format!("{heading} ({}):", list.len()));
        for e in list {
            if let Details::Country(c) = &e.details {
                let note = match c.status() {
                    Status::Member => c
                        .accession()
                        .map(|s| format!("member since {}", s.date))
                        .unwrap_or_default(),
                    Status::Guest => "attends summits as a guest".to_string(),
                    _ => {
                        let steps: Vec<String> = c
                            .history
                            .iter()
                            .filter_map(|s| {
                                s.status.map(|st| format!("{} from {}", st.label(), s.date))
                            })
                            .collect();
                        steps.join("; ")
                    }
                };
                reply.items.push(format!("  • {} — {note}", e.name));
            }
            reply.cite(facts, e.sources.iter().map(String::as_str));
        }
    }
    reply.body = format!("As of {}: {}.", facts.meta.as_of, membership_counts(facts));
    reply
}

/// "10 member states, 17 partners and 1 guest", counted from the fact base.
fn membership_counts(facts: &FactBase) -> String {
    let mut counts: Vec<(Status, usize)> = Vec::new();
    for e in facts.of_kind(Kind::Country) {
        if let Details::Country(c) = &e.details {
            let s = match c.status() {
                Status::Observer | Status::DialoguePartner => Status::Partner,
                s => s,
            };
            match counts.iter_mut().find(|(x, _)| *x == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
    }
    counts.sort();
    let parts: Vec<String> = counts
        .iter()
        .map(|(s, n)| {
            let noun = match s {
                Status::Member => "member state",
                Status::Guest => "guest",
                Status::ShanghaiFive => "Shanghai Five member",
                _ => "partner",
            };
            format!("{n} {noun}{}", if *n == 1 { "" } else { "s" })
        })
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

fn timeline(c: &Ctx<'_>, args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let from = args.integer("from").unwrap_or(i64::MIN);
    let to = args.integer("to").unwrap_or(i64::MAX);
    let mut events: Vec<(Date, String, &Entry)> = Vec::new();
    for e in &facts.entries {
        match &e.details {
            Details::Summit(s) => events.push((
                s.start,
                format!("{} ({} {})", e.name, ordinal(s.number), s.series.label()),
                e,
            )),
            Details::Country(c) => {
                for st in c.history.iter().filter(|st| st.status.is_some()) {
                    let status = st.status.map(|s| s.label()).unwrap_or_default();
                    events.push((st.date, format!("{}: {status}", e.name), e));
                }
            }
            _ => {}
        }
    }
    events.retain(|(d, _, _)| (from..=to).contains(&i64::from(d.year)));
    events.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let range = match (args.integer("from"), args.integer("to")) {
        (Some(a), Some(b)) => format!(" {a}–{b}"),
        (Some(a), None) => format!(" from {a}"),
        (None, Some(b)) => format!(" to {b}"),
        (None, None) => String::new(),
    };
    let mut reply = Reply::new(
        format!("SCO timeline{range}"),
        format!(
            "{} events: summits and Shanghai Five meetings, and every change of a country's status.",
            events.len()
        ),
    );
    if events.is_empty() {
        reply.body = "No events in that range. The timeline starts in 1996.".into();
        reply.ephemeral = true;
    }
    for (d, text, e) in &events {
        reply.items.push(format!("{} — {text}", d.iso()));
        reply.cite(facts, e.sources.iter().map(String::as_str));
    }
    reply.as_of = Some(facts.meta.as_of);
    reply
}

fn about(c: &Ctx<'_>, _args: &Args) -> Reply {
    let facts = &c.knowledge.facts;
    let m = &facts.meta;
    let mut reply = Reply::new(
        m.title.clone(),
        format!(
            "sco-bot answers questions about the Shanghai Cooperation Organisation from a curated, sourced fact base. Version {}, facts as of {}.",
            m.version, m.as_of
        ),
    );
    for (kind, n) in facts.counts() {
        reply.field(&capitalise(kind.plural()), n.to_string(), true);
    }
    reply.field("Sources", facts.sources.len().to_string(), true);
    reply.field("How to cite", m.cite.clone(), false);
    reply.as_of = Some(m.as_of);
    reply
}

/// The usage line of a command, e.g. `/timeline [from] [to]`.
pub fn usage(spec: &CommandSpec) -> String {
    let mut s = format!("/{}", spec.name);
    if !spec.subcommands.is_empty() {
        let names: Vec<&str> = spec.subcommands.iter().map(|s| s.name).collect();
        let _ = write!(s, " {}", names.join("|"));
    }
    for o in spec.options {
        if o.required {
            let _ = write!(s, " <{}>", o.name);
        } else {
            let _ = write!(s, " [{}]", o.name);
        }
    }
    s
}

fn help(_c: &Ctx<'_>, args: &Args) -> Reply {
    if let Some(name) = args.text("command") {
        let Some(spec) = find(name.trim()).or_else(|| closest(name.trim())) else {
            let mut reply = Reply::new(
                format!("No command “{}”", echo(name)),
                "Type /help to see every command.",
            );
            reply.ephemeral = true;
            return reply;
        };
        let mut reply = Reply::new(usage(spec), spec.description);
        for sub in spec.subcommands {
            let mut line = format!("/{} {}", spec.name, sub.name);
            for o in sub.options {
                let _ = write!(line, " [{}]", o.name);
            }
            let opts: Vec<String> = sub
                .options
                .iter()
                .map(|o| format!("{}: {}", o.name, o.description))
                .collect();
            let mut value = sub.description.to_string();
            if !opts.is_empty() {
                value = format!("{value}\n{}", opts.join("\n"));
            }
            reply.field(&line, value, false);
        }
        for o in spec.options {
            let req = if o.required { "required" } else { "optional" };
            reply.field(o.name, format!("{} ({req})", o.description), false);
        }
        reply.field("Example", spec.example, false);
        return reply;
    }
    let mut reply = Reply::new(
        "sco-bot — the SCO fact-and-quiz bot",
        "Ask about the Shanghai Cooperation Organisation. Names are forgiving: typos, accents, Russian and Chinese names, abbreviations. Every answer cites its sources and the date its facts were checked.",
    );
    for spec in COMMANDS {
        reply
            .items
            .push(format!("{:<24} {}", usage(spec), spec.description));
    }
    reply.items.push(String::new());
    reply.items.push(
        "Examples: /member kazakstan · /summit 2017 · /principle non-alignment · /term 3 evils"
            .into(),
    );
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_fits_discord_limits() {
        let mut names = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(names.insert(c.name), "duplicate /{}", c.name);
            assert!(c.name.len() <= 32 && c.name.chars().all(|ch| ch.is_ascii_lowercase()));
            for d in [c.description, c.description_ru, c.description_zh] {
                assert!(
                    !d.is_empty() && d.chars().count() <= 100,
                    "/{}: {d}",
                    c.name
                );
            }
            if let Some((ru, zh)) = c.name_ru_zh {
                assert!(
                    ru.chars().all(|ch| ch.is_lowercase() || ch == '-') && ru.chars().count() <= 32
                );
                assert!(!zh.is_empty() && zh.chars().count() <= 32);
            }
            for o in c.options {
                for d in [o.description, o.description_ru, o.description_zh] {
                    assert!(!d.is_empty() && d.chars().count() <= 100, "{}: {d}", o.name);
                }
            }
            assert!(c.example.starts_with(&format!("/{}", c.name)));
        }
    }

    #[test]
    fn topic_choices_are_the_topics() {
        let keys: Vec<&str> = crate::quiz::Topic::ALL.iter().map(|t| t.key()).collect();
        assert_eq!(quiz::TOPIC_CHOICES[0], "all");
        assert_eq!(&quiz::TOPIC_CHOICES[1..], keys.as_slice());
    }

    #[test]
    fn parses_text_and_named_options() {
        let (spec, args) = parse_line("/member  kazakh stan ").expect("valid line");
        assert_eq!(spec.name, "member");
        assert_eq!(args.text("name"), Some("kazakh stan"));
        let (spec, args) = parse_line("/timeline from:2001 to:2010").expect("valid line");
        assert_eq!(spec.name, "timeline");
        assert_eq!(
            (args.integer("from"), args.integer("to")),
            (Some(2001), Some(2010))
        );
        let (_, args) = parse_line("timeline 2001 2010").expect("positional integers");
        assert_eq!(
            (args.integer("from"), args.integer("to")),
            (Some(2001), Some(2010))
        );
        let (_, args) = parse_line("/summit 2017").expect("a year is text for /summit");
        assert_eq!(args.text("name"), Some("2017"));
    }

    #[test]
    fn bad_lines_say_how_to_fix_them() {
        assert_eq!(parse_line("  ").err(), Some(ParseError::Empty));
        let e = parse_line("/membr kazakhstan").expect_err("unknown command");
        assert_eq!(
            e.to_string(),
            "there is no command /membr (did you mean /member?); /help lists them"
        );
        let e = parse_line("/member").expect_err("missing name");
        assert_eq!(
            e.to_string(),
            "/member needs a name: for example /member kazakhstan"
        );
        let e = parse_line("/timeline from:1800").expect_err("out of range");
        assert!(e.to_string().contains("from 1996 to 2100"), "{e}");
        let e = parse_line("/about pizza").expect_err("no options");
        assert!(e.to_string().contains("does not take"), "{e}");
    }
}

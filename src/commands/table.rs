//! The one command table every front end reads: names, descriptions in three languages,
//! options and handlers. Help text, terminal parsing, completion, Discord registration and
//! dispatch all come from [`COMMANDS`]; adding a command is one handler and one entry here.

use std::fmt::Write as _;

use super::bind::Args;
use super::cross::lookup_command;
use super::lookup::{about, help, members};
use super::pictures::{map, member, timeline};
use super::privacy::privacy;
use super::{Ctx, daily, quiz, reload};
use crate::facts::Kind;
use crate::reply::Reply;

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
    /// A text channel of the server (a Discord channel id; `<#id>` typed is the same).
    Channel,
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
    /// Whether its handler reads or writes the store (so it may wait on the database, and
    /// front ends run it off their async threads and defer their answer if it is slow).
    pub uses_store: bool,
    /// Whether its handler reads a file (`/reload`), so front ends run it off their async
    /// threads even without a store.
    pub reads_files: bool,
    /// Only for those who run the bot: Discord registers it for members with Manage Server
    /// (`default_member_permissions`), in servers that installed the app, and its handler
    /// refuses anyone else ([`Ctx::can_manage_server`]).
    pub manage_server: bool,
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
const TIMELINE_OPTS: [OptionSpec; 3] = [
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
    OptionSpec {
        name: "view",
        name_ru_zh: ("вид", "视图"),
        description: "list (default), or chart: a picture with statuses as bars and summits",
        description_ru: "list (список) или chart (диаграмма со статусами и саммитами)",
        description_zh: "list（列表，默认）或 chart（图表：地位条与峰会）",
        kind: OptionKind::Choice(&["list", "chart"]),
        required: false,
    },
];
const MAP_OPTS: [OptionSpec; 2] = [
    OptionSpec {
        name: "year",
        name_ru_zh: ("год", "年份"),
        description: "Colour countries by their status at the end of this year (default: now)",
        description_ru: "Статус стран на конец этого года (по умолчанию сейчас)",
        description_zh: "按该年年底的地位着色（默认：现在）",
        kind: OptionKind::Integer {
            min: 1996,
            max: 2100,
        },
        required: false,
    },
    OptionSpec {
        name: "highlight",
        name_ru_zh: ("выделить", "突出显示"),
        description: "A country to outline on the map, e.g. Belarus",
        description_ru: "Страна, которую обвести на карте, например Беларусь",
        description_zh: "在地图上勾出轮廓的国家，例如白俄罗斯",
        kind: OptionKind::Lookup(Some(Kind::Country)),
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
const COMPARE_OPTS: [OptionSpec; 2] = [
    OptionSpec {
        name: "first",
        name_ru_zh: ("первое", "第一项"),
        description: "A country, summit or document, e.g. India (or both: India vs Pakistan)",
        description_ru: "Страна, саммит или документ, например Индия",
        description_zh: "国家、峰会或文件，例如印度",
        kind: OptionKind::Lookup(None),
        required: true,
    },
    OptionSpec {
        name: "second",
        name_ru_zh: ("второе", "第二项"),
        description: "One of the same kind, e.g. Pakistan",
        description_ru: "Того же рода, например Пакистан",
        description_zh: "同类的另一项，例如巴基斯坦",
        kind: OptionKind::Lookup(None),
        required: false,
    },
];
const CITE_OPTS: [OptionSpec; 2] = [
    OptionSpec {
        name: "entry",
        name_ru_zh: ("запись", "条目"),
        description: "Whose sources to cite, e.g. India (default: the fact base itself)",
        description_ru: "Чьи источники цитировать, например Индия (по умолчанию база фактов)",
        description_zh: "引用哪个条目的来源，例如印度（默认：事实库本身）",
        kind: OptionKind::Lookup(None),
        required: false,
    },
    OptionSpec {
        name: "style",
        name_ru_zh: ("стиль", "格式"),
        description: "apa (APA 7), chicago, or both (default)",
        description_ru: "apa (APA 7), chicago или оба (по умолчанию)",
        description_zh: "apa（APA 第7版）、chicago 或两者（默认）",
        kind: OptionKind::Choice(super::cite::STYLES),
        required: false,
    },
];
const SOURCES_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "which",
    name_ru_zh: ("какие", "哪个"),
    description: "An entry, e.g. India (in the terminal also N, a number in the last answer's list)",
    description_ru: "Запись, например Индия (в терминале также номер из последнего ответа)",
    description_zh: "条目，例如印度（终端中也可填上一答案来源列表中的编号）",
    kind: OptionKind::Lookup(None),
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
const STUDY_EXPORT_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "format",
    name_ru_zh: ("формат", "格式"),
    description: "anki (a deck Anki imports, the default) or csv",
    description_ru: "anki (колода для Anki, по умолчанию) или csv",
    description_zh: "anki（可导入 Anki 的卡组，默认）或 csv",
    kind: OptionKind::Choice(&["anki", "csv"]),
    required: false,
}];
const STUDY_SUBS: [SubcommandSpec; 3] = [
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
    SubcommandSpec {
        name: "export",
        name_ru_zh: ("выгрузить", "导出"),
        description: "The questions you missed, as a file for Anki or a spreadsheet",
        description_ru: "Вопросы, где вы ошиблись, — файлом для Anki или таблицы",
        description_zh: "你答错的题目，导出为 Anki 或表格文件",
        options: &STUDY_EXPORT_OPTS,
    },
];
const PRIVACY_DELETE_OPTS: [OptionSpec; 1] = [OptionSpec {
    name: "confirm",
    name_ru_zh: ("подтвердить", "确认"),
    description: "yes to erase at once, without the confirmation button",
    description_ru: "yes — удалить сразу, без кнопки подтверждения",
    description_zh: "yes：立即删除，无需确认按钮",
    kind: OptionKind::Choice(&["yes"]),
    required: false,
}];
const PRIVACY_SUBS: [SubcommandSpec; 3] = [
    SubcommandSpec {
        name: "show",
        name_ru_zh: ("показать", "查看"),
        description: "What sco-bot keeps about you, and for how long",
        description_ru: "Что sco-bot хранит о вас и как долго",
        description_zh: "sco-bot 保存了你的哪些数据、保存多久",
        options: &[],
    },
    SubcommandSpec {
        name: "export",
        name_ru_zh: ("выгрузить", "导出"),
        description: "Everything sco-bot keeps about you, as a JSON file only you see",
        description_ru: "Все ваши данные в sco-bot — файлом JSON, видимым только вам",
        description_zh: "以仅你可见的 JSON 文件导出你的全部数据",
        options: &[],
    },
    SubcommandSpec {
        name: "delete",
        name_ru_zh: ("удалить", "删除"),
        description: "Erase everything sco-bot keeps about you, on every server",
        description_ru: "Удалить все ваши данные в sco-bot на всех серверах",
        description_zh: "删除 sco-bot 在所有服务器上保存的你的数据",
        options: &PRIVACY_DELETE_OPTS,
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

const DAILY_SET_OPTS: [OptionSpec; 3] = [
    OptionSpec {
        name: "channel",
        name_ru_zh: ("канал", "频道"),
        description: "The text channel to post the question in",
        description_ru: "Текстовый канал для вопроса",
        description_zh: "发布题目的文字频道",
        kind: OptionKind::Channel,
        required: true,
    },
    OptionSpec {
        name: "time",
        name_ru_zh: ("время", "时间"),
        description: "When to post it each day, on a 24-hour clock, e.g. 09:00",
        description_ru: "Когда публиковать каждый день, например 09:00",
        description_zh: "每天发布时间（24小时制），例如 09:00",
        kind: OptionKind::Text,
        required: true,
    },
    OptionSpec {
        name: "timezone",
        name_ru_zh: ("часовой-пояс", "时区"),
        description: "An IANA time zone, e.g. Europe/Moscow or Asia/Shanghai (default UTC)",
        description_ru: "Часовой пояс IANA, например Europe/Moscow (по умолчанию UTC)",
        description_zh: "IANA 时区，例如 Asia/Shanghai（默认 UTC）",
        kind: OptionKind::Text,
        required: false,
    },
];
const DAILY_SUBS: [SubcommandSpec; 4] = [
    SubcommandSpec {
        name: "show",
        name_ru_zh: ("показать", "查看"),
        description: "When this server's question of the day is posted next",
        description_ru: "Когда следующий вопрос дня на этом сервере",
        description_zh: "本服务器下一道每日一题的发布时间",
        options: &[],
    },
    SubcommandSpec {
        name: "streak",
        name_ru_zh: ("серия", "连续"),
        description: "Your streak: days in a row you answered the question of the day right",
        description_ru: "Ваша серия: дни подряд с верным ответом на вопрос дня",
        description_zh: "你的连续天数：连续答对每日一题的天数",
        options: &[],
    },
    SubcommandSpec {
        name: "set",
        name_ru_zh: ("задать", "设置"),
        description: "Post a question every day in a channel (Manage Server)",
        description_ru: "Публиковать вопрос каждый день в канале (управление сервером)",
        description_zh: "每天在频道发布一道题（需管理服务器权限）",
        options: &DAILY_SET_OPTS,
    },
    SubcommandSpec {
        name: "off",
        name_ru_zh: ("выключить", "关闭"),
        description: "Stop this server's question of the day (Manage Server)",
        description_ru: "Отключить вопрос дня (управление сервером)",
        description_zh: "关闭本服务器的每日一题（需管理服务器权限）",
        options: &[],
    },
];

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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: |c, a| match a.integer("year") {
            Some(y) => crate::ask::members_at(c.knowledge, y as i32),
            None => members(c, a),
        },
    },
    CommandSpec {
        name: "map",
        name_ru_zh: Some(("карта", "地图")),
        description: "A map of members and partners coloured by status (now, or in a year)",
        description_ru: "Карта членов и партнёров ШОС по статусу (сейчас или в году)",
        description_zh: "按地位着色的成员国和伙伴国地图（现在或某年）",
        example: "/map 2010 belarus",
        options: &MAP_OPTS,
        subcommands: &[],
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: map,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: |c, a| crate::ask::answer(c.knowledge, a.text("question").unwrap_or_default()),
    },
    CommandSpec {
        name: "timeline",
        name_ru_zh: Some(("хронология", "时间线")),
        description: "Accessions, status changes and summits in date order",
        description_ru: "Вступления, изменения статуса и саммиты по датам",
        description_zh: "按日期排列的加入、地位变化和峰会",
        example: "/timeline from:2015 to:2025 view:chart",
        options: &TIMELINE_OPTS,
        subcommands: &[],
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: timeline,
    },
    CommandSpec {
        name: "compare",
        name_ru_zh: Some(("сравнить", "比较")),
        description: "Two countries, summits or documents side by side",
        description_ru: "Две страны, два саммита или два документа рядом",
        description_zh: "并排比较两个国家、峰会或文件",
        example: "/compare india pakistan",
        options: &COMPARE_OPTS,
        subcommands: &[],
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: super::compare::compare,
    },
    CommandSpec {
        name: "cite",
        name_ru_zh: Some(("цитировать", "引用")),
        description: "References to copy for an entry's sources, or the fact base: APA 7, Chicago",
        description_ru: "Готовые ссылки на источники записи или базы фактов: APA 7, Chicago",
        description_zh: "条目来源或事实库的参考文献（APA 第7版、芝加哥格式），可直接复制",
        example: "/cite india apa",
        options: &CITE_OPTS,
        subcommands: &[],
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: super::cite::cite,
    },
    CommandSpec {
        name: "sources",
        name_ru_zh: Some(("источники", "来源")),
        description: "An entry's sources in full, with their addresses",
        description_ru: "Источники записи полностью, с адресами",
        description_zh: "条目的完整来源及网址",
        example: "/sources india",
        options: &SOURCES_OPTS,
        subcommands: &[],
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: super::sources::sources,
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
        uses_store: true,
        reads_files: false,
        manage_server: false,
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
        uses_store: true,
        reads_files: false,
        manage_server: false,
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
        uses_store: true,
        reads_files: false,
        manage_server: false,
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
        uses_store: true,
        reads_files: false,
        manage_server: false,
        run: quiz::stats,
    },
    CommandSpec {
        name: "daily",
        name_ru_zh: Some(("вопрос-дня", "每日一题")),
        description: "A question of the day in a channel: set it up, see when, your streak",
        description_ru: "Вопрос дня в канале: настройка, время, ваша серия",
        description_zh: "频道每日一题：设置、发布时间、你的连续天数",
        example: "/daily set channel:#quiz time:09:00 timezone:Europe/Moscow",
        options: &[],
        subcommands: &DAILY_SUBS,
        uses_store: true,
        reads_files: false,
        // `set` and `off` need Manage Server and the handler checks it; registering the
        // whole command for managers only would hide `show` and `streak` from everyone else.
        manage_server: false,
        run: daily::daily,
    },
    CommandSpec {
        name: "privacy",
        name_ru_zh: Some(("приватность", "隐私")),
        description: "What sco-bot keeps about you; export it or delete it",
        description_ru: "Что sco-bot хранит о вас; выгрузить или удалить",
        description_zh: "sco-bot 保存的你的数据；导出或删除",
        example: "/privacy export",
        options: &[],
        subcommands: &PRIVACY_SUBS,
        uses_store: true,
        reads_files: false,
        manage_server: false,
        run: privacy,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
        run: about,
    },
    CommandSpec {
        name: "reload",
        name_ru_zh: Some(("перезагрузить", "重新加载")),
        description: "Read the facts file again now (for server managers)",
        description_ru: "Перечитать файл фактов сейчас (для управляющих сервером)",
        description_zh: "立即重新读取事实文件（服务器管理者使用）",
        example: "/reload",
        options: &[],
        subcommands: &[],
        uses_store: false,
        reads_files: true,
        manage_server: true,
        run: reload::reload,
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
        uses_store: false,
        reads_files: false,
        manage_server: false,
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

//! The question grammar: a question in English, Russian or Chinese becomes a set of cues
//! (question words and the words that say what is asked: join, summit, signed...), the years
//! and ordinals it names, and the words left over, which name the thing asked about and go to
//! the search index.
//!
//! English and Russian are folded to ASCII words by the same normaliser as lookups
//! ([`fold`]); English cue words forgive one typo (two in long words), Russian ones are matched
//! by stem so every case ending works. Chinese has no spaces, so its cues are found as
//! substrings of the raw text and removed before the rest is folded.
//!
//! A small glossary turns Russian and Chinese words for things the fact base names only in
//! English (the Charter, the Secretariat, summit cities) into their English search words. It
//! translates queries only: every answer still comes from the fact base.

use crate::search::normalize::fold;

/// What a word of the question says about what is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// when, когда, 什么时候
    When,
    /// where, где, 哪里
    Where,
    /// who, кто, 谁
    Who,
    /// what, что, 什么
    What,
    /// which, какие, 哪些
    Which,
    /// how many, сколько, 多少
    HowMany,
    /// "year" as in "what year", в каком году
    YearWord,
    /// join, become, вступить, 加入
    Join,
    /// member, член, 成员国
    Member,
    /// observer, наблюдатель, 观察员
    Observer,
    /// partner, dialogue partner, партнёр, 伙伴
    Partner,
    /// founded, set up, основана, 成立
    Found,
    /// founder(s), founding member(s)
    Founder,
    /// secretary-general, генеральный секретарь, 秘书长
    SecGen,
    /// summit, held, саммит, 峰会
    Summit,
    /// signed, подписана, 签署
    Sign,
    /// entered into force, вступила в силу, 生效
    Force,
    /// stand for, abbreviation, расшифровывается, 全称
    StandFor,
    /// military, военный, 军事
    Military,
    /// alliance, bloc, союз, 同盟
    Alliance,
    /// language(s), язык, 语言
    Language,
    /// now, current, сейчас, 现任
    Now,
    /// first, первый, 首任
    First,
    /// last, latest, последний
    Last,
    /// seat, based, headquarters, находится, 总部
    Seat,
    /// countries, states, страны, 国家
    Countries,
    /// capital, столица, 首都
    Capital,
    /// principle(s), принцип, 原则
    Principle,
    /// is / does / ли / 吗: a yes-or-no question
    Yes,
    /// all, list, every
    All,
    /// a conjunction between two names (and, и, 和)
    And,
}

impl Cue {
    fn bit(self) -> u64 {
        1 << (self as u8)
    }
}

/// A question, parsed.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    cues: u64,
    /// Years named (1990–2100), in order.
    pub years: Vec<i32>,
    /// An ordinal named ("3rd", "first"), if any.
    pub ordinal: Option<u32>,
    /// The content words left once cues and filler are removed, in segments split by "and".
    pub segments: Vec<Vec<String>>,
    /// The content words including words taken as cues (for names that contain a cue word,
    /// such as "SCO partner status").
    pub full: Vec<String>,
    /// Whether the question names the SCO itself.
    pub sco: bool,
    /// Whether it is written in Cyrillic (its words may carry case endings).
    pub cyrillic: bool,
    /// Whether it is written in Chinese.
    pub chinese: bool,
}

impl Parsed {
    /// Whether a cue is present.
    pub fn has(&self, c: Cue) -> bool {
        self.cues & c.bit() != 0
    }

    /// Whether any of the cues is present.
    pub fn any(&self, cs: &[Cue]) -> bool {
        cs.iter().any(|&c| self.has(c))
    }

    fn add(&mut self, c: Cue) {
        self.cues |= c.bit();
    }

    /// The content words as one query for the index.
    pub fn rest(&self) -> String {
        let words: Vec<&str> = self.segments.iter().flatten().map(String::as_str).collect();
        words.join(" ")
    }

    /// Whether no content word is left.
    pub fn rest_is_empty(&self) -> bool {
        self.segments.iter().all(Vec::is_empty)
    }

    /// The same question about other content words (one name of several).
    pub fn with_words(&self, words: Vec<String>) -> Parsed {
        Parsed {
            segments: vec![words.clone()],
            full: words,
            ..self.clone()
        }
    }

    /// The first year named.
    pub fn year(&self) -> Option<i32> {
        self.years.first().copied()
    }
}

/// Cues whose words may also be part of a name ("SCO partner status", "Council of Heads of
/// State"), so a lookup may try them again with the name.
const CONTENT: &[Cue] = &[
    Cue::Member,
    Cue::Observer,
    Cue::Partner,
    Cue::SecGen,
    Cue::Summit,
    Cue::Language,
    Cue::Principle,
    Cue::Countries,
    Cue::Military,
    Cue::Alliance,
    Cue::Founder,
    Cue::Found,
    Cue::Seat,
];

/// English cue words (folded), matched whole or with a typo.
const EN: &[(&str, Cue)] = &[
    ("when", Cue::When),
    ("wen", Cue::When),
    ("whn", Cue::When),
    ("wher", Cue::Where),
    ("whr", Cue::Where),
    ("wat", Cue::What),
    ("wht", Cue::What),
    ("whos", Cue::Who),
    ("date", Cue::YearWord),
    ("year", Cue::YearWord),
    ("where", Cue::Where),
    ("place", Cue::Where),
    ("city", Cue::Where),
    ("venue", Cue::Where),
    ("who", Cue::Who),
    ("whom", Cue::Who),
    ("whose", Cue::Who),
    ("what", Cue::What),
    ("whats", Cue::What),
    ("which", Cue::Which),
    ("many", Cue::HowMany),
    ("number", Cue::HowMany),
    ("count", Cue::HowMany),
    ("total", Cue::HowMany),
    ("join", Cue::Join),
    ("joined", Cue::Join),
    ("joins", Cue::Join),
    ("joining", Cue::Join),
    ("become", Cue::Join),
    ("became", Cue::Join),
    ("becomes", Cue::Join),
    ("admitted", Cue::Join),
    ("admission", Cue::Join),
    ("accession", Cue::Join),
    ("acceded", Cue::Join),
    ("accede", Cue::Join),
    ("entered", Cue::Join),
    ("enter", Cue::Join),
    ("get", Cue::Join),
    ("got", Cue::Join),
    ("granted", Cue::Join),
    ("member", Cue::Member),
    ("members", Cue::Member),
    ("membership", Cue::Member),
    ("observer", Cue::Observer),
    ("observers", Cue::Observer),
    ("partner", Cue::Partner),
    ("partners", Cue::Partner),
    ("partnership", Cue::Partner),
    ("dialogue", Cue::Partner),
    ("dialog", Cue::Partner),
    ("founded", Cue::Found),
    ("found", Cue::Found),
    ("founding", Cue::Founder),
    ("founder", Cue::Founder),
    ("founders", Cue::Founder),
    ("cofounder", Cue::Founder),
    ("cofounders", Cue::Founder),
    ("original", Cue::Founder),
    ("established", Cue::Found),
    ("establish", Cue::Found),
    ("establishment", Cue::Found),
    ("set", Cue::Found),
    ("setup", Cue::Found),
    ("created", Cue::Found),
    ("create", Cue::Found),
    ("creation", Cue::Found),
    ("formed", Cue::Found),
    ("launched", Cue::Found),
    ("opened", Cue::Found),
    ("open", Cue::Found),
    ("started", Cue::Found),
    ("start", Cue::Found),
    ("begin", Cue::Found),
    ("began", Cue::Found),
    ("born", Cue::Found),
    ("secretary", Cue::SecGen),
    ("secretarygeneral", Cue::SecGen),
    ("general", Cue::SecGen),
    ("sg", Cue::SecGen),
    ("secretaries", Cue::SecGen),
    ("secretarys", Cue::SecGen),
    ("summit", Cue::Summit),
    ("summits", Cue::Summit),
    ("held", Cue::Summit),
    ("hold", Cue::Summit),
    ("host", Cue::Summit),
    ("hosted", Cue::Summit),
    ("hosts", Cue::Summit),
    ("took", Cue::Summit),
    ("take", Cue::Summit),
    ("signed", Cue::Sign),
    ("sign", Cue::Sign),
    ("signing", Cue::Sign),
    ("adopted", Cue::Sign),
    ("concluded", Cue::Sign),
    ("force", Cue::Force),
    ("effect", Cue::Force),
    ("ratified", Cue::Force),
    ("stand", Cue::StandFor),
    ("stands", Cue::StandFor),
    ("abbreviation", Cue::StandFor),
    ("acronym", Cue::StandFor),
    ("mean", Cue::StandFor),
    ("means", Cue::StandFor),
    ("meaning", Cue::StandFor),
    ("name", Cue::StandFor),
    ("form", Cue::StandFor),
    ("military", Cue::Military),
    ("defence", Cue::Military),
    ("defense", Cue::Military),
    ("alliance", Cue::Alliance),
    ("bloc", Cue::Alliance),
    ("pact", Cue::Alliance),
    ("allies", Cue::Alliance),
    ("language", Cue::Language),
    ("languages", Cue::Language),
    ("now", Cue::Now),
    ("current", Cue::Now),
    ("currently", Cue::Now),
    ("today", Cue::Now),
    ("present", Cue::Now),
    ("presently", Cue::Now),
    ("incumbent", Cue::Now),
    ("nowadays", Cue::Now),
    ("still", Cue::Now),
    ("first", Cue::First),
    ("earliest", Cue::First),
    ("last", Cue::Last),
    ("latest", Cue::Last),
    ("newest", Cue::Last),
    ("recent", Cue::Last),
    ("most", Cue::Last),
    ("seat", Cue::Seat),
    ("sit", Cue::Seat),
    ("sits", Cue::Seat),
    ("based", Cue::Seat),
    ("headquarters", Cue::Seat),
    ("headquartered", Cue::Seat),
    ("hq", Cue::Seat),
    ("located", Cue::Seat),
    ("location", Cue::Seat),
    ("situated", Cue::Seat),
    ("countries", Cue::Countries),
    ("country", Cue::Countries),
    ("states", Cue::Countries),
    ("state", Cue::Countries),
    ("nations", Cue::Countries),
    ("capital", Cue::Capital),
    ("principle", Cue::Principle),
    ("principles", Cue::Principle),
    ("values", Cue::Principle),
    ("all", Cue::All),
    ("list", Cue::All),
    ("every", Cue::All),
    ("is", Cue::Yes),
    ("are", Cue::Yes),
    ("was", Cue::Yes),
    ("were", Cue::Yes),
    ("does", Cue::Yes),
    ("do", Cue::Yes),
    ("did", Cue::Yes),
    ("has", Cue::Yes),
    ("have", Cue::Yes),
    ("had", Cue::Yes),
    ("and", Cue::And),
];

/// English words that say nothing about what is asked.
const EN_FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "in",
    "at",
    "on",
    "to",
    "its",
    "it",
    "be",
    "been",
    "being",
    "by",
    "for",
    "with",
    "from",
    "as",
    "this",
    "that",
    "there",
    "their",
    "they",
    "s",
    "please",
    "tell",
    "me",
    "about",
    "i",
    "you",
    "can",
    "could",
    "would",
    "will",
    "know",
    "want",
    "so",
    "exactly",
    "officially",
    "formally",
    "ever",
    "up",
    "how",
    "or",
    "into",
    "full",
    "fully",
    "org",
    "official",
    "organisation",
    "organization",
    "cooperation",
    "shanghais",
    "whole",
    "place",
    "pls",
    "u",
    "many",
    "did",
    "does",
    "which",
    "whats",
    "hi",
    "hello",
    "hey",
    "then",
    "time",
    "back",
    "currently",
    "again",
    "yet",
    "already",
    "eventually",
    "finally",
    "held",
    "official",
    "called",
    "named",
    "office",
    "post",
    "role",
    "position",
    "serve",
    "served",
    "serving",
    "term",
    "head",
    "chief",
    "holder",
    "holds",
    "working",
    "workings",
    "use",
    "uses",
    "used",
    "speak",
    "spoken",
    "come",
    "came",
    "comes",
    "coming",
    "heads",
    "leads",
    "runs",
    "happened",
    "happen",
    "define",
    "explain",
    "describe",
    "definition",
];

/// Russian cue stems (transliterated by the normaliser), matched as word prefixes; the first
/// matching stem wins. `None`: a stem that says nothing (a form of "to be").
const RU: &[(&str, Option<Cue>)] = &[
    ("kogda", Some(Cue::When)),
    ("god", Some(Cue::YearWord)),
    ("dat", Some(Cue::YearWord)),
    ("gde", Some(Cue::Where)),
    ("kuda", Some(Cue::Where)),
    ("gorod", Some(Cue::Where)),
    ("kto", Some(Cue::Who)),
    ("kem", Some(Cue::Who)),
    ("chto", Some(Cue::What)),
    ("takoe", Some(Cue::What)),
    ("kakov", Some(Cue::What)),
    ("kaki", Some(Cue::Which)),
    ("kako", Some(Cue::Which)),
    ("kaka", Some(Cue::Which)),
    ("skolk", Some(Cue::HowMany)),
    ("chislo", Some(Cue::HowMany)),
    ("kolichestv", Some(Cue::HowMany)),
    ("vstupi", Some(Cue::Join)),
    ("vstupl", Some(Cue::Join)),
    ("vstup", Some(Cue::Join)),
    ("prisoedin", Some(Cue::Join)),
    ("stal", Some(Cue::Join)),
    ("stan", Some(Cue::Join)),
    ("prinyat", Some(Cue::Join)),
    ("voshl", Some(Cue::Join)),
    ("voshel", Some(Cue::Join)),
    ("poluchil", Some(Cue::Join)),
    ("chlen", Some(Cue::Member)),
    ("uchastn", Some(Cue::Member)),
    ("nablyud", Some(Cue::Observer)),
    ("partn", Some(Cue::Partner)),
    ("dialog", Some(Cue::Partner)),
    ("osnovatel", Some(Cue::Founder)),
    ("osnov", Some(Cue::Found)),
    ("sozda", Some(Cue::Found)),
    ("sozdan", Some(Cue::Found)),
    ("uchrezhd", Some(Cue::Found)),
    ("obrazov", Some(Cue::Found)),
    ("otkryt", Some(Cue::Found)),
    ("generaln", Some(Cue::SecGen)),
    ("gensek", Some(Cue::SecGen)),
    ("sekretar", Some(Cue::SecGen)),
    ("samm", Some(Cue::Summit)),
    ("proshel", Some(Cue::Summit)),
    ("proshl", Some(Cue::Summit)),
    ("provod", Some(Cue::Summit)),
    ("prokhod", Some(Cue::Summit)),
    ("proved", Some(Cue::Summit)),
    ("sostoyal", Some(Cue::Summit)),
    ("vstrech", Some(Cue::Summit)),
    ("podpis", Some(Cue::Sign)),
    ("silu", Some(Cue::Force)),
    ("sile", Some(Cue::Force)),
    ("rasshifr", Some(Cue::StandFor)),
    ("oznach", Some(Cue::StandFor)),
    ("abbreviat", Some(Cue::StandFor)),
    ("nazvan", Some(Cue::StandFor)),
    ("voenn", Some(Cue::Military)),
    ("soyuz", Some(Cue::Alliance)),
    ("blok", Some(Cue::Alliance)),
    ("alyans", Some(Cue::Alliance)),
    ("yazyk", Some(Cue::Language)),
    ("seychas", Some(Cue::Now)),
    ("nyne", Some(Cue::Now)),
    ("tekushch", Some(Cue::Now)),
    ("deystvuyushch", Some(Cue::Now)),
    ("nyneshn", Some(Cue::Now)),
    ("segodnya", Some(Cue::Now)),
    ("perv", Some(Cue::First)),
    ("posledn", Some(Cue::Last)),
    ("nakhod", Some(Cue::Seat)),
    ("raspolozh", Some(Cue::Seat)),
    ("shtab", Some(Cue::Seat)),
    ("bazir", Some(Cue::Seat)),
    ("stran", Some(Cue::Countries)),
    ("gosudarstv", Some(Cue::Countries)),
    ("stolits", Some(Cue::Capital)),
    ("printsip", Some(Cue::Principle)),
    ("vse", Some(Cue::All)),
    ("spis", Some(Cue::All)),
    ("yavlya", Some(Cue::Yes)),
    ("li", Some(Cue::Yes)),
    ("byl", None),
    ("bud", None),
];

/// Russian words (transliterated) that say nothing about what is asked.
const RU_FILLER: &[&str] = &[
    "v",
    "vo",
    "na",
    "s",
    "so",
    "i",
    "eto",
    "kak",
    "po",
    "u",
    "k",
    "ot",
    "do",
    "za",
    "ee",
    "ego",
    "ikh",
    "budet",
    "mne",
    "skazhi",
    "skazhite",
    "pozhaluysta",
    "zhe",
    "a",
    "ona",
    "on",
    "oni",
    "polnopravn",
    "polnym",
    "polnopravnym",
    "ofitsialno",
    "ofitsialnye",
    "ofitsialnyy",
    "ofitsialnymi",
    "organizatsiya",
    "organizatsii",
    "sotrudnichestva",
    "shankhayskoy",
    "shankhayskaya",
    "rabochie",
    "rabochiy",
    "kotoryy",
    "kotorye",
    "tam",
    "zdes",
    "est",
    "imeet",
    "imela",
    "imel",
    "iz",
    "ob",
    "o",
    "pro",
    "naskolko",
    "kvartira",
    "kvartiry",
];

/// Russian stems the fact base names only in English, with their English search words.
const RU_GLOSSARY: &[(&str, &str)] = &[
    ("khart", "charter"),
    ("ustav", "charter"),
    ("sekretariat", "secretariat"),
    ("pekin", "beijing"),
    ("tsindao", "qingdao"),
    ("tyantszin", "tianjin"),
    ("shankhay", "shanghai"),
    ("pyater", "five"),
    ("sankt", "saint"),
    ("peterburg", "petersburg"),
    ("nyu", "new"),
    ("deli", "delhi"),
    ("moskv", "moscow"),
    ("ekaterinburg", "yekaterinburg"),
    ("dukh", "spirit"),
    ("zla", "evils"),
    ("zlo", "evils"),
    ("tri", "three"),
    ("terroriz", "terrorism"),
    ("separatiz", "separatism"),
    ("ekstremiz", "extremism"),
    ("konvents", "convention"),
    ("deklarats", "declaration"),
    ("dogovor", "treaty"),
    ("soglashen", "agreement"),
    ("strategi", "strategy"),
    ("sovet", "council"),
    ("universitet", "university"),
    ("neprisoedin", "nonalignment"),
    ("antiterror", "antiterrorist"),
    // Partner countries, which the fact base names in English only.
    ("turts", "turkey"),
    ("mongol", "mongolia"),
    ("shri", "sri"),
    ("lank", "lanka"),
    ("armeni", "armenia"),
    ("azerbaydzh", "azerbaijan"),
    ("kambodzh", "cambodia"),
    ("egip", "egypt"),
    ("katar", "qatar"),
    ("saudovsk", "saudi"),
    ("aravi", "arabia"),
    ("bakhreyn", "bahrain"),
    ("kuveyt", "kuwait"),
    ("maldiv", "maldives"),
    ("myanm", "myanmar"),
    ("oae", "united arab emirates"),
    ("emirat", "emirates"),
    ("turkmen", "turkmenistan"),
    ("struktur", "structure"),
    ("regionaln", "regional"),
];

/// Chinese words the fact base names only in English, with their English search words
/// (longest first, so a longer name wins over a word inside it).
const ZH_GLOSSARY: &[(&str, &str)] = &[
    ("长期睦邻友好合作条约", "good neighbourliness treaty"),
    ("睦邻友好合作条约", "good neighbourliness treaty"),
    ("地区反恐怖机构", "regional anti terrorist structure"),
    ("外交部长理事会", "council of foreign ministers"),
    ("政府首脑理事会", "council of heads of government"),
    ("元首理事会", "council of heads of state"),
    ("上合组织大学", "sco university"),
    ("反恐怖机构", "regional anti terrorist structure"),
    ("叶卡捷琳堡", "yekaterinburg"),
    ("上海公约", "shanghai convention"),
    ("上海精神", "shanghai spirit"),
    ("上海五国", "shanghai five"),
    ("撒马尔罕", "samarkand"),
    ("比什凯克", "bishkek"),
    ("阿斯塔纳", "astana"),
    ("圣彼得堡", "st petersburg"),
    ("阿拉木图", "almaty"),
    ("反恐机构", "regional anti terrorist structure"),
    ("秘书处", "secretariat"),
    ("杜尚别", "dushanbe"),
    ("塔什干", "tashkent"),
    ("莫斯科", "moscow"),
    ("新德里", "new delhi"),
    ("宪章", "charter"),
    ("乌法", "ufa"),
    // Partner countries, which the fact base names in English only.
    ("阿拉伯联合酋长国", "united arab emirates"),
    ("土库曼斯坦", "turkmenistan"),
    ("沙特阿拉伯", "saudi arabia"),
    ("斯里兰卡", "sri lanka"),
    ("亚美尼亚", "armenia"),
    ("阿塞拜疆", "azerbaijan"),
    ("马尔代夫", "maldives"),
    ("土耳其", "turkey"),
    ("阿富汗", "afghanistan"),
    ("柬埔寨", "cambodia"),
    ("尼泊尔", "nepal"),
    ("卡塔尔", "qatar"),
    ("科威特", "kuwait"),
    ("阿联酋", "united arab emirates"),
    ("蒙古国", "mongolia"),
    ("蒙古", "mongolia"),
    ("埃及", "egypt"),
    ("沙特", "saudi arabia"),
    ("巴林", "bahrain"),
    ("缅甸", "myanmar"),
    ("老挝", "laos"),
];

/// Chinese cue words (longest first).
const ZH: &[(&str, Option<Cue>)] = &[
    ("上海合作组织", None),
    ("是什么时候", Some(Cue::When)),
    ("是什么时间", Some(Cue::When)),
    ("创始成员国", Some(Cue::Founder)),
    ("什么时候", Some(Cue::When)),
    ("什么时间", Some(Cue::When)),
    ("什么地方", Some(Cue::Where)),
    ("哪个城市", Some(Cue::Where)),
    ("官方语言", Some(Cue::Language)),
    ("工作语言", Some(Cue::Language)),
    ("对话伙伴", Some(Cue::Partner)),
    ("军事同盟", Some(Cue::Alliance)),
    ("军事联盟", Some(Cue::Alliance)),
    ("创始成员", Some(Cue::Founder)),
    ("上合组织", None),
    ("哪一年", Some(Cue::When)),
    ("第一任", Some(Cue::First)),
    ("第一位", Some(Cue::First)),
    ("是不是", Some(Cue::Yes)),
    ("是哪一年", Some(Cue::When)),
    ("是哪年", Some(Cue::When)),
    ("是哪里", Some(Cue::Where)),
    ("是谁", Some(Cue::Who)),
    ("成员国", Some(Cue::Member)),
    ("观察员", Some(Cue::Observer)),
    ("秘书长", Some(Cue::SecGen)),
    ("在哪里", Some(Cue::Where)),
    ("在哪儿", Some(Cue::Where)),
    ("哪几个", Some(Cue::Which)),
    ("是什么", Some(Cue::What)),
    ("什么是", Some(Cue::What)),
    ("创始国", Some(Cue::Founder)),
    ("何时", Some(Cue::When)),
    ("哪年", Some(Cue::When)),
    ("几时", Some(Cue::When)),
    ("日期", Some(Cue::YearWord)),
    ("哪里", Some(Cue::Where)),
    ("哪儿", Some(Cue::Where)),
    ("在哪", Some(Cue::Where)),
    ("何处", Some(Cue::Where)),
    ("哪位", Some(Cue::Who)),
    ("什么", Some(Cue::What)),
    ("哪些", Some(Cue::Which)),
    ("哪个", Some(Cue::Which)),
    ("多少", Some(Cue::HowMany)),
    ("几个", Some(Cue::HowMany)),
    ("加入", Some(Cue::Join)),
    ("成为", Some(Cue::Join)),
    ("入会", Some(Cue::Join)),
    ("成员", Some(Cue::Member)),
    ("伙伴", Some(Cue::Partner)),
    ("成立", Some(Cue::Found)),
    ("创立", Some(Cue::Found)),
    ("建立", Some(Cue::Found)),
    ("创建", Some(Cue::Found)),
    ("设立", Some(Cue::Found)),
    ("创办", Some(Cue::Found)),
    ("峰会", Some(Cue::Summit)),
    ("举行", Some(Cue::Summit)),
    ("召开", Some(Cue::Summit)),
    ("举办", Some(Cue::Summit)),
    ("签署", Some(Cue::Sign)),
    ("签订", Some(Cue::Sign)),
    ("生效", Some(Cue::Force)),
    ("代表", Some(Cue::StandFor)),
    ("全称", Some(Cue::StandFor)),
    ("缩写", Some(Cue::StandFor)),
    ("意思", Some(Cue::StandFor)),
    ("含义", Some(Cue::StandFor)),
    ("军事", Some(Cue::Military)),
    ("同盟", Some(Cue::Alliance)),
    ("联盟", Some(Cue::Alliance)),
    ("语言", Some(Cue::Language)),
    ("现任", Some(Cue::Now)),
    ("目前", Some(Cue::Now)),
    ("现在", Some(Cue::Now)),
    ("当前", Some(Cue::Now)),
    ("如今", Some(Cue::Now)),
    ("首任", Some(Cue::First)),
    ("首位", Some(Cue::First)),
    ("最近", Some(Cue::Last)),
    ("位于", Some(Cue::Seat)),
    ("设在", Some(Cue::Seat)),
    ("总部", Some(Cue::Seat)),
    ("所在地", Some(Cue::Seat)),
    ("国家", Some(Cue::Countries)),
    ("首都", Some(Cue::Capital)),
    ("原则", Some(Cue::Principle)),
    ("所有", Some(Cue::All)),
    ("是否", Some(Cue::Yes)),
    ("吗", Some(Cue::Yes)),
    ("谁", Some(Cue::Who)),
    ("和", Some(Cue::And)),
    ("与", Some(Cue::And)),
    ("及", Some(Cue::And)),
    ("上合", None),
    ("请问", None),
    ("的", None),
    ("了", None),
    ("呢", None),
    ("是", None),
    ("在", None),
    ("年", None),
    ("于", None),
    ("有", None),
    ("为", None),
    ("由", None),
    ("哪", None),
    ("几", None),
    ("个", None),
    ("位", None),
    ("么", None),
    ("该", None),
    ("被", None),
    ("过", None),
    ("正式", None),
    ("作为", None),
    ("担任", None),
    ("届", None),
    ("次", None),
];

/// Names in the fact base that are a typo away from a cue word ("secretariat" from
/// "secretaries"): never read as cues.
const PROTECTED: &[&str] = &["secretaria", "charter", "council", "states"];

/// Ordinal words, for "the second Secretary-General".
const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
];

/// Parses a question.
pub fn parse(question: &str) -> Parsed {
    let mut p = Parsed {
        segments: vec![Vec::new()],
        ..Parsed::default()
    };
    p.cyrillic = question
        .chars()
        .any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    p.chinese = question
        .chars()
        .any(|c| ('\u{3400}'..='\u{9FFF}').contains(&c));
    let text: std::borrow::Cow<'_, str> = if p.chinese {
        std::borrow::Cow::Owned(strip_chinese(question, &mut p))
    } else {
        std::borrow::Cow::Borrowed(question)
    };
    let folded = fold(&text);
    let words: Vec<&str> = folded.split_ascii_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        i += 1;
        if let Some(n) = number(w) {
            if (1990..=2100).contains(&n) {
                p.years.push(n as i32);
            } else if n <= 40 && w.len() > 2 && !w.bytes().all(|b| b.is_ascii_digit()) {
                // "3rd", "17th": an ordinal.
                p.ordinal.get_or_insert(n);
            } else {
                push_word(&mut p, w);
            }
            continue;
        }
        // "shanghai cooperation organisation" and ШОС name the SCO.
        if w == "sco" || w == "scos" || w == "shos" {
            p.sco = true;
            continue;
        }
        if w == "shanghai"
            && words
                .get(i)
                .is_some_and(|n| n.starts_with("cooperat") || n.starts_with("organi"))
        {
            p.sco = true;
            continue;
        }
        if p.cyrillic
            && w.starts_with("shankhaysk")
            && words.get(i).is_some_and(|n| n.starts_with("organizats"))
        {
            p.sco = true;
            continue;
        }
        if let Some(n) = ORDINALS.iter().position(|o| *o == w) {
            p.ordinal.get_or_insert(n as u32 + 1);
            if n == 0 {
                p.add(Cue::First);
            }
            p.full.push(w.to_string());
            continue;
        }
        if p.cyrillic && !w.is_empty() {
            if let Some(&(_, en)) = RU_GLOSSARY.iter().find(|(stem, _)| w.starts_with(stem)) {
                // "tri" (three) only as a whole word; "sankt" etc. as stems.
                if !(en == "three" && w != "tri" || en == "evils" && w.len() > 3) {
                    for e in en.split(' ') {
                        push_word(&mut p, e);
                    }
                    continue;
                }
            }
            if RU_FILLER.contains(&w) {
                continue;
            }
            if let Some(&(_, cue)) = RU.iter().find(|(stem, _)| {
                w.starts_with(stem) && (stem.len() >= 3 || w.len() <= stem.len() + 1)
            }) {
                if let Some(c) = cue {
                    p.add(c);
                    if CONTENT.contains(&c) {
                        p.full.push(w.to_string());
                    }
                }
                continue;
            }
            if w == "i" {
                p.add(Cue::And);
                p.segments.push(Vec::new());
                continue;
            }
        }
        if let Some(c) = english_cue(w) {
            let first = p.full.is_empty() && p.cues == 0 && !p.sco && p.years.is_empty();
            if c == Cue::Yes && !first {
                // "is" inside a question ("what is ...") does not make it a yes-or-no one.
                continue;
            }
            if c == Cue::And {
                p.segments.push(Vec::new());
            } else if CONTENT.contains(&c) {
                p.full.push(w.to_string());
            }
            p.add(c);
            continue;
        }
        if EN_FILLER.contains(&w) {
            continue;
        }
        push_word(&mut p, w);
    }
    p.segments.retain(|s| !s.is_empty());
    if p.has(Cue::First) {
        p.ordinal.get_or_insert(1);
    }
    p
}

fn push_word(p: &mut Parsed, w: &str) {
    p.full.push(w.to_string());
    if let Some(last) = p.segments.last_mut() {
        last.push(w.to_string());
    }
}

/// The English cue a word is, exactly or with a typo that no other cue word explains as well.
fn english_cue(w: &str) -> Option<Cue> {
    if let Some(&(_, c)) = EN.iter().find(|(cw, _)| *cw == w) {
        return Some(c);
    }
    if w.len() < 4 || EN_FILLER.contains(&w) || PROTECTED.iter().any(|p| w.starts_with(p)) {
        return None;
    }
    let b = w.as_bytes();
    let mut best: Option<(usize, Cue)> = None;
    for &(cw, c) in EN {
        let cb = cw.as_bytes();
        if cb.len() < 4 {
            continue;
        }
        let max = if cb.len() >= 8 { 2 } else { 1 };
        if cb.len().abs_diff(b.len()) > max || (cb[0] != b[0] && cb[1] != b[1]) {
            continue;
        }
        if let Some(d) = crate::search::distance::osa_within(b, cb, max)
            && best.is_none_or(|(bd, _)| d < bd)
        {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The value of a numeral or a numeral with an ordinal suffix ("17", "17th").
fn number(w: &str) -> Option<u32> {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    if digits.is_empty()
        || digits.len() > 4
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !matches!(
            suffix,
            "" | "st" | "nd" | "rd" | "th" | "m" | "go" | "y" | "e" | "yy"
        )
    {
        return None;
    }
    digits.parse().ok()
}

/// A lookup query with the Chinese names of places and bodies the fact base names only in
/// English replaced by their English search words (`比什凯克 2019` → `bishkek 2019`); `None` when
/// it has none. Exact names only, never a guess: the same glossary `/ask` reads questions with.
pub fn chinese_names_in_english(query: &str) -> Option<String> {
    if query.is_ascii() || !ZH_GLOSSARY.iter().any(|(zh, _)| query.contains(zh)) {
        return None;
    }
    let mut out = String::with_capacity(query.len() + 16);
    let mut rest = query;
    'outer: while let Some(c) = rest.chars().next() {
        for &(zh, en) in ZH_GLOSSARY {
            if let Some(after) = rest.strip_prefix(zh) {
                out.push(' ');
                out.push_str(en);
                out.push(' ');
                rest = after;
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Takes Chinese cue words and glossary words out of the question: cues set on `p`, glossary
/// words replaced by their English search words, everything else kept for the word pipeline.
fn strip_chinese(question: &str, p: &mut Parsed) -> String {
    let mut out = String::with_capacity(question.len() + 16);
    let mut rest = question;
    'outer: while !rest.is_empty() {
        for &(zh, en) in ZH_GLOSSARY {
            if let Some(after) = rest.strip_prefix(zh) {
                out.push(' ');
                out.push_str(en);
                out.push(' ');
                rest = after;
                continue 'outer;
            }
        }
        for &(zh, cue) in ZH {
            if let Some(after) = rest.strip_prefix(zh) {
                match cue {
                    Some(Cue::And) => {
                        p.add(Cue::And);
                        out.push_str(" and ");
                    }
                    Some(c) => {
                        p.add(c);
                        out.push(' ');
                    }
                    None if zh.starts_with("上") => {
                        p.sco = true;
                        out.push(' ');
                    }
                    None => out.push(' '),
                }
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            if c == '第' {
                // 第一任 is a cue above; 第N is an ordinal in digits.
                out.push(' ');
            } else {
                out.push(c);
            }
        }
        rest = chars.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_questions_become_cues_and_names() {
        let p = parse("When did Inida join the SCO?");
        assert!(p.has(Cue::When) && p.has(Cue::Join) && p.sco);
        assert_eq!(p.rest(), "inida");
        let p = parse("wen did pakistn becme a member");
        assert!(p.has(Cue::When) && p.has(Cue::Join) && p.has(Cue::Member));
        assert_eq!(p.rest(), "pakistn");
        let p = parse("how many members did the sco have in 2018");
        assert!(p.has(Cue::HowMany) && p.has(Cue::Member));
        assert_eq!(p.years, [2018]);
        assert!(p.rest_is_empty());
    }

    #[test]
    fn russian_and_chinese_questions_too() {
        let p = parse("когда Индия вступила в ШОС");
        assert!(p.has(Cue::When) && p.has(Cue::Join) && p.sco);
        assert_eq!(p.rest(), "indiya");
        let p = parse("印度什么时候加入上合组织");
        assert!(p.has(Cue::When) && p.has(Cue::Join) && p.sco);
        assert_eq!(p.rest(), "yindu");
        let p = parse("上合组织的官方语言是什么");
        assert!(p.has(Cue::Language) && p.rest_is_empty());
        let p = parse("где прошёл саммит ШОС в 2019 году");
        assert!(p.has(Cue::Where) && p.has(Cue::Summit));
        assert_eq!(p.years, [2019]);
        assert!(p.rest_is_empty(), "{:?}", p.rest());
    }

    #[test]
    fn names_split_at_and() {
        let p = parse("when did india and pakistan join");
        assert_eq!(p.segments.len(), 2);
    }
}

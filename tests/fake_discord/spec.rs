//! Discord's OpenAPI 3.1 specification as a validator of request bodies.
//!
//! The spec (`tests/fixtures/discord-openapi.json`, Discord's own, MIT) is loaded once per test
//! process. A request is matched to an operation by method and path template (a `{param}`
//! segment matches any segment; the template with the most literal segments wins, so
//! `messages/@original` beats `messages/{message_id}`), and its JSON body (or a multipart body's
//! `payload_json` part) is validated against the operation's `application/json` request schema
//! with the `jsonschema` crate. `$ref`s resolve inside the spec itself: it is registered in a
//! local registry under [`SPEC_URI`], so nothing is ever fetched.
//!
//! Two deliberate differences from the bare spec:
//! - Objects are closed: every schema with `properties` gets `additionalProperties: false`.
//!   Discord itself ignores a key it does not know, which is exactly how a misspelt key gets lost
//!   without a trace; the fake rejects it (code `UNKNOWN_FIELD`, which Discord never sends).
//!   An unknown key left at an empty default (`null`, `false`, `[]`, `{}`) is let through:
//!   serenity sends every command-option key on every option, empty where it does not apply.
//! - [`SPEC_GAPS`] adds the few fields Discord documents and accepts that the spec lacks.
//! - A violation is answered the way Discord answers one: 400 with code 50035 and an `errors`
//!   tree whose leaves are `_errors` lists of `{code, message}` (Discord's codes:
//!   `BASE_TYPE_MAX_LENGTH`, `BASE_TYPE_REQUIRED`, `NUMBER_TYPE_COERCE`, …).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::{Map, Value, json};

/// Where the spec is registered; every `#/components/...` reference resolves against it.
const SPEC_URI: &str = "urn:discord:openapi";

/// Fields Discord documents and accepts but the spec's request schemas lack, added before
/// validation: (schema, field, its schema, why). Keep this short and sourced; anything else
/// the spec lacks is a violation.
const SPEC_GAPS: &[(&str, &str, &str, &str)] = &[
    (
        "ApplicationCommandUpdateRequest",
        "nsfw",
        r#"{"type": ["boolean", "null"]}"#,
        "Discord's docs list `nsfw` among the create/overwrite parameters and the spec's own \
         ApplicationCommandResponse has it; serenity 0.12.5 always sends `nsfw: false`",
    ),
    (
        "ApplicationCommandCreateRequest",
        "nsfw",
        r#"{"type": ["boolean", "null"]}"#,
        "as above, for creating one command",
    ),
    (
        "ApplicationCommandUpdateRequest",
        "default_member_permissions",
        r#"{"oneOf": [{"type": ["integer", "null"], "minimum": 0, "maximum": 18014398509481983}, {"type": "string", "pattern": "^[0-9]{1,20}$"}]}"#,
        "Discord's docs type `default_member_permissions` as `?string` (a permission bit set \
         as a decimal string, e.g. \"32\" for Manage Server) and serenity 0.12.5 sends it so; \
         the spec allows only an integer",
    ),
    (
        "ApplicationCommandCreateRequest",
        "default_member_permissions",
        r#"{"oneOf": [{"type": ["integer", "null"], "minimum": 0, "maximum": 18014398509481983}, {"type": "string", "pattern": "^[0-9]{1,20}$"}]}"#,
        "as above, for creating one command",
    ),
    (
        "MessageAttachmentRequest",
        "id",
        r##"{"oneOf": [{"$ref": "#/components/schemas/SnowflakeType"}, {"type": "integer", "minimum": 0}]}"##,
        "Discord's \"Uploading Files\" docs give a new file's placeholder id as a number \
         (`\"id\": 0`), and serenity 0.12.5 sends it so; the spec allows only a string",
    ),
    (
        "RichEmbedImage",
        "proxy_url",
        r#"{"type": "null"}"#,
        "serenity 0.12.5 sends an embed image's response-only `proxy_url` as null; inside the \
         spec's `oneOf` for `image` the empty-key leniency cannot apply, so it is named here",
    ),
];

/// The spec, loaded and prepared on first use.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(Spec::load)
}

/// The path of the spec in the repository.
pub fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord-openapi.json")
}

/// Discord's HTTP API, ready to validate requests.
pub struct Spec {
    registry: Registry<'static>,
    operations: Vec<Operation>,
    /// Built on first use per operation: building one resolves every schema it reaches.
    validators: Mutex<HashMap<usize, Arc<Validator>>>,
}

/// One operation of the spec.
struct Operation {
    method: String,
    /// The path template, e.g. `/interactions/{interaction_id}/{interaction_token}/callback`.
    template: String,
    segments: Vec<String>,
    /// The `application/json` request schema with its references made absolute; `None` when
    /// the operation takes no body.
    schema: Option<Value>,
    /// Whether the spec requires the bot token: its `security` lists no empty alternative
    /// (`{}`). Interaction callbacks and webhook-token routes list `[{}, {"BotToken": []}]`:
    /// the token in the path is the credential.
    needs_token: bool,
}

/// What the spec says about one request.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The body fits the operation's schema (or the operation takes none and none was sent).
    Valid {
        /// The operation's path template.
        template: String,
    },
    /// No operation of the spec has this method and path.
    UnknownOperation,
    /// The body breaks the schema: Discord's `errors` tree, and one line per problem.
    Invalid {
        /// The operation's path template.
        template: String,
        /// The `errors` of Discord's 50035 answer.
        errors: Value,
        /// `data.embeds.0.title: BASE_TYPE_MAX_LENGTH: Must be 256 or fewer in length.`
        lines: Vec<String>,
    },
}

impl Verdict {
    /// Discord's 400 answer for an invalid body, if this is one.
    pub fn discord_error(&self) -> Option<Value> {
        match self {
            Verdict::Invalid { errors, .. } => Some(json!({
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": errors,
            })),
            _ => None,
        }
    }
}

impl Spec {
    fn load() -> Spec {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read Discord's spec at {}: {e}", path.display()));
        let mut doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        for (schema, field, field_schema, why) in SPEC_GAPS {
            let properties = doc["components"]["schemas"][schema]["properties"].as_object_mut();
            let Some(properties) = properties else {
                panic!("spec gap {schema}.{field} ({why}): the spec has no such schema any more");
            };
            let field_schema = serde_json::from_str(field_schema).expect("gap schemas are JSON");
            properties.insert((*field).to_owned(), field_schema);
        }
        if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
            for schema in schemas.values_mut() {
                close_objects(schema);
            }
        }
        let mut operations = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (template, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    let schema = op["requestBody"]["content"]["application/json"]["schema"]
                        .as_object()
                        .map(|s| {
                            let mut s = Value::Object(s.clone());
                            close_objects(&mut s);
                            absolute_refs(&mut s);
                            s
                        });
                    let needs_token = op["security"].as_array().is_some_and(|alternatives| {
                        !alternatives
                            .iter()
                            .any(|a| a.as_object().is_some_and(Map::is_empty))
                    });
                    operations.push(Operation {
                        method: method.to_ascii_uppercase(),
                        template: template.clone(),
                        segments: template
                            .trim_start_matches('/')
                            .split('/')
                            .map(String::from)
                            .collect(),
                        schema,
                        needs_token,
                    });
                }
            }
        }
        assert!(
            operations.len() > 100,
            "{} holds only {} operations; is it Discord's spec?",
            path.display(),
            operations.len()
        );
        let resource = Draft::Draft202012.create_resource(doc);
        let registry = Registry::new()
            .add(SPEC_URI, resource)
            .and_then(|r| r.prepare())
            .expect("Discord's spec registers as a JSON Schema resource");
        Spec {
            registry,
            operations,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The operation for `method` and `path` (relative to `/api/v10`, no query).
    fn operation(&self, method: &str, path: &str) -> Option<usize> {
        let given: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.operations
            .iter()
            .enumerate()
            .filter(|(_, op)| {
                op.method.eq_ignore_ascii_case(method)
                    && op.segments.len() == given.len()
                    && op.segments.iter().zip(&given).all(|(t, g)| {
                        (t.starts_with('{') && t.ends_with('}') && !g.is_empty()) || t == g
                    })
            })
            .max_by_key(|(_, op)| op.segments.iter().filter(|s| !s.starts_with('{')).count())
            .map(|(i, _)| i)
    }

    /// Whether the spec requires the bot token for `method` and `path` (relative to
    /// `/api/v10`); `None` for an operation it does not have.
    pub fn needs_token(&self, method: &str, path: &str) -> Option<bool> {
        self.operation(method, path)
            .map(|op| self.operations[op].needs_token)
    }

    fn validator(&self, op: usize, schema: &Value) -> Arc<Validator> {
        let mut cache = self
            .validators
            .lock()
            .expect("no test panics while building a validator");
        let validator = cache.entry(op).or_insert_with(|| {
            let built = jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&self.registry)
                .build(schema)
                .unwrap_or_else(|e| {
                    panic!(
                        "the spec's schema for {} {} does not build: {e}",
                        self.operations[op].method, self.operations[op].template
                    )
                });
            Arc::new(built)
        });
        Arc::clone(validator)
    }

    /// Checks a request: `path` is relative to `/api/v10` and has no query; `body` is the JSON
    /// body (or `payload_json`), `None` when the request had no body.
    pub fn check(&self, method: &str, path: &str, body: Option<&Value>) -> Verdict {
        let Some(op) = self.operation(method, path) else {
            return Verdict::UnknownOperation;
        };
        let template = self.operations[op].template.clone();
        let (Some(schema), Some(body)) = (&self.operations[op].schema, body) else {
            return match body {
                Some(_) if self.operations[op].schema.is_none() => Verdict::Invalid {
                    template,
                    errors: leaf("BODY_NOT_ALLOWED", "This endpoint takes no body."),
                    lines: vec!["(body): BODY_NOT_ALLOWED: This endpoint takes no body.".into()],
                },
                // A missing body where one is expected is checked as `{}`: required keys show.
                None if self.operations[op].schema.is_some() => {
                    self.check(method, path, Some(&json!({})))
                }
                _ => Verdict::Valid { template },
            };
        };
        let validator = self.validator(op, schema);
        let mut problems = Vec::new();
        for error in validator.iter_errors(body) {
            leaves(&error, &mut problems);
        }
        if problems.is_empty() {
            return Verdict::Valid { template };
        }
        let mut errors = Value::Object(Map::new());
        let mut lines = Vec::new();
        for (path, code, message) in problems {
            let dotted = if path.is_empty() {
                "(body)".to_owned()
            } else {
                path.join(".")
            };
            lines.push(format!("{dotted}: {code}: {message}"));
            insert_error(&mut errors, &path, code, &message);
        }
        lines.dedup();
        Verdict::Invalid {
            template,
            errors,
            lines,
        }
    }
}

/// Adds `additionalProperties: false` to every object schema with `properties` that does not say
/// otherwise, walking only where schemas live (so a property named "properties" is no trap).
fn close_objects(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for property in properties.values_mut() {
            close_objects(property);
        }
        object
            .entry("additionalProperties")
            .or_insert(Value::Bool(false));
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(inner) = object.get_mut(key) {
            close_objects(inner);
        }
    }
    for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(Value::Array(list)) = object.get_mut(key) {
            list.iter_mut().for_each(close_objects);
        }
    }
}

/// Makes `#/...` references absolute, so an operation's inline schema resolves them in the spec.
fn absolute_refs(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                match value {
                    Value::String(r) if key == "$ref" && r.starts_with('#') => {
                        *r = format!("{SPEC_URI}{r}");
                    }
                    other => absolute_refs(other),
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(absolute_refs),
        _ => {}
    }
}

/// An instance location (`/data/embeds/0/title`) as its segments.
fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The problems an error stands for, as (path, Discord code, message). For `anyOf`/`oneOf`, the
/// branch the body most plausibly meant is followed, as Discord does by reading the `type` first:
/// branches refused by a `type` discriminator go last, then the one that got deepest wins, then
/// the one with fewest problems.
fn leaves(error: &ValidationError<'_>, out: &mut Vec<(Vec<String>, &'static str, String)>) {
    let path = segments(&error.instance_path().to_string());
    let branches = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            Some(context)
        }
        _ => None,
    };
    if let Some(branches) = branches {
        let best = branches
            .iter()
            .filter(|b| !b.is_empty())
            .map(|branch| {
                let mut found = Vec::new();
                for e in branch {
                    leaves(e, &mut found);
                }
                found
            })
            .min_by_key(|found| {
                let refused_by_type = found.iter().any(|(p, code, _)| {
                    *code == "BASE_TYPE_CHOICES" && p.last().is_some_and(|l| l == "type")
                });
                let only_null = found.len() == 1 && found[0].0 == path && found[0].1 == "NULL";
                let deepest = found.iter().map(|(p, _, _)| p.len()).max().unwrap_or(0);
                (
                    refused_by_type,
                    only_null,
                    std::cmp::Reverse(deepest),
                    found.len(),
                )
            });
        match best {
            Some(found) => out.extend(found),
            None => out.push((path, "BASE_TYPE_INVALID", "Invalid value.".into())),
        }
        return;
    }
    let (code, message): (&'static str, String) = match error.kind() {
        ValidationErrorKind::MaxLength { limit } | ValidationErrorKind::MaxItems { limit } => (
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {limit} or fewer in length."),
        ),
        ValidationErrorKind::MinLength { limit } | ValidationErrorKind::MinItems { limit } => (
            "BASE_TYPE_MIN_LENGTH",
            format!("Must be {limit} or more in length."),
        ),
        ValidationErrorKind::MaxProperties { limit } => (
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {limit} or fewer in length."),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => (
            "NUMBER_TYPE_MAX",
            format!("int value should be less than or equal to {limit}."),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => (
            "NUMBER_TYPE_MIN",
            format!("int value should be greater than or equal to {limit}."),
        ),
        ValidationErrorKind::Enum { options } => (
            "BASE_TYPE_CHOICES",
            format!("Value must be one of {options}."),
        ),
        ValidationErrorKind::Constant { expected_value } => (
            "BASE_TYPE_CHOICES",
            format!("Value must be one of ({expected_value},)."),
        ),
        ValidationErrorKind::Required { property } => {
            let mut at = path.clone();
            at.push(property.as_str().unwrap_or_default().to_owned());
            out.push((at, "BASE_TYPE_REQUIRED", "This field is required".into()));
            return;
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for name in unexpected {
                // serenity 0.12.5 sends every option key on every command option, empty where
                // it does not apply (`channel_types: []`, `min_value: null` on a string option,
                // `autocomplete: false` on a subcommand); an unknown key left at its empty
                // default carries nothing that Discord could lose.
                let value = &error.instance()[name.as_str()];
                let empty = match value {
                    Value::Null | Value::Bool(false) => true,
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    _ => false,
                };
                if empty {
                    continue;
                }
                let mut at = path.clone();
                at.push(name.clone());
                out.push((
                    at,
                    "UNKNOWN_FIELD",
                    "Discord's spec has no such field (Discord would drop it silently).".into(),
                ));
            }
            return;
        }
        ValidationErrorKind::Type { .. } => type_error(error.instance()),
        ValidationErrorKind::UniqueItems => {
            ("BASE_TYPE_UNIQUE", "Values must be unique.".to_owned())
        }
        ValidationErrorKind::Pattern { pattern } => (
            "BASE_TYPE_REGEX",
            format!("Value does not match the pattern {pattern}."),
        ),
        other => ("BASE_TYPE_INVALID", format!("Invalid value ({other:?}).")),
    };
    out.push((path, code, message));
}

/// Discord's words for a value of the wrong type. A `null` where it is not allowed gets the
/// marker code `NULL`, so branch choice can tell "this branch wanted null" apart.
fn type_error(instance: &Value) -> (&'static str, String) {
    match instance {
        Value::Null => ("NULL", "This field cannot be null.".into()),
        Value::String(s) => (
            "NUMBER_TYPE_COERCE",
            format!("Value \"{s}\" is not of the expected type."),
        ),
        other => (
            "BASE_TYPE_INVALID",
            format!("Value {other} is not of the expected type."),
        ),
    }
}

fn leaf(code: &str, message: &str) -> Value {
    json!({"_errors": [{"code": code, "message": message}]})
}

/// Adds one `{code, message}` under `path` in Discord's `errors` tree.
fn insert_error(tree: &mut Value, path: &[String], code: &str, message: &str) {
    let mut node = tree;
    for segment in path {
        node = node
            .as_object_mut()
            .expect("error tree nodes are objects")
            .entry(segment.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let errors = node
        .as_object_mut()
        .expect("error tree nodes are objects")
        .entry("_errors")
        .or_insert_with(|| Value::Array(Vec::new()));
    let entry = json!({"code": code, "message": message});
    if let Some(list) = errors.as_array_mut()
        && !list.contains(&entry)
    {
        list.push(entry);
    }
}

/// The `payload_json` part of a `multipart/form-data` body, parsed; `None` if there is none.
pub fn payload_json(content_type: &str, body: &[u8]) -> Option<Value> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    text.split(delimiter.as_str()).find_map(|part| {
        let (head, content) = part.split_once("\r\n\r\n")?;
        if !head.contains("name=\"payload_json\"") {
            return None;
        }
        serde_json::from_str(content.trim_end_matches("\r\n")).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(data: Value) -> Verdict {
        spec().check(
            "POST",
            "/interactions/1/tok/callback",
            Some(&json!({"type": 4, "data": data})),
        )
    }

    #[test]
    fn paths_match_the_most_literal_template() {
        let s = spec();
        let original = s.operation("PATCH", "/webhooks/1/tok/messages/@original");
        let by_id = s.operation("PATCH", "/webhooks/1/tok/messages/55");
        assert_eq!(
            s.operations[original.expect("an operation")].template,
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
        );
        assert_eq!(
            s.operations[by_id.expect("an operation")].template,
            "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
        );
        assert_eq!(
            s.check("GET", "/no/such/thing", None),
            Verdict::UnknownOperation
        );
        assert!(matches!(
            s.check("GET", "/users/@me", None),
            Verdict::Valid { .. }
        ));
    }

    #[test]
    fn a_valid_message_passes() {
        let verdict = callback(json!({
            "content": "pong",
            "embeds": [{"title": "t", "description": "d", "color": 1, "fields": [{"name": "n", "value": "v", "inline": true}]}],
            "allowed_mentions": {"parse": []},
            "flags": 64,
        }));
        assert!(matches!(verdict, Verdict::Valid { .. }), "{verdict:?}");
    }

    #[test]
    fn planted_errors_get_discords_50035_tree() {
        let title = "x".repeat(257);
        let verdict = callback(json!({"embeds": [{"title": title}]}));
        let error = verdict.discord_error().expect("an invalid body");
        assert_eq!(error["code"], 50035);
        assert_eq!(
            error["errors"]["data"]["embeds"]["0"]["title"]["_errors"][0],
            json!({"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 256 or fewer in length."})
        );

        let id = "y".repeat(101);
        let button = json!({"type": 2, "style": 1, "label": "A", "custom_id": id});
        let verdict = callback(json!({"components": [{"type": 1, "components": [button]}]}));
        let error = verdict.discord_error().expect("an invalid body");
        assert_eq!(
            error["errors"]["data"]["components"]["0"]["components"]["0"]["custom_id"]["_errors"]
                [0]["code"],
            "BASE_TYPE_MAX_LENGTH",
            "{error:#}"
        );

        let verdict = callback(json!({"flags": "64"}));
        let error = verdict.discord_error().expect("an invalid body");
        assert_eq!(
            error["errors"]["data"]["flags"]["_errors"][0]["code"], "NUMBER_TYPE_COERCE",
            "{error:#}"
        );

        let verdict = callback(json!({"content": "hi", "colour": 3}));
        let error = verdict.discord_error().expect("an invalid body");
        assert_eq!(
            error["errors"]["data"]["colour"]["_errors"][0]["code"], "UNKNOWN_FIELD",
            "{error:#}"
        );
    }

    #[test]
    fn multipart_bodies_are_read_from_payload_json() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{\"content\":\"hi\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XyZ--\r\n";
        let payload = payload_json("multipart/form-data; boundary=XyZ", body);
        assert_eq!(payload, Some(json!({"content": "hi"})));
        assert_eq!(
            payload_json("multipart/form-data; boundary=other", body),
            None
        );
    }
}

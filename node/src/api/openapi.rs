//! The API's OpenAPI document: the typed contract of `steunpunt-api`, plus what the types
//! alone cannot say (the error answers of every operation, the accepted forms of path
//! segments, and each record field's constraints as JSON Schema can state them). Rules
//! that relate fields or consult tables are described in the document's text and answered
//! with 400 naming the rule; `.ci/schemathesis_hooks.py` holds that list.

use axum::Json;
use steunpunt_api::{
    AddPeer, BlockPeer, ConnectedPeer, DiskSpace, ErrorBody, ErrorDetail, Export, Hit, Outcome,
    PeerAdded, PeerBlocked, PeerList, PeerRemoved, PeerView, Problem, Published, RecordCounts,
    RecordPage, RecordView, Refused, Region, RegionMember, SearchResults, Sort, Status,
    SyncStarted, Trusted, WriteFailure,
};
use steunpunt_protocol::body::{Organisation, Vacancy};
use steunpunt_protocol::vocab::Vocabulary;
use steunpunt_protocol::{Kind, RecordId, SteunpuntId};

use super::{node, peers, records, search};

/// The OpenAPI document of this API.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "Steunpunt Federatie node API", description = "The local API of steunpuntd. Every /v1 endpoint except this document needs `Authorization: Bearer TOKEN` with the token from DATA_DIR/api.token."),
    paths(node::status, node::region, node::sync_now, peers::list_peers, peers::add_peer, peers::remove_peer, peers::block_peer, records::list_records, records::get_record, records::publish, records::withdraw, records::export, search::search),
    components(schemas(Vacancy, Organisation, ErrorBody, ErrorDetail, Problem, Status, DiskSpace, WriteFailure, Region, RegionMember, ConnectedPeer, Trusted, RecordCounts, SyncStarted, AddPeer, PeerAdded, PeerList, PeerView, Refused, PeerRemoved, BlockPeer, PeerBlocked, RecordView, RecordPage, Published, Outcome, Export, Hit, SearchResults, Sort, Kind, SteunpuntId, RecordId)),
    modifiers(&BearerToken, &ErrorResponses, &Constraints, &FieldRules, &Drafts),
    security(("token" = [])),
)]
pub struct ApiDoc;

struct BearerToken;

/// Adds the error answers every operation can give, all with [`ErrorBody`]: 400, 401,
/// 403, 404, 405, 500 and 503 everywhere; 413, 415 and 422 where a body is sent.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let common = [
            (
                "400",
                "a parameter or the body is wrong: the message names the field",
            ),
            ("401", "missing or wrong bearer token"),
            (
                "403",
                "the request's Host is neither this API's address nor localhost (code host_not_allowed)",
            ),
            ("404", "no such record or endpoint"),
            ("405", "the endpoint does not take this method"),
            ("500", "the node failed (storage, a stopped task)"),
            (
                "503",
                "too many connections to the API at once (code busy); try again shortly",
            ),
        ];
        let with_body = [
            ("413", "the body is larger than 256 KiB"),
            ("415", "the body is not sent as application/json"),
            ("422", "the body is JSON but not of the expected shape"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for (operation, sends_body) in [
                (&mut item.get, false),
                (&mut item.delete, false),
                (&mut item.post, true),
            ] {
                let Some(operation) = operation else { continue };
                let extra = if sends_body { &with_body[..] } else { &[] };
                for (status, text) in common.iter().chain(extra) {
                    let description = match operation.responses.responses.get(*status) {
                        Some(utoipa::openapi::RefOr::T(existing)) => existing.description.clone(),
                        _ => (*text).to_owned(),
                    };
                    let response = ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build();
                    operation
                        .responses
                        .responses
                        .insert((*status).to_owned(), response.into());
                }
            }
        }
    }
}

/// Adds what the server enforces on parameters but their types cannot say: the accepted
/// forms of the `kind` in a path, the formats of IDs in a path, the vocabularies the
/// search filters on, and the range of `offset`.
struct Constraints;

fn enum_schema(values: Vec<&str>) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    let builder = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values));
    utoipa::openapi::RefOr::T(Schema::Object(builder.build()))
}

impl utoipa::Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use steunpunt_protocol::vocab;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::{Ref, RefOr};
        let every_kind = vec![
            "vacancy",
            "vacancies",
            "organisation",
            "organisations",
            "profile",
            "profiles",
            "peering",
            "peerings",
        ];
        let own_kinds = vec!["vacancy", "vacancies", "organisation", "organisations"];
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (operation, writes) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.delete, true),
            ] {
                let Some(operation) = operation else { continue };
                for parameter in operation.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    // Query parameters are typed by their own definitions, but for the
                    // vocabularies the search filters on.
                    if parameter.parameter_in != ParameterIn::Path {
                        if parameter.name == "offset" {
                            // Any position the server can hold: 0 to the largest usize.
                            let mut object =
                                ObjectBuilder::new().schema_type(Type::Integer).build();
                            object.minimum = Some(utoipa::Number::UInt(0));
                            object.maximum = Some(utoipa::Number::UInt(usize::MAX));
                            parameter.schema = Some(RefOr::T(Schema::Object(object)));
                            continue;
                        }
                        let vocabulary = match parameter.name.as_str() {
                            "category" => &vocab::CATEGORIES,
                            "target_group" => &vocab::TARGET_GROUPS,
                            "engagement" => &vocab::ENGAGEMENTS,
                            "expertise" => &vocab::EXPERTISE,
                            "org_kind" => &vocab::ORGANISATION_KINDS,
                            _ => continue,
                        };
                        let slugs = vocabulary.terms.iter().map(|t| t.slug).collect();
                        parameter.schema = Some(enum_schema(slugs));
                        continue;
                    }
                    let schema = match parameter.name.as_str() {
                        "kind" if path.contains("/search/") || writes => {
                            enum_schema(own_kinds.clone())
                        }
                        "kind" => enum_schema(every_kind.clone()),
                        "steunpunt" | "author" => Ref::from_schema_name("SteunpuntId").into(),
                        "id" => Ref::from_schema_name("RecordId").into(),
                        _ => continue,
                    };
                    parameter.schema = Some(schema);
                }
            }
        }
    }
}

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /v1/openapi.json`: built once, as it never changes while the node runs.
pub(super) async fn serve() -> Json<&'static utoipa::openapi::OpenApi> {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(<ApiDoc as utoipa::OpenApi>::openapi);
    Json(&DOCUMENT)
}

/// What a text field allows, as `Checker` in `steunpunt-protocol` checks it.
#[derive(Clone, Copy)]
enum Text {
    /// Present and not blank; no control characters but tab and newline; no direction
    /// overrides or isolates.
    Required(usize),
    /// May be blank; otherwise as `Required`.
    Optional(usize),
    /// A title or name: `Required`, and no zero-width characters either.
    Name(usize),
}

/// Characters no text may hold: controls (tab and newline aside) and direction overrides
/// and isolates (U+202A–U+202E, U+2066–U+2069).
const NO_TEXT: &str = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";
/// Characters a name may not hold besides: zero-width ones.
const NO_NAME: &str = r"\u200B-\u200D\u2060\uFEFF";

impl Text {
    fn pattern(self) -> String {
        match self {
            Text::Optional(_) => format!("^[^{NO_TEXT}]*$"),
            Text::Required(_) => format!("^[^{NO_TEXT}]*[^\\s{NO_TEXT}][^{NO_TEXT}]*$"),
            Text::Name(_) => {
                let no = format!("{NO_TEXT}{NO_NAME}");
                format!("^[^{no}]*[^\\s{no}][^{no}]*$")
            }
        }
    }

    fn max(self) -> usize {
        match self {
            Text::Required(max) | Text::Optional(max) | Text::Name(max) => max,
        }
    }
}

/// One field's constraint in the document.
#[derive(Clone, Copy)]
enum Rule {
    Text(Text),
    /// A list of free-text items, each `Required`.
    TextList(usize),
    /// One term of a vocabulary.
    Term(&'static Vocabulary),
    /// A list of terms of a vocabulary, without repeats, with at least this many items.
    Terms(&'static Vocabulary, usize),
    /// A number from the first to the second, both included.
    Range(f64, f64),
    /// Text matching a regular expression, at most this long.
    Pattern(&'static str, usize),
    /// Present in every answer and required in every request.
    Required,
}

/// An e-mail address as `Checker::email` takes it: one `@`, a local part of 1–64
/// characters, a domain with a dot that neither starts nor ends with one, no spaces.
const EMAIL: &str = r"^[^\s@]{1,64}@[^\s@.][^\s@]*\.[^\s@]*[^\s@.]$";
/// A phone number: 6–15 digits among spaces, `+`, `-`, `.` and parentheses.
const PHONE: &str = r"^[ +().-]*([0-9][ +().-]*){6,15}$";
/// A web address: http or https and a host name whose last label starts with a letter
/// (the server also takes addresses and ports; the document asks for the usual form).
const URL: &str = r"^https?://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\.)*[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*(:[0-9]{1,4})?([/?#][^\s]*)?$";

/// Each record field's constraint, from the limits `steunpunt-protocol` checks.
fn field_rules() -> Vec<(&'static str, &'static str, Rule)> {
    use steunpunt_protocol::body::vacancy::{MIN_MAS_AGE, hours_range};
    use steunpunt_protocol::validate::{
        MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_NOTES_CHARS, MAX_SHORT_CHARS,
    };
    use steunpunt_protocol::vocab::{
        CATEGORIES, ENGAGEMENTS, EXPERTISE, ORGANISATION_KINDS, RELATIONS, TARGET_GROUPS,
        TIMES_OF_DAY,
    };
    let hours = hours_range();
    // Short optional text: a contact person, a neighbour's label.
    let short = Rule::Text(Text::Optional(MAX_SHORT_CHARS));
    vec![
        ("Vacancy", "title", Rule::Text(Text::Name(MAX_NAME_CHARS))),
        (
            "Vacancy",
            "description",
            Rule::Text(Text::Required(MAX_DESCRIPTION_CHARS)),
        ),
        ("Vacancy", "categories", Rule::Required),
        ("Vacancy", "categories", Rule::Terms(&CATEGORIES, 1)),
        ("Vacancy", "target_groups", Rule::Terms(&TARGET_GROUPS, 0)),
        ("Vacancy", "engagement", Rule::Term(&ENGAGEMENTS)),
        ("Vacancy", "time_of_day", Rule::Terms(&TIMES_OF_DAY, 0)),
        (
            "Vacancy",
            "hours_per_week",
            Rule::Range(*hours.start(), *hours.end()),
        ),
        (
            "Vacancy",
            "volunteers_needed",
            Rule::Range(1.0, f64::from(u16::MAX)),
        ),
        ("Vacancy", "requirements", Rule::TextList(MAX_SHORT_CHARS)),
        ("Vacancy", "rewards", Rule::TextList(MAX_SHORT_CHARS)),
        ("Vacancy", "apply_url", Rule::Pattern(URL, 2000)),
        (
            "OrganisationRef",
            "name",
            Rule::Text(Text::Name(MAX_NAME_CHARS)),
        ),
        ("Mas", "min_age", Rule::Range(f64::from(MIN_MAS_AGE), 99.0)),
        ("Location", "municipality", Rule::Required),
        (
            "Location",
            "municipality",
            Rule::Text(Text::Required(MAX_SHORT_CHARS)),
        ),
        ("Location", "lat", Rule::Range(-90.0, 90.0)),
        ("Location", "lon", Rule::Range(-180.0, 180.0)),
        ("Contact", "email", Rule::Pattern(EMAIL, 254)),
        ("Contact", "phone", Rule::Pattern(PHONE, 32)),
        ("Contact", "url", Rule::Pattern(URL, 2000)),
        ("Contact", "person", short),
        ("AddPeer", "label", short),
        ("BlockPeer", "label", short),
        (
            "Organisation",
            "name",
            Rule::Text(Text::Name(MAX_NAME_CHARS)),
        ),
        ("Organisation", "kvk", Rule::Pattern(r"^[0-9]{8}$", 8)),
        (
            "Organisation",
            "description",
            Rule::Text(Text::Optional(MAX_DESCRIPTION_CHARS)),
        ),
        ("Organisation", "website", Rule::Pattern(URL, 2000)),
        ("Organisation", "kind", Rule::Term(&ORGANISATION_KINDS)),
        ("Organisation", "expertise", Rule::Terms(&EXPERTISE, 0)),
        (
            "Organisation",
            "target_groups",
            Rule::Terms(&TARGET_GROUPS, 0),
        ),
        ("Organisation", "relation", Rule::Term(&RELATIONS)),
        (
            "Organisation",
            "services",
            Rule::Text(Text::Optional(MAX_NOTES_CHARS)),
        ),
    ]
}

/// Writes [`field_rules`] into the component schemas.
struct FieldRules;

/// The record parts whose every field is known: the server names any other as unknown.
/// (Vacancy and Organisation are closed in their drafts only: a record's JSON form
/// carries them together with the record's own fields.)
const CLOSED: [&str; 4] = ["OrganisationRef", "Mas", "Location", "Contact"];

/// The terms of `vocabulary`, as an enum's values.
fn terms(vocabulary: &Vocabulary) -> Vec<serde_json::Value> {
    vocabulary.terms.iter().map(|t| t.slug.into()).collect()
}

fn set_text(schema: &mut utoipa::openapi::schema::Object, pattern: String, max: usize) {
    schema.pattern = Some(pattern);
    schema.max_length = Some(max);
}

fn number(value: f64) -> utoipa::Number {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Whole bounds read as integers, as integer fields need.
        #[allow(clippy::cast_possible_truncation)]
        utoipa::Number::Int(value as isize)
    } else {
        utoipa::Number::Float(value)
    }
}

impl utoipa::Modify for FieldRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use steunpunt_protocol::validate::MAX_LIST_ITEMS;
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        for name in CLOSED {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
                object.additional_properties = Some(Box::new(
                    utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                ));
            }
        }
        for (name, field, rule) in field_rules() {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) else {
                continue;
            };
            if let Rule::Required = rule {
                if !object.required.iter().any(|r| r == field) {
                    object.required.push(field.to_owned());
                }
                continue;
            }
            let Some(RefOr::T(property)) = object.properties.get_mut(field) else {
                continue;
            };
            match (rule, property) {
                (Rule::Text(text), Schema::Object(value)) => {
                    set_text(value, text.pattern(), text.max());
                }
                (Rule::Pattern(pattern, max), Schema::Object(value)) => {
                    set_text(value, pattern.to_owned(), max);
                }
                (Rule::Range(low, high), Schema::Object(value)) => {
                    value.minimum = Some(number(low));
                    value.maximum = Some(number(high));
                }
                (Rule::Term(vocabulary), Schema::Object(value)) => {
                    let mut values = terms(vocabulary);
                    // An optional term may be null ("not given"), which an enum must list.
                    if let SchemaType::Array(types) = &value.schema_type
                        && types.contains(&Type::Null)
                    {
                        values.push(serde_json::Value::Null);
                    }
                    value.enum_values = Some(values);
                }
                (Rule::Terms(vocabulary, min), Schema::Array(list)) => {
                    list.min_items = (min > 0).then_some(min);
                    list.max_items = Some(MAX_LIST_ITEMS);
                    list.unique_items = true;
                    if let ArrayItems::RefOrSchema(items) = &mut list.items
                        && let RefOr::T(Schema::Object(item)) = items.as_mut()
                    {
                        item.enum_values = Some(terms(vocabulary));
                    }
                }
                (Rule::TextList(max), Schema::Array(list)) => {
                    list.max_items = Some(MAX_LIST_ITEMS);
                    if let ArrayItems::RefOrSchema(items) = &mut list.items
                        && let RefOr::T(Schema::Object(item)) = items.as_mut()
                    {
                        let text = Text::Required(max);
                        set_text(item, text.pattern(), text.max());
                    }
                }
                _ => {}
            }
        }
    }
}

/// Adds `VacancyDraft` and `OrganisationDraft`, what `POST /v1/records/{kind}` takes: the
/// record's fields with `id` and `valid_until`, and the short forms staff may write
/// (`draft.rs`): an organisation by its name, contact as one address or number, location
/// as text, MaS as a flag or a minimum age.
struct Drafts;

fn text(pattern: &str, max: usize) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
    let mut object = ObjectBuilder::new().schema_type(Type::String).build();
    set_text(&mut object, pattern.to_owned(), max);
    utoipa::openapi::RefOr::T(Schema::Object(object))
}

fn any_of(
    items: impl IntoIterator<Item = utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AnyOfBuilder, Schema};
    let any = items
        .into_iter()
        .fold(AnyOfBuilder::new(), AnyOfBuilder::item)
        .build();
    utoipa::openapi::RefOr::T(Schema::AnyOf(any))
}

impl utoipa::Modify for Drafts {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use steunpunt_protocol::body::vacancy::MIN_MAS_AGE;
        use steunpunt_protocol::validate::{MAX_NAME_CHARS, MAX_SHORT_CHARS};
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::{ContentBuilder, Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let null = || {
            RefOr::T(Schema::Object(
                ObjectBuilder::new().schema_type(Type::Null).build(),
            ))
        };
        let integer = |min: f64, max: Option<f64>| {
            let mut object = ObjectBuilder::new().schema_type(Type::Integer).build();
            object.minimum = Some(number(min));
            object.maximum = max.map(number);
            RefOr::T(Schema::Object(object))
        };
        let flag = || {
            RefOr::T(Schema::Object(
                ObjectBuilder::new().schema_type(Type::Boolean).build(),
            ))
        };
        let name = Text::Name(MAX_NAME_CHARS);
        let place = Text::Required(MAX_SHORT_CHARS);
        let contact = || {
            any_of([
                Ref::from_schema_name("Contact").into(),
                text(EMAIL, 254),
                text(URL, 2000),
                text(PHONE, 32),
            ])
        };
        let location = || {
            any_of([
                Ref::from_schema_name("Location").into(),
                text(&place.pattern(), place.max()),
            ])
        };
        let shared = || {
            vec![
                (
                    "id",
                    any_of([Ref::from_schema_name("RecordId").into(), null()]),
                ),
                (
                    "valid_until",
                    any_of([
                        Ref::from_schema_name("Date").into(),
                        Ref::from_schema_name("Timestamp").into(),
                        integer(0.0, None),
                        null(),
                    ]),
                ),
                ("contact", contact()),
                ("location", location()),
            ]
        };
        let mut vacancy_forms = shared();
        vacancy_forms.extend([
            (
                "organisation",
                any_of([
                    Ref::from_schema_name("OrganisationRef").into(),
                    text(&name.pattern(), name.max()),
                ]),
            ),
            (
                "mas",
                any_of([
                    Ref::from_schema_name("Mas").into(),
                    flag(),
                    integer(f64::from(MIN_MAS_AGE), Some(99.0)),
                ]),
            ),
        ]);
        for (record, draft, forms) in [
            ("Vacancy", "VacancyDraft", vacancy_forms),
            ("Organisation", "OrganisationDraft", shared()),
        ] {
            let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(record) else {
                continue;
            };
            let mut object = base.clone();
            object.description = Some(format!(
                "What POST /v1/records/{{kind}} takes for a {}: its fields, an optional `id` (made from the title or name when absent) and `valid_until`, and short forms.",
                record.to_lowercase()
            ));
            for (field, schema) in forms {
                object.properties.insert(field.to_owned(), schema);
            }
            object.additional_properties = Some(Box::new(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
            components
                .schemas
                .insert(draft.to_owned(), RefOr::T(Schema::Object(object)));
        }
        let Some(post) = openapi
            .paths
            .paths
            .get_mut("/v1/records/{kind}")
            .and_then(|item| item.post.as_mut())
        else {
            return;
        };
        if let Some(RefOr::T(body)) = post.request_body.as_mut() {
            let either = any_of([
                Ref::from_schema_name("VacancyDraft").into(),
                Ref::from_schema_name("OrganisationDraft").into(),
            ]);
            body.content.insert(
                "application/json".to_owned(),
                ContentBuilder::new().schema(Some(either)).build().into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use steunpunt_protocol::Body;
    use steunpunt_protocol::body::Vacancy;
    use steunpunt_protocol::testing;

    use super::{EMAIL, PHONE, Text, URL};

    fn server_takes(field: &str, change: impl FnOnce(&mut Vacancy)) -> bool {
        let mut vacancy = testing::vacancy();
        change(&mut vacancy);
        !Body::Vacancy(vacancy)
            .problems()
            .iter()
            .any(|p| p.path == field)
    }

    fn document_takes(pattern: &str, max: usize, text: &str) -> bool {
        let regex = regex::Regex::new(pattern).expect("a pattern of the document");
        regex.is_match(text) && text.chars().count() <= max
    }

    /// The pattern takes each of `texts` exactly when the server takes it in `field`.
    fn agree(
        pattern: &str,
        max: usize,
        field: &str,
        texts: &[&str],
        set: fn(&mut Vacancy, String),
    ) {
        for text in texts {
            assert_eq!(
                document_takes(pattern, max, text),
                server_takes(field, |v| set(v, (*text).to_owned())),
                "{field} {text:?}"
            );
        }
    }

    /// The document's patterns take what the server takes, and refuse what it refuses.
    #[test]
    fn patterns_agree_with_the_server() {
        let texts = [
            "Voorlezen",
            "",
            " ",
            "\t\n",
            "a\u{7}b",
            "café\nterras",
            "x\u{202E}y",
            "x\u{200B}y",
            "\u{FEFF}",
            "a\u{9F}",
            "  spatie  ",
        ];
        let name = Text::Name(200);
        agree(&name.pattern(), 200, "title", &texts, |v, t| v.title = t);
        let required = Text::Required(8000);
        agree(&required.pattern(), 8000, "description", &texts, |v, t| {
            v.description = t
        });
        let optional = Text::Optional(200);
        agree(
            &optional.pattern(),
            200,
            "contact.person",
            &texts,
            |v, t| v.contact.person = Some(t),
        );
        let emails = [
            "info@devlier.nl",
            "a@b.c",
            "@b.nl",
            "a@.nl",
            "a@nl.",
            "a@nl",
            "a@b@c.nl",
            "a b@c.nl",
            "a@b..nl",
            &format!("{}@b.nl", "x".repeat(65)),
        ];
        agree(EMAIL, 254, "contact.email", &emails, |v, t| {
            v.contact.email = Some(t)
        });
        let phones = [
            "076-5221234",
            "+31 (76) 522.1234",
            "12345",
            "123456",
            "1234567890123456",
            "076 522 1234 x",
            "",
            "------123456",
        ];
        agree(PHONE, 32, "contact.phone", &phones, |v, t| {
            v.contact.phone = Some(t)
        });
        let urls = [
            "https://www.example.nl",
            "http://a-b.nl:8080/x?y#z",
            "ftp://example.nl",
            "https://",
            "example.nl",
            "https://ex ample.nl",
        ];
        agree(URL, 2000, "contact.url", &urls, |v, t| {
            v.contact.url = Some(t)
        });
    }
}

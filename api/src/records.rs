//! Records: `/v1/records`, `/v1/export`.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use steunpunt_protocol::body::{Organisation, Peering, Profile, Vacancy};
use steunpunt_protocol::{
    Body, Kind, Record, RecordHash, RecordId, RecordKey, SteunpuntId, Timestamp,
};

/// A record in its JSON form: who published it and which revision it is, then the body's
/// own fields inline (none for a withdrawal). Publishing accepts the same body fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordView {
    /// The publishing steunpunt.
    pub author: SteunpuntId,
    /// Kind of record (named `record`, as an organisation's body has a `kind` of its own).
    #[serde(rename = "record")]
    pub kind: Kind,
    /// The author's id for it.
    pub id: RecordId,
    /// Revision number, from 1.
    pub revision: u64,
    /// When this revision was made.
    pub updated_at: Timestamp,
    /// When it expires.
    pub valid_until: Timestamp,
    /// Hash of the signed envelope.
    pub hash: RecordHash,
    /// Whether this revision withdraws the record.
    pub withdrawn: bool,
    /// The body's fields, inline; absent for a withdrawal.
    #[serde(flatten)]
    pub body: Option<Body>,
}

impl RecordView {
    /// The record's key.
    pub fn key(&self) -> RecordKey {
        RecordKey {
            author: self.author,
            kind: self.kind,
            id: self.id.clone(),
        }
    }

    /// A vacancy's title or an organisation's or profile's name.
    pub fn title(&self) -> Option<&str> {
        match self.body.as_ref()? {
            Body::Vacancy(v) => Some(&v.title),
            Body::Organisation(o) => Some(&o.name),
            Body::Profile(p) => Some(&p.name),
            Body::Peering(_) => None,
        }
    }

    /// The vacancy, when it is one.
    pub fn vacancy(&self) -> Option<&Vacancy> {
        match &self.body {
            Some(Body::Vacancy(v)) => Some(v),
            _ => None,
        }
    }

    /// The organisation, when it is one.
    pub fn organisation(&self) -> Option<&Organisation> {
        match &self.body {
            Some(Body::Organisation(o)) => Some(o),
            _ => None,
        }
    }

    /// The profile, when it is one.
    pub fn profile(&self) -> Option<&Profile> {
        match &self.body {
            Some(Body::Profile(p)) => Some(p),
            _ => None,
        }
    }

    /// The peering declaration, when it is one.
    pub fn peering(&self) -> Option<&steunpunt_protocol::body::Peering> {
        match &self.body {
            Some(Body::Peering(p)) => Some(p),
            _ => None,
        }
    }
}

impl From<&Record> for RecordView {
    fn from(record: &Record) -> Self {
        let payload = record.payload();
        Self {
            author: record.author(),
            kind: payload.kind,
            id: payload.id.clone(),
            revision: payload.revision,
            updated_at: payload.updated_at,
            valid_until: payload.valid_until,
            hash: record.hash(),
            withdrawn: payload.is_withdrawal(),
            body: payload.body.clone(),
        }
    }
}

/// The metadata fields of a record's JSON form; the body's fields follow inline.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = RecordMeta))]
struct Meta {
    /// The publishing steunpunt.
    author: SteunpuntId,
    /// Kind of record (named `record`, as an organisation's body has a `kind` of its own).
    #[serde(rename = "record")]
    kind: Kind,
    /// The author's id for it.
    id: RecordId,
    /// Revision number, from 1.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    revision: u64,
    /// When this revision was made.
    updated_at: Timestamp,
    /// When it expires.
    valid_until: Timestamp,
    /// Hash of the signed envelope.
    hash: RecordHash,
    /// Whether this revision withdraws the record (then it has no body).
    withdrawn: bool,
}

/// The schema of [`RecordView`]: the metadata, and then exactly one of a vacancy's,
/// organisation's, profile's or peering's fields (as `record` says), or none for a
/// withdrawal.
#[cfg(feature = "openapi")]
mod schema {
    use std::borrow::Cow;

    use steunpunt_protocol::body::{Organisation, Peering, Profile, Vacancy};
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
    use utoipa::openapi::{Ref, RefOr};
    use utoipa::{PartialSchema, ToSchema};

    use super::{Meta, RecordView};

    /// A value that must be exactly `value`.
    fn exactly(value: serde_json::Value) -> ObjectBuilder {
        let kind = if value.is_boolean() {
            Type::Boolean
        } else {
            Type::String
        };
        ObjectBuilder::new()
            .schema_type(kind)
            .enum_values(Some([value]))
    }

    /// An object whose `property` is exactly `value`.
    fn only(property: &str, value: serde_json::Value) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(property, exactly(value))
            .required(property)
    }

    impl PartialSchema for RecordView {
        fn schema() -> RefOr<Schema> {
            let mut bodies = OneOfBuilder::new();
            for (kind, body) in [
                ("vacancy", Vacancy::name()),
                ("organisation", Organisation::name()),
                ("profile", Profile::name()),
                ("peering", Peering::name()),
            ] {
                let tag = only("record", kind.into())
                    .property("withdrawn", exactly(false.into()))
                    .required("withdrawn");
                bodies = bodies.item(
                    AllOfBuilder::new()
                        .item(tag)
                        .item(Ref::from_schema_name(body)),
                );
            }
            bodies = bodies.item(
                only("withdrawn", true.into()).description(Some("a withdrawal: no body fields")),
            );
            RefOr::T(Schema::AllOf(
                AllOfBuilder::new()
                    .item(Meta::schema())
                    .item(bodies)
                    .description(Some(
                        "A record: its metadata, then the body's own fields inline, as `record` says",
                    ))
                    .build(),
            ))
        }
    }

    impl ToSchema for RecordView {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("RecordView")
        }

        fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
            <Meta as ToSchema>::schemas(schemas);
            for (name, schema) in [
                (Vacancy::name(), Vacancy::schema()),
                (Organisation::name(), Organisation::schema()),
                (Profile::name(), Profile::schema()),
                (Peering::name(), Peering::schema()),
            ] {
                schemas.push((name.into_owned(), schema));
            }
            Vacancy::schemas(schemas);
            Organisation::schemas(schemas);
            Profile::schemas(schemas);
            Peering::schemas(schemas);
        }
    }
}

const META_FIELDS: [&str; 8] = [
    "author",
    "record",
    "id",
    "revision",
    "updated_at",
    "valid_until",
    "hash",
    "withdrawn",
];

impl<'de> Deserialize<'de> for RecordView {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(deserializer)?;
        let meta: Map<String, Value> = META_FIELDS
            .iter()
            .filter_map(|name| fields.remove_entry(*name))
            .collect();
        let meta: Meta = serde_json::from_value(Value::Object(meta)).map_err(D::Error::custom)?;
        let body = if meta.withdrawn {
            if let Some(field) = fields.keys().next() {
                return Err(D::Error::custom(format!(
                    "a withdrawal carries no body, but `{field}` is present"
                )));
            }
            None
        } else {
            let fields = Value::Object(fields);
            let body = match meta.kind {
                Kind::Vacancy => serde_json::from_value(fields).map(Body::Vacancy),
                Kind::Organisation => serde_json::from_value(fields).map(Body::Organisation),
                Kind::Profile => serde_json::from_value::<Profile>(fields).map(Body::Profile),
                Kind::Peering => serde_json::from_value::<Peering>(fields).map(Body::Peering),
            };
            Some(body.map_err(D::Error::custom)?)
        };
        Ok(Self {
            author: meta.author,
            kind: meta.kind,
            id: meta.id,
            revision: meta.revision,
            updated_at: meta.updated_at,
            valid_until: meta.valid_until,
            hash: meta.hash,
            withdrawn: meta.withdrawn,
            body,
        })
    }
}

/// Query of `GET /v1/records/{kind}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Only our own records.
    #[serde(default)]
    pub mine: bool,
    /// Only the records of this steunpunt (its ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<SteunpuntId>))]
    pub author: Option<String>,
    /// Include withdrawals.
    #[serde(default)]
    pub withdrawn: bool,
    /// Records to skip.
    #[serde(default)]
    pub offset: usize,
    /// Page size, 1 to 1000 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<usize>,
}

/// A page of records, in key order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPage {
    /// How many records match in all.
    pub total: usize,
    /// Where this page starts.
    pub offset: usize,
    /// This page.
    pub records: Vec<RecordView>,
}

/// Query of `POST /v1/records/{kind}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PublishQuery {
    /// Check the draft as if publishing it, but change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The body of `POST /v1/records/{kind}`: a vacancy's or organisation's fields, plus an
/// optional `id` (made from the title when absent) and `valid_until` (a date, valid
/// through that day, or a date and time). Kept as JSON fields on purpose: the node checks
/// them and names every wrong or unknown field, so the same draft gives the same answer
/// from the CLI, an import file or any other client.
pub type Draft = Map<String, Value>;

/// What publishing a draft did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A record that did not exist (or was withdrawn) now does.
    New,
    /// A new revision replaced a different one.
    Updated,
    /// The live revision already said exactly this; nothing was written.
    Unchanged,
}

/// The answer to `POST /v1/records/{kind}`: the record as published (or as it would be,
/// with `dry_run`), and what publishing did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Published {
    /// The record.
    #[serde(flatten)]
    pub record: RecordView,
    /// What publishing did.
    pub outcome: Outcome,
    /// With `outcome: updated`, the fields whose values changed (body fields by their
    /// names, and `valid_until`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// Whether this was only a check.
    pub dry_run: bool,
    /// Likely mistakes that did not stop publishing, such as a municipality missing from
    /// the postcode table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::Problem>,
}

/// Query of `GET /v1/export`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// Only our own records.
    #[serde(default)]
    pub mine: bool,
    /// Only this kind (vacancy, organisation, profile or peering); vacancies and
    /// organisations when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
}

/// `GET /v1/export`: every live record asked for, in the JSON form publishing accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Export {
    /// The records, organisations first.
    pub records: Vec<RecordView>,
}

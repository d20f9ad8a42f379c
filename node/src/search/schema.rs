//! The full-text index's schema: the text fields with their analyzers, and the facts each
//! document carries for the filters.

use super::dutch::*;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};

#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) slot: Field,
    pub(super) title: Field,
    pub(super) body: Field,
    pub(super) title_words: Field,
    pub(super) body_words: Field,
    /// Filter tags, each one whole term.
    pub(super) tags: Field,
    /// The record's [`Facts`](super::Facts), as fast fields (a missing value is left out).
    pub(super) facts: FactFields,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct FactFields {
    pub(super) updated_at: Field,
    pub(super) valid_until: Field,
    pub(super) lat: Field,
    pub(super) lon: Field,
    pub(super) author: Field,
    pub(super) mas_min_age: Field,
    pub(super) start: Field,
    pub(super) end: Field,
}

/// The names of the fast fields that hold a document's facts.
pub(super) mod fact {
    pub(in crate::search) const UPDATED_AT: &str = "updated_at";
    pub(in crate::search) const VALID_UNTIL: &str = "valid_until";
    pub(in crate::search) const LAT: &str = "lat";
    pub(in crate::search) const LON: &str = "lon";
    pub(in crate::search) const AUTHOR: &str = "author";
    pub(in crate::search) const MAS_MIN_AGE: &str = "mas_min_age";
    pub(in crate::search) const START: &str = "start";
    pub(in crate::search) const END: &str = "end";
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let slot = builder.add_u64_field("slot", NumericOptions::from(INDEXED).set_fast());
    let analysed = |tokenizer: &str, option: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(option),
        )
    };
    // Stems with frequencies (for BM25); words as written only for the heads.
    let stemmed = analysed(DUTCH, IndexRecordOption::WithFreqs);
    let as_written = analysed(WORDS, IndexRecordOption::Basic);
    let title = builder.add_text_field("title", stemmed.clone());
    let body = builder.add_text_field("body", stemmed);
    let title_words = builder.add_text_field("title_words", as_written.clone());
    let body_words = builder.add_text_field("body_words", as_written);
    let tags = builder.add_text_field("tags", analysed("raw", IndexRecordOption::Basic));
    let fast = NumericOptions::default().set_fast();
    let facts = FactFields {
        updated_at: builder.add_u64_field(fact::UPDATED_AT, fast.clone()),
        valid_until: builder.add_u64_field(fact::VALID_UNTIL, fast.clone()),
        lat: builder.add_f64_field(fact::LAT, fast.clone()),
        lon: builder.add_f64_field(fact::LON, fast.clone()),
        author: builder.add_u64_field(fact::AUTHOR, fast.clone()),
        mas_min_age: builder.add_u64_field(fact::MAS_MIN_AGE, fast.clone()),
        start: builder.add_i64_field(fact::START, fast.clone()),
        end: builder.add_i64_field(fact::END, fast),
    };
    (
        builder.build(),
        Fields {
            slot,
            title,
            body,
            title_words,
            body_words,
            tags,
            facts,
        },
    )
}

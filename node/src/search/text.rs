//! The full-text index (tantivy) over titles and descriptions, with Dutch analysis:
//! case and diacritics folding (café = cafe, één = een) and Dutch stemming. Compound words
//! are matched by prefix on the stems, so `voorlezen` (stem `voorlees`) finds
//! `voorleesvrijwilliger` and `sport` finds `sportvereniging`.
//!
//! Documents are keyed by a slot number derived from the record key. Besides its words a
//! document carries tags (`kind:vacancy`, `mun:breda`, `cat:…`, see `filters.rs`), so the
//! selective filters are answered by the index together with the words; the exact checks
//! and the record itself live elsewhere (the catalog and the store).

use std::path::Path;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, Query,
    QueryClone as _, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, TantivyDocument, Term,
    doc,
};

use super::dutch::*;
use super::filters::Facts;
use super::schema::*;
use super::terms::{EndsWith, Inside, MatchCache, StartsWith, TermsQuery};
use std::sync::Arc;
use steunpunt_protocol::Timestamp;

/// Most distinct words of a query that count.
pub const MAX_QUERY_WORDS: usize = 16;
/// Query words, counted from the first, that also find compounds and synonyms; later ones
/// match as whole words. Each such word walks the term dictionary several times, so this
/// bounds what a long query costs (fifty words took 18 times one word without it).
pub const MAX_EXPANDED_WORDS: usize = 4;
/// Memory for the documents each compound matcher found per segment (a set costs a bit
/// per record: 125 KB at a million records).
const MATCH_CACHE_BYTES: usize = 64 << 20;
/// Memory for indexing; tantivy needs at least 15 MB per thread.
const WRITER_MEMORY_BYTES: usize = 64 << 20;
const WRITER_THREADS: usize = 2;

/// Every word a document matches adds this much to its score before the finer weights,
/// so documents that match more of the query's words come first.
const PER_WORD: Score = 100.0;
/// How a word matches, from best to least: the whole word in the title, the first part of
/// a compound in the title, the whole word in the description, a first part there, a later
/// part of a compound in the title, in the description. A document gets the sum of the
/// ways it matches (a whole word also matches as a first part), and the tiers are spaced
/// so that the sums keep this order.
const TITLE_WORD: Score = 40.0;
const TITLE_PREFIX: Score = 25.0;
/// The last part of a compound in the title: in Dutch that is what the thing is (a
/// `buurthuis` is a `huis`).
const TITLE_HEAD: Score = 15.0;
const BODY_WORD: Score = 12.0;
const TITLE_INFIX: Score = 6.0;
const BODY_PREFIX: Score = 8.0;
const BODY_HEAD: Score = 5.0;
const BODY_INFIX: Score = 2.0;
/// A synonym of the word (see [`SYNONYMS`]), anywhere: it counts as finding the word, but
/// below every way of finding the word itself.
const SYNONYM: Score = 1.0;
/// BM25 breaks ties within a tier (rarer words, shorter texts, more occurrences), scaled
/// down so it cannot reorder the tiers.
const BM25_WEIGHT: Score = 0.1;
/// Stems shorter than this are not looked for inside words: `taal` is in `digitaal`.
const MIN_INFIX_CHARS: usize = 5;

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct TextIndexError(String);

impl TextIndexError {
    /// A failure from outside tantivy, such as reading a record back.
    pub(crate) fn other(message: impl std::fmt::Display) -> Self {
        Self(message.to_string())
    }
}

impl From<tantivy::TantivyError> for TextIndexError {
    fn from(e: tantivy::TantivyError) -> Self {
        Self(e.to_string())
    }
}

/// Whether `dir` holds an index at all (damaged or not): a first start has none.
pub fn exists(dir: &Path) -> bool {
    dir.join("meta.json").exists()
}

/// The tantivy index, its writer and its reader.
pub struct TextIndex {
    /// Only the record keeper writes; the mutex lets it commit or merge while searches
    /// hold the index for reading.
    writer: std::sync::Mutex<IndexWriter<TantivyDocument>>,
    search: TextSearch,
}

/// The reading side of the index: searches run on it without the writer, so a commit or
/// merge never holds them up.
#[derive(Clone)]
pub struct TextSearch {
    reader: IndexReader,
    fields: Fields,
    cache: Arc<MatchCache>,
}

impl TextIndex {
    /// Opens the index in `dir`, or makes an empty one there when it is missing, damaged
    /// or of another schema; in memory when `dir` is `None`. Returns the index and the
    /// payload of its last commit.
    pub fn open(dir: Option<&Path>) -> Result<(Self, Option<String>), TextIndexError> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => match Index::open_in_dir(dir) {
                Ok(index) if index.schema() == schema => index,
                existing => {
                    // A first start has no index yet: nothing to warn about.
                    let first = !exists(dir);
                    if let Err(e) = &existing
                        && !first
                    {
                        tracing::warn!(
                            "the search index in {} cannot be opened ({e}); rebuilding it",
                            dir.display()
                        );
                    }
                    drop(existing);
                    let _ = std::fs::remove_dir_all(dir);
                    std::fs::create_dir_all(dir).map_err(|e| {
                        TextIndexError(format!("cannot create {}: {e}", dir.display()))
                    })?;
                    Index::create_in_dir(dir, schema)?
                }
            },
        };
        index.tokenizers().register(DUTCH, dutch());
        index.tokenizers().register(WORDS, as_written());
        let payload = index.load_metas()?.payload;
        let writer = index.writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok((
            Self {
                writer: std::sync::Mutex::new(writer),
                search: TextSearch {
                    reader,
                    fields,
                    cache: Arc::new(MatchCache::new(MATCH_CACHE_BYTES)),
                },
            },
            payload,
        ))
    }

    /// Removes every document (before a rebuild).
    pub fn clear(&self) -> Result<(), TextIndexError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Adds (or replaces) the document of `slot` with its filter `tags` and `facts`.
    pub fn put(
        &self,
        slot: u64,
        title: &str,
        body: &str,
        tags: &[String],
        facts: &Facts,
    ) -> Result<(), TextIndexError> {
        self.delete(slot);
        let f = self.search.fields;
        let mut document = doc!(
            f.slot => slot,
            f.title => title,
            f.body => body,
            f.title_words => title,
            f.body_words => body,
        );
        for tag in tags {
            document.add_text(f.tags, tag);
        }
        // Every fact has a value, so the columns are dense and read in one step per
        // document; a missing one is written as a value that checks as missing would.
        let x = f.facts;
        let (lat, lon) = facts.coordinates.unwrap_or((f64::NAN, f64::NAN));
        document.add_u64(x.updated_at, facts.updated_at.0);
        document.add_u64(x.valid_until, facts.valid_until.0);
        document.add_u64(x.author, facts.author);
        document.add_f64(x.lat, lat);
        document.add_f64(x.lon, lon);
        document.add_u64(x.mas_min_age, facts.mas_min_age.map_or(0, u64::from));
        document.add_i64(x.start, facts.start.unwrap_or(i64::MIN));
        document.add_i64(x.end, facts.end.unwrap_or(i64::MAX));
        self.writer().add_document(document)?;
        Ok(())
    }

    /// Removes the document of `slot`, if any.
    pub fn delete(&self, slot: u64) {
        self.writer()
            .delete_term(Term::from_field_u64(self.search.fields.slot, slot));
    }

    /// Rewrites the index's files without the documents deleted since they were written,
    /// and deletes the old files: tantivy only marks a deleted document, and its words
    /// stay in the segment until a merge. Call after a commit.
    pub fn erase(&self) -> Result<(), TextIndexError> {
        // A merge the writer started in the background may replace segments meanwhile:
        // then ask again for what there is.
        let mut attempts = 0;
        loop {
            let segments = self.writer().index().searchable_segment_ids()?;
            if segments.is_empty() {
                break;
            }
            match self.writer().merge(&segments).wait() {
                Ok(_) => break,
                Err(_) if attempts < 20 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.writer().garbage_collect_files().wait()?;
        self.search.reader.reload()?;
        Ok(())
    }

    /// Drops every change since the last commit (after a failed write or commit).
    pub fn rollback(&self) -> Result<(), TextIndexError> {
        self.writer().rollback()?;
        Ok(())
    }

    /// Makes every change durable and visible to searches, with `payload` describing what
    /// the index now holds.
    pub fn commit(&self, payload: &str) -> Result<(), TextIndexError> {
        let mut writer = self.writer();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(payload);
        prepared.commit()?;
        self.search.reader.reload()?;
        Ok(())
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The reading side, for searches.
    pub fn search(&self) -> &TextSearch {
        &self.search
    }
}

impl TextSearch {
    /// The committed documents, as of now: one consistent view for a whole search.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Every way one query word matches: `stem` is its stem, `word` the word as written.
    fn word_query(&self, stem: &str, word: &str, expand: bool) -> Box<dyn Query> {
        let f = self.fields;
        let exact = |field: Field| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, stem),
                IndexRecordOption::WithFreqs,
            ))
        };
        let constant = |query: Box<dyn Query>, score: Score| -> (Occur, Box<dyn Query>) {
            (Occur::Should, Box::new(ConstScoreQuery::new(query, score)))
        };
        let mut ways: Vec<(Occur, Box<dyn Query>)> = vec![
            constant(exact(f.title), TITLE_WORD),
            constant(exact(f.body), BODY_WORD),
            (
                Occur::Should,
                Box::new(BoostQuery::new(exact(f.title), 3.0 * BM25_WEIGHT)),
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(exact(f.body), BM25_WEIGHT)),
            ),
        ];
        if !expand {
            return counted(ways);
        }
        // Terms in the stemmed fields that start with a form of the word, or hold it
        // after their first letter.
        enum Part {
            First(String),
            Inside(String),
        }
        let mut parts = Vec::new();
        let forms = prefixes(stem);
        for form in &forms {
            parts.push((Part::First(form.clone()), TITLE_PREFIX, BODY_PREFIX));
        }
        if stem.chars().count() >= MIN_INFIX_CHARS && !forms.is_empty() {
            parts.push((Part::Inside(stem.to_owned()), TITLE_INFIX, BODY_INFIX));
        }
        // The last part of a compound (its head), in the words as written, also with a
        // plural or diminutive ending: `huis` finds `buurthuis` and `buurthuizen`, `bus`
        // `boodschappenbus`, `maatje` `taalmaatje` and `taalmaatjes`.
        if !forms.is_empty() && word.chars().count() >= MIN_PREFIX_CHARS {
            let mut heads = vec![word.to_owned()];
            heads.extend(forms.iter().filter(|f| f.as_str() != word).cloned());
            let endings = heads.iter().flat_map(|head| {
                HEAD_ENDINGS
                    .iter()
                    .map(move |ending| format!("{head}{ending}"))
            });
            let ends = EndsWith::new(endings);
            for (field, score) in [(f.title_words, TITLE_HEAD), (f.body_words, BODY_HEAD)] {
                let mut head: Vec<(Occur, Box<dyn Query>)> = vec![(
                    Occur::Must,
                    Box::new(TermsQuery::new(field, ends.clone(), &self.cache)),
                )];
                for word in NOT_COMPOUNDS {
                    head.push((
                        Occur::MustNot,
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, word),
                            IndexRecordOption::Basic,
                        )),
                    ));
                }
                ways.push(constant(Box::new(BooleanQuery::new(head)), score));
            }
        }
        // A synonym as a whole word or the first part of a compound (a short one as a
        // whole word only), one way each.
        for synonym in synonyms(stem) {
            if prefixes(synonym).is_empty() {
                for field in [f.title, f.body] {
                    ways.push(constant(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, synonym),
                            IndexRecordOption::Basic,
                        )),
                        SYNONYM,
                    ));
                }
            } else {
                parts.push((Part::First(synonym.to_owned()), SYNONYM, SYNONYM));
            }
        }
        for (part, title_score, body_score) in parts {
            for (field, score) in [(f.title, title_score), (f.body, body_score)] {
                let query: Box<dyn Query> = match &part {
                    Part::First(form) => Box::new(TermsQuery::new(
                        field,
                        StartsWith(form.clone().into_bytes()),
                        &self.cache,
                    )),
                    Part::Inside(stem) => {
                        Box::new(TermsQuery::new(field, Inside::new(stem), &self.cache))
                    }
                };
                ways.push(constant(query, score));
            }
        }
        counted(ways)
    }

    /// Calls `found` with the slot, score and facts of every document that carries a tag of each
    /// group of `tags` and, when `words` are given, matches at least one of them (score 0
    /// without words; the tags add nothing to the score). Nothing is gathered here: the
    /// caller keeps what it needs, so a query that matches many documents allocates no
    /// more than one that matches few.
    pub fn each_match(
        &self,
        searcher: &Searcher,
        words: Option<&str>,
        tags: &[Vec<String>],
        found: &mut dyn FnMut(u64, Score, &Facts),
    ) -> Result<(), TextIndexError> {
        let text: Box<dyn Query> = match words {
            Some(words) => match self.words_query(words) {
                Some(query) => query,
                None => return Ok(()),
            },
            None => Box::new(AllQuery),
        };
        let mut all: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        let term = |tag: &String| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.tags, tag),
                IndexRecordOption::Basic,
            ))
        };
        for group in tags {
            let any: Box<dyn Query> = match group.as_slice() {
                [one] => term(one),
                many => Box::new(BooleanQuery::new(
                    many.iter().map(|t| (Occur::Should, term(t))).collect(),
                )),
            };
            all.push((Occur::Must, Box::new(ConstScoreQuery::new(any, 0.0))));
        }
        let query = BooleanQuery::new(all);
        let scoring = if words.is_some() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let weight = query.weight(scoring)?;
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let slots = fast.u64("slot")?;
            let (updated_at, valid_until, author) = (
                fast.u64(fact::UPDATED_AT)?,
                fast.u64(fact::VALID_UNTIL)?,
                fast.u64(fact::AUTHOR)?,
            );
            let (lat, lon) = (fast.f64(fact::LAT)?, fast.f64(fact::LON)?);
            let mas_min_age = fast.u64(fact::MAS_MIN_AGE)?;
            let (start, end) = (fast.i64(fact::START)?, fast.i64(fact::END)?);
            let alive = segment.alive_bitset();
            let mut visit = |doc: DocId, score: Score| {
                if !alive.is_none_or(|a| a.is_alive(doc)) {
                    return;
                }
                let Some(slot) = slots.first(doc) else {
                    return;
                };
                let (lat, lon) = (
                    lat.first(doc).unwrap_or(f64::NAN),
                    lon.first(doc).unwrap_or(f64::NAN),
                );
                let facts = Facts {
                    updated_at: Timestamp(updated_at.first(doc).unwrap_or(0)),
                    valid_until: Timestamp(valid_until.first(doc).unwrap_or(0)),
                    coordinates: (!lat.is_nan() && !lon.is_nan()).then_some((lat, lon)),
                    author: author.first(doc).unwrap_or(0),
                    mas_min_age: mas_min_age
                        .first(doc)
                        .filter(|age| *age > 0)
                        .map(|age| u8::try_from(age).unwrap_or(u8::MAX)),
                    start: start.first(doc).filter(|s| *s != i64::MIN),
                    end: end.first(doc).filter(|e| *e != i64::MAX),
                };
                found(slot, score, &facts);
            };
            if words.is_some() {
                weight.for_each(segment, &mut visit)?;
            } else {
                weight.for_each_no_score(segment, &mut |docs| {
                    for doc in docs {
                        visit(*doc, 0.0);
                    }
                })?;
            }
        }
        Ok(())
    }

    /// The query for the words of `text`: any of them, in every way each can match;
    /// `None` when no word is left after analysis.
    fn words_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut seen = Vec::new();
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut stemmer = dutch();
        for word in analyse(&mut as_written(), text) {
            let Some(stem) = analyse(&mut stemmer, &word).pop() else {
                continue;
            };
            if seen.contains(&stem) || words.len() >= MAX_QUERY_WORDS {
                continue;
            }
            let expand = words.len() < MAX_EXPANDED_WORDS;
            words.push((Occur::Should, self.word_query(&stem, &word, expand)));
            seen.push(stem);
        }
        if words.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(words)))
    }
}

/// A word's query from the ways it matches: [`PER_WORD`] for matching at all, plus the
/// sum of the ways.
fn counted(ways: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    let any_way = BooleanQuery::new(ways);
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(any_way.box_clone(), PER_WORD)),
        ),
        (Occur::Should, Box::new(any_way)),
    ]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Facts of a record that passes every check.
    fn facts() -> Facts {
        Facts {
            updated_at: Timestamp(1),
            valid_until: Timestamp(u64::MAX),
            coordinates: None,
            author: 0,
            mas_min_age: None,
            start: None,
            end: None,
        }
    }

    fn found(index: &TextIndex, q: &str) -> Vec<u64> {
        let mut m = Vec::new();
        let search = index.search();
        search
            .each_match(&search.searcher(), Some(q), &[], &mut |slot, score, _| {
                m.push((slot, score));
            })
            .unwrap();
        m.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        m.into_iter().map(|(s, _)| s).collect()
    }

    /// An index in memory holding `documents` (title, description), slots from 1.
    fn holding(documents: &[(&str, &str)]) -> TextIndex {
        let (index, _) = TextIndex::open(None).unwrap();
        for (slot, (title, body)) in (1..).zip(documents) {
            index.put(slot, title, body, &[], &facts()).unwrap();
        }
        index.commit("test").unwrap();
        index
    }

    /// Whether any segment's term dictionary of the title holds `word` as written.
    fn holds_word(index: &TextIndex, word: &str) -> bool {
        let searcher = index.search.searcher();
        let term = Term::from_field_text(index.search.fields.title_words, word);
        searcher.segment_readers().iter().any(|segment| {
            segment
                .inverted_index(index.search.fields.title_words)
                .unwrap()
                .terms()
                .term_ord(term.serialized_value_bytes())
                .unwrap()
                .is_some()
        })
    }

    #[test]
    fn erasing_leaves_no_word_of_a_deleted_document_in_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = TextIndex::open(Some(dir.path())).unwrap();
        // Enough documents that every writer thread's segment keeps live ones (a
        // segment whose documents are all deleted is dropped at the commit).
        for slot in 1..=40 {
            let title = if slot == 7 {
                "Weghalenkwzx"
            } else {
                "Blijftkwzx"
            };
            index.put(slot, title, "", &[], &facts()).unwrap();
        }
        index.commit("test").unwrap();
        index.put(41, "Ookblijvenkwzx", "", &[], &facts()).unwrap();
        index.delete(7);
        index.commit("test").unwrap();
        assert!(found(&index, "weghalenkwzx").is_empty(), "deleted");
        assert!(
            holds_word(&index, "weghalenkwzx"),
            "tantivy keeps a deleted document's words until a merge"
        );
        index.erase().unwrap();
        assert!(!holds_word(&index, "weghalenkwzx"));
        assert!(holds_word(&index, "blijftkwzx") && holds_word(&index, "ookblijvenkwzx"));
        assert_eq!(found(&index, "blijftkwzx").len(), 39);
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(
            files < 12,
            "the old segments' files were deleted: {files} files"
        );
    }

    /// What the exact checks read back is what was put, missing values included.
    #[test]
    fn facts_come_back_as_they_were_put() {
        let (index, _) = TextIndex::open(None).unwrap();
        let full = Facts {
            updated_at: Timestamp(1_700_000_000_123),
            valid_until: Timestamp(1_800_000_000_456),
            coordinates: Some((51.5866, 4.7760)),
            author: u64::MAX - 7,
            mas_min_age: Some(14),
            start: Some(2_461_000),
            end: Some(2_461_030),
        };
        index.put(1, "Voorlezen", "", &[], &full).unwrap();
        index.put(2, "Voorlezen", "", &[], &facts()).unwrap();
        index.commit("test").unwrap();
        let mut seen = Vec::new();
        let search = index.search();
        search
            .each_match(
                &search.searcher(),
                Some("voorlezen"),
                &[],
                &mut |slot, _, f| seen.push((slot, *f)),
            )
            .unwrap();
        seen.sort_by_key(|(slot, _)| *slot);
        assert_eq!(seen, vec![(1, full), (2, facts())]);
    }

    #[test]
    fn a_word_finds_the_compounds_it_ends() {
        let index = holding(&[
            ("Gastvrouw in het buurthuis", "Koffie schenken"),
            ("Chauffeur boodschappenbus", "Rijden voor ouderen"),
            ("Taalmaatje", "Samen Nederlands oefenen"),
            ("Hulp in de buurthuizen", "Op drie plekken"),
            ("Huiswerkbegeleiding", "Voor de brugklas"),
        ]);
        let huis = found(&index, "huis");
        assert_eq!(huis.len(), 3, "{huis:?}");
        // Again, from the documents the matchers found the first time.
        let cache = format!("{:?}", index.search.cache);
        assert!(!cache.contains("sets: 0"), "{cache}");
        assert_eq!(found(&index, "huis"), huis);
        assert!(huis.contains(&1) && huis.contains(&4) && huis.contains(&5));
        assert_eq!(found(&index, "bus"), vec![2]);
        assert_eq!(found(&index, "maatje"), vec![3]);
        // The whole word ranks above a compound that ends in it.
        index
            .put(6, "Huis schilderen", "Een dag klussen", &[], &facts())
            .unwrap();
        index.commit("test").unwrap();
        assert_eq!(found(&index, "huis")[0], 6);
    }

    #[test]
    fn short_words_match_whole_words_only() {
        let index = holding(&[
            ("Administratie", "Ordenen van post"),
            ("Hulp bij formulieren", "Of bij de post"),
        ]);
        assert_eq!(found(&index, "or"), Vec::<u64>::new());
        assert_eq!(found(&index, "of"), vec![2]);
    }

    #[test]
    fn synonyms_find_the_same_work_below_the_word_itself() {
        let index = holding(&[
            ("Digitale hulp voor ouderen", "Uitleg over de tablet"),
            ("Computerles geven", "In de bibliotheek"),
            ("Voorlezen", "Op school"),
        ]);
        assert_eq!(found(&index, "computer"), vec![2, 1]);
        assert_eq!(found(&index, "senioren"), vec![1]);
        assert!(synonyms("computer").contains(&"digitaal".to_owned()));
        assert!(synonyms("voorlees").is_empty());
    }

    #[test]
    fn compounds_match_and_more_words_rank_higher() {
        let (index, payload) = TextIndex::open(None).unwrap();
        assert_eq!(payload, None);
        index
            .put(
                1,
                "Voorleesvrijwilliger",
                "In de bibliotheek",
                &[],
                &facts(),
            )
            .unwrap();
        index
            .put(
                2,
                "Sportvereniging zoekt trainer",
                "Voor de jeugd",
                &[],
                &facts(),
            )
            .unwrap();
        index
            .put(3, "Taalmaatje", "Voorlezen en praten", &[], &facts())
            .unwrap();
        index.commit("test").unwrap();
        assert_eq!(found(&index, "voorlezen").len(), 2);
        assert_eq!(found(&index, "sport"), vec![2]);
        assert_eq!(found(&index, "taal"), vec![3]);
        assert_eq!(
            found(&index, "voorlezen praten")[0],
            3,
            "two words beat one"
        );
        index.delete(3);
        index.commit("test").unwrap();
        assert!(found(&index, "taal").is_empty());
    }

    /// Words after the fourth find whole words only, so a long query stays cheap.
    #[test]
    fn later_words_of_a_long_query_match_whole_words_only() {
        let index = holding(&[("Voorleesvrijwilliger", ""), ("Voorlezen", "")]);
        assert_eq!(found(&index, "voorlezen").len(), 2);
        let fifth = "koken tuin muziek dieren voorlezen";
        assert_eq!(found(&index, fifth), vec![2]);
        let fourth = "koken tuin muziek voorlezen";
        assert_eq!(found(&index, fourth).len(), 2);
    }
}

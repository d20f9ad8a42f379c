//! Dutch analysis for the full-text index: case and diacritics folded, Dutch stems, the
//! first parts of compounds, and the synonyms staff search by (documented in the README).

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

/// What may follow the last part of a compound: nothing, a plural or a diminutive.
pub(super) const HEAD_ENDINGS: [&str; 10] =
    ["", "s", "en", "es", "e", "je", "jes", "tje", "tjes", "n"];

/// Name of the Dutch analyzer in the index.
pub(super) const DUTCH: &str = "nl";

/// Name of the analyzer that keeps words whole (folded, not stemmed): the stemmer cuts
/// compounds unevenly (`taalmaatje` becomes `taalmaa`, `maatje` becomes `maat`), so the
/// last part of a compound is looked for in the words as written.
pub(super) const WORDS: &str = "nl-words";

/// Words longer than this are not indexed (they are not words).
pub(super) const MAX_TOKEN_BYTES: usize = 40;

/// Query words whose stem is shorter than this match whole words only, not compound parts.
pub(super) const MIN_PREFIX_CHARS: usize = 3;

/// Words staff search for, and the words vacancies use for the same thing. A query word
/// (as its stem) also finds its synonyms, as whole words or as the first part of a
/// compound. Kept short and documented in the README; both directions are listed.
pub const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "computer",
        &["digitaal", "ict", "laptop", "tablet", "internet"],
    ),
    (
        "digitaal",
        &["computer", "ict", "laptop", "tablet", "internet"],
    ),
    ("ict", &["computer", "digitaal"]),
    ("ouderen", &["senioren", "oudere"]),
    ("senioren", &["ouderen", "oudere"]),
    ("jongeren", &["jeugd", "tieners"]),
    ("jeugd", &["jongeren", "kinderen"]),
    ("kinderen", &["jeugd", "kind", "leerlingen"]),
    ("chauffeur", &["vervoer", "rijden", "bestuurder"]),
    ("vervoer", &["chauffeur", "rijden"]),
    ("rijden", &["chauffeur", "vervoer"]),
    (
        "nieuwkomers",
        &["statushouders", "vluchtelingen", "inburgering"],
    ),
    ("statushouders", &["nieuwkomers", "vluchtelingen"]),
    ("vluchtelingen", &["nieuwkomers", "statushouders"]),
    ("administratie", &["papieren", "formulieren", "boekhouding"]),
    ("klussen", &["klusjes", "onderhoud", "tuin"]),
    ("tuin", &["groen", "tuinieren"]),
    ("eenzaamheid", &["bezoek", "maatje", "gezelschap"]),
];

/// Common words that end in another word without being a compound of it: `thuis` is not
/// a `huis`, `alles` no `les`, `digitaal` no `taal`. They never match as a head (a field
/// that holds one of them is not searched for heads at all: the index's regular
/// expressions cannot leave out single words, and such a field rarely also holds a real
/// compound of the same word).
pub const NOT_COMPOUNDS: &[&str] = &[
    "alles",
    "thuis",
    "digitaal",
    "digitale",
    "totaal",
    "totale",
    "vitaal",
    "vitale",
    "kapitaal",
    "mentaal",
    "mentale",
    "horizontaal",
    "fundamentaal",
    "sentimentaal",
    "globus",
    "dus",
    "plus",
    "campus",
    "virus",
    "status",
    "bonus",
    "focus",
];

/// [`SYNONYMS`] as stems, worked out once: each word's stem with its synonyms' stems.
pub(super) static SYNONYM_STEMS: std::sync::LazyLock<Vec<(String, Vec<String>)>> =
    std::sync::LazyLock::new(|| {
        let mut analyzer = dutch();
        SYNONYMS
            .iter()
            .filter_map(|(word, others)| {
                let stem = analyse(&mut analyzer, word).pop()?;
                let mut found: Vec<String> = Vec::new();
                for other in *others {
                    for s in analyse(&mut analyzer, other) {
                        if s != stem && !found.contains(&s) {
                            found.push(s);
                        }
                    }
                }
                Some((stem, found))
            })
            .collect()
    });

/// The stems a query stem also stands for: its synonyms' stems.
pub(super) fn synonyms(stem: &str) -> &'static [String] {
    SYNONYM_STEMS
        .iter()
        .find(|(s, _)| s == stem)
        .map_or(&[], |(_, others)| others.as_slice())
}

/// The Dutch analyzer: words, lowercased, folded to ASCII, stemmed.
pub(super) fn dutch() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

/// Words as written: lowercased, folded to ASCII.
pub(super) fn as_written() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The stems of `text`, in order, without repeats.
#[cfg(test)]
pub(super) fn stems(text: &str) -> Vec<String> {
    analyse(&mut dutch(), text)
}

/// The tokens `analyzer` makes of `text`, in order, without repeats.
pub(super) fn analyse(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        if !out.contains(&token.text) {
            out.push(token.text.clone());
        }
    }
    out
}

/// The prefixes with which a query stem matches the first part of compound words: the
/// stem itself and, for a stem that ends in a long vowel and `s` or `f` (`voorlees`, from
/// `voorlezen`), its open-syllable spelling (`voorlez`, as in `voorlezer`). Short or
/// non-letter stems match whole words only.
pub(super) fn prefixes(stem: &str) -> Vec<String> {
    if stem.chars().count() < MIN_PREFIX_CHARS || !stem.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Vec::new();
    }
    let mut out = vec![stem.to_owned()];
    let bytes = stem.as_bytes();
    if let [.., a, b, last] = bytes
        && matches!(last, b's' | b'f')
    {
        let soft = if *last == b's' { 'z' } else { 'v' };
        let variant = if a == b && b"aeou".contains(a) {
            // `voorlees` → `voorlez`: the long vowel is written once before a vowel.
            format!("{}{}{soft}", &stem[..stem.len() - 3], *a as char)
        } else if [b"ui", b"ie", b"eu", b"ou", b"ei", b"ij"].contains(&&[*a, *b]) {
            // `huis` → `huiz` (as in `huizen`, `buurthuizen`).
            format!("{}{soft}", &stem[..stem.len() - 1])
        } else {
            String::new()
        };
        if variant.len() >= MIN_PREFIX_CHARS {
            out.push(variant);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_analysis_folds_and_stems() {
        assert_eq!(stems("Café ÉÉN"), vec!["cafe", "een"]);
        assert_eq!(stems("voorlezen"), vec!["voorlees"]);
        assert!(stems("Voorleesvrijwilliger")[0].starts_with("voorlees"));
        assert!(stems("sportvereniging")[0].starts_with("sport"));
        assert!(stems("taalmaatjes")[0].starts_with("taal"));
        assert_eq!(prefixes("voorlees"), vec!["voorlees", "voorlez"]);
        assert_eq!(prefixes("leef"), vec!["leef", "lev"]);
        assert_eq!(prefixes("sport"), vec!["sport"]);
        assert_eq!(prefixes("huis"), vec!["huis", "huiz"]);
        assert!(prefixes("op").is_empty());
    }
}

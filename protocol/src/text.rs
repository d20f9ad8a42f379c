//! Text folding shared by validation, place lookup and search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for comparison: Unicode compatibility decomposition, diacritics removed,
/// lower case, runs of white space collapsed. `"Één  Café"` becomes `"een cafe"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_diacritics_and_space() {
        assert_eq!(fold("Één  Café"), "een cafe");
        assert_eq!(fold("  's-Hertogenbosch "), "'s-hertogenbosch");
        assert_eq!(fold("ruïne"), "ruine");
    }
}

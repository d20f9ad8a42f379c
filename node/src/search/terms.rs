//! Term matchers for the ways a query word finds compounds: a term that starts with a
//! form of the word, that holds it after its first letter, or that ends with it (maybe
//! with a plural or diminutive ending). Each is a small automaton over the term's bytes,
//! walked along tantivy's term dictionary like a regular expression, but built in
//! microseconds: compiling the equivalent regular expression into a DFA took 0.3–2 ms,
//! more than the rest of a query.

use std::sync::Arc;

use tantivy::query::{AutomatonWeight, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy_fst::Automaton;

/// The terms of `field` that `automaton` accepts, each matching document scored 1.
#[derive(Debug, Clone)]
pub struct TermsQuery<A> {
    field: Field,
    automaton: Arc<A>,
}

impl<A> TermsQuery<A> {
    /// The terms of `field` that `automaton` accepts.
    pub fn new(field: Field, automaton: A) -> Self {
        Self {
            field,
            automaton: Arc::new(automaton),
        }
    }
}

impl<A> Query for TermsQuery<A>
where
    A: Automaton + Clone + std::fmt::Debug + Send + Sync + 'static,
    A::State: Clone,
{
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::<A>::new(
            self.field,
            Arc::clone(&self.automaton),
        )))
    }
}

/// Terms that start with `prefix` (the regular expression `prefix.*`).
#[derive(Debug, Clone)]
pub struct StartsWith(pub Vec<u8>);

impl Automaton for StartsWith {
    /// Bytes of the prefix seen so far; `None` once the term left it.
    type State = Option<usize>;

    fn start(&self) -> Option<usize> {
        Some(0)
    }

    fn is_match(&self, state: &Option<usize>) -> bool {
        *state == Some(self.0.len())
    }

    fn can_match(&self, state: &Option<usize>) -> bool {
        state.is_some()
    }

    fn will_always_match(&self, state: &Option<usize>) -> bool {
        self.is_match(state)
    }

    fn accept(&self, state: &Option<usize>, byte: u8) -> Option<usize> {
        let seen = (*state)?;
        match self.0.get(seen) {
            None => Some(seen),
            Some(&expected) => (expected == byte).then_some(seen + 1),
        }
    }
}

/// Terms that hold `needle` after their first letter (the regular expression
/// `.+needle.*`), found with the Knuth–Morris–Pratt table of the needle.
#[derive(Debug, Clone)]
pub struct Inside {
    needle: Vec<u8>,
    /// For each length of a partial match, the longest proper prefix that is also its
    /// suffix.
    fallback: Vec<usize>,
}

impl Inside {
    /// Terms with `needle` after their first letter.
    pub fn new(needle: &str) -> Self {
        let needle = needle.as_bytes().to_vec();
        let mut fallback = vec![0; needle.len() + 1];
        let mut k = 0;
        for i in 1..needle.len() {
            while k > 0 && needle[i] != needle[k] {
                k = fallback[k];
            }
            if needle[i] == needle[k] {
                k += 1;
            }
            fallback[i + 1] = k;
        }
        Self { needle, fallback }
    }
}

/// Where an [`Inside`] is in a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsideState {
    /// Nothing read: the first byte cannot start the needle.
    Start,
    /// This many bytes of the needle matched.
    Partial(usize),
    /// The needle was found.
    Found,
}

impl Automaton for Inside {
    type State = InsideState;

    fn start(&self) -> InsideState {
        InsideState::Start
    }

    fn is_match(&self, state: &InsideState) -> bool {
        *state == InsideState::Found
    }

    fn will_always_match(&self, state: &InsideState) -> bool {
        self.is_match(state)
    }

    fn accept(&self, state: &InsideState, byte: u8) -> InsideState {
        // A needle starts with a whole character, so it never starts inside the first
        // one: skipping the first byte skips the first letter.
        let mut k = match *state {
            InsideState::Start => return InsideState::Partial(0),
            InsideState::Found => return InsideState::Found,
            InsideState::Partial(k) => k,
        };
        while k > 0 && self.needle[k] != byte {
            k = self.fallback[k];
        }
        if self.needle.get(k) == Some(&byte) {
            k += 1;
        }
        if k == self.needle.len() {
            InsideState::Found
        } else {
            InsideState::Partial(k)
        }
    }
}

/// Most bytes an [`EndsWith`] ending may have.
pub const MAX_ENDING_BYTES: usize = 48;

/// Terms that end with one of `endings`, with at least one letter before it (the
/// regular expression `.+(a|b|…)`).
#[derive(Debug, Clone)]
pub struct EndsWith {
    endings: Vec<Vec<u8>>,
}

impl EndsWith {
    /// Endings longer than [`MAX_ENDING_BYTES`] are left out.
    pub fn new(endings: impl IntoIterator<Item = String>) -> Self {
        let mut endings: Vec<Vec<u8>> = endings
            .into_iter()
            .map(String::into_bytes)
            .filter(|e| !e.is_empty() && e.len() <= MAX_ENDING_BYTES)
            .collect();
        endings.sort();
        endings.dedup();
        Self { endings }
    }
}

/// The last bytes of a term read so far, and how many bytes it has.
#[derive(Debug, Clone)]
pub struct Tail {
    len: usize,
    last: [u8; MAX_ENDING_BYTES],
}

impl Tail {
    fn ends_with(&self, ending: &[u8]) -> bool {
        let kept = self.len.min(MAX_ENDING_BYTES);
        let last = &self.last[MAX_ENDING_BYTES - kept..];
        last.ends_with(ending)
    }
}

impl Automaton for EndsWith {
    type State = Tail;

    fn start(&self) -> Tail {
        Tail {
            len: 0,
            last: [0; MAX_ENDING_BYTES],
        }
    }

    fn is_match(&self, tail: &Tail) -> bool {
        // Something before the ending: a whole character, as an ending starts with one.
        self.endings
            .iter()
            .any(|e| tail.len > e.len() && tail.ends_with(e))
    }

    fn accept(&self, tail: &Tail, byte: u8) -> Tail {
        let mut next = tail.clone();
        next.last.copy_within(1.., 0);
        next.last[MAX_ENDING_BYTES - 1] = byte;
        next.len += 1;
        next
    }
}

#[cfg(test)]
mod tests {
    use tantivy_fst::{Automaton, Regex};

    use super::{EndsWith, Inside, StartsWith};

    fn accepts(automaton: &impl Automaton, term: &str) -> bool {
        let mut state = automaton.start();
        for byte in term.bytes() {
            state = automaton.accept(&state, byte);
        }
        automaton.is_match(&state)
    }

    /// Each automaton takes exactly the terms the regular expression it replaces takes.
    #[test]
    fn the_automata_match_as_the_regular_expressions_did() {
        let terms = [
            "voorlees",
            "voorleesvrijwilliger",
            "voor",
            "avoorlees",
            "abab",
            "aabab",
            "ababab",
            "taalmaatje",
            "taalmaatjes",
            "maatje",
            "buurthuizen",
            "huis",
            "xhuis",
            "café",
            "ébab",
            "",
            "b",
        ];
        type Accepts = Box<dyn Fn(&str) -> bool>;
        let cases: Vec<(Accepts, &str)> = vec![
            (
                Box::new(|t| accepts(&StartsWith(b"voorlees".to_vec()), t)),
                "voorlees.*",
            ),
            (Box::new(|t| accepts(&StartsWith(b"".to_vec()), t)), ".*"),
            (Box::new(|t| accepts(&Inside::new("bab"), t)), ".+bab.*"),
            (
                Box::new(|t| accepts(&Inside::new("voorlees"), t)),
                ".+voorlees.*",
            ),
            (Box::new(|t| accepts(&Inside::new("aab"), t)), ".+aab.*"),
            (
                Box::new(|t| {
                    let endings = ["maatje", "maat"]
                        .iter()
                        .flat_map(|w| ["", "s", "je", "jes"].map(|e| format!("{w}{e}")));
                    accepts(&EndsWith::new(endings), t)
                }),
                ".+(maatje|maat)(s|je|jes)?",
            ),
            (
                Box::new(|t| accepts(&EndsWith::new(["huis".into(), "huizen".into()]), t)),
                ".+(huis|huizen)",
            ),
        ];
        for (automaton, pattern) in &cases {
            let regex = Regex::new(pattern).unwrap();
            for term in terms {
                assert_eq!(
                    automaton(term),
                    accepts(&regex, term),
                    "{pattern} on {term:?}"
                );
            }
        }
    }
}

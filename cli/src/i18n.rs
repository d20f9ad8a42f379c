//! What the CLI says, in Dutch by default and in English with `--lang en` or an English
//! `LANG`: the messages live in Fluent catalogues (`cli/locales/LANG/steunpunt.ftl`),
//! compiled in; code refers to them by id. Slugs and JSON stay the same in both.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language the CLI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// Nederlands (the default).
    Nl,
    /// English.
    En,
}

const CATALOGUES: [(Lang, &str, &str); 2] = [
    (Lang::Nl, "nl", include_str!("../locales/nl/steunpunt.ftl")),
    (Lang::En, "en", include_str!("../locales/en/steunpunt.ftl")),
];

struct Catalogue {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    fallback: FluentBundle<FluentResource>,
}

static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let (tag, text) = CATALOGUES
        .iter()
        .find(|(l, _, _)| *l == lang)
        .map(|(_, tag, text)| (*tag, *text))
        .unwrap_or(("nl", CATALOGUES[0].2));
    let id = tag.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Terminals show the isolation marks Fluent puts around arguments as odd characters.
    bundle.set_use_isolating(false);
    // The catalogues are part of the program; `catalogues_parse_and_agree` checks them.
    let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The language asked for in the environment: English when `LC_ALL`, `LC_MESSAGES` or
/// `LANG` (the first one set) starts with `en`, Dutch otherwise.
fn from_environment() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.is_empty())
        .map_or(Lang::Nl, |value| {
            if value.starts_with("en") {
                Lang::En
            } else {
                Lang::Nl
            }
        })
}

/// Chooses the language: `given` (from `--lang`), else the environment's.
pub fn init(given: Option<Lang>) {
    let lang = given.unwrap_or_else(from_environment);
    let _ = CATALOGUE.set(Catalogue {
        lang,
        bundle: bundle(lang),
        fallback: bundle(Lang::Nl),
    });
}

/// The language in use.
pub fn lang() -> Lang {
    CATALOGUE.get().map_or(Lang::Nl, |c| c.lang)
}

fn format(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: Option<&FluentArgs>,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned(),
    )
}

/// The message `id` with `args`, in the chosen language (Dutch when the chosen catalogue
/// lacks it; the id itself when neither has it).
pub fn message(id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    let args = (!args.is_empty()).then_some(&fluent_args);
    match CATALOGUE.get() {
        Some(c) => format(&c.bundle, id, args)
            .or_else(|| format(&c.fallback, id, args))
            .unwrap_or_else(|| id.to_owned()),
        // Before `init` (unit tests): Dutch, whatever the machine's language.
        None => format(&bundle(Lang::Nl), id, args).unwrap_or_else(|| id.to_owned()),
    }
}

/// The message `id` in the chosen language only: `None` when that catalogue lacks it, so
/// callers can keep their own (English) text.
pub fn lookup(id: &str) -> Option<String> {
    CATALOGUE.get().and_then(|c| format(&c.bundle, id, None))
}

/// What a problem the node found says, in the chosen language: `problem-CODE` of the
/// catalogue with the problem's values (vocabulary and record kinds named in that
/// language); the node's English wording for a code the catalogue does not know.
pub fn problem(problem: &steunpunt_api::Problem) -> String {
    let id = format!("problem-{}", problem.code);
    let mut args: Vec<(&str, FluentValue<'_>)> = Vec::new();
    let mut named = Vec::new();
    for (name, value) in &problem.values {
        let shown = match name.as_str() {
            "vocabulary" => lookup(&format!("vocabulary-{}", value.replace(' ', "-")))
                .unwrap_or_else(|| value.clone()),
            "kind" => {
                named.push((
                    "command",
                    if value == "organisation" {
                        "org"
                    } else {
                        "vacancy"
                    },
                ));
                match value.as_str() {
                    "vacancy" => message("kind-vacancy", &[]),
                    "organisation" => message("kind-organisation", &[]),
                    _ => value.clone(),
                }
            }
            _ => value.clone(),
        };
        args.push((name.as_str(), FluentValue::from(shown)));
    }
    for (name, value) in named {
        args.push((name, FluentValue::from(value)));
    }
    let known = CATALOGUE.get().map_or_else(
        || bundle(Lang::Nl).has_message(&id),
        |c| c.bundle.has_message(&id),
    );
    if known {
        message(&id, &args)
    } else {
        problem.message.clone()
    }
}

/// `t!("id")` or `t!("id", name = value, …)`: a message of the catalogue.
#[macro_export]
macro_rules! t {
    ($id:literal) => {
        $crate::i18n::message($id, &[])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::message(
            $id,
            &[$((stringify!($name), fluent_bundle::FluentValue::from($value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::BTreeSet;

    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;

    use super::CATALOGUES;

    /// Message ids, except the Dutch help texts (English help is the code's own).
    fn ids(text: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(text.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("the catalogue does not parse: {errors:?}"));
        let mut seen = BTreeSet::new();
        for entry in resource.entries() {
            if let Entry::Message(m) = entry {
                assert!(seen.insert(m.id.name), "`{}` is defined twice", m.id.name);
            }
        }
        resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(m) if !m.id.name.starts_with("help") => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_rule_of_the_node_has_a_wording() {
        for (_, tag, text) in &CATALOGUES {
            let known = ids(text);
            let missing: Vec<&str> = steunpunt_protocol::validate::RULES
                .iter()
                .map(|(code, _)| *code)
                .filter(|code| !known.contains(&format!("problem-{code}")))
                .collect();
            assert!(missing.is_empty(), "{tag}: no wording for {missing:?}");
        }
    }

    #[test]
    fn catalogues_parse_and_agree() {
        let (_, _, nl) = CATALOGUES[0];
        let dutch = ids(nl);
        assert!(!dutch.is_empty());
        for (_, tag, text) in &CATALOGUES[1..] {
            let other = ids(text);
            let missing: Vec<_> = dutch.difference(&other).collect();
            let extra: Vec<_> = other.difference(&dutch).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{tag}: missing {missing:?}, not in Dutch {extra:?}"
            );
        }
    }
}

//! `vacancy template` and `org template`: a complete example with every field, explained
//! in `//` lines (which `publish` and `import` skip), with the vocabularies spelled out and
//! dates that are valid today.

use steunpunt_protocol::Kind;
use steunpunt_protocol::timestamp::DAY_MS;
use steunpunt_protocol::vocab::{self, Vocabulary};

use crate::i18n::{Lang, lang};
use crate::output;

const TEMPLATES: [(Lang, Kind, &str); 4] = [
    (
        Lang::Nl,
        Kind::Vacancy,
        include_str!("../locales/nl/vacancy-template.json"),
    ),
    (
        Lang::En,
        Kind::Vacancy,
        include_str!("../locales/en/vacancy-template.json"),
    ),
    (
        Lang::Nl,
        Kind::Organisation,
        include_str!("../locales/nl/org-template.json"),
    ),
    (
        Lang::En,
        Kind::Organisation,
        include_str!("../locales/en/org-template.json"),
    ),
];

/// Width of the explaining lines.
const WIDTH: usize = 80;

fn slugs(vocabulary: &Vocabulary) -> String {
    vocabulary.slugs()
}

/// The day `days` from now, as `YYYY-MM-DD`.
fn day(days: u64) -> String {
    let text = crate::show::now().plus_ms(days * DAY_MS).to_string();
    text.get(..10).unwrap_or(&text).to_owned()
}

/// The template for `kind` in the chosen language.
pub fn render(kind: Kind) -> String {
    let text = TEMPLATES
        .iter()
        .find(|(l, k, _)| *l == lang() && *k == kind)
        .or_else(|| TEMPLATES.iter().find(|(_, k, _)| *k == kind))
        .map_or("", |(_, _, text)| text);
    let values = [
        ("{categories}", slugs(&vocab::CATEGORIES)),
        ("{target_groups}", slugs(&vocab::TARGET_GROUPS)),
        ("{engagements}", slugs(&vocab::ENGAGEMENTS)),
        ("{times_of_day}", slugs(&vocab::TIMES_OF_DAY)),
        ("{kinds}", slugs(&vocab::ORGANISATION_KINDS)),
        ("{expertise}", slugs(&vocab::EXPERTISE)),
        ("{relations}", slugs(&vocab::RELATIONS)),
        ("{start}", day(42)),
        ("{end}", day(210)),
        ("{today}", day(0)),
    ];
    let filled: Vec<String> = text
        .lines()
        .map(|line| {
            values
                .iter()
                .fold(line.to_owned(), |line, (placeholder, value)| {
                    line.replace(placeholder, value)
                })
        })
        .collect();
    // Explaining lines are rewrapped as paragraphs to fit the width; a line indented
    // further after `//` (a command to type) stays as it is.
    let mut out = String::new();
    let mut paragraph: Option<(String, Vec<String>)> = None;
    let flush = |paragraph: &mut Option<(String, Vec<String>)>, out: &mut String| {
        if let Some((indent, words)) = paragraph.take() {
            let room = WIDTH.saturating_sub(indent.len() + 3);
            for part in output::wrap(&words.join(" "), room) {
                out.push_str(&format!("{indent}// {part}\n"));
            }
        }
    };
    for line in &filled {
        let trimmed = line.trim_start();
        let indent = line[..line.len() - trimmed.len()].to_owned();
        match trimmed.strip_prefix("// ") {
            Some(words) if !words.starts_with(' ') => {
                if paragraph.as_ref().is_some_and(|(i, _)| *i != indent) {
                    flush(&mut paragraph, &mut out);
                }
                let (_, all) = paragraph.get_or_insert_with(|| (indent, Vec::new()));
                all.push(words.to_owned());
            }
            _ => {
                flush(&mut paragraph, &mut out);
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

//! Fixed vocabularies (ARCHITECTURE.md, Records): slugs with Dutch labels and English glosses.
//!
//! Local input must use a known slug; records from peers may carry slugs of a newer
//! vocabulary version, which are kept and shown as they are.

/// Version of these lists; raised whenever a term is added.
pub const VOCABULARY_VERSION: u32 = 1;

/// One term of a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Stable identifier used in records and on the command line.
    pub slug: &'static str,
    /// Dutch label shown to staff.
    pub label: &'static str,
    /// English gloss.
    pub gloss: &'static str,
}

/// A named list of terms.
#[derive(Debug, Clone, Copy)]
pub struct Vocabulary {
    /// What one term is called in messages ("category", "expertise", …).
    pub name: &'static str,
    /// The terms, in display order.
    pub terms: &'static [Term],
}

impl Vocabulary {
    /// The term with this slug.
    pub fn get(&self, slug: &str) -> Option<&'static Term> {
        self.terms.iter().find(|t| t.slug == slug)
    }

    /// Whether `slug` is a term of this vocabulary.
    pub fn contains(&self, slug: &str) -> bool {
        self.get(slug).is_some()
    }

    /// All slugs joined with ", ", for error messages.
    pub fn slugs(&self) -> String {
        self.terms
            .iter()
            .map(|t| t.slug)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $ident:ident, $name:literal, [$(($slug:literal, $label:literal, $gloss:literal)),* $(,)?]) => {
        $(#[$doc])*
        pub static $ident: Vocabulary = Vocabulary {
            name: $name,
            terms: &[$(Term { slug: $slug, label: $label, gloss: $gloss }),*],
        };
    };
}

vocabulary!(
    /// Fields of volunteer work (werkvelden).
    CATEGORIES, "category", [
    ("zorg-verzorging", "Zorg en verzorging", "care and nursing"),
    ("welzijn-sociale-hulpverlening", "Welzijn en sociale hulpverlening", "welfare and social support"),
    ("jeugd-jongerenwerk", "Jeugd- en jongerenwerk", "youth work"),
    ("onderwijs-school", "Onderwijs en school", "education and school"),
    ("taal-inburgering", "Taal en inburgering", "language and integration"),
    ("vluchtelingen", "Vluchtelingen", "refugees"),
    ("sport-bewegen", "Sport en bewegen", "sport and exercise"),
    ("kunst-cultuur-erfgoed", "Kunst, cultuur en erfgoed", "arts, culture and heritage"),
    ("natuur-milieu-dieren", "Natuur, milieu en dieren", "nature, environment and animals"),
    ("buurt-wonen", "Buurt en wonen", "neighbourhood and housing"),
    ("geldzaken-administratie", "Geldzaken en administratie", "money matters and paperwork"),
    ("vervoer", "Vervoer", "transport"),
    ("evenementen", "Evenementen", "events"),
    ("levensbeschouwing", "Levensbeschouwing", "religion and belief"),
    ("belangenbehartiging-politiek", "Belangenbehartiging en politiek", "advocacy and politics"),
    ("bestuur-organisatie", "Bestuur en organisatie", "board and organisation"),
    ("digitaal-ict", "Digitaal en ICT", "digital and IT"),
    ("noodhulp-crisis", "Noodhulp en crisis", "emergency relief and crisis"),
    ("overig", "Overig", "other"),
]);

vocabulary!(
    /// Kinds of partner organisation.
    ORGANISATION_KINDS, "organisation kind", [
    ("vrijwilligersorganisatie", "Vrijwilligersorganisatie", "volunteer organisation"),
    ("vereniging", "Vereniging", "association"),
    ("stichting", "Stichting", "foundation"),
    ("burgerinitiatief", "Burgerinitiatief", "citizen initiative"),
    ("sociaalwerkorganisatie", "Sociaalwerkorganisatie", "social-work organisation"),
    ("zorgaanbieder", "Zorgaanbieder", "care provider"),
    ("school", "School", "school"),
    ("bedrijf", "Bedrijf", "company"),
    ("gemeente", "Gemeente", "municipality"),
    ("buurthuis", "Buurthuis", "neighbourhood centre"),
    ("levensbeschouwelijk", "Levensbeschouwelijke organisatie", "religious or belief organisation"),
    ("steunpunt", "Steunpunt vrijwilligerswerk", "volunteer support centre"),
]);

vocabulary!(
    /// Expertise of partners, for referring people to the right place.
    EXPERTISE, "expertise", [
    ("schuldhulp", "Schuldhulp", "debt help"),
    ("verslavingszorg", "Verslavingszorg", "addiction care"),
    ("ggz", "Geestelijke gezondheidszorg", "mental health care"),
    ("eenzaamheid", "Eenzaamheid", "loneliness"),
    ("mantelzorg", "Mantelzorg", "informal care"),
    ("opvoeding", "Opvoeding", "parenting"),
    ("wonen", "Wonen", "housing"),
    ("werk-participatie", "Werk en participatie", "work and participation"),
    ("juridisch", "Juridisch", "legal"),
    ("huiselijk-geweld", "Huiselijk geweld", "domestic violence"),
    ("taal", "Taal", "language"),
    ("digitale-vaardigheden", "Digitale vaardigheden", "digital skills"),
]);

vocabulary!(
    /// Target groups of vacancies and partners.
    TARGET_GROUPS, "target group", [
    ("kinderen", "Kinderen", "children"),
    ("jongeren", "Jongeren", "young people"),
    ("ouderen", "Ouderen", "older people"),
    ("mensen-met-beperking", "Mensen met een beperking", "people with disabilities"),
    ("nieuwkomers", "Nieuwkomers", "newcomers"),
    ("mantelzorgers", "Mantelzorgers", "informal carers"),
    ("gezinnen", "Gezinnen", "families"),
    ("iedereen", "Iedereen", "everyone"),
]);

vocabulary!(
    /// How a volunteer engages with a vacancy.
    ENGAGEMENTS, "engagement", [
    ("eenmalig", "Eenmalig", "one-off"),
    ("kortlopend", "Kortlopend", "short-term"),
    ("structureel", "Structureel", "ongoing"),
    ("groepsklus", "Groepsklus", "group task"),
]);

vocabulary!(
    /// How a partner relates to the steunpunt.
    RELATIONS, "relation", [
    ("ontwikkelpartner", "Ontwikkelpartner", "development partner"),
    ("samenwerkingspartner", "Samenwerkingspartner", "cooperation partner"),
    ("klankbordgroep", "Klankbordgroep", "sounding board"),
    ("aangesloten", "Aangesloten", "member organisation"),
]);

vocabulary!(
    /// When the work takes place.
    TIMES_OF_DAY, "time of day", [
    ("ochtend", "Ochtend", "morning"),
    ("middag", "Middag", "afternoon"),
    ("avond", "Avond", "evening"),
    ("weekend", "Weekend", "weekend"),
    ("flexibel", "Flexibel", "flexible"),
]);

/// Every vocabulary, for listing in help texts and the API.
pub static ALL: [&Vocabulary; 7] = [
    &CATEGORIES,
    &ORGANISATION_KINDS,
    &EXPERTISE,
    &TARGET_GROUPS,
    &ENGAGEMENTS,
    &RELATIONS,
    &TIMES_OF_DAY,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_slug_shaped() {
        for vocabulary in ALL {
            let mut seen = std::collections::BTreeSet::new();
            for term in vocabulary.terms {
                assert!(
                    seen.insert(term.slug),
                    "{} repeats {}",
                    vocabulary.name,
                    term.slug
                );
                assert!(crate::id::is_slug(term.slug), "{}", term.slug);
                assert!(!term.label.is_empty() && !term.gloss.is_empty());
            }
        }
        assert_eq!(CATEGORIES.terms.len(), 19);
        assert_eq!(ORGANISATION_KINDS.terms.len(), 12);
        assert_eq!(EXPERTISE.terms.len(), 12);
        assert_eq!(TARGET_GROUPS.terms.len(), 8);
    }
}

//! A deterministic generator of one steunpunt's data: partner organisations and vacancies
//! with Dutch titles and descriptions, on real four-digit postcodes of its municipality.
//! The same seed and municipality always give the same records (and so the same ids).

use std::collections::BTreeMap;

use rand::seq::IndexedRandom as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use steunpunt_protocol::body::{Contact, Location, Mas, Organisation, OrganisationRef, Vacancy};
use steunpunt_protocol::places::{Pc4, lookup_place};
use steunpunt_protocol::text::fold;
use steunpunt_protocol::{Date, RecordId};

/// (title, description, category, target group, MaS-suitable)
const WORK: &[(&str, &str, &str, &str, bool)] = &[
    (
        "Voorleesvrijwilliger in de bibliotheek",
        "Lees wekelijks voor aan kinderen van 4 tot 8 jaar en help ze de liefde voor boeken te ontdekken.",
        "onderwijs-school",
        "kinderen",
        true,
    ),
    (
        "Taalmaatje voor nieuwkomers",
        "Oefen een uur per week Nederlands met een nieuwkomer: boodschappen doen, formulieren lezen, praten over het dagelijks leven.",
        "taal-inburgering",
        "nieuwkomers",
        false,
    ),
    (
        "Boodschappenmaatje voor ouderen",
        "Ga samen met een oudere buurtbewoner boodschappen doen en maak een praatje onderweg.",
        "zorg-verzorging",
        "ouderen",
        true,
    ),
    (
        "Chauffeur voor de buurtbus",
        "Rijd een vast dagdeel per week met de buurtbus en breng ouderen naar de dokter of de markt.",
        "vervoer",
        "ouderen",
        false,
    ),
    (
        "Trainer jeugdvoetbal",
        "Train een jeugdteam op woensdagmiddag en begeleid de wedstrijden op zaterdag.",
        "sport-bewegen",
        "jongeren",
        true,
    ),
    (
        "Natuurwerkdag in het bos",
        "Help een dag mee met snoeien, opruimen en nestkasten ophangen in het natuurgebied.",
        "natuur-milieu-dieren",
        "iedereen",
        true,
    ),
    (
        "Huiswerkbegeleider",
        "Begeleid scholieren bij hun huiswerk en help ze plannen voor toetsen.",
        "onderwijs-school",
        "jongeren",
        true,
    ),
    (
        "Maatje voor eenzame ouderen",
        "Bezoek een oudere die weinig contacten heeft: koffie drinken, wandelen, een spelletje doen.",
        "welzijn-sociale-hulpverlening",
        "ouderen",
        true,
    ),
    (
        "Thuisadministratie-vrijwilliger",
        "Help gezinnen hun post, rekeningen en toeslagen op orde te brengen.",
        "geldzaken-administratie",
        "gezinnen",
        false,
    ),
    (
        "Hulp bij het buurtfeest",
        "Help met opbouwen, de kinderactiviteiten en de bar tijdens het jaarlijkse buurtfeest.",
        "evenementen",
        "iedereen",
        true,
    ),
    (
        "Begeleider digicafé",
        "Help ouderen met hun telefoon, tablet en DigiD tijdens het wekelijkse digicafé.",
        "digitaal-ict",
        "ouderen",
        true,
    ),
    (
        "Gastheer of gastvrouw in het museum",
        "Ontvang bezoekers, vertel over de collectie en help bij rondleidingen.",
        "kunst-cultuur-erfgoed",
        "iedereen",
        true,
    ),
    (
        "Verzorger in het dierenasiel",
        "Verzorg en knuffel de katten en honden, maak de hokken schoon en laat honden uit.",
        "natuur-milieu-dieren",
        "iedereen",
        true,
    ),
    (
        "Medewerker voedselbank",
        "Sorteer producten en stel pakketten samen voor gezinnen die het even niet redden.",
        "noodhulp-crisis",
        "gezinnen",
        true,
    ),
    (
        "Gastvrouw in de buurtkamer",
        "Zet koffie, maak een praatje en zorg dat iedereen zich welkom voelt in de buurtkamer.",
        "buurt-wonen",
        "iedereen",
        true,
    ),
    (
        "Penningmeester van de vereniging",
        "Beheer de financiën van een kleine vereniging en stel het jaarverslag op.",
        "bestuur-organisatie",
        "iedereen",
        false,
    ),
    (
        "Sportbuddy voor mensen met een beperking",
        "Sport samen met iemand met een beperking: zwemmen, fitness of wandelen.",
        "sport-bewegen",
        "mensen-met-beperking",
        true,
    ),
    (
        "Vrijwilliger mantelzorgcafé",
        "Ontvang mantelzorgers, luister naar hun verhaal en wijs de weg naar ondersteuning.",
        "welzijn-sociale-hulpverlening",
        "mantelzorgers",
        false,
    ),
    (
        "Knutselbegeleider op de kinderboerderij",
        "Organiseer knutselactiviteiten en help de dieren te voeren met de kinderen.",
        "jeugd-jongerenwerk",
        "kinderen",
        true,
    ),
    (
        "Tuinier in de buurtmoestuin",
        "Zaai, wied en oogst samen met buurtbewoners in de gemeenschappelijke moestuin.",
        "natuur-milieu-dieren",
        "iedereen",
        true,
    ),
];

/// (name pattern, kind, expertise)
/// Work done at a place of its own: the vacancy names that organisation.
const OWN_ORGANISATION: &[(&str, &str)] = &[
    ("Verzorger in het dierenasiel", "Dierenasiel {}"),
    ("Gastheer of gastvrouw in het museum", "Stadsmuseum {}"),
    ("Natuurwerkdag in het bos", "IVN {}"),
];

/// Whether a partner called `name` is a natural place for work of `category`.
fn fits(category: &str, name: &str) -> bool {
    let partners: &[&str] = match category {
        "onderwijs-school" => &["Bibliotheek", "Jeugd", "Taalhuis"],
        "taal-inburgering" => &["Taalhuis", "Vluchtelingenwerk", "Bibliotheek"],
        "welzijn-sociale-hulpverlening" => &["Welzijn", "Humanitas", "Burgerinitiatief"],
        "zorg-verzorging" => &["Mantelzorg", "GGZ", "Humanitas"],
        "digitaal-ict" => &["SeniorWeb", "Bibliotheek"],
        "sport-bewegen" | "bestuur-organisatie" => &["Sportvereniging"],
        "buurt-wonen" | "natuur-milieu-dieren" | "evenementen" => {
            &["Buurthuis", "Wijkteam", "Burgerinitiatief"]
        }
        "vervoer" => &["Welzijn", "Humanitas"],
        "geldzaken-administratie" => &["SchuldHulpMaatje", "Juridisch", "diaconie"],
        "noodhulp-crisis" => &["Voedselbank", "diaconie"],
        "jeugd-jongerenwerk" => &["Jeugd", "Sportvereniging", "Buurthuis"],
        "kunst-cultuur-erfgoed" => &["Bibliotheek"],
        _ => &[],
    };
    partners.iter().any(|p| name.contains(p))
}

const PARTNERS: &[(&str, &str, &str)] = &[
    (
        "SchuldHulpMaatje {}",
        "vrijwilligersorganisatie",
        "schuldhulp",
    ),
    (
        "Stichting Welzijn {}",
        "sociaalwerkorganisatie",
        "eenzaamheid",
    ),
    ("Humanitas {}", "vrijwilligersorganisatie", "eenzaamheid"),
    (
        "Mantelzorgsteunpunt {}",
        "sociaalwerkorganisatie",
        "mantelzorg",
    ),
    ("Taalhuis {}", "stichting", "taal"),
    ("Buurthuis De Schakel {}", "buurthuis", "wonen"),
    ("Jeugd- en gezinsteam {}", "gemeente", "opvoeding"),
    ("Novadic-Kentron {}", "zorgaanbieder", "verslavingszorg"),
    ("GGZ-inloop {}", "zorgaanbieder", "ggz"),
    ("Juridisch Loket {}", "stichting", "juridisch"),
    ("Veilig Thuis {}", "stichting", "huiselijk-geweld"),
    ("Werkplaats {}", "stichting", "werk-participatie"),
    ("SeniorWeb {}", "vereniging", "digitale-vaardigheden"),
    ("Voedselbank {}", "stichting", "schuldhulp"),
    (
        "Burgerinitiatief Samen {}",
        "burgerinitiatief",
        "eenzaamheid",
    ),
    ("Sportvereniging {}", "vereniging", "werk-participatie"),
    ("Vluchtelingenwerk {}", "vrijwilligersorganisatie", "taal"),
    ("Bibliotheek {}", "stichting", "digitale-vaardigheden"),
    (
        "Kerkelijke diaconie {}",
        "levensbeschouwelijk",
        "schuldhulp",
    ),
    ("Wijkteam {}", "gemeente", "wonen"),
];

const ENGAGEMENTS: &[&str] = &["eenmalig", "kortlopend", "structureel", "groepsklus"];

/// One steunpunt's generated data.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Partner organisations with their ids.
    pub organisations: Vec<(RecordId, Organisation)>,
    /// Vacancies with their ids.
    pub vacancies: Vec<(RecordId, Vacancy)>,
}

fn id(text: String) -> RecordId {
    RecordId::slugify(&text).unwrap_or_else(|| unreachable!("generated names always make ids"))
}

fn web_name(text: &str) -> String {
    fold(text)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Generates `organisations` partners and `vacancies` vacancies for `municipality`.
/// Panics if the municipality is not in the PC4 table (the demo uses real ones).
pub fn generate(
    municipality: &str,
    seed: u64,
    organisations: usize,
    vacancies: usize,
) -> Generated {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ fold(municipality)
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let postcodes: Vec<Pc4> = lookup_place(municipality)
        .iter()
        .map(|p| Pc4(p.pc4))
        .collect();
    assert!(
        !postcodes.is_empty(),
        "{municipality} is not a place in the PC4 table"
    );
    let location = |rng: &mut ChaCha8Rng| Location {
        municipality: municipality.to_owned(),
        pc4: postcodes.choose(rng).copied(),
        lat: None,
        lon: None,
    };
    let organisations: Vec<(RecordId, Organisation)> = (0..organisations)
        .map(|i| {
            let (pattern, kind, expertise) = PARTNERS[i % PARTNERS.len()];
            let mut name = pattern.replace("{}", municipality);
            if i >= PARTNERS.len() {
                name = format!("{name} {}", i / PARTNERS.len() + 1);
            }
            let domain = web_name(&name);
            let organisation = Organisation {
                name: name.clone(),
                kind: kind.into(),
                kvk: Some(format!(
                    "{:08}",
                    rng.random_range(10_000_000..99_999_999u32)
                )),
                description: format!("{name} helpt inwoners van {municipality} met {expertise}."),
                website: Some(format!("https://www.{domain}.nl")),
                contact: Contact {
                    email: Some(format!("info@{domain}.nl")),
                    ..Contact::default()
                },
                location: location(&mut rng),
                expertise: vec![expertise.into()],
                target_groups: vec!["iedereen".into()],
                relation: Some(
                    ["samenwerkingspartner", "aangesloten", "ontwikkelpartner"][i % 3].into(),
                ),
                services: Some("Verwijzen kan via het steunpunt of rechtstreeks.".into()),
                vetted_on: Date::parse("2026-10-01").ok(),
            };
            (id(name), organisation)
        })
        .collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let vacancies = (0..vacancies)
        .map(|i| {
            let (title, description, category, group, mas) = WORK[i % WORK.len()];
            // Work that has an organisation of its own names it; other work goes to a
            // partner whose field fits, so the pairs read naturally.
            let fitting: Vec<&(RecordId, Organisation)> = organisations
                .iter()
                .filter(|(_, o)| fits(category, &o.name))
                .collect();
            let pool: Vec<&(RecordId, Organisation)> = if fitting.is_empty() {
                organisations.iter().collect()
            } else {
                fitting
            };
            let partner = pool[rng.random_range(0..pool.len().max(1)) % pool.len().max(1)];
            let (organisation, contact) = match OWN_ORGANISATION.iter().find(|(t, _)| *t == title) {
                Some((_, pattern)) => {
                    let name = pattern.replace("{}", municipality);
                    let contact = Contact {
                        email: Some(format!("vrijwilligers@{}.nl", web_name(&name))),
                        ..Contact::default()
                    };
                    (
                        OrganisationRef {
                            id: None,
                            name: Some(name),
                        },
                        contact,
                    )
                }
                None => (
                    OrganisationRef {
                        id: Some(partner.0.clone()),
                        name: None,
                    },
                    partner.1.contact.clone(),
                ),
            };
            let suitable = mas && rng.random_bool(0.7);
            let count = seen.entry(title).or_default();
            *count += 1;
            let record_id = if *count == 1 {
                id(title.to_owned())
            } else {
                id(format!("{title} {count}"))
            };
            let vacancy = Vacancy {
                title: title.to_owned(),
                description: description.into(),
                organisation,
                categories: vec![category.into()],
                target_groups: vec![group.into()],
                engagement: ENGAGEMENTS[rng.random_range(0..ENGAGEMENTS.len())].into(),
                remote: category == "digitaal-ict" && rng.random_bool(0.3),
                mas: Mas {
                    suitable,
                    min_age: suitable.then(|| [12, 13, 14, 15, 16][rng.random_range(0..5)]),
                },
                hours_per_week: Some(f32::from(rng.random_range(1u8..=8))),
                location: location(&mut rng),
                contact,
                volunteers_needed: Some(rng.random_range(1..=6)),
                ..Vacancy::default()
            };
            (record_id, vacancy)
        })
        .collect();
    Generated {
        organisations,
        vacancies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steunpunt_protocol::{Body, Kind, Payload, Timestamp, validate::Origin};

    #[test]
    fn generated_records_are_valid_deterministic_and_local() {
        let a = generate("Tilburg", 7, 20, 100);
        let b = generate("Tilburg", 7, 20, 100);
        assert_eq!(a.vacancies.len(), 100);
        assert_eq!(a.organisations.len(), 20);
        assert_eq!(
            a.vacancies.iter().map(|v| &v.0).collect::<Vec<_>>(),
            b.vacancies.iter().map(|v| &v.0).collect::<Vec<_>>()
        );
        let key = steunpunt_protocol::testing::key(1).id();
        for (id, v) in &a.vacancies {
            assert_eq!(v.location.municipality, "Tilburg");
            let payload = Payload {
                version: 1,
                kind: Kind::Vacancy,
                id: id.clone(),
                revision: 1,
                updated_at: Timestamp(1),
                valid_until: Timestamp(2),
                body: Some(Body::Vacancy(v.clone())),
            };
            payload
                .validate(&key, Origin::Local)
                .unwrap_or_else(|e| panic!("{id}: {e}"));
        }
        let ids: std::collections::BTreeSet<_> = a.vacancies.iter().map(|v| v.0.clone()).collect();
        assert_eq!(ids.len(), 100, "ids are unique");
    }
}

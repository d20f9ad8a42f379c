//! The public site's pages, in Dutch: the search page, a vacancy, a partner organisation,
//! the widget and the embed page. Server-rendered with maud, which escapes every value it
//! is given; nothing here needs JavaScript. The layout follows WCAG 2.1 AA: one `h1`,
//! labelled fields, a skip link, landmarks, visible focus, contrast checked (the main
//! colour against white when the configuration is read, the rest in `site.css`).

use maud::{DOCTYPE, Markup, PreEscaped, html};
use steunpunt_api::{Hit, RecordView};
use steunpunt_protocol::body::{Body, Organisation, Vacancy};
use steunpunt_protocol::places::lookup_pc4;
use steunpunt_protocol::vocab::{
    CATEGORIES, ENGAGEMENTS, EXPERTISE, ORGANISATION_KINDS, TARGET_GROUPS, TIMES_OF_DAY, Vocabulary,
};
use steunpunt_protocol::{Date, Timestamp};

use super::query::{FieldError, Form, MUNICIPALITY_ONLY, RADII};

/// What every page shows of the site itself.
pub struct Look {
    /// The site's name.
    pub title: String,
    /// The steunpunt that runs it.
    pub steunpunt: String,
    /// Whether there is a logo at `/logo`.
    pub logo: bool,
    /// Own records only (the site says "our vacancies"), or the region's.
    pub own_only: bool,
    /// The region's name, when the profile gives one.
    pub region: Option<String>,
}

/// A record's path on this site: `/vacature/{author}/{id}` or `/organisatie/…`.
pub fn path_of(record: &RecordView) -> String {
    let kind = match record.body {
        Some(Body::Organisation(_)) => "organisatie",
        _ => "vacature",
    };
    format!("/{kind}/{}/{}", record.author, record.id)
}

/// The label of `slug` in `vocabulary`, or the slug itself (from a newer vocabulary).
fn label<'a>(vocabulary: &Vocabulary, slug: &'a str) -> &'a str {
    vocabulary.get(slug).map_or(slug, |t| t.label)
}

fn labels(vocabulary: &Vocabulary, slugs: &[String]) -> String {
    slugs
        .iter()
        .map(|s| label(vocabulary, s))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` with at most one decimal, as Dutch writes it (`2,5`).
pub fn decimal(value: f64) -> String {
    let text = format!("{:.1}", value);
    text.trim_end_matches(".0").replace('.', ",")
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `1 maart 2027`.
pub fn dutch_date(date: Date) -> String {
    let d = date.0;
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[usize::from(u8::from(d.month())) - 1],
        d.year()
    )
}

/// The date of a moment, in Dutch.
pub fn dutch_day(moment: Timestamp) -> String {
    let text = moment.to_string();
    text.get(..10)
        .and_then(|d| Date::parse(d).ok())
        .map_or(text, dutch_date)
}

/// The place of a location: the place name of its postcode, else its municipality.
fn place(location: &steunpunt_protocol::body::Location) -> String {
    match location.pc4.and_then(|p| lookup_pc4(p.0)) {
        Some(p) if !p.name.eq_ignore_ascii_case(&location.municipality) => {
            format!("{} (gemeente {})", p.name, location.municipality)
        }
        _ => location.municipality.clone(),
    }
}

fn hours(vacancy: &Vacancy) -> Option<String> {
    vacancy
        .hours_per_week
        .map(|h| format!("{} uur per week", decimal(f64::from(h))))
}

fn period(vacancy: &Vacancy) -> Option<String> {
    match (vacancy.start, vacancy.end) {
        (Some(s), Some(e)) => Some(format!(
            "van {} tot en met {}",
            dutch_date(s),
            dutch_date(e)
        )),
        (Some(s), None) => Some(format!("vanaf {}", dutch_date(s))),
        (None, Some(e)) => Some(format!("tot en met {}", dutch_date(e))),
        (None, None) => None,
    }
}

/// What every page's head starts with.
fn head_basics(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        title { (title) }
        link rel="stylesheet" href="/site.css";
    }
}

/// The frame of every page but the widget.
pub fn layout(look: &Look, title: &str, main: Markup, head: Option<Markup>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                (head_basics(&format!("{title} – {}", look.title)))
                link rel="alternate" type="application/atom+xml" title=(format!("Nieuwe vacatures – {}", look.title)) href="/feed.atom";
                link rel="alternate" type="application/feed+json" title=(format!("Nieuwe vacatures – {}", look.title)) href="/feed.json";
                @if let Some(head) = head { (head) }
            }
            body {
                a.skip href="#inhoud" { "Naar de inhoud" }
                header.site {
                    a.home href="/" {
                        @if look.logo { img src="/logo" alt="" width="48" height="48"; }
                        span { (look.title) }
                    }
                }
                main #inhoud tabindex="-1" { (main) }
                footer.site {
                    p {
                        @if look.own_only {
                            "De vacatures van " (look.steunpunt) "."
                        } @else {
                            "De vacatures van " (look.steunpunt) " en van de steunpunten in de regio"
                            @if let Some(region) = &look.region { " " (region) }
                            " waarmee het samenwerkt."
                        }
                        " Deze website gebruikt geen cookies en volgt u niet."
                    }
                    p {
                        a href="/feed.atom" { "Nieuwe vacatures volgen (Atom)" }
                        " · "
                        a href="/feed.json" { "JSON Feed" }
                        " · "
                        a href="/insluiten" { "Op uw eigen website zetten" }
                    }
                }
            }
        }
    }
}

/// A labelled choice of one term of `vocabulary` (or `none`), with its error if any.
fn choice(
    field: &str,
    label: &str,
    vocabulary: &Vocabulary,
    chosen: &str,
    none: &str,
    error: Option<&FieldError>,
) -> Markup {
    let chosen = chosen.trim();
    html! {
        div.field {
            label for=(field) { (label) }
            select id=(field) name=(field) aria-describedby=[described(error, field)] {
                option value="" selected[chosen.is_empty()] { (none) }
                @for term in vocabulary.terms {
                    option value=(term.slug) selected[chosen == term.slug] { (term.label) }
                }
            }
            (field_error(error, field))
        }
    }
}

/// The message under a field that is wrong, tied to it with `aria-describedby`.
fn field_error(error: Option<&FieldError>, field: &str) -> Markup {
    html! {
        @if let Some(e) = error.filter(|e| e.field == field) {
            p.error id=(format!("fout-{field}")) { "Let op: " (e.message) }
        }
    }
}

fn described(error: Option<&FieldError>, field: &str) -> Option<String> {
    error
        .filter(|e| e.field == field)
        .map(|_| format!("fout-{field}"))
}

/// The search form, shared by the search page and the embed page.
pub fn search_form(
    form: &Form,
    error: Option<&FieldError>,
    action: &str,
    button: &str,
    extra: Option<Markup>,
) -> Markup {
    // The less used filters fold away (a phone shows the results sooner), open when one
    // of them is set or wrong, and always on the embed page, where they are the point.
    let set = |v: &str| !v.trim().is_empty();
    let open_more = extra.is_some()
        || [&form.categorie, &form.doelgroep, &form.inzet, &form.thuis]
            .iter()
            .any(|v| set(v))
        || !matches!(form.sortering.trim(), "" | "relevantie")
        || error
            .is_some_and(|e| matches!(e.field, "categorie" | "doelgroep" | "inzet" | "sortering"));
    let radius = if form.straal.trim().is_empty() {
        "15"
    } else {
        form.straal.trim()
    };
    html! {
        form.search method="get" action=(action) {
            div.field {
                label for="wat" { "Wat wilt u doen?" }
                input #wat type="search" name="wat" value=(form.wat) maxlength="200" placeholder="bijvoorbeeld voorlezen, koken, tuin" aria-describedby=[described(error, "wat")];
                (field_error(error, "wat"))
            }
            div.field {
                label for="waar" { "Waar? (plaats of postcode)" }
                input #waar type="text" name="waar" value=(form.waar) maxlength="80" autocomplete="postal-code" aria-describedby=[described(error, "waar")];
                (field_error(error, "waar"))
            }
            div.field {
                label for="straal" { "Afstand" }
                select #straal name="straal" aria-describedby=[described(error, "straal")] {
                    @for km in RADII {
                        option value=(km) selected[radius == km.to_string()] { "binnen " (km) " km" }
                    }
                    option value=(MUNICIPALITY_ONLY) selected[radius == MUNICIPALITY_ONLY] { "alleen deze gemeente" }
                }
                (field_error(error, "straal"))
            }
            fieldset.field {
                legend { "Maatschappelijke stage (MaS)" }
                div.check {
                    input #mas type="checkbox" name="mas" value="ja" checked[form.mas()];
                    label for="mas" { "Alleen geschikt voor een maatschappelijke stage" }
                }
                label for="leeftijd" { "Leeftijd van de leerling" }
                input #leeftijd type="number" name="leeftijd" min="6" max="25" inputmode="numeric" value=(form.leeftijd) aria-describedby=[described(error, "leeftijd")];
                (field_error(error, "leeftijd"))
            }
            details.more open[open_more] {
                summary { "Meer zoekopties" }
                div.more-fields {
                    (choice("categorie", "Soort werk", &CATEGORIES, &form.categorie, "Alle soorten werk", error))
                    (choice("doelgroep", "Voor wie", &TARGET_GROUPS, &form.doelgroep, "Alle doelgroepen", error))
                    (choice("inzet", "Hoe vaak", &ENGAGEMENTS, &form.inzet, "Maakt niet uit", error))
                div.field.check {
                    input #thuis type="checkbox" name="thuis" value="ja" checked[form.remote()];
                    label for="thuis" { "Alleen werk dat ook thuis kan" }
                }
                div.field {
                    label for="sortering" { "Volgorde" }
                    select #sortering name="sortering" aria-describedby=[described(error, "sortering")] {
                        option value="relevantie" selected[matches!(form.sortering.trim(), "" | "relevantie")] { "Best passend" }
                        option value="afstand" selected[form.sortering.trim() == "afstand"] { "Dichtstbij" }
                        option value="nieuw" selected[form.sortering.trim() == "nieuw"] { "Nieuwste" }
                    }
                    (field_error(error, "sortering"))
                }
                }
            }
            @if let Some(extra) = extra { (extra) }
            button type="submit" { (button) }
        }
    }
}

/// For screen readers: that a link opens a new tab.
fn new_tab(link_target: Option<&str>) -> Markup {
    html! { @if link_target.is_some() { span.sr { " (opent in een nieuw tabblad)" } } }
}

fn result(hit: &Hit, own_only: bool, link_target: Option<&str>) -> Markup {
    let record = &hit.record;
    let Some(Body::Vacancy(v)) = &record.body else {
        return html! {};
    };
    html! {
        li.result {
            h2 { a href=(path_of(record)) target=[link_target] { (v.title) (new_tab(link_target)) } }
            p.meta {
                span { (v.organisation.name.as_deref().unwrap_or("")) }
                " · " span { (place(&v.location)) }
                @if let Some(km) = hit.distance_km { " · " span { (decimal(km)) " km" } }
                @if let Some(h) = hours(v) { " · " span { (h) } }
                @if v.remote { " · " span { "ook thuis" } }
                @if v.mas.suitable { " · " span { "MaS" } }
            }
            @if !own_only {
                @if let Some(name) = &hit.steunpunt { p.via { "via " (name) } }
            }
        }
    }
}

/// The search page: the form, and the results or what is wrong with the form.
pub fn search_page(
    look: &Look,
    form: &Form,
    outcome: Result<(&[Hit], usize), &FieldError>,
    shown: usize,
) -> Markup {
    let error = outcome.as_ref().err().copied();
    let main = html! {
        h1 { "Vrijwilligerswerk zoeken" }
        p.lead {
            @if look.own_only { "Vacatures van " (look.steunpunt) "." }
            @else { "Vacatures van " (look.steunpunt) " en de steunpunten in de regio." }
        }
        (search_form(form, error, "/", "Zoeken", None))
        section aria-labelledby="resultaten" {
            @match outcome {
                Err(e) => {
                    h2 #resultaten { "Controleer uw zoekopdracht" }
                    p.error role="alert" { (e.message) }
                }
                Ok((hits, total)) => {
                    h2 #resultaten role="status" {
                        @if total == 0 { "Geen vacatures gevonden" }
                        @else if total == 1 { "1 vacature gevonden" }
                        @else if hits.len() < total { (hits.len()) " van " (total) " vacatures" }
                        @else { (total) " vacatures gevonden" }
                    }
                    @if total == 0 {
                        p { "Probeer minder of andere woorden, of een grotere afstand." }
                    }
                    ol.results { @for hit in hits { (result(hit, look.own_only, None)) } }
                    @if hits.len() < total && shown < super::query::MAX_SHOWN {
                        p { a.more href=(format!("/?{}", form.with_count((shown * 2).min(super::query::MAX_SHOWN)).to_query_string())) { "Meer vacatures tonen" } }
                    }
                }
            }
        }
    };
    layout(look, "Vrijwilligerswerk zoeken", main, None)
}

fn row(name: &str, value: Option<Markup>) -> Markup {
    html! {
        @if let Some(value) = value {
            dt { (name) }
            dd { (value) }
        }
    }
}

fn text(value: impl Into<String>) -> Markup {
    html! { (value.into()) }
}

fn non_empty(value: String) -> Option<String> {
    Some(value).filter(|v| !v.is_empty())
}

/// Paragraphs of a description as written (blank lines part them).
fn paragraphs(text: &str) -> Markup {
    html! {
        @for part in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { @for (i, line) in part.lines().enumerate() { @if i > 0 { br; } (line) } }
        }
    }
}

/// One vacancy: everything a volunteer needs to respond, with its JobPosting JSON-LD.
pub fn vacancy_page(
    look: &Look,
    record: &RecordView,
    vacancy: &Vacancy,
    organisation: Option<&RecordView>,
    publisher: Option<&str>,
    json_ld: &str,
) -> Markup {
    let v = vacancy;
    let org_name = organisation
        .and_then(|o| o.title())
        .or(v.organisation.name.as_deref())
        .unwrap_or("");
    let contact = &v.contact;
    let main = html! {
        p.back { a href="/" { "← Alle vacatures" } }
        h1 { (v.title) }
        p.meta {
            @if let Some(org) = organisation { a href=(path_of(org)) { (org_name) } } @else { (org_name) }
            " · " (place(&v.location))
        }
        @if let (false, Some(name)) = (look.own_only, publisher) { p.via { "via " (name) } }
        section aria-labelledby="over" {
            h2 #over { "Over dit werk" }
            (paragraphs(&v.description))
        }
        section aria-labelledby="details" {
            h2 #details { "Wat u moet weten" }
            dl.details {
                (row("Soort werk", non_empty(labels(&CATEGORIES, &v.categories)).map(text)))
                (row("Voor wie", non_empty(labels(&TARGET_GROUPS, &v.target_groups)).map(text)))
                (row("Hoe vaak", Some(text(label(&ENGAGEMENTS, &v.engagement)))))
                (row("Tijd", hours(v).map(text)))
                (row("Wanneer", non_empty(labels(&TIMES_OF_DAY, &v.time_of_day)).map(text)))
                (row("Periode", period(v).map(text)))
                (row("Waar", Some(text(if v.remote { format!("{} of thuis", place(&v.location)) } else { place(&v.location) }))))
                (row("Aantal vrijwilligers", v.volunteers_needed.map(|n| text(n.to_string()))))
                (row("Maatschappelijke stage", v.mas.suitable.then(|| text(match v.mas.min_age {
                    Some(age) => format!("geschikt, vanaf {age} jaar"),
                    None => "geschikt".to_owned(),
                }))))
                (row("Wat we vragen", (!v.requirements.is_empty()).then(|| html! { ul { @for r in &v.requirements { li { (r) } } } })))
                (row("Wat we bieden", (!v.rewards.is_empty()).then(|| html! { ul { @for r in &v.rewards { li { (r) } } } })))
            }
        }
        section.respond aria-labelledby="reageren" {
            h2 #reageren { "Reageren" }
            @if let Some(url) = &v.apply_url {
                p { a.button href=(url) rel="noopener" { "Reageer op deze vacature" } }
            }
            ul.contact {
                @if let Some(email) = &contact.email { li { "E-mail: " a href=(format!("mailto:{email}")) { (email) } } }
                @if let Some(phone) = &contact.phone { li { "Telefoon: " a href=(format!("tel:{}", phone.replace([' ', '-'], ""))) { (phone) } } }
                @if let Some(url) = &contact.url { li { "Website: " a href=(url) rel="noopener" { (url) } } }
            }
            p.small { "Bijgewerkt op " (dutch_day(record.updated_at)) ". Deze vacature staat hier tot " (dutch_day(record.valid_until)) "." }
        }
    };
    // `</` cannot occur in the JSON (see `json_ld_script`), so the script ends where it should.
    let head = html! { script type="application/ld+json" { (PreEscaped(json_ld)) } };
    layout(look, &v.title, main, Some(head))
}

/// JSON for a `<script>` data block: `<`, `>` and `&` as JSON escapes, so no text in a
/// record can end the block or open a comment in it.
pub fn json_ld_script(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A partner organisation: its public fields only (not its relation to the steunpunt,
/// its services note for staff or when it was vetted).
pub fn organisation_page(look: &Look, org: &Organisation, publisher: Option<&str>) -> Markup {
    let main = html! {
        p.back { a href="/" { "← Alle vacatures" } }
        h1 { (org.name) }
        p.meta { (label(&ORGANISATION_KINDS, &org.kind)) " · " (place(&org.location)) }
        @if let (false, Some(name)) = (look.own_only, publisher) { p.via { "via " (name) } }
        (paragraphs(&org.description))
        dl.details {
            (row("Deskundig in", non_empty(labels(&EXPERTISE, &org.expertise)).map(text)))
            (row("Voor wie", non_empty(labels(&TARGET_GROUPS, &org.target_groups)).map(text)))
            (row("Website", org.website.as_ref().map(|w| html! { a href=(w) rel="noopener" { (w) } })))
            (row("E-mail", org.contact.email.as_ref().map(|e| html! { a href=(format!("mailto:{e}")) { (e) } })))
            (row("Telefoon", org.contact.phone.as_ref().map(|p| text(p.clone()))))
            (row("KvK-nummer", org.kvk.as_ref().map(|k| text(k.clone()))))
        }
    };
    layout(look, &org.name, main, None)
}

/// A page that is not there (any more).
pub fn not_found(look: &Look, what: &str) -> Markup {
    let main = html! {
        h1 { (what) }
        p { "Misschien is de vacature vervuld of verlopen. " a href="/" { "Zoek andere vacatures" } "." }
    };
    layout(look, what, main, None)
}

/// A short page for answers that are not a page (too many requests, a busy node).
pub fn notice(look: &Look, title: &str, message: &str) -> Markup {
    layout(look, title, html! { h1 { (title) } p { (message) } }, None)
}

/// The widget: the latest or matching vacancies in a small frame for another website.
/// Links open on this site in a new tab, since the frame is too small to read them in.
pub fn widget(look: &Look, heading: &str, hits: &[Hit], more: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head { (head_basics(heading)) }
            body.widget {
                main {
                    h1 { (heading) }
                    @if hits.is_empty() { p { "Op dit moment geen vacatures." } }
                    ol.results { @for hit in hits { (result(hit, look.own_only, Some("_blank"))) } }
                    p { a.more href=(more) target="_blank" { "Alle vacatures bij " (look.title) (new_tab(Some("_blank"))) } }
                }
            }
        }
    }
}

/// The embed page: choose the widget's filters, copy the snippet, see the widget.
pub fn embed_page(
    look: &Look,
    form: &Form,
    error: Option<&FieldError>,
    snippet: &str,
    preview: &str,
) -> Markup {
    let main = html! {
        h1 { "De vacatures op uw eigen website" }
        p { "Scholen, bibliotheken, gemeenten en organisaties kunnen de vacatures van " (look.title) " op hun eigen website laten zien. Kies hieronder welke vacatures, en kopieer de code naar uw website. De lijst blijft vanzelf actueel." }
        (search_form(form, error, "/insluiten", "Code maken", Some(html! {
            div.field {
                label for="kop" { "Kop boven de lijst" }
                input #kop type="text" name="kop" value=(form.kop) maxlength="80";
            }
            div.field {
                label for="aantal" { "Aantal vacatures in de lijst" }
                input #aantal type="number" name="aantal" min="1" max=(super::query::MAX_WIDGET) value=(form.aantal) aria-describedby=[described(error, "aantal")];
                (field_error(error, "aantal"))
            }
        })))
        h2 { "De code" }
        p { "Plaats deze regel in de HTML van uw pagina:" }
        pre.snippet { code { (snippet) } }
        h2 { "Zo ziet het eruit" }
        iframe.preview src=(preview) title="Voorbeeld van de vacaturelijst" loading="lazy" {}
        h2 { "Volgen in een feedlezer" }
        p { "Dezelfde keuze als feed: " a href=(format!("/feed.atom?{}", form.to_query_string())) { "Atom" } " of " a href=(format!("/feed.json?{}", form.to_query_string())) { "JSON Feed" } "." }
    };
    layout(look, "Op uw eigen website", main, None)
}

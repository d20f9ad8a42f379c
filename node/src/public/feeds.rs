//! Feeds of new vacancies, for schools, libraries and municipalities to follow: Atom
//! (RFC 4287, written by `atom_syndication`) and JSON Feed 1.1. Entries carry the record's
//! federation-wide name (`urn:steunpunt:…`) as their id, so a vacancy keeps its id when
//! it is changed, and on every steunpunt's feed.

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Link, Person, Text};
use serde_json::{Value, json};
use steunpunt_api::Hit;
use steunpunt_api::schema_org::record_iri;
use steunpunt_protocol::Timestamp;
use steunpunt_protocol::body::Body;
use steunpunt_protocol::vocab::CATEGORIES;

use super::pages::path_of;

/// Longest summary in a feed entry, in characters.
const SUMMARY_CHARS: usize = 300;

fn moment(t: Timestamp) -> FixedDateTime {
    FixedDateTime::parse_from_rfc3339(&t.to_string()).unwrap_or_default()
}

fn summary(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SUMMARY_CHARS).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

fn iri(hit: &Hit) -> String {
    let r = &hit.record;
    record_iri(&r.author.to_string(), &r.kind.to_string(), r.id.as_str())
}

/// What a feed is: its title, where it is, the site it belongs to.
pub struct About<'a> {
    /// The feed's title.
    pub title: &'a str,
    /// The site's name: the feed's author.
    pub site: &'a str,
    /// The site's address, without a trailing slash.
    pub base: &'a str,
    /// The feed's own address.
    pub this: &'a str,
    /// The search page with the same filters.
    pub page: &'a str,
}

fn latest(hits: &[Hit], now: Timestamp) -> Timestamp {
    hits.iter()
        .map(|h| h.record.updated_at)
        .max()
        .unwrap_or(now)
}

/// The hits as an Atom feed.
pub fn atom(about: &About, hits: &[Hit], now: Timestamp) -> String {
    let entries = hits
        .iter()
        .filter_map(|hit| {
            let Some(Body::Vacancy(v)) = &hit.record.body else {
                return None;
            };
            let mut entry = Entry::default();
            entry.set_id(iri(hit));
            entry.set_title(Text::plain(v.title.clone()));
            entry.set_updated(moment(hit.record.updated_at));
            entry.set_links(vec![Link {
                href: format!("{}{}", about.base, path_of(&hit.record)),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            }]);
            entry.set_summary(Some(Text::plain(summary(&v.description))));
            entry.set_authors(vec![Person {
                name: v
                    .organisation
                    .name
                    .clone()
                    .or_else(|| hit.steunpunt.clone())
                    .unwrap_or_else(|| about.site.to_owned()),
                ..Person::default()
            }]);
            entry.set_categories(
                v.categories
                    .iter()
                    .map(|slug| Category {
                        term: slug.clone(),
                        label: CATEGORIES.get(slug).map(|t| t.label.to_owned()),
                        ..Category::default()
                    })
                    .collect::<Vec<_>>(),
            );
            Some(entry)
        })
        .collect::<Vec<_>>();
    let mut feed = Feed::default();
    feed.set_id(about.this.to_owned());
    feed.set_title(Text::plain(about.title.to_owned()));
    feed.set_updated(moment(latest(hits, now)));
    feed.set_lang(Some("nl".to_owned()));
    feed.set_authors(vec![Person {
        name: about.site.to_owned(),
        uri: Some(about.base.to_owned()),
        ..Person::default()
    }]);
    feed.set_links(vec![
        Link {
            href: about.this.to_owned(),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        },
        Link {
            href: about.page.to_owned(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        },
    ]);
    feed.set_entries(entries);
    feed.to_string()
}

/// The hits as a JSON Feed 1.1.
pub fn json_feed(about: &About, hits: &[Hit]) -> Value {
    let items: Vec<Value> = hits
        .iter()
        .filter_map(|hit| {
            let Some(Body::Vacancy(v)) = &hit.record.body else {
                return None;
            };
            Some(json!({
                "id": iri(hit),
                "url": format!("{}{}", about.base, path_of(&hit.record)),
                "title": v.title,
                "content_text": v.description,
                "summary": summary(&v.description),
                "date_modified": hit.record.updated_at.to_string(),
                "tags": v.categories.iter().map(|s| CATEGORIES.get(s).map_or(s.as_str(), |t| t.label)).collect::<Vec<_>>(),
                "authors": [{ "name": v.organisation.name.clone().or_else(|| hit.steunpunt.clone()) }],
            }))
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": about.title,
        "home_page_url": about.page,
        "feed_url": about.this,
        "language": "nl",
        "items": items,
    })
}

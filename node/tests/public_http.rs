//! The public site over plain HTTP, against a `steunpuntd` process: what it sends
//! (escaped text, its policies, no cookies, ETags), what it refuses (other methods, long
//! addresses, too many requests, the API's paths), what it never shows (internal fields,
//! withdrawn records), and feeds a feed reader can read.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::Path;

use serde_json::{Value, json};
use steunpunt_protocol::Kind;
use steunpunt_testkit::{Daemon, draft, init, public_site, vacancy};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Turns the site on in `dir`'s config.toml, with `per_minute` requests per client.
fn enable_site(dir: &Path, per_minute: u32) {
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("enabled = false", "enabled = true")
        .replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"")
        .replace(
            "requests_per_minute = 120",
            &format!("requests_per_minute = {per_minute}"),
        );
    std::fs::write(&path, text).unwrap();
}

struct Page {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn get(agent: &ureq::Agent, url: &str, etag: Option<&str>) -> Page {
    let mut request = agent.get(url);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let mut answer = request.call().unwrap();
    let headers = answer
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Page {
        status: answer.status().as_u16(),
        headers,
        body: answer.body_mut().read_to_string().unwrap_or_default(),
    }
}

#[test]
fn the_site_escapes_bounds_and_hides_what_it_must() {
    let root = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_steunpuntd"));
    let dir = init(bin, root.path(), "Steunpunt Oss", "Oss");
    enable_site(&dir, 40);
    let node = Daemon::start(bin, &dir);
    let site = public_site(&dir);
    let agent = agent();

    node.api
        .publish(
            Kind::Organisation,
            &draft(json!({
                "id": "zorg-oss",
                "name": "Zorg <Oss> & Co",
                "kind": "zorgaanbieder",
                "description": "Thuiszorg in Oss.",
                "contact": { "email": "info@zorgoss.nl", "person": "Jan de Vries" },
                "location": { "municipality": "Oss", "pc4": "5341" },
                "relation": "samenwerkingspartner",
                "services": "Alleen voor medewerkers: vraag naar Jan",
                "vetted_on": "2026-01-15",
            })),
            false,
        )
        .unwrap();
    let mut v = vacancy("Koken </script><script>alert(1)</script>", "Oss", "5341");
    v.insert("id".into(), "koken".into());
    v.insert("organisation".into(), json!({ "id": "zorg-oss" }));
    v.insert(
        "contact".into(),
        json!({ "email": "koken@zorgoss.nl", "person": "Marie Jansen" }),
    );
    node.api.publish(Kind::Vacancy, &v, false).unwrap();
    let me = node.api.status().unwrap().steunpunt_id.to_string();

    // Text is escaped in the page, and cannot end the JSON-LD block.
    let page = get(&agent, &format!("{site}/vacature/{me}/koken"), None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let start = page.body.find("application/ld+json\">").unwrap() + 21;
    let end = start + page.body[start..].find("</script>").unwrap();
    let posting: Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(posting["@type"], "JobPosting");
    assert!(posting["title"].as_str().unwrap().contains("</script>"));
    assert_eq!(posting["hiringOrganization"]["name"], "Zorg <Oss> & Co");
    // The organisation named by id only is named on the page, escaped.
    assert!(
        page.body.contains("Zorg &lt;Oss&gt; &amp; Co"),
        "{}",
        page.body
    );
    // Contact persons are not published to the public (PRIVACY.md).
    assert!(!page.body.contains("Marie Jansen"));

    // The policies, and no cookies.
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert!(page.header("set-cookie").is_none());
    let widget = get(&agent, &format!("{site}/widget"), None);
    assert!(
        widget
            .header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors *")
    );
    assert!(widget.header("x-frame-options").is_none());

    // A page the client already has is not sent again.
    let etag = page.header("etag").unwrap().to_owned();
    let again = get(&agent, &format!("{site}/vacature/{me}/koken"), Some(&etag));
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());

    // The partner page: public fields only.
    let org = get(&agent, &format!("{site}/organisatie/{me}/zorg-oss"), None);
    assert_eq!(org.status, 200);
    for internal in [
        "Alleen voor medewerkers",
        "Samenwerkingspartner",
        "2026",
        "Jan de Vries",
    ] {
        assert!(
            !org.body.contains(internal),
            "`{internal}` shown:\n{}",
            org.body
        );
    }

    // A wrong field is named; the page says what is allowed.
    let wrong = get(&agent, &format!("{site}/?leeftijd=honderd"), None);
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("fout-leeftijd"), "{}", wrong.body);
    assert!(wrong.body.contains("6 tot en met 25"), "{}", wrong.body);

    // Feeds a reader can read, with the vacancy's federation-wide id.
    let atom = get(&agent, &format!("{site}/feed.atom?wat=koken"), None);
    assert_eq!(atom.status, 200);
    assert!(
        atom.header("content-type")
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed: atom_syndication::Feed = atom.body.parse().unwrap();
    assert_eq!(feed.entries().len(), 1);
    assert_eq!(feed.authors()[0].name(), "Steunpunt Oss");
    assert_eq!(
        feed.entries()[0].id(),
        format!("urn:steunpunt:{me}:vacancy:koken")
    );
    assert!(
        feed.entries()[0].links()[0]
            .href()
            .ends_with(&format!("/vacature/{me}/koken"))
    );
    let json_feed: Value =
        serde_json::from_str(&get(&agent, &format!("{site}/feed.json"), None).body).unwrap();
    assert_eq!(json_feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json_feed["items"].as_array().unwrap().len(), 1);

    // Nothing of the API or the data directory is reachable; only reading is allowed.
    for path in [
        "/v1/status",
        "/metrics",
        "/v1/openapi.json",
        "/api.token",
        "/../api.token",
    ] {
        let p = get(&agent, &format!("{site}{path}"), None);
        assert_eq!(p.status, 404, "{path}");
        assert!(
            !p.body
                .contains(&node.api.status().unwrap().peer_id.to_string())
        );
    }
    let post = agent.post(&format!("{site}/")).send("wat=koken").unwrap();
    assert_eq!(post.status().as_u16(), 405);
    let long = get(&agent, &format!("{site}/?wat={}", "a".repeat(3000)), None);
    assert_eq!(long.status, 414);

    // A withdrawal is gone from every page at the next request.
    node.api.withdraw(Kind::Vacancy, "koken").unwrap();
    assert_eq!(
        get(&agent, &format!("{site}/vacature/{me}/koken"), None).status,
        404
    );
    let search = get(&agent, &format!("{site}/?wat=koken"), None);
    assert!(
        search.body.contains("Geen vacatures gevonden"),
        "{}",
        search.body
    );
    let feed: atom_syndication::Feed = get(&agent, &format!("{site}/feed.atom"), None)
        .body
        .parse()
        .unwrap();
    assert!(feed.entries().is_empty());

    // Too many requests from one address: 429 with when to come back.
    let mut limited = None;
    for _ in 0..60 {
        let p = get(&agent, &format!("{site}/site.css"), None);
        if p.status == 429 {
            limited = Some(p);
            break;
        }
    }
    let limited = limited.expect("40 requests a minute are allowed, not 60 and more");
    assert!(limited.header("retry-after").is_some());
    assert!(limited.body.contains("Probeer het over een minuut opnieuw"));
}

#[test]
fn a_colour_too_light_to_read_white_text_on_is_refused_with_the_reason() {
    let root = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_steunpuntd"));
    let dir = init(bin, root.path(), "Steunpunt Uden", "Uden");
    enable_site(&dir, 120);
    let path = dir.join("config.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("colour = \"#1d4f91\"", "colour = \"#ffd700\"");
    std::fs::write(&path, text).unwrap();
    let error = Daemon::try_start(bin, &dir)
        .err()
        .expect("a light colour is refused");
    assert!(error.contains("public.colour"), "{error}");
    assert!(error.contains("contrast"), "{error}");
}

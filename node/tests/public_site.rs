//! The public site in a real browser: headless Chromium (Debian's package) driven through
//! chromedriver, against two `steunpuntd` processes that peer with each other. A visitor
//! searches with filters, opens a vacancy, follows its apply link, uses the widget and
//! the embed page; a withdrawal on the other node takes the vacancy off the pages; axe-core
//! finds no serious accessibility violation on any page. Screenshots at phone and desktop
//! widths go to `target/tmp/screenshots/`.
//!
//! Chromium, chromedriver and axe-core are installed by `.ci/run`. Elsewhere the test
//! says what is missing and passes without checking, unless `STEUNPUNT_BROWSER_TESTS` is
//! `required` (as `.ci/run` sets it): then it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use steunpunt_testkit::{Daemon, draft, eventually, init, peer_both, public_site, vacancy};

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

/// What the browser test needs: chromium, chromedriver and axe-core's script.
struct Browser {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: PathBuf,
}

fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

fn find_browser() -> Result<Browser, String> {
    let which = |env: &str, default: &str| {
        let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
        path.exists().then_some(path)
    };
    let chromium = which("CHROMIUM", "/usr/bin/chromium")
        .ok_or("no Chromium at /usr/bin/chromium (Debian package chromium; or set CHROMIUM)")?;
    let chromedriver = which("CHROMEDRIVER", "/usr/bin/chromedriver").ok_or(
        "no chromedriver at /usr/bin/chromedriver (Debian package chromium-driver; or set CHROMEDRIVER)",
    )?;
    let axe = std::env::var_os("AXE_CORE_JS").map_or_else(
        || workspace_target().join("tmp/axe-core/axe.min.js"),
        PathBuf::from,
    );
    if !axe.exists() {
        return Err(format!(
            "no axe-core at {} (.ci/run fetches it with npm; or set AXE_CORE_JS)",
            axe.display()
        ));
    }
    Ok(Browser {
        chromium,
        chromedriver,
        axe,
    })
}

/// A page an apply link leads to: the organisation's own form, served here.
fn apply_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut stream) = stream else { continue };
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let body = "<!doctype html><html lang=\"nl\"><head><title>Aanmelden bij de bibliotheek</title></head><body><h1>Aanmelden</h1></body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}/aanmelden"), serving)
}

/// chromedriver, and the Chromium it starts with `profile`: both are stopped when the
/// test ends, also when it fails before closing the session.
struct Driver(Child, PathBuf);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = Command::new("pkill")
            .arg("-KILL")
            .arg("-f")
            .arg(format!("user-data-dir={}", self.1.display()))
            .status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn open_browser(browser: &Browser, profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let driver = Driver(
        Command::new(&browser.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        profile.to_path_buf(),
    );
    // The flags a closed machine needs: no background connections to Google's hosts.
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=nl-NL",
        &format!("--user-data-dir={}", profile.display()),
        &format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": browser.chromium, "args": args }),
    );
    let mut client = None;
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    (
        driver,
        client.expect("chromedriver did not answer within 10 s"),
    )
}

fn screenshots() -> PathBuf {
    let dir = workspace_target().join("tmp/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Screenshots of the whole page at phone and desktop widths, `NAME-phone.png` and
/// `NAME-desktop.png`.
async fn both_widths(client: &Client, name: &str) {
    for (label, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        client.set_window_size(w, h).await.unwrap();
        let height = client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .map_or(h, |page| u32::try_from(page).unwrap_or(h).clamp(h, 4000));
        client.set_window_size(w, height).await.unwrap();
        let png = client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}-{label}.png")), png).unwrap();
    }
}

/// axe-core's WCAG 2.1 A and AA rules on the open page: the serious and critical
/// violations, described.
async fn accessibility_problems(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.unwrap();
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                  .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ')) }))))
                  .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));"#,
            vec![],
        )
        .await
        .unwrap();
    result
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect()
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` on the page: {e}"))
        .text()
        .await
        .unwrap()
}

async fn wait_for_text(client: &Client, css: &str, wanted: &str) {
    for _ in 0..100 {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(wanted))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "`{css}` never showed `{wanted}`; the page reads:\n{}",
        text_of(client, "body").await
    );
}

fn steunpuntd() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_steunpuntd"))
}

/// Clicks the element `css` selects.
async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}` to click: {e}"))
        .click()
        .await
        .unwrap();
}

/// Clicks the link that reads `text`.
async fn follow(client: &Client, text: &str) {
    client
        .find(Locator::LinkText(text))
        .await
        .unwrap_or_else(|e| panic!("no link `{text}`: {e}"))
        .click()
        .await
        .unwrap();
}

/// Types `text` into the field with id `id`.
async fn type_into(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field `{id}`: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_finds_opens_and_applies_and_a_withdrawal_reaches_the_page() {
    let browser = match find_browser() {
        Ok(b) => b,
        Err(missing) => {
            assert_ne!(
                std::env::var("STEUNPUNT_BROWSER_TESTS").as_deref(),
                Ok("required"),
                "the browser tests are required here, but: {missing}"
            );
            eprintln!("skipped: the browser test needs {missing}");
            return;
        }
    };
    let root = tempfile::tempdir().unwrap();
    let bin = steunpuntd();
    let breda_dir = init(&bin, root.path(), "Steunpunt Breda", "Breda");
    let tilburg_dir = init(&bin, root.path(), "Steunpunt Tilburg", "Tilburg");
    let public = [("STEUNPUNT_PUBLIC", "127.0.0.1:0")];
    let breda = Daemon::start_with_env(&bin, &breda_dir, &public);
    let tilburg = Daemon::start_with_env(&bin, &tilburg_dir, &public);
    let site = public_site(&breda_dir);
    let (apply_url, _apply) = apply_server();

    // Breda's own partner and MaS vacancy; Tilburg's vacancy, not for MaS.
    breda
        .api
        .publish(
            steunpunt_protocol::Kind::Organisation,
            &draft(json!({
                "id": "bibliotheek-breda",
                "name": "Bibliotheek Breda",
                "kind": "stichting",
                "description": "De openbare bibliotheek van Breda.",
                "website": "https://www.bibliotheekbreda.nl",
                "contact": { "email": "info@bibliotheekbreda.nl" },
                "location": { "municipality": "Breda", "pc4": "4811" },
                "relation": "samenwerkingspartner",
                "services": "Interne notitie: contactpersoon vraagt om VOG-check",
            })),
            false,
        )
        .unwrap();
    let mut voorlezen = vacancy("Voorlezen aan peuters", "Breda", "4811");
    voorlezen.insert("id".into(), "voorlezen-peuters".into());
    voorlezen.insert(
        "description".into(),
        "Lees op woensdagmiddag voor aan peuters in de bibliotheek.\n\nWe zoeken iemand die graag voorleest."
            .into(),
    );
    voorlezen.insert(
        "organisation".into(),
        json!({ "id": "bibliotheek-breda", "name": "Bibliotheek Breda" }),
    );
    voorlezen.insert("categories".into(), json!(["onderwijs-school"]));
    voorlezen.insert("mas".into(), json!({ "suitable": true, "min_age": 12 }));
    voorlezen.insert("hours_per_week".into(), json!(2.5));
    voorlezen.insert("apply_url".into(), json!(apply_url));
    breda
        .api
        .publish(steunpunt_protocol::Kind::Vacancy, &voorlezen, false)
        .unwrap();
    let mut maaltijden = vacancy("Maaltijden rondbrengen in Tilburg", "Tilburg", "5038");
    maaltijden.insert("id".into(), "maaltijden".into());
    let published = tilburg
        .api
        .publish(steunpunt_protocol::Kind::Vacancy, &maaltijden, false)
        .unwrap();
    let tilburg_id = published.record.author.to_string();
    peer_both(&breda.api, &tilburg.api);
    eventually("Breda holds Tilburg's vacancy", || {
        !steunpunt_testkit::titles_of(&breda.api, &tilburg_id).is_empty()
    });

    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = open_browser(&browser, profile.path()).await;
    let axe = std::fs::read_to_string(&browser.axe).unwrap();
    let mut problems = Vec::new();

    // The check itself can fail: a page with an unlabelled field and an image without a
    // text alternative has serious violations.
    client
        .goto("data:text/html,<html><body><img src='x.png'><input type='text'></body></html>")
        .await
        .unwrap();
    let bad = accessibility_problems(&client, &axe).await;
    assert!(
        bad.iter().any(|p| p.contains("image-alt")) && bad.iter().any(|p| p.contains("label")),
        "axe-core should find the bad page's violations: {bad:?}"
    );

    // Search with words and a place: Tilburg's vacancy, via Steunpunt Tilburg.
    client.goto(&site).await.unwrap();
    assert_eq!(
        client
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("nl")
    );
    problems.extend(accessibility_problems(&client, &axe).await);
    type_into(&client, "wat", "maaltijden").await;
    type_into(&client, "waar", "Tilburg").await;
    // The less used filters are folded away until asked for.
    click(&client, "details.more > summary").await;
    click(&client, "#categorie option[value=buurt-wonen]").await;
    click(&client, "form.search button[type=submit]").await;
    wait_for_text(&client, "#resultaten", "1 vacature gevonden").await;
    let results = text_of(&client, "ol.results").await;
    assert!(
        results.contains("Maaltijden rondbrengen in Tilburg"),
        "{results}"
    );
    assert!(results.contains("via Steunpunt Tilburg"), "{results}");
    assert!(!results.contains("Voorlezen"), "{results}");

    // MaS for a 14-year-old: Breda's placement only.
    client.goto(&site).await.unwrap();
    click(&client, "#mas").await;
    type_into(&client, "leeftijd", "14").await;
    click(&client, "form.search button[type=submit]").await;
    wait_for_text(&client, "#resultaten", "1 vacature gevonden").await;
    let results = text_of(&client, "ol.results").await;
    assert!(results.contains("Voorlezen aan peuters"), "{results}");
    assert!(!results.contains("Maaltijden"), "{results}");
    both_widths(&client, "search").await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();

    // A wrong place is named, with what is allowed.
    client
        .goto(&format!("{site}/?waar=Atlantis"))
        .await
        .unwrap();
    wait_for_text(&client, "#fout-waar", "postcode van vier cijfers").await;
    problems.extend(accessibility_problems(&client, &axe).await);

    // Open the vacancy: everything to respond, its JobPosting, no internal notes.
    client
        .goto(&format!("{site}/?wat=voorlezen"))
        .await
        .unwrap();
    follow(&client, "Voorlezen aan peuters").await;
    wait_for_text(&client, "h1", "Voorlezen aan peuters").await;
    let page = text_of(&client, "main").await;
    for wanted in [
        "Lees op woensdagmiddag voor",
        "Bibliotheek Breda",
        "2,5 uur per week",
        "geschikt, vanaf 12 jaar",
        "info@buurthuis.nl",
    ] {
        assert!(page.contains(wanted), "`{wanted}` missing from:\n{page}");
    }
    let json_ld = client
        .execute(
            "return document.querySelector('script[type=\"application/ld+json\"]').textContent",
            vec![],
        )
        .await
        .unwrap();
    let posting: Value = serde_json::from_str(json_ld.as_str().unwrap()).unwrap();
    assert_eq!(posting["@type"], "JobPosting");
    assert_eq!(posting["employmentType"], "VOLUNTEER");
    assert_eq!(posting["hiringOrganization"]["name"], "Bibliotheek Breda");
    problems.extend(accessibility_problems(&client, &axe).await);
    both_widths(&client, "vacancy").await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    let vacancy_url = client.current_url().await.unwrap().to_string();

    // The partner's page shows its public fields only.
    follow(&client, "Bibliotheek Breda").await;
    wait_for_text(&client, "h1", "Bibliotheek Breda").await;
    let page = text_of(&client, "main").await;
    assert!(
        page.contains("De openbare bibliotheek van Breda."),
        "{page}"
    );
    assert!(!page.contains("Interne notitie"), "{page}");
    assert!(!page.contains("Samenwerkingspartner"), "{page}");
    problems.extend(accessibility_problems(&client, &axe).await);

    // Follow the apply link.
    client.goto(&vacancy_url).await.unwrap();
    follow(&client, "Reageer op deze vacature").await;
    wait_for_text(&client, "h1", "Aanmelden").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&apply_url)
    );

    // The widget a school puts on its site: only MaS placements.
    client.goto(&format!("{site}/widget?mas=ja")).await.unwrap();
    let widget = text_of(&client, "main").await;
    assert!(widget.contains("Voorlezen aan peuters"), "{widget}");
    assert!(!widget.contains("Maaltijden"), "{widget}");
    problems.extend(accessibility_problems(&client, &axe).await);
    both_widths(&client, "widget").await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();

    // The embed page makes the snippet and shows the widget in a frame.
    client.goto(&format!("{site}/insluiten")).await.unwrap();
    click(&client, "#mas").await;
    click(&client, "form.search button[type=submit]").await;
    wait_for_text(&client, "pre.snippet", "/widget?mas=ja").await;
    problems.extend(accessibility_problems(&client, &axe).await);
    client
        .find(Locator::Css("iframe.preview"))
        .await
        .unwrap()
        .enter_frame()
        .await
        .unwrap();
    wait_for_text(&client, "main", "Voorlezen aan peuters").await;
    client.enter_parent_frame().await.unwrap();

    // Tilburg withdraws its vacancy: Breda's pages drop it.
    client
        .goto(&format!("{site}/?wat=maaltijden"))
        .await
        .unwrap();
    wait_for_text(&client, "ol.results", "Maaltijden rondbrengen").await;
    let open = client
        .find(Locator::LinkText("Maaltijden rondbrengen in Tilburg"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    tilburg
        .api
        .withdraw(steunpunt_protocol::Kind::Vacancy, "maaltijden")
        .unwrap();
    let mut gone = false;
    for _ in 0..300 {
        client.goto(&format!("{site}{open}")).await.unwrap();
        if text_of(&client, "h1").await.contains("niet (meer)") {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        gone,
        "the withdrawn vacancy's page still shows it after 30 s"
    );
    client
        .goto(&format!("{site}/?wat=maaltijden"))
        .await
        .unwrap();
    wait_for_text(&client, "#resultaten", "Geen vacatures gevonden").await;

    client.close().await.unwrap();
    assert!(
        problems.is_empty(),
        "axe-core found serious accessibility violations:\n{}",
        problems.join("\n")
    );
}

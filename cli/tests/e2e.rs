//! End to end with the real binaries: `steunpunt` drives three `steunpuntd` nodes peered
//! as a chain A–B–C. A vacancy published on A is found from C (trust through B), its
//! withdrawal reaches C, a restart of B loses nothing, and errors say what to do.
//!
//! `steunpuntd` must sit next to `steunpunt` (as `cargo test --workspace` builds it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use steunpunt_testkit::{Daemon, eventually};

const CLI: &str = env!("CARGO_BIN_EXE_steunpunt");

fn daemon() -> PathBuf {
    steunpunt_testkit::steunpuntd_beside(CLI)
}

/// The CLI as staff run it: Dutch, whatever language this machine is set to.
fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(CLI);
    command
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .stdin(Stdio::null());
    command
}

fn steunpunt(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = steunpunt(dir, args);
    assert!(
        out.status.success(),
        "steunpunt {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let out = steunpunt(dir, args);
    assert!(
        !out.status.success(),
        "steunpunt {args:?} should have failed"
    );
    String::from_utf8(out.stderr).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

fn json_lines(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    ok(dir, &all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

struct Node(Daemon);

impl Node {
    fn start(dir: &Path) -> Self {
        Self(Daemon::start(&daemon(), dir))
    }

    fn stop(mut self) {
        self.0.stop();
    }
}

fn init(root: &Path, name: &str, municipality: &str) -> PathBuf {
    let dir = root.join(municipality.to_lowercase());
    let report = json(
        &dir,
        &[
            "init",
            "--name",
            name,
            "--municipality",
            municipality,
            "--listen",
            "/ip4/127.0.0.1/tcp/0",
            "--api",
            "127.0.0.1:0",
        ],
    );
    assert!(report["steunpunt_id"].as_str().unwrap().starts_with("sp_"));
    assert!(report["peer_id"].as_str().unwrap().starts_with("12D3KooW"));
    assert_eq!(report["data_dir"].as_str().unwrap(), dir.to_str().unwrap());
    dir
}

/// `a` peers with `b`; what `peer add` said.
fn peer(a: &Path, b: &Path) -> String {
    let status = json(b, &["status"]);
    let addr = format!(
        "{}/p2p/{}",
        status["listen_addrs"][0].as_str().unwrap(),
        status["peer_id"].as_str().unwrap()
    );
    ok(
        a,
        &[
            "peer",
            "add",
            &addr,
            "--steunpunt",
            status["steunpunt_id"].as_str().unwrap(),
        ],
    )
}

fn write(root: &Path, name: &str, text: &str) -> String {
    let path = root.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

const VACANCY: &str = r#"{
  "title": "Voorlezen op de basisschool",
  "description": "Lees wekelijks voor aan groep 3 en 4.",
  "organisation": { "name": "OBS De Vlier" },
  "categories": ["onderwijs-school"],
  "engagement": "structureel",
  "mas": { "suitable": true, "min_age": 14 },
  "location": { "municipality": "Breda", "pc4": "4811" },
  "contact": { "email": "info@devlier.nl" }
}"#;

#[test]
fn chain_of_three_through_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        init(root.path(), "Steunpunt Breda", "Breda"),
        init(root.path(), "Steunpunt Tilburg", "Tilburg"),
        init(root.path(), "Steunpunt Eindhoven", "Eindhoven"),
    );
    let (node_a, node_b, node_c) = (Node::start(&a), Node::start(&b), Node::start(&c));
    // `peer add` says what happens: nothing until the other side peers back.
    let said = peer(&a, &b);
    assert!(said.contains("Nog geen verbinding"), "{said}");
    let said = peer(&b, &a);
    assert!(said.contains("gegevens worden nu uitgewisseld"), "{said}");
    peer(&b, &c);
    peer(&c, &b);
    eventually("C to trust A through B", || {
        json(&c, &["status"])["trusted_steunpunten"] == 3
    });
    // What an admin reads: our name, the neighbours and whether they peered back, the
    // line to send a neighbour; the region with distances and who vouched.
    let status = ok(&b, &["status"]);
    for expected in [
        "Steunpunt Tilburg",
        "Steunpunt Breda: verbonden, al ",
        "; heeft ons ook toegevoegd",
        "steunpunt peer add \\",
        "--label \"Steunpunt Tilburg\"",
    ] {
        assert!(status.contains(expected), "`{expected}` missing:\n{status}");
    }
    let neighbours = ok(&b, &["peer", "list"]);
    assert!(
        neighbours.contains("heeft ons ook toegevoegd"),
        "{neighbours}"
    );
    // Breda's profile follows its peering within a sync or two, and the keeper's
    // summary (the last change) follows the store within a moment.
    let mut region = Vec::new();
    eventually("C to know Breda by name", || {
        region = json_lines(&c, &["region"]);
        region
            .iter()
            .any(|r| r["name"] == "Steunpunt Breda" && r["last_change"].is_string())
    });
    let breda = region
        .iter()
        .find(|r| r["name"] == "Steunpunt Breda")
        .unwrap();
    assert_eq!(breda["hops"], 2);
    // When we last heard news from it: its newest record, here its profile or peering.
    assert!(breda["last_change"].is_string(), "{breda}");
    assert_eq!(breda["vouched_by"], json(&b, &["status"])["steunpunt_id"]);
    let picture = ok(&c, &["region", "--format", "dot"]);
    assert!(
        picture.starts_with("digraph") && picture.matches(" -> ").count() >= 4,
        "{picture}"
    );
    let status = ok(&c, &["status"]);
    assert!(
        status.contains("Steunpunt Tilburg: 1 stap")
            && status.contains("Steunpunt Breda: 2 stappen, via Steunpunt Tilburg"),
        "{status}"
    );
    let table = ok(&c, &["region"]);
    assert!(
        table.contains("2 stappen") && table.contains("wijzelf"),
        "{table}"
    );

    let file = write(root.path(), "voorlezen.json", VACANCY);
    assert_eq!(
        ok(&a, &["vacancy", "publish", &file]).trim(),
        "voorlezen-op-de-basisschool"
    );
    // The vacancy and A's profile (for the steunpunt name) reach C well before the periodic
    // sync (60 s): trust in A grows during C's sync with B, which syncs again at once.
    eventually("the vacancy and its steunpunt at C", || {
        json_lines(
            &c,
            &[
                "search",
                "voorlezen",
                "--mas",
                "--age",
                "14",
                "--near",
                "4811",
                "--radius-km",
                "20",
            ],
        )
        .iter()
        .any(|r| r["id"] == "voorlezen-op-de-basisschool" && r["steunpunt"] == "Steunpunt Breda")
    });
    // A region-wide export says first that it holds other centres' personal data.
    let out = steunpunt(&c, &["export", "--format", "csv"]);
    assert!(out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.starts_with("let op: deze export bevat ook gegevens van andere steunpunten ("),
        "{said}"
    );
    let out = steunpunt(&c, &["export", "--mine"]);
    assert!(out.stderr.is_empty(), "only our own records: no notice");
    // Importing the region's CSV does not publish other centres' vacancies as ours.
    let region = write(
        root.path(),
        "regio.csv",
        &String::from_utf8(steunpunt(&c, &["export", "--format", "csv"]).stdout).unwrap(),
    );
    let out = steunpunt(&c, &["import", &region]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("is gepubliceerd door een ander steunpunt"),
        "{said}"
    );
    let found = json_lines(&c, &["search", "voorlezen"]);
    assert_eq!(found[0]["steunpunt"], "Steunpunt Breda");
    assert_eq!(found[0]["hops"], 2);
    // A table for people.
    let table = ok(&c, &["search", "voorlezen", "--near", "4811"]);
    assert!(
        table.contains("Voorlezen op de basisschool") && table.contains("Steunpunt Breda"),
        "{table}"
    );

    // Everything needed to refer a volunteer, in Dutch, with who published it and who
    // vouched for that steunpunt.
    let shown = ok(&c, &["vacancy", "show", "voorlezen-op-de-basisschool"]);
    for expected in [
        "Voorlezen op de basisschool",
        "Organisatie        OBS De Vlier",
        "Waar               Breda (4811)",
        "Categorieën        Onderwijs en school",
        "geschikt voor een maatschappelijke stage vanaf 14 jaar",
        "Contact            info@devlier.nl",
        "Steunpunt Breda, vertrouwd via Steunpunt Tilburg (2 stappen)",
    ] {
        assert!(
            shown.contains(expected),
            "`{expected}` missing from:\n{shown}"
        );
    }
    assert!(shown.lines().all(|l| l.chars().count() <= 80), "{shown}");
    let english = ok(
        &c,
        &[
            "--lang",
            "en",
            "vacancy",
            "show",
            "voorlezen-op-de-basisschool",
        ],
    );
    assert!(english.contains("education and school"), "{english}");
    assert!(
        english.contains("trusted via Steunpunt Tilburg (2 hops)"),
        "{english}"
    );
    let missing = fails(&c, &["vacancy", "show", "bestaat-niet"]);
    assert!(
        missing.contains("Geen vacature met id `bestaat-niet`"),
        "{missing}"
    );
    // The same vacancy published at C too: among equally good results, our own first.
    ok(&c, &["vacancy", "publish", &file]);
    let found = json_lines(&c, &["search", "voorlezen"]);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["score"], found[1]["score"]);
    assert_eq!(found[0]["hops"], 0, "ours first: {found:?}");
    assert_eq!(found[1]["steunpunt"], "Steunpunt Breda");
    ok(&c, &["vacancy", "withdraw", "voorlezen-op-de-basisschool"]);
    // Output into a pipe that is closed early ends quietly and successfully.
    let mut child = command(&c, &["vacancy", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );

    ok(&a, &["vacancy", "withdraw", "voorlezen-op-de-basisschool"]);
    eventually("the withdrawal at C", || {
        json_lines(&c, &["search", "voorlezen"]).is_empty()
    });

    // Restart B: nothing is lost.
    let before = json(&b, &["status"])["record_counts"].clone();
    node_b.stop();
    let node_b = Node::start(&b);
    assert_eq!(json(&b, &["status"])["record_counts"], before);
    // A neighbour by its name, as people say it.
    let removed = ok(&a, &["peer", "remove", "Steunpunt Tilburg"]);
    assert!(removed.contains("is geen buur meer"), "{removed}");
    assert!(json_lines(&a, &["peer", "list"]).is_empty());
    drop((node_a, node_b, node_c));
}

#[test]
fn errors_say_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Helmond", "Helmond");
    // Not running yet.
    let err = fails(&a, &["status"]);
    assert!(
        err.contains("De node draait niet") && err.contains("steunpuntd --data-dir"),
        "{err}"
    );
    let node = Node::start(&a);
    // JSON that does not parse: line and column.
    let broken = write(root.path(), "kapot.json", "{\n  \"title\": \"x\",\n}\n");
    let err = fails(&a, &["vacancy", "publish", &broken]);
    assert!(err.contains("regel 3, kolom 1"), "{err}");
    // A field that fails validation, with the allowed values.
    let bad = write(
        root.path(),
        "fout.json",
        &VACANCY.replace("onderwijs-school", "school"),
    );
    let err = fails(&a, &["vacancy", "publish", &bad]);
    assert!(
        err.contains("categories[0]") && err.contains("onderwijs-school"),
        "{err}"
    );
    // A misspelt field is named rather than dropped.
    let typo = write(
        root.path(),
        "typo.json",
        &VACANCY.replace("\"description\"", "\"omschrijving\""),
    );
    let err = fails(&a, &["vacancy", "publish", &typo]);
    assert!(err.contains("omschrijving"), "{err}");
    // What the node refuses, in Dutch.
    let err = fails(&a, &["vacancy", "withdraw", "bestaat-niet"]);
    assert!(
        err.contains("wij hebben geen vacature met id `bestaat-niet`"),
        "{err}"
    );
    let err = fails(
        &a,
        &[
            "peer",
            "add",
            "/ip4/192.0.2.1/tcp/4001",
            "--steunpunt",
            "Helmond",
        ],
    );
    assert!(err.contains("het adres moet eindigen op /p2p/"), "{err}");
    // A mistake on the command line, in Dutch with a suggestion.
    let err = fails(&a, &["serch", "voorlezen"]);
    assert!(
        err.contains("`serch` is geen opdracht") && err.contains("Bedoelt u `search`?"),
        "{err}"
    );
    let err = fails(&a, &["search", "--sort", "ver"]);
    assert!(
        err.contains("kies uit: relevance, distance, recent"),
        "{err}"
    );
    // A malformed steunpunt ID.
    let err = fails(&a, &["peer", "block", "sp_kapot"]);
    assert!(err.contains("geen steunpunt-ID"), "{err}");
    // A wrong token.
    std::fs::write(a.join("api.token"), "0".repeat(64)).unwrap();
    let err = fails(&a, &["status"]);
    assert!(err.contains("weigert het API-token"), "{err}");
    let err = fails(&a, &["--lang", "en", "status"]);
    assert!(err.contains("refused the API token"), "{err}");
    node.stop();
}

/// A staff spreadsheet: `;` separated with a byte-order mark, one organisation, two good
/// vacancies and two broken rows (lines 5 and 6).
const SPREADSHEET: &str = "\u{feff}record;title;name;description;organisation_id;organisation;kind;categories;expertise;engagement;mas_suitable;mas_min_age;municipality;pc4;email
organisation;;Taalhuis Breda;Taallessen en taalmaatjes;;;stichting;;taal|digitale-vaardigheden;;;;Breda;4811;info@taalhuis.example
;Taalmaatje gezocht;;Oefen wekelijks Nederlands met een nieuwkomer;taalhuis-breda;;;taal-inburgering;;structureel;ja;16;Breda;4811;info@taalhuis.example
;Voorlezen in de bibliotheek;;\"Lees voor; de kinderen luisteren\";;Bibliotheek Breda;;onderwijs-school|kunst-cultuur-erfgoed;;eenmalig;ja;;Breda;4812;bieb@breda.example
;Foute categorie;;Iets;;Club;;sportief;;eenmalig;;;Breda;4811;
;Te weinig cellen;;x
";

/// Runs an import with `--json`: the per-row reports, the summary, and whether it succeeded.
fn import(dir: &Path, args: &[&str]) -> (Vec<Value>, Value, bool) {
    let mut all = vec!["--json", "import"];
    all.extend_from_slice(args);
    let out = steunpunt(dir, &all);
    let mut lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.pop().unwrap()["summary"].clone();
    (lines, summary, out.status.success())
}

fn summary(new: u64, updated: u64, unchanged: u64, rejected: u64) -> [u64; 4] {
    [new, updated, unchanged, rejected]
}

fn counts(summary: &Value) -> [u64; 4] {
    ["new", "updated", "unchanged", "rejected"].map(|k| summary[k].as_u64().unwrap())
}

#[test]
fn import_and_export_round_trip() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Breda", "Breda");
    let node = Node::start(&a);
    let sheet = write(root.path(), "vacatures.csv", SPREADSHEET);

    // A dry run checks every row and publishes nothing.
    let (rows, totals, success) = import(&a, &[&sheet, "--dry-run"]);
    assert!(!success, "rejected rows make the exit code non-zero");
    assert_eq!(counts(&totals), summary(3, 0, 0, 2));
    assert!(json_lines(&a, &["vacancy", "list", "--mine"]).is_empty());
    let bad_category = rows.iter().find(|r| r["line"] == 5).unwrap();
    let error = bad_category["error"].as_str().unwrap();
    assert!(
        error.contains("kolom categories: `sportief` is geen bekende categorie")
            && error.contains("sport-bewegen"),
        "{error}"
    );
    assert_eq!(bad_category["problems"][0]["path"], "categories[0]");
    assert_eq!(bad_category["problems"][0]["code"], "unknown_term");
    let short = rows.iter().find(|r| r["line"] == 6).unwrap();
    assert!(short["error"].as_str().unwrap().contains("heeft 4 cellen"));

    // The real import publishes the valid rows although two fail, and names the failures.
    let out = steunpunt(&a, &["import", &sheet]);
    assert!(!out.status.success());
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(
        report.contains("regel 5: kolom categories") && report.contains("regel 6: heeft 4 cellen"),
        "{report}"
    );
    assert!(
        report.contains("5 rijen: 3 nieuw, 0 bijgewerkt, 0 ongewijzigd, 2 afgewezen"),
        "{report}"
    );
    let vacancies = json_lines(&a, &["vacancy", "list", "--mine"]);
    assert_eq!(vacancies.len(), 2);
    let taalmaatje = vacancies
        .iter()
        .find(|v| v["id"] == "taalmaatje-gezocht")
        .unwrap();
    assert_eq!(taalmaatje["mas"]["min_age"], 16);
    assert_eq!(taalmaatje["organisation"]["id"], "taalhuis-breda");

    // The same file again changes nothing: stable ids, no new revisions.
    let (_, totals, _) = import(&a, &[&sheet]);
    assert_eq!(counts(&totals), summary(0, 0, 3, 2));
    let again = json_lines(&a, &["vacancy", "list", "--mine"]);
    assert_eq!(again, vacancies);

    // CSV export imports back unchanged; an edited cell updates just that record.
    let csv = ok(&a, &["export", "--format", "csv", "--mine"]);
    // For Dutch Excel: a byte-order mark, `;`, the publishing steunpunt in every row.
    assert!(
        csv.starts_with("\u{feff}record;steunpunt;id;title;name;"),
        "{csv}"
    );
    let plain = ok(&a, &["export", "--format", "csv-plain", "--mine"]);
    assert!(plain.starts_with("record;steunpunt;id;"), "{plain}");
    let exported = write(root.path(), "export.csv", &csv);
    let (_, totals, success) = import(&a, &[&exported]);
    assert!(success);
    assert_eq!(counts(&totals), summary(0, 0, 3, 0));
    let edited = write(
        root.path(),
        "edited.csv",
        &csv.replace("Oefen wekelijks", "Oefen elke week"),
    );
    let (_, totals, _) = import(&a, &[&edited]);
    assert_eq!(counts(&totals), summary(0, 1, 2, 0));

    // Our own JSON export is re-importable as it is.
    let backup = write(root.path(), "backup.json", &ok(&a, &["export", "--mine"]));
    let (_, totals, success) = import(&a, &[&backup]);
    assert!(success);
    assert_eq!(counts(&totals), summary(0, 0, 3, 0));

    // schema.org and Open Referral for other tools.
    let jsonld: Value = serde_json::from_str(&ok(&a, &["export", "--format", "jsonld"])).unwrap();
    let graph = jsonld["@graph"].as_array().unwrap();
    let postings: Vec<&Value> = graph
        .iter()
        .filter(|n| n["@type"] == "JobPosting")
        .collect();
    assert_eq!(postings.len(), 2);
    assert!(postings.iter().all(|p| p["employmentType"] == "VOLUNTEER"));
    assert!(
        graph
            .iter()
            .any(|n| n["@type"] == "Organization" && n["name"] == "Taalhuis Breda")
    );
    let hsds: Value = serde_json::from_str(&ok(&a, &["export", "--format", "hsds"])).unwrap();
    let orgs = hsds["contents"].as_array().unwrap();
    assert!(
        orgs.iter()
            .any(|o| o["name"] == "Taalhuis Breda" && o["services"][0]["status"] == "active")
    );

    // A header with an unknown column is refused before anything is published.
    let typo = write(root.path(), "typo.csv", "titel;description\nx;y\n");
    let err = fails(&a, &["import", &typo]);
    assert!(
        err.contains("onbekende kolom(men) titel") && err.contains("title"),
        "{err}"
    );
    node.stop();
}

/// Regression: a new row whose title matched another organisation's vacancy took its id
/// and replaced it; the report said only "1 bijgewerkt". Now a row without an id updates
/// only a vacancy with the same title, organisation and place, and the report names each
/// update with its row and the columns it changed.
#[test]
fn an_import_never_overwrites_another_vacancy() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Tilburg", "Tilburg");
    let node = Node::start(&a);
    let header = "title;description;organisation;categories;engagement;municipality;pc4;email";
    let row = |description: &str, organisation: &str, pc4: &str| {
        format!(
            "Gastvrouw in de buurtkamer;{description};{organisation};buurt-wonen;structureel;\
             Tilburg;{pc4};info@buurt.example"
        )
    };
    let first = write(
        root.path(),
        "schakel.csv",
        &format!(
            "{header}\n{}\n",
            row("Ontvang bezoekers", "De Schakel", "5038")
        ),
    );
    let (_, totals, success) = import(&a, &[&first]);
    assert!(success);
    assert_eq!(counts(&totals), summary(1, 0, 0, 0));

    // Another organisation's vacancy with the same title: a new record beside it, and
    // the report says why its id is numbered.
    let other = write(
        root.path(),
        "wijkhuis.csv",
        &format!(
            "{header}\n{}\n",
            row("Schenk koffie", "Wijkhuis Noord", "5038")
        ),
    );
    let dry = steunpunt(&a, &["import", &other, "--dry-run"]);
    let said = String::from_utf8(dry.stderr).unwrap();
    assert!(
        said.contains("regel 2: zou nieuw worden als gastvrouw-in-de-buurtkamer-2")
            && said.contains("1 nieuw, 0 bijgewerkt"),
        "{said}"
    );
    let out = steunpunt(&a, &["import", &other]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("regel 2: nieuw als gastvrouw-in-de-buurtkamer-2")
            && said.contains("1 nieuw, 0 bijgewerkt"),
        "{said}"
    );
    let shown = |id: &str| json(&a, &["vacancy", "show", id]);
    assert_eq!(
        shown("gastvrouw-in-de-buurtkamer")["organisation"]["name"],
        "De Schakel"
    );
    assert_eq!(
        shown("gastvrouw-in-de-buurtkamer-2")["organisation"]["name"],
        "Wijkhuis Noord"
    );
    // The same organisation in another place is another vacancy too.
    let elsewhere = write(
        root.path(),
        "reeshof.csv",
        &format!(
            "{header}\n{}\n",
            row("Ontvang bezoekers", "De Schakel", "5044")
        ),
    );
    let (rows, totals, _) = import(&a, &[&elsewhere]);
    assert_eq!(counts(&totals), summary(1, 0, 0, 0));
    assert_eq!(rows[0]["id"], "gastvrouw-in-de-buurtkamer-3");

    // The same vacancy (title, organisation, place) with a new description is updated,
    // and the report names the row, the record and the column that changed; the
    // numbered one is found again by its organisation.
    let edited = write(
        root.path(),
        "bijgewerkt.csv",
        &format!(
            "{header}\n{}\n{}\n",
            row("Ontvang bezoekers op dinsdag", "De Schakel", "5038"),
            row("Schenk koffie en thee", "Wijkhuis Noord", "5038")
        ),
    );
    let (rows, totals, success) = import(&a, &[&edited, "--dry-run"]);
    assert!(success);
    assert_eq!(counts(&totals), summary(0, 2, 0, 0));
    assert_eq!(rows[0]["changed"], serde_json::json!(["description"]));
    let out = steunpunt(&a, &["import", &edited]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("regel 2: bijgewerkt: gastvrouw-in-de-buurtkamer (gewijzigd: description)")
            && said.contains(
                "regel 3: bijgewerkt: gastvrouw-in-de-buurtkamer-2 (gewijzigd: description)"
            )
            && said.contains("0 nieuw, 2 bijgewerkt"),
        "{said}"
    );
    assert_eq!(
        shown("gastvrouw-in-de-buurtkamer")["description"],
        "Ontvang bezoekers op dinsdag"
    );
    assert_eq!(
        shown("gastvrouw-in-de-buurtkamer-2")["description"],
        "Schenk koffie en thee"
    );
    assert_eq!(json_lines(&a, &["vacancy", "list", "--mine"]).len(), 3);

    // Two rows of one file naming the same vacancy are refused; the same title for two
    // organisations in one file is not.
    let twice = write(
        root.path(),
        "dubbel.csv",
        &format!(
            "{header}\n{}\n{}\n{}\n{}\n",
            row("Een", "Buurtkamer Oost", "5038"),
            row("Twee", "Buurtkamer Oost", "5038"),
            row("Drie", "Buurtkamer West", "5038"),
            // The node takes case and accents as the same: so does the repeat check.
            row("Vier", "buurtkamer oost", "5038")
        ),
    );
    let (rows, totals, _) = import(&a, &[&twice, "--dry-run"]);
    assert_eq!(counts(&totals), summary(2, 0, 0, 2));
    assert!(
        rows[1]["error"].as_str().unwrap().contains("als regel 2"),
        "{rows:?}"
    );
    assert!(
        rows[3]["error"].as_str().unwrap().contains("als regel 2"),
        "{rows:?}"
    );
    node.stop();
}

/// The templates, as printed, publish without an error, name every field, and fit 80
/// columns; the explaining `//` lines may stay in the file.
#[test]
fn templates_publish_as_they_are() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Oss", "Oss");
    let node = Node::start(&a);
    for (command, fields) in [
        (
            "vacancy",
            &[
                "title",
                "description",
                "organisation",
                "categories",
                "target_groups",
                "engagement",
                "remote",
                "mas",
                "hours_per_week",
                "time_of_day",
                "start",
                "end",
                "location",
                "requirements",
                "rewards",
                "volunteers_needed",
                "contact",
                "apply_url",
                "id",
                "valid_until",
            ][..],
        ),
        (
            "org",
            &[
                "name",
                "kind",
                "kvk",
                "description",
                "website",
                "contact",
                "location",
                "expertise",
                "target_groups",
                "relation",
                "services",
                "vetted_on",
                "id",
            ][..],
        ),
    ] {
        for lang in ["nl", "en"] {
            let text = ok(&a, &["--lang", lang, command, "template"]);
            assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
            let json: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let value: Value = serde_json::from_str(&json).unwrap();
            let keys: Vec<&str> = value
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut expected = fields.to_vec();
            expected.sort_unstable();
            let mut keys = keys.clone();
            keys.sort_unstable();
            assert_eq!(keys, expected, "{command} template ({lang})");
            let file = write(root.path(), &format!("{command}-{lang}.json"), &text);
            ok(&a, &["import", &file, "--dry-run"]);
            ok(&a, &[command, "publish", &file]);
        }
    }
    // A partner organisation read as staff pass it on.
    let partner = ok(&a, &["org", "show", "schuldhulpmaatje-breda"]);
    assert!(
        partner.contains("SchuldHulpMaatje Breda") && partner.contains("Gepubliceerd door"),
        "{partner}"
    );
    // A vacancy that runs out within 14 days is listed, and status counts it.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let soon = steunpunt_protocol::Timestamp(now)
        .plus_ms(5 * 86_400_000)
        .to_string();
    let short = VACANCY.replace(
        "\"engagement\"",
        &format!(
            "\"id\": \"bijna-verlopen\", \"valid_until\": \"{}\", \"engagement\"",
            &soon[..10]
        ),
    );
    let file = write(root.path(), "kort.json", &short);
    ok(&a, &["vacancy", "publish", &file]);
    let listed = ok(&a, &["vacancy", "expiring"]);
    assert!(
        listed.contains("bijna-verlopen") && !listed.contains("voorlezen-op-de-basisschool"),
        "{listed}"
    );
    let status = ok(&a, &["status"]);
    assert!(
        status.contains("1 eigen vacature binnen 14 dagen"),
        "{status}"
    );

    // Written as staff write it: short forms and capitals are understood.
    let natural = write(
        root.path(),
        "natuurlijk.json",
        r#"{
  "title": "Kort geschreven vacature",
  "description": "Zo schrijven medewerkers het op.",
  "organisation": "Buurthuis De Linde",
  "categories": ["Buurt-Wonen"],
  "engagement": "Structureel",
  "mas": 14,
  "location": "4811 Breda",
  "contact": "info@delinde.nl"
}"#,
    );
    ok(&a, &["vacancy", "publish", &natural]);
    let shown = ok(&a, &["vacancy", "show", "kort-geschreven-vacature"]);
    for expected in [
        "Buurthuis De Linde",
        "Breda (4811)",
        "Buurt en wonen",
        "vanaf 14 jaar",
        "info@delinde.nl",
    ] {
        assert!(
            shown.contains(expected),
            "`{expected}` missing from:\n{shown}"
        );
    }

    // The README's full vacancy publishes as it is.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let example = readme
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    let file = write(root.path(), "readme.json", &in_date(example));
    ok(&a, &["vacancy", "publish", &file]);
    node.stop();
}

/// A vacancy with fixed dates, moved forward by whole years until its last day
/// (`valid_until`, else `end`) is at least a month away, so a fixed example in the
/// README stays publishable whatever today is.
fn in_date(json: &str) -> String {
    let mut value: Value = serde_json::from_str(json).unwrap();
    let last = |value: &Value| {
        ["valid_until", "end"]
            .iter()
            .find_map(|field| value[*field].as_str().map(str::to_owned))
            .unwrap()
    };
    let limit = day_from_now(30);
    while last(&value) < limit {
        for field in ["start", "end", "valid_until"] {
            if let Some(date) = value[field].as_str() {
                let year: i32 = date[..4].parse().unwrap();
                value[field] = Value::from(format!("{}{}", year + 1, &date[4..]));
            }
        }
    }
    serde_json::to_string_pretty(&value).unwrap()
}

/// A date `days` from today (negative: in the past), as `2027-03-01`.
fn day_from_now(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let ms = u64::try_from(now + days * 86_400_000).unwrap();
    steunpunt_protocol::Timestamp(ms).to_string()[..10].to_owned()
}

/// `2027-03-01` as a Dutch spreadsheet writes it: `1-3-2027`.
fn dutch(iso: &str) -> String {
    let parts: Vec<u32> = iso.split('-').map(|p| p.parse().unwrap()).collect();
    format!("{}-{}-{}", parts[2], parts[1], parts[0])
}

/// How staff get things wrong, and what they are told: every problem of a draft at once,
/// in Dutch, each once, with the field and an example; likely mistakes as warnings; a
/// spreadsheet from Excel with its own line numbers, dates and repeated mistakes.
#[test]
fn mistakes_are_explained_once_in_dutch() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Breda", "Breda");
    let node = Node::start(&a);

    // Four mistakes in one file, all told in one round, each once.
    let wrong = write(
        root.path(),
        "fout.json",
        r#"{
  "title": "Voorlezen",
  "description": "Lees voor aan groep 3.",
  "organisation": 5,
  "categories": ["zorg"],
  "engagement": "vaak",
  "location": ["Breda"],
  "contact": "info@devlier.nl"
}"#,
    );
    let err = fails(&a, &["vacancy", "publish", &wrong]);
    for expected in [
        "fout.json is niet gepubliceerd: 4 fouten:",
        "organisation: heeft niet de goede vorm; schrijf het zo: {\"name\": \"OBS De Vlier\"}, of kort: \"OBS De Vlier\"",
        "location: heeft niet de goede vorm; schrijf het zo: {\"municipality\": \"Breda\", \"pc4\": \"4811\"}, of kort: \"4811 Breda\"",
        "categories[0]: `zorg` is geen bekende categorie; kies uit: zorg-verzorging",
        "engagement: `vaak` is geen bekende soort inzet; kies uit: eenmalig",
    ] {
        assert!(err.contains(expected), "`{expected}` missing from:\n{err}");
    }
    assert_eq!(err.matches("categories[0]").count(), 1, "{err}");
    // With --json the error is one JSON object on standard error.
    let out = steunpunt(&a, &["--json", "vacancy", "publish", &wrong]);
    assert!(!out.status.success());
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4 fouten")
    );
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes: Vec<&str> = rows[0]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["shape_or", "shape_or", "unknown_term", "unknown_term"]
    );

    // Likely mistakes are published with a warning; an ended vacancy is refused.
    let vacancy =
        |extra: &str| VACANCY.replace("\"engagement\"", &format!("{extra}, \"engagement\""));
    let bredaa = write(
        root.path(),
        "bredaa.json",
        &vacancy(r#""id": "bredaa""#).replace(
            "\"municipality\": \"Breda\"",
            "\"municipality\": \"Bredaa\"",
        ),
    );
    let out = steunpunt(&a, &["vacancy", "publish", &bredaa]);
    assert!(out.status.success());
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(
        warned.starts_with("let op: ")
            && warned.contains(
                "bredaa.json: location.municipality: `Bredaa` staat niet in de postcodetabel"
            ),
        "{warned}"
    );
    let tilburg = write(
        root.path(),
        "tilburg.json",
        &vacancy(&format!(
            r#""id": "ver-weg", "start": "{}""#,
            day_from_now(400)
        ))
        .replace("\"pc4\": \"4811\"", "\"pc4\": \"5038\""),
    );
    let out = steunpunt(&a, &["vacancy", "publish", &tilburg]);
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(
        warned.contains("postcode 5038 ligt in Tilburg")
            && warned.contains("meer dan een jaar vooruit"),
        "{warned}"
    );
    // Contact details in the description publish, with a hint to use the contact fields.
    let bellen = write(
        root.path(),
        "bellen.json",
        &vacancy(r#""id": "bellen""#).replace(
            "Lees wekelijks voor aan groep 3 en 4.",
            "Lees wekelijks voor. Bel Anja op 06-12345678 of mail anja@gmail.com.",
        ),
    );
    let out = steunpunt(&a, &["vacancy", "publish", &bellen]);
    let warned = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{warned}");
    assert!(
        warned.contains(
            "bellen.json: description: lijkt een telefoonnummer te bevatten (06-12345678); \
             zet contactgegevens liever in contact.phone"
        ) && warned.contains("persoonlijk e-mailadres te bevatten (anja@gmail.com)"),
        "{warned}"
    );
    let ended = write(
        root.path(),
        "afgelopen.json",
        &vacancy(&format!(
            r#""id": "afgelopen", "end": "{}""#,
            dutch(&day_from_now(-2))
        )),
    );
    let err = fails(&a, &["vacancy", "publish", &ended]);
    assert!(
        err.contains("end: ") && err.contains("is al voorbij"),
        "{err}"
    );

    // The default expiry follows the end date; an unchanged draft that runs out within
    // 30 days is renewed.
    let end = day_from_now(200);
    let event = write(
        root.path(),
        "evenement.json",
        &vacancy(&format!(r#""id": "evenement", "end": "{}""#, dutch(&end))),
    );
    ok(&a, &["vacancy", "publish", &event]);
    let shown = json(&a, &["vacancy", "show", "evenement"]);
    assert_eq!(shown["end"], end.as_str());
    assert!(
        shown["valid_until"].as_str().unwrap()[..10] > *end.as_str(),
        "{shown}"
    );
    let soon = write(
        root.path(),
        "bijna.json",
        &vacancy(&format!(
            r#""id": "bijna", "valid_until": "{}""#,
            day_from_now(10)
        )),
    );
    ok(&a, &["vacancy", "publish", &soon]);
    let unchanged = write(
        root.path(),
        "bijna-opnieuw.json",
        &vacancy(r#""id": "bijna""#),
    );
    let (rows, totals, _) = import(&a, &[&unchanged]);
    assert_eq!(counts(&totals), summary(0, 1, 0, 0), "{rows:?}");
    let renewed = json(&a, &["vacancy", "show", "bijna"]);
    assert!(renewed["valid_until"].as_str().unwrap()[..10] > *day_from_now(60).as_str());

    // A spreadsheet saved by Excel: Windows line endings, Dutch dates, one mistake in
    // eleven rows said once with their line numbers, the column named.
    let mut lines = vec![
        "title;description;organisation;categories;engagement;municipality;pc4;email;start"
            .to_owned(),
    ];
    for i in 0..11 {
        lines.push(format!(
            "Klus {i};Help mee;Club {i};zorg;eenmalig;Breda;4811;info@club.nl;1-3-2027"
        ));
    }
    lines.push(
        "Goed;Help mee;Club;onderwijs-school;eenmalig;Breda;4811;info@club.nl;01-03-2027".into(),
    );
    lines.push(
        "Datum;Help mee;Club;onderwijs-school;eenmalig;Breda;4811;info@club.nl;32-1-2027".into(),
    );
    let sheet = write(root.path(), "excel.csv", &(lines.join("\r\n") + "\r\n"));
    let out = steunpunt(&a, &["import", &sheet]);
    assert!(!out.status.success());
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(
        report.contains("11 rijen (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12): kolom categories: `zorg` is geen bekende categorie"),
        "{report}"
    );
    assert_eq!(report.matches("kies uit").count(), 1, "{report}");
    assert!(
        report.contains("regel 14: kolom start: `32-1-2027` is geen datum; schrijf bijvoorbeeld 2027-03-01 of 1-3-2027"),
        "{report}"
    );
    let goed = json(&a, &["vacancy", "show", "goed"]);
    assert_eq!(goed["start"], "2027-03-01");

    // Search: flags named as typed, vocabulary in any case, a steunpunt by name, an
    // unknown municipality said, and a word when there are more results than shown.
    let err = fails(&a, &["search", "--radius-km", "5"]);
    assert!(
        err.contains("--radius-km: werkt alleen met --near"),
        "{err}"
    );
    let out = steunpunt(&a, &["search", "--municipality", "Bredaa"]);
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("let op: --municipality: `Bredaa` staat niet in de postcodetabel"),
        "{said}"
    );
    let found = ok(
        &a,
        &[
            "search",
            "--engagement",
            "Structureel",
            "--steunpunt",
            "breda",
            "--limit",
            "2",
        ],
    );
    assert!(found.contains("2 van "), "{found}");
    assert!(found.contains("getoond (meer met --limit"), "{found}");
    let err = fails(&a, &["search", "--steunpunt", "Tilburg"]);
    assert!(
        err.contains("Geen steunpunt heet `Tilburg`") && err.contains("Steunpunt Breda"),
        "{err}"
    );
    node.stop();
}

/// Dutch compounds both ways, short words whole, synonyms, and "nearest first" among
/// equals, through the CLI.
#[test]
fn search_understands_dutch() {
    let root = tempfile::tempdir().unwrap();
    let a = init(root.path(), "Steunpunt Breda", "Breda");
    let node = Node::start(&a);
    let vacancy = |id: &str, title: &str, pc4: &str| {
        VACANCY
            .replace("Voorlezen op de basisschool", title)
            .replace("Lees wekelijks voor aan groep 3 en 4.", "Help ons team.")
            .replace("\"pc4\": \"4811\"", &format!("\"pc4\": \"{pc4}\""))
            .replace(
                "\"engagement\"",
                &format!("\"id\": \"{id}\", \"engagement\""),
            )
    };
    let file = write(
        root.path(),
        "vacatures.json",
        &format!(
            "[{}, {}, {}, {}]",
            vacancy("buurthuis", "Gastvrouw in het buurthuis", "4811"),
            vacancy("digitaal", "Digitale hulp", "4811"),
            vacancy("administratie", "Administratie", "4811"),
            vacancy("buurthuis-ver", "Gastvrouw in het buurthuis", "4841"),
        ),
    );
    ok(&a, &["import", &file]);
    let huis = ok(&a, &["search", "huis"]);
    assert!(
        huis.contains("buurthuis") && !huis.contains("administratie"),
        "{huis}"
    );
    let computer = ok(&a, &["search", "computer"]);
    assert!(computer.contains("Digitale hulp"), "{computer}");
    let or = ok(&a, &["search", "or"]);
    assert!(or.contains("(niets gevonden)"), "{or}");
    // Two equal vacancies: the nearer one first.
    let near = ok(
        &a,
        &["search", "gastvrouw", "--near", "4841", "--radius-km", "30"],
    );
    let row = |id: &str| {
        near.lines()
            .position(|l| l.trim_end().trim_end_matches('│').trim_end().ends_with(id))
            .unwrap()
    };
    assert!(row("buurthuis-ver") < row(" buurthuis"), "{near}");
    node.stop();
}

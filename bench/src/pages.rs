//! The public site's pages on `n` vacancies, measured from outside: a real `steunpuntd`
//! with its site on, one client asking one page after another over HTTP, so the figures
//! are what a visitor's request costs on an idle node. Baseline in the same run: the
//! same searches through the API as JSON, which is the site's work without the page.

use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand::seq::IndexedRandom as _;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use steunpunt_api::SearchQuery;
use steunpunt_protocol::Kind;

use crate::daemon::{Daemon, init};
use crate::query::queries;
use crate::runtime::{Latency, fill, latency, round};

/// The measurements.
#[derive(Debug, Serialize)]
pub struct PagesReport {
    steunpuntd: String,
    vacancies: usize,
    /// The query mix of `query` through the API, as JSON (the baseline).
    api_search: Latency,
    /// The same queries as the search page (20 results, the form filled in).
    search_page: Latency,
    /// A vacancy page each, with its JobPosting JSON-LD.
    vacancy_page: Latency,
    /// The widget: the latest five MaS placements of a municipality.
    widget: Latency,
    /// The Atom feed of the same query mix, 50 entries each.
    atom_feed: Latency,
    /// The search page's p99 over the API search's.
    page_over_api_p99: f64,
    /// Bytes of one search page, on average.
    search_page_bytes: usize,
}

/// The form fields of a query of the mix (`query::queries`).
fn form_of(q: &SearchQuery) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(words) = &q.q {
        pairs.push(("wat", words.clone()));
    }
    if let Some(near) = &q.near {
        pairs.push(("waar", near.clone()));
        pairs.push(("straal", q.radius_km.unwrap_or(15.0).to_string()));
    }
    if let Some(m) = &q.municipality {
        pairs.push(("waar", m.clone()));
        pairs.push(("straal", "gemeente".into()));
    }
    if let Some(c) = &q.category {
        pairs.push(("categorie", c.clone()));
    }
    if q.mas {
        pairs.push(("mas", "ja".into()));
    }
    if let Some(age) = q.age {
        pairs.push(("leeftijd", age.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Milliseconds of each GET of `urls`, failing on any answer but 200; and the mean size.
fn time_pages(agent: &ureq::Agent, urls: &[String]) -> anyhow::Result<(Latency, usize)> {
    let mut millis = Vec::with_capacity(urls.len());
    let mut bytes = 0;
    for url in urls {
        let started = Instant::now();
        let mut answer = agent.get(url).call()?;
        let body = answer.body_mut().read_to_string()?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(answer.status() == 200, "{url} answered {}", answer.status());
        bytes += body.len();
    }
    Ok((latency(millis), bytes / urls.len().max(1)))
}

/// Runs the benchmark against the `steunpuntd` at `binary`.
pub fn run(binary: &Path, n: usize, requests: usize) -> anyhow::Result<PagesReport> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("site");
    let data_dir = init(&dir, "Steunpunt Meting")?;
    eprintln!("signing {n} vacancies into the node …");
    fill(&data_dir, n)?;
    // The site on, without a rate limit that one measuring client would reach.
    let config = dir.join("config.toml");
    let text = std::fs::read_to_string(&config)?
        .replace("enabled = false", "enabled = true")
        .replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:0\"")
        .replace("requests_per_minute = 120", "requests_per_minute = 1000000");
    std::fs::write(&config, text)?;
    eprintln!("starting the node, which builds its search index …");
    let node = Daemon::start(binary, &dir)?;
    let site = format!(
        "http://{}",
        std::fs::read_to_string(dir.join("public.addr"))?.trim()
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let mix = queries(requests, &mut rng);

    eprintln!("warming up …");
    for q in mix.iter().take(50) {
        node.api.search(Kind::Vacancy, q)?;
    }
    eprintln!("{requests} searches through the API …");
    let mut millis = Vec::with_capacity(requests);
    for q in &mix {
        let started = Instant::now();
        node.api.search(Kind::Vacancy, q)?;
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let api_search = latency(millis);

    eprintln!("{requests} search pages …");
    let urls: Vec<String> = mix
        .iter()
        .map(|q| format!("{site}/?{}", form_of(q)))
        .collect();
    let (search_page, search_page_bytes) = time_pages(&agent, &urls)?;

    eprintln!("{requests} vacancy pages …");
    let urls: Vec<String> = (0..requests)
        .map(|_| {
            let i = rand::Rng::random_range(&mut rng, 0..n);
            format!("{site}/vacature/{}/v{i}", node.steunpunt)
        })
        .collect();
    let (vacancy_page, _) = time_pages(&agent, &urls)?;

    eprintln!("{requests} widgets …");
    let municipalities = crate::query::MUNICIPALITIES;
    let urls: Vec<String> = (0..requests)
        .map(|_| {
            let m = municipalities.choose(&mut rng).copied().unwrap_or("Breda");
            let form =
                serde_urlencoded::to_string([("mas", "ja"), ("waar", m), ("straal", "gemeente")])
                    .unwrap_or_default();
            format!("{site}/widget?{form}")
        })
        .collect();
    let (widget, _) = time_pages(&agent, &urls)?;

    eprintln!("{requests} Atom feeds …");
    let urls: Vec<String> = mix
        .iter()
        .map(|q| format!("{site}/feed.atom?{}", form_of(q)))
        .collect();
    let (atom_feed, _) = time_pages(&agent, &urls)?;

    Ok(PagesReport {
        steunpuntd: binary.display().to_string(),
        vacancies: n,
        page_over_api_p99: round(search_page.p99_ms / api_search.p99_ms.max(0.01)),
        api_search,
        search_page,
        vacancy_page,
        widget,
        atom_feed,
        search_page_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_runs_on_a_tiny_region() -> anyhow::Result<()> {
        let report = run(&crate::daemon::beside_tests(), 200, 10)?;
        assert_eq!(report.vacancies, 200);
        assert_eq!(report.search_page.requests, 10);
        assert!(report.search_page_bytes > 1000);
        Ok(())
    }
}

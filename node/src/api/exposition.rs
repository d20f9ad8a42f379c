//! The two text formats scrapers read. `prometheus-client` writes OpenMetrics only; a
//! scraper that asks for the classic Prometheus format (0.0.4), or asks for nothing (curl,
//! older tools, `promtool`), gets that instead. The formats differ in how they name a
//! counter (OpenMetrics names the family `x` and its sample `x_total`; the classic format
//! names both `x_total`), in units and in the closing `# EOF`.

/// A text format of the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0.0.
    OpenMetrics,
    /// The Prometheus text format 0.0.4.
    Classic,
}

impl Format {
    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Classic => "text/plain; version=0.0.4; charset=utf-8",
        }
    }

    /// The format an `Accept` header prefers: OpenMetrics when it is asked for with at
    /// least the weight of plain text, else the classic format.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let (mut open_metrics, mut classic) = (0.0_f32, 0.0_f32);
        for entry in accept.unwrap_or("").split(',') {
            let mut parts = entry.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            match media.as_str() {
                "application/openmetrics-text" => open_metrics = open_metrics.max(weight),
                "text/plain" | "text/*" | "*/*" => classic = classic.max(weight),
                _ => {}
            }
        }
        if open_metrics > 0.0 && open_metrics >= classic {
            Format::OpenMetrics
        } else {
            Format::Classic
        }
    }
}

/// Families whose unit the library that registers them leaves out of the name, as
/// Prometheus' naming rules ask for it: published with the unit appended.
const UNITS: &[(&str, &str)] = &[("libp2p_swarm_connections_establishment_duration", "seconds")];

/// One metric family of an OpenMetrics text.
#[derive(Debug, Default)]
struct Family {
    name: String,
    help: String,
    kind: String,
    unit: Option<String>,
    samples: Vec<String>,
}

impl Family {
    fn rename(&mut self, to: &str) {
        for sample in &mut self.samples {
            if let Some(rest) = sample.strip_prefix(&self.name) {
                *sample = format!("{to}{rest}");
            }
        }
        self.name = to.to_owned();
    }
}

/// Reads the OpenMetrics text `prometheus-client` writes: families in order, each its
/// `# HELP`, `# TYPE` and `# UNIT` lines, then its samples.
fn families(text: &str) -> Vec<Family> {
    let mut families: Vec<Family> = Vec::new();
    for line in text.lines() {
        if line == "# EOF" || line.is_empty() {
            continue;
        }
        if let Some(meta) = line.strip_prefix("# ") {
            let mut words = meta.splitn(3, ' ');
            let (keyword, name, rest) = (
                words.next().unwrap_or(""),
                words.next().unwrap_or(""),
                words.next().unwrap_or(""),
            );
            if families.last().is_none_or(|f| f.name != name) {
                families.push(Family {
                    name: name.to_owned(),
                    ..Family::default()
                });
            }
            let Some(family) = families.last_mut() else {
                continue;
            };
            match keyword {
                "HELP" => family.help = rest.to_owned(),
                "TYPE" => family.kind = rest.to_owned(),
                "UNIT" => family.unit = Some(rest.to_owned()),
                _ => {}
            }
        } else if let Some(family) = families.last_mut() {
            family.samples.push(line.to_owned());
        }
    }
    for family in &mut families {
        if let Some((_, unit)) = UNITS.iter().find(|(name, _)| *name == family.name) {
            let to = format!("{}_{unit}", family.name);
            family.rename(&to);
            family.unit = Some((*unit).to_owned());
        }
    }
    families
}

/// The OpenMetrics text `open_metrics` (as `prometheus-client` writes it) in `format`.
pub fn render(open_metrics: &str, format: Format) -> String {
    let mut out = String::with_capacity(open_metrics.len());
    for family in families(open_metrics) {
        let (name, kind) = match (format, family.kind.as_str()) {
            (Format::OpenMetrics, kind) => (family.name.clone(), kind),
            (Format::Classic, "counter") => (format!("{}_total", family.name), "counter"),
            (Format::Classic, "info") => (format!("{}_info", family.name), "gauge"),
            (Format::Classic, kind @ ("gauge" | "histogram" | "summary")) => {
                (family.name.clone(), kind)
            }
            (Format::Classic, "stateset") => (family.name.clone(), "gauge"),
            (Format::Classic, _) => (family.name.clone(), "untyped"),
        };
        out.push_str(&format!("# HELP {name} {}\n", family.help));
        out.push_str(&format!("# TYPE {name} {kind}\n"));
        if format == Format::OpenMetrics
            && let Some(unit) = &family.unit
        {
            out.push_str(&format!("# UNIT {name} {unit}\n"));
        }
        for sample in &family.samples {
            match format {
                Format::OpenMetrics => out.push_str(sample),
                Format::Classic => {
                    // No creation times and no exemplars in the classic format.
                    let metric = sample.split(['{', ' ']).next().unwrap_or("");
                    if metric.ends_with("_created") {
                        continue;
                    }
                    out.push_str(sample.split(" # ").next().unwrap_or(sample));
                }
            }
            out.push('\n');
        }
    }
    if format == Format::OpenMetrics {
        out.push_str("# EOF\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Format, render};

    const TEXT: &str = "# HELP steunpunt_published Own records published or withdrawn.
# TYPE steunpunt_published counter
steunpunt_published_total 3
steunpunt_published_created 1.7e9
# HELP steunpunt_records Records held.
# TYPE steunpunt_records gauge
steunpunt_records 5
# HELP libp2p_swarm_connections_establishment_duration Time it took (locally) to establish connections.
# TYPE libp2p_swarm_connections_establishment_duration histogram
libp2p_swarm_connections_establishment_duration_sum{role=\"dialer\"} 0.5 # {trace=\"a\"} 0.5
libp2p_swarm_connections_establishment_duration_count{role=\"dialer\"} 1
libp2p_swarm_connections_establishment_duration_bucket{le=\"+Inf\",role=\"dialer\"} 1
# EOF
";

    #[test]
    fn scrapers_get_the_format_they_ask_for() {
        let prometheus = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text")),
            Format::OpenMetrics
        );
        assert_eq!(Format::negotiate(None), Format::Classic);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Classic);
        assert_eq!(
            Format::negotiate(Some("text/plain;version=0.0.4")),
            Format::Classic
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0.1,text/plain")),
            Format::Classic
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0")),
            Format::Classic
        );
    }

    #[test]
    fn the_classic_format_names_counters_by_their_samples() {
        let classic = render(TEXT, Format::Classic);
        assert!(classic.contains("# HELP steunpunt_published_total Own records"));
        assert!(
            classic.contains(
                "# TYPE steunpunt_published_total counter\nsteunpunt_published_total 3\n"
            )
        );
        assert!(!classic.contains("_created"), "{classic}");
        assert!(!classic.contains("# EOF"));
        assert!(!classic.contains("# {"), "exemplars stay out: {classic}");
        assert!(classic.contains("# TYPE steunpunt_records gauge\nsteunpunt_records 5\n"));
    }

    #[test]
    fn units_join_the_name_in_both_formats() {
        let open_metrics = render(TEXT, Format::OpenMetrics);
        assert!(open_metrics.contains(
            "# TYPE libp2p_swarm_connections_establishment_duration_seconds histogram\n# UNIT libp2p_swarm_connections_establishment_duration_seconds seconds\n"
        ));
        assert!(open_metrics.contains(
            "libp2p_swarm_connections_establishment_duration_seconds_count{role=\"dialer\"} 1"
        ));
        assert!(open_metrics.contains("steunpunt_published_created 1.7e9"));
        assert!(open_metrics.ends_with("# EOF\n"));
        let classic = render(TEXT, Format::Classic);
        assert!(classic.contains(
            "libp2p_swarm_connections_establishment_duration_seconds_bucket{le=\"+Inf\",role=\"dialer\"} 1"
        ));
        assert!(!classic.contains("# UNIT"));
    }
}

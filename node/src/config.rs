//! The node's configuration: `DATA_DIR/config.toml`, overridden by environment variables,
//! overridden by command-line flags; defaults for everything else.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};
use steunpunt_protocol::trust::{DEFAULT_TRUST_HOPS, MAX_TRUST_HOPS};

/// Default API address: loopback only.
pub const DEFAULT_API: &str = "127.0.0.1:7300";
/// Default libp2p listen addresses.
pub const DEFAULT_LISTEN: [&str; 2] = ["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"];

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who this steunpunt is; published as its profile record.
    pub steunpunt: SteunpuntConfig,
    /// Networking.
    #[serde(default)]
    pub network: NetworkConfig,
    /// Anti-entropy sync.
    #[serde(default)]
    pub sync: SyncConfig,
    /// Trust.
    #[serde(default)]
    pub trust: TrustConfig,
    /// The local HTTP API.
    #[serde(default)]
    pub api: ApiConfig,
    /// The record store.
    #[serde(default)]
    pub store: StoreConfig,
    /// The public site: the region's vacancies for volunteers (off by default).
    #[serde(default)]
    pub public: PublicConfig,
}

/// Which records the public site shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Show {
    /// Only this steunpunt's own vacancies and partners.
    Own,
    /// The trusted region up to `public.hops` vouching steps away.
    Region,
}

/// The public site's settings (`[public]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicConfig {
    /// Serve the site at all.
    pub enabled: bool,
    /// Its address; never the API's.
    pub listen: String,
    /// Own records only, or the region's.
    pub show: Show,
    /// With `show = "region"`: vouching steps away whose records are shown (1 = our
    /// neighbours; at most `trust.hops`, which is what is held).
    pub hops: u8,
    /// The site's name; the steunpunt's name when empty.
    pub title: String,
    /// A logo file (PNG, JPEG, WebP or SVG, at most 256 KiB), relative to the data
    /// directory unless absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// The main colour (`#rrggbb`): headers and buttons, with white text on it.
    pub colour: String,
    /// Where the public reaches the site (`https://vacatures.steunpunt.nl`): for the
    /// feeds' and the embed snippet's links. Empty: the address it listens on.
    pub base_url: String,
    /// Requests per minute one client address may make.
    pub requests_per_minute: u32,
}

impl Default for PublicConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            listen: DEFAULT_PUBLIC.to_owned(),
            show: Show::Region,
            hops: DEFAULT_TRUST_HOPS,
            title: String::new(),
            logo: None,
            colour: DEFAULT_COLOUR.to_owned(),
            base_url: String::new(),
            requests_per_minute: 120,
        }
    }
}

/// Default address of the public site.
pub const DEFAULT_PUBLIC: &str = "127.0.0.1:8080";
/// Default main colour of the public site: a dark blue on which white text has a
/// contrast of 8.6:1.
pub const DEFAULT_COLOUR: &str = "#1d4f91";
/// Least contrast of white text on the main colour: WCAG 2.1 AA for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The media type of a logo file, by its extension; `None` for a kind the site does
/// not serve.
pub fn logo_media_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

/// The colour `#rrggbb` as red, green and blue.
pub fn parse_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The contrast ratio of white on `rgb` (WCAG 2.1, relative luminance).
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
    1.05 / (luminance + 0.05)
}

/// Store settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    /// Refuse writes while the disk has less free space than this (MiB), so that the
    /// store never runs into a full disk in the middle of a write.
    pub reserve_mb: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            reserve_mb: crate::store::DEFAULT_RESERVE_BYTES >> 20,
        }
    }
}

/// The steunpunt's public profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SteunpuntConfig {
    /// Name of the steunpunt.
    pub name: String,
    /// Municipalities served.
    #[serde(default)]
    pub municipalities: Vec<String>,
    /// Region label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Functional e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Functional phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the steunpunt does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// libp2p settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Multiaddresses to listen on.
    pub listen: Vec<String>,
    /// Discover nodes on the local network with mDNS (off by default).
    pub mdns: bool,
    /// Close connections idle for this long. Sync runs every minute, so the default keeps
    /// peered connections open between syncs while letting stray ones go.
    pub idle_timeout_secs: u64,
    /// Most established connections in total.
    pub max_connections: u32,
    /// Most established connections per peer.
    pub max_connections_per_peer: u32,
    /// Refuse new connections above this fraction of system memory in use.
    pub max_memory_fraction: f64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.iter().map(|s| (*s).to_owned()).collect(),
            mdns: false,
            idle_timeout_secs: 300,
            max_connections: 128,
            max_connections_per_peer: 2,
            max_memory_fraction: 0.9,
        }
    }
}

/// Sync settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// Seconds between syncs with each connected peer (jittered by ±10 %).
    pub interval_secs: u64,
    /// Most sync runs this node has open at once.
    pub max_concurrent: usize,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval_secs: 60,
            max_concurrent: 4,
        }
    }
}

/// Trust settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustConfig {
    /// Vouching hops to follow (ARCHITECTURE.md, Trust).
    pub hops: u8,
}

impl Default for TrustConfig {
    fn default() -> Self {
        Self {
            hops: DEFAULT_TRUST_HOPS,
        }
    }
}

/// API settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Address of the HTTP API (`127.0.0.1:0` picks a free port; see `api.addr`).
    pub listen: String,
    /// Allow a non-loopback API address. Off: the API is reachable only from this machine.
    pub allow_remote: bool,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_API.to_owned(),
            allow_remote: false,
        }
    }
}

/// `text` as comment lines of at most 80 characters.
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() > 1 && line.chars().count() + 1 + word.chars().count() > 80 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A documented key: its name, what it is for (Dutch / English), an example value.
type Key = (&'static str, &'static str, &'static str);

/// Every section and key of `config.toml` as `init` writes it: what it is for (Dutch, then
/// English) and, for keys that may be left out, an example.
const DOCUMENTED: &[(&str, &str, &[Key])] = &[
    (
        "steunpunt",
        "Wie dit steunpunt is; dit wordt als profiel in de regio gepubliceerd.\nWho this steunpunt is; published to the region as its profile.",
        &[
            (
                "name",
                "Naam van het steunpunt. / Name of the steunpunt.",
                r#""Steunpunt Breda""#,
            ),
            (
                "municipalities",
                "Gemeenten die het steunpunt bedient. / Municipalities served.",
                r#"["Breda"]"#,
            ),
            (
                "region",
                "Regio, bijvoorbeeld West-Brabant. / Region label.",
                r#""West-Brabant""#,
            ),
            (
                "website",
                "Website. / Website.",
                r#""https://www.steunpuntbreda.nl""#,
            ),
            (
                "email",
                "Algemeen e-mailadres (geen persoonlijk adres). / Functional e-mail address.",
                r#""info@steunpuntbreda.nl""#,
            ),
            (
                "phone",
                "Algemeen telefoonnummer. / Functional phone number.",
                r#""076-5221234""#,
            ),
            (
                "description",
                "Wat het steunpunt doet. / What the steunpunt does.",
                r#""Vrijwilligerscentrale van Breda: vacaturebank, advies, MaS.""#,
            ),
        ],
    ),
    (
        "network",
        "Netwerk (libp2p).\nNetworking (libp2p).",
        &[
            (
                "listen",
                "Adressen om op te luisteren; buren verbinden hierheen. / Addresses to listen on; neighbours connect here.",
                r#"["/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"]"#,
            ),
            (
                "mdns",
                "Nodes op het lokale netwerk vinden met mDNS (standaard uit). / Find nodes on the local network with mDNS (off by default).",
                "false",
            ),
            (
                "idle_timeout_secs",
                "Sluit verbindingen die zo lang stil zijn (seconden). / Close connections idle this long (seconds).",
                "300",
            ),
            (
                "max_connections",
                "Hoogstens zoveel verbindingen. / Most connections.",
                "128",
            ),
            (
                "max_connections_per_peer",
                "Hoogstens zoveel verbindingen per node. / Most connections per node.",
                "2",
            ),
            (
                "max_memory_fraction",
                "Weiger nieuwe verbindingen boven dit deel van het geheugen in gebruik (0,1 tot 1,0). / Refuse new connections above this fraction of memory in use (0.1 to 1.0).",
                "0.9",
            ),
        ],
    ),
    (
        "sync",
        "Bijwerken met de buren.\nSync with the neighbours.",
        &[
            (
                "interval_secs",
                "Seconden tussen twee synchronisaties met elke buur; met één buur hooguit eens per 3 seconden. / Seconds between syncs with each neighbour; with one neighbour at most once every 3 seconds.",
                "60",
            ),
            (
                "max_concurrent",
                "Hoogstens zoveel synchronisaties tegelijk. / Most syncs at once.",
                "4",
            ),
        ],
    ),
    (
        "trust",
        "Vertrouwen.\nTrust.",
        &[(
            "hops",
            "Hoeveel stappen van instaan we volgen (0 tot 8): 1 = alleen onze buren. / Vouching steps to follow (0 to 8): 1 = only our neighbours.",
            "3",
        )],
    ),
    (
        "api",
        "De lokale API, voor het programma steunpunt.\nThe local API, for the steunpunt program.",
        &[
            (
                "listen",
                "Adres van de API; 127.0.0.1 is alleen deze computer. / API address; 127.0.0.1 is this machine only.",
                r#""127.0.0.1:7300""#,
            ),
            (
                "allow_remote",
                "Sta een API-adres toe dat andere computers bereiken (standaard uit). / Allow an API address other machines can reach (off by default).",
                "false",
            ),
        ],
    ),
    (
        "store",
        "De opslag van de gegevens.\nThe record store.",
        &[(
            "reserve_mb",
            "Weiger opslaan zolang er minder dan zoveel MiB vrij is op de schijf, zodat een volle schijf nooit midden in het schrijven komt. / Refuse writes while less than this many MiB are free, so a full disk never interrupts a write.",
            "32",
        )],
    ),
    (
        "public",
        "De openbare website: vacatures voor vrijwilligers, met widget en feeds.\nThe public site: vacancies for volunteers, with a widget and feeds.",
        &[
            (
                "enabled",
                "Zet de openbare website aan (standaard uit). / Serve the public site (off by default).",
                "false",
            ),
            (
                "listen",
                "Adres van de website, nooit dat van de API; 0.0.0.0:8080 voor iedereen, of 127.0.0.1 achter een webserver. / Address of the site, never the API's; 0.0.0.0:8080 for everyone, or 127.0.0.1 behind a web server.",
                r#""127.0.0.1:8080""#,
            ),
            (
                "show",
                "Welke vacatures: \"own\" (alleen die van dit steunpunt) of \"region\" (de regio). / Which vacancies: \"own\" (this steunpunt's only) or \"region\".",
                r#""region""#,
            ),
            (
                "hops",
                "Bij \"region\": tot hoeveel stappen van instaan (1 = alleen onze buren; hoogstens trust.hops). / With \"region\": up to how many vouching steps (1 = our neighbours; at most trust.hops).",
                "3",
            ),
            (
                "title",
                "Naam van de website; leeg: de naam van het steunpunt. / Name of the site; empty: the steunpunt's name.",
                r#""Vacaturebank Steunpunt Breda""#,
            ),
            (
                "logo",
                "Logo (PNG, JPEG, WebP of SVG, hoogstens 256 KiB), in de datamap of met volledig pad. / Logo file (PNG, JPEG, WebP or SVG, at most 256 KiB), in the data directory or a full path.",
                r#""logo.png""#,
            ),
            (
                "colour",
                "Hoofdkleur (#rrggbb), met witte tekst erop: het contrast moet minstens 4,5 zijn. / Main colour (#rrggbb) with white text on it: contrast at least 4.5.",
                r##""#1d4f91""##,
            ),
            (
                "base_url",
                "Waar het publiek de website bereikt, voor de links in feeds en widget; leeg: het adres hierboven. / Where the public reaches the site, for links in feeds and widget; empty: the address above.",
                r#""https://vacatures.steunpuntbreda.nl""#,
            ),
            (
                "requests_per_minute",
                "Hoogstens zoveel verzoeken per minuut per bezoekersadres. / Most requests per minute per visitor address.",
                "120",
            ),
        ],
    ),
];

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path} is not a valid configuration: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is out of range.
    #[error("configuration value `{field}` {problem}")]
    Invalid {
        /// Which setting.
        field: &'static str,
        /// What is wrong and what is allowed.
        problem: String,
    },
}

impl Config {
    /// Reads `config.toml` from `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: shown,
            message: e.to_string(),
        })?;
        config.check()?;
        Ok(config)
    }

    /// The TOML text of this configuration.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The TOML text of this configuration as `init` writes it: every key of every section
    /// with a comment in Dutch and English, the optional profile keys that are not set as
    /// commented examples, so the file documents itself.
    pub fn documented(&self) -> String {
        let values: toml::Table = toml::Table::try_from(self).unwrap_or_default();
        let mut out = String::new();
        for (section, about, keys) in DOCUMENTED {
            out.push_str(&format!(
                "\n# {}\n[{section}]\n",
                about.replace('\n', "\n# ")
            ));
            let table = values.get(*section).and_then(toml::Value::as_table);
            for (key, help, example) in *keys {
                // Dutch, then English, each wrapped to fit an 80-column editor.
                for part in help.split(" / ") {
                    out.push_str(&comment(part));
                }
                match table.and_then(|t| t.get(*key)) {
                    Some(value) => out.push_str(&format!("{key} = {value}\n")),
                    None => out.push_str(&format!("# {key} = {example}\n")),
                }
            }
        }
        out
    }

    /// Checks ranges; returns the first problem.
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |field, problem: &str| {
            Err(ConfigError::Invalid {
                field,
                problem: problem.to_owned(),
            })
        };
        if self.steunpunt.name.trim().is_empty() {
            return invalid("steunpunt.name", "is empty; give the steunpunt's name");
        }
        if self.trust.hops > MAX_TRUST_HOPS {
            return invalid(
                "trust.hops",
                &format!("is {}; use 0 to {MAX_TRUST_HOPS}", self.trust.hops),
            );
        }
        if self.sync.interval_secs == 0 {
            return invalid("sync.interval_secs", "is 0; use at least 1 second");
        }
        if self.sync.max_concurrent == 0 {
            return invalid("sync.max_concurrent", "is 0; use at least 1");
        }
        if !(0.1..=1.0).contains(&self.network.max_memory_fraction) {
            return invalid("network.max_memory_fraction", "must be between 0.1 and 1.0");
        }
        let api: SocketAddr = self.api.listen.parse().map_err(|_| ConfigError::Invalid {
            field: "api.listen",
            problem: format!(
                "`{}` is not an address like 127.0.0.1:7300",
                self.api.listen
            ),
        })?;
        if !api.ip().is_loopback() && !self.api.allow_remote {
            return invalid(
                "api.listen",
                &format!(
                    "is {api}, which other machines can reach; use 127.0.0.1, or set api.allow_remote = true if you really mean it"
                ),
            );
        }
        self.check_public(api)?;
        for addr in &self.network.listen {
            if addr.parse::<libp2p::Multiaddr>().is_err() {
                return invalid(
                    "network.listen",
                    &format!(
                        "contains `{addr}`, which is not a multiaddress like /ip4/0.0.0.0/tcp/4001"
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_public(&self, api: SocketAddr) -> Result<(), ConfigError> {
        let p = &self.public;
        let invalid = |field, problem: String| Err(ConfigError::Invalid { field, problem });
        let Ok(listen) = p.listen.parse::<SocketAddr>() else {
            return invalid(
                "public.listen",
                format!("`{}` is not an address like 0.0.0.0:8080", p.listen),
            );
        };
        if p.enabled && listen.port() == api.port() && listen.port() != 0 {
            return invalid(
                "public.listen",
                format!(
                    "uses port {}, the API's; the public site needs a port of its own",
                    listen.port()
                ),
            );
        }
        if p.hops == 0 || p.hops > self.trust.hops.max(1) {
            return invalid(
                "public.hops",
                format!(
                    "is {}; use 1 to trust.hops ({})",
                    p.hops,
                    self.trust.hops.max(1)
                ),
            );
        }
        match parse_colour(&p.colour) {
            None => {
                return invalid(
                    "public.colour",
                    format!("`{}` is not a colour like #1d4f91", p.colour),
                );
            }
            Some(rgb) if contrast_with_white(rgb) < MIN_CONTRAST => {
                return invalid(
                    "public.colour",
                    format!(
                        "`{}` is too light: white text on it has a contrast of {:.1}, and at least {MIN_CONTRAST} is needed to be readable (WCAG AA); choose a darker colour",
                        p.colour,
                        contrast_with_white(rgb)
                    ),
                );
            }
            Some(_) => {}
        }
        let web_address = ["https://", "http://"]
            .iter()
            .any(|s| p.base_url.starts_with(s));
        if !(p.base_url.is_empty() || web_address) {
            return invalid(
                "public.base_url",
                format!("`{}` must start with https:// or http://", p.base_url),
            );
        }
        if p.requests_per_minute == 0 {
            return invalid("public.requests_per_minute", "is 0; use at least 1".into());
        }
        if let Some(logo) = &p.logo
            && logo_media_type(Path::new(logo)).is_none()
        {
            return invalid(
                "public.logo",
                format!("`{logo}` must be a .png, .jpg, .webp or .svg file"),
            );
        }
        Ok(())
    }

    /// The API socket address (checked by [`Config::check`]).
    pub fn api_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.api.listen.parse().map_err(|_| ConfigError::Invalid {
            field: "api.listen",
            problem: "is not an address".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Config {
        Config {
            steunpunt: SteunpuntConfig {
                name: "Steunpunt Breda".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let config = base();
        config.check().unwrap();
        let parsed: Config = toml::from_str(&config.to_toml()).unwrap();
        assert_eq!(parsed, config);
    }

    #[test]
    fn the_written_file_documents_every_key_and_reads_back() {
        let mut config = base();
        config.steunpunt.municipalities = vec!["Breda".into()];
        config.steunpunt.email = Some("info@steunpuntbreda.nl".into());
        let text = config.documented();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed, config);
        // Every key the program reads is in the file, set or as a commented example, and
        // every commented example is a key the program accepts.
        let everything = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if DOCUMENTED.iter().any(|(_, _, keys)| {
                        keys.iter()
                            .any(|(k, _, _)| rest.starts_with(&format!("{k} = ")))
                    }) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let full: Config = toml::from_str(&everything).unwrap();
        full.check().unwrap();
        assert!(full.steunpunt.website.is_some() && full.steunpunt.phone.is_some());
        assert!(full.steunpunt.region.is_some() && !full.steunpunt.description.is_empty());
        let all_keys: toml::Table = toml::Table::try_from(&full).unwrap();
        for (section, _, keys) in DOCUMENTED {
            let table = all_keys[*section].as_table().unwrap();
            assert_eq!(table.len(), keys.len(), "[{section}] documents every key");
        }
        assert!(text.contains("# Naam van het steunpunt.\n# Name of the steunpunt.\n"));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    }

    #[test]
    fn remote_api_needs_explicit_permission() {
        let mut config = base();
        config.api.listen = "0.0.0.0:7300".into();
        let err = config.check().unwrap_err().to_string();
        assert!(err.contains("allow_remote"), "{err}");
        config.api.allow_remote = true;
        config.check().unwrap();
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let err =
            toml::from_str::<Config>("[steunpunt]\nname = \"x\"\n[sync]\nintervall_secs = 5\n")
                .unwrap_err();
        assert!(err.to_string().contains("intervall_secs"), "{err}");
        let mut config = base();
        config.trust.hops = 20;
        assert!(
            config
                .check()
                .unwrap_err()
                .to_string()
                .contains("trust.hops")
        );
        config.trust.hops = 3;
        config.network.listen = vec!["tcp 4001".into()];
        assert!(
            config
                .check()
                .unwrap_err()
                .to_string()
                .contains("multiaddress")
        );
    }
}

//! The data directory: what lives where, creating it (`init`) and opening it.
//!
//! ```text
//! DATA_DIR/config.toml      settings (edited by admins)
//! DATA_DIR/steunpunt.key    the steunpunt's signing key (0600; back it up)
//! DATA_DIR/node.key         this node's libp2p identity (0600)
//! DATA_DIR/peers.json       neighbours added with `peer add`
//! DATA_DIR/db/              the record store
//! DATA_DIR/db.check         what the store held at its last flush
//! DATA_DIR/search/          the search index (rebuilt from the store when missing)
//! DATA_DIR/api.token        bearer token of the local API (0600, written at start)
//! DATA_DIR/api.addr         the API's actual address (written at start)
//! ```

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use libp2p::identity::Keypair;
use libp2p::{Multiaddr, PeerId};
use serde::{Deserialize, Serialize};
use steunpunt_api::files;
use steunpunt_protocol::keys::KeyFileError;
use steunpunt_protocol::{SteunpuntId, SteunpuntKey};

use crate::config::{ApiConfig, Config, ConfigError, NetworkConfig, SteunpuntConfig};

pub use steunpunt_api::files::DATA_DIR_ENV;

/// Why the data directory cannot be created or used.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// There is no initialised data directory.
    #[error(
        "there is no steunpunt data directory at {0}; create one with `steunpuntd --data-dir DIR init --name NAME`, or pass --data-dir"
    )]
    Missing(String),
    /// `init` on a directory that already holds a steunpunt.
    #[error("{0} already holds a steunpunt; use another --data-dir, or keep using this one")]
    AlreadyInitialised(String),
    /// No directory was given and the platform has none.
    #[error("no data directory given; pass --data-dir or set STEUNPUNT_DATA_DIR")]
    NoDefault,
    /// The steunpunt key.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// The node key file.
    #[error("the node key {path} cannot be used: {problem}")]
    NodeKey {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// The configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The peers file.
    #[error("{path} is damaged: {problem}; fix or remove it")]
    Peers {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// A backup to restore is not one `steunpuntd backup` wrote.
    #[error("{path} cannot be restored: {problem}")]
    Backup {
        /// The backup.
        path: String,
        /// What is wrong.
        problem: String,
    },
    /// `restore` into a directory that already holds something.
    #[error("{0} is not empty; restore into a new or empty data directory")]
    NotEmpty(String),
    /// A running steunpuntd uses the data directory.
    #[error("the data directory {0} is in use by a running steunpuntd; stop it first")]
    Running(String),
    /// There is no store to set aside.
    #[error("there is no store in {0} to set aside")]
    NoStore(String),
    /// Anything else the file system said.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// The files a backup holds: what cannot come back from the region.
pub const BACKUP_FILES: [&str; 4] = [
    files::STEUNPUNT_KEY,
    files::NODE_KEY,
    files::CONFIG,
    files::PEERS,
];

/// A file in a backup larger than this is not one of ours.
const MAX_BACKUP_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What a backup holds, or what was restored from one.
#[derive(Debug)]
pub struct BackupReport {
    /// Whose it is.
    pub steunpunt: SteunpuntId,
    /// Its name, from `config.toml`.
    pub name: String,
    /// The files.
    pub files: Vec<String>,
    /// Neighbours in `peers.json`.
    pub neighbours: usize,
}

/// What [`DataDir::set_aside_store`] did.
#[derive(Debug)]
pub struct SetAside {
    /// Where the damaged files are now.
    pub folder: PathBuf,
    /// Which files were moved.
    pub moved: Vec<String>,
    /// Neighbours in `peers.json`, who hold copies of the records.
    pub neighbours: usize,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError {
    let path = path.display().to_string();
    move |source| DataDirError::Io {
        action,
        path,
        source,
    }
}

/// Writes a file readable only by its owner, replacing it atomically.
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), DataDirError> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io("create", &tmp))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(io("write", &tmp))?;
    std::fs::rename(&tmp, path).map_err(io("replace", path))
}

/// Creates `path` (and its parents) if needed, readable by its owner only.
fn create_private_dir(path: &Path) -> Result<(), DataDirError> {
    std::fs::create_dir_all(path).map_err(io("create", path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(io("protect", path))?;
    }
    Ok(())
}

/// The permission bits of the file at `path` when users other than its owner may read or
/// write it; `None` when they may not, or when it does not exist.
pub fn open_to_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A neighbour added with `peer add`: dialled at start and redialled when lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerEntry {
    /// Where to reach its node, ending in `/p2p/PEER_ID`.
    pub multiaddr: Multiaddr,
    /// The steunpunt it belongs to.
    pub steunpunt: SteunpuntId,
    /// A label for people.
    #[serde(default)]
    pub label: String,
}

impl PeerEntry {
    /// The node's PeerId from the multiaddress.
    pub fn peer_id(&self) -> Option<PeerId> {
        self.multiaddr.iter().find_map(|p| match p {
            libp2p::multiaddr::Protocol::P2p(id) => Some(id),
            _ => None,
        })
    }
}

/// What `init` sets up.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// Name of the steunpunt.
    pub name: String,
    /// Municipalities served.
    pub municipalities: Vec<String>,
    /// libp2p listen addresses (default: TCP and QUIC on port 4001).
    pub listen: Vec<String>,
    /// API address (default 127.0.0.1:7300).
    pub api: Option<String>,
}

/// What `init` created.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    /// The new steunpunt's ID.
    pub steunpunt_id: SteunpuntId,
    /// The node's PeerId.
    pub peer_id: String,
    /// The data directory.
    pub data_dir: PathBuf,
}

/// An opened data directory.
pub struct Opened {
    /// The configuration file's contents.
    pub config: Config,
    /// The steunpunt key.
    pub steunpunt_key: SteunpuntKey,
    /// The node's libp2p identity.
    pub node_key: Keypair,
    /// Neighbours added with `peer add`.
    pub peers: Vec<PeerEntry>,
}

/// Paths inside a data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The directory given, or `$STEUNPUNT_DATA_DIR` (read by the caller's flag parser),
    /// or the platform's data directory.
    pub fn resolve(given: Option<PathBuf>) -> Result<Self, DataDirError> {
        let root = match given {
            Some(dir) => dir,
            None => dirs::data_dir()
                .map(|d| d.join("steunpunt"))
                .ok_or(DataDirError::NoDefault)?,
        };
        Ok(Self { root })
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(files::CONFIG)
    }

    /// `steunpunt.key`.
    pub fn steunpunt_key_path(&self) -> PathBuf {
        self.root.join(files::STEUNPUNT_KEY)
    }

    /// `node.key`.
    pub fn node_key_path(&self) -> PathBuf {
        self.root.join(files::NODE_KEY)
    }

    /// `peers.json`.
    pub fn peers_path(&self) -> PathBuf {
        self.root.join(files::PEERS)
    }

    /// `db/`.
    pub fn db_path(&self) -> PathBuf {
        self.root.join(files::DB)
    }

    /// The search index (derived from the store; rebuilt when missing).
    pub fn search_path(&self) -> PathBuf {
        self.root.join(files::SEARCH)
    }

    /// `api.token`.
    pub fn api_token_path(&self) -> PathBuf {
        self.root.join(files::API_TOKEN)
    }

    /// `api.addr`.
    pub fn api_addr_path(&self) -> PathBuf {
        self.root.join(files::API_ADDR)
    }

    /// `public.addr`: where the public site listens, while the node runs.
    pub fn public_addr_path(&self) -> PathBuf {
        self.root.join(files::PUBLIC_ADDR)
    }

    /// Writes the files that cannot come back from the region (the keys, the settings and
    /// the neighbour list) to `out` as a tar archive. Checks them first: a backup that
    /// cannot be restored is worse than none.
    pub fn backup(&self, out: impl Write) -> Result<BackupReport, DataDirError> {
        let opened = self.open()?;
        let mut archive = tar::Builder::new(out);
        let mut saved = Vec::new();
        let failed = |e: std::io::Error| DataDirError::Io {
            action: "write the backup of",
            path: self.root.display().to_string(),
            source: e,
        };
        for name in BACKUP_FILES {
            let path = self.root.join(name);
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                // No neighbours added yet.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && name == files::PEERS => {
                    continue;
                }
                Err(e) => return Err(io("read", &path)(e)),
            };
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o600);
            header.set_mtime(crate::clock::now().0 / 1000);
            archive
                .append_data(&mut header, name, bytes.as_slice())
                .map_err(failed)?;
            saved.push(name.to_owned());
        }
        archive
            .into_inner()
            .and_then(|mut out| out.flush())
            .map_err(failed)?;
        Ok(BackupReport {
            steunpunt: opened.steunpunt_key.id(),
            name: opened.config.steunpunt.name,
            files: saved,
            neighbours: opened.peers.len(),
        })
    }

    /// Restores a backup written by [`DataDir::backup`] into this data directory, which
    /// must be new or empty; every file readable by its owner only.
    pub fn restore(&self, input: impl Read, shown: &str) -> Result<BackupReport, DataDirError> {
        let refuse = |problem: String| DataDirError::Backup {
            path: shown.to_owned(),
            problem,
        };
        let bad =
            |e: std::io::Error| refuse(format!("it is not a backup of a data directory ({e})"));
        if std::fs::read_dir(&self.root).is_ok_and(|mut d| d.next().is_some()) {
            return Err(DataDirError::NotEmpty(self.root.display().to_string()));
        }
        // Read all of it before writing anything, so a bad backup leaves nothing behind.
        let mut found = Vec::new();
        for entry in tar::Archive::new(input).entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let name = entry.path().map_err(bad)?.to_string_lossy().into_owned();
            let Some(name) = BACKUP_FILES.iter().find(|f| **f == name) else {
                return Err(refuse(format!(
                    "it holds `{name}`, which is not one of {}",
                    BACKUP_FILES.join(", ")
                )));
            };
            if entry.size() > MAX_BACKUP_FILE_BYTES {
                return Err(refuse(format!(
                    "`{name}` is larger than a data directory file"
                )));
            }
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(bad)?;
            found.push((*name, bytes));
        }
        for needed in [files::STEUNPUNT_KEY, files::NODE_KEY, files::CONFIG] {
            if !found.iter().any(|(name, _)| *name == needed) {
                return Err(refuse(format!("it lacks `{needed}`")));
            }
        }
        create_private_dir(&self.root)?;
        for (name, bytes) in &found {
            write_private(&self.root.join(name), bytes)?;
        }
        let opened = self.open()?;
        Ok(BackupReport {
            steunpunt: opened.steunpunt_key.id(),
            name: opened.config.steunpunt.name,
            files: found.iter().map(|(name, _)| (*name).to_owned()).collect(),
            neighbours: opened.peers.len(),
        })
    }

    /// Moves a damaged store, its check and the search index into a new folder
    /// `damaged-<time>` in the data directory, so that the next start begins with an
    /// empty store and takes the records back from the neighbours. Nothing is deleted.
    pub fn set_aside_store(&self) -> Result<SetAside, DataDirError> {
        use fs2::FileExt as _;
        self.open()?;
        let db = self.db_path();
        if !db.exists() {
            return Err(DataDirError::NoStore(self.root.display().to_string()));
        }
        // The lock sled takes on its main file: held while a steunpuntd runs, released
        // again when `file` closes.
        let main = db.join("db");
        if let Ok(file) = std::fs::File::open(&main)
            && file.try_lock_exclusive().is_err()
        {
            return Err(DataDirError::Running(self.root.display().to_string()));
        }
        let stamp: String = crate::clock::now()
            .to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let folder = self.root.join(format!("damaged-{stamp}"));
        create_private_dir(&folder)?;
        let mut moved = Vec::new();
        for name in [files::DB, files::DB_CHECK, files::SEARCH] {
            let from = self.root.join(name);
            if from.exists() {
                std::fs::rename(&from, folder.join(name)).map_err(io("move", &from))?;
                moved.push(name.to_owned());
            }
        }
        Ok(SetAside {
            folder,
            moved,
            neighbours: self.load_peers()?.len(),
        })
    }

    /// Creates a new steunpunt: keys (0600) and `config.toml`.
    pub fn init(&self, options: InitOptions) -> Result<InitReport, DataDirError> {
        if self.steunpunt_key_path().exists() || self.config_path().exists() {
            return Err(DataDirError::AlreadyInitialised(
                self.root.display().to_string(),
            ));
        }
        let mut config = Config {
            steunpunt: SteunpuntConfig {
                name: options.name,
                municipalities: options.municipalities,
                ..SteunpuntConfig::default()
            },
            network: NetworkConfig::default(),
            api: ApiConfig::default(),
            ..Config::default()
        };
        if !options.listen.is_empty() {
            config.network.listen = options.listen;
        }
        if let Some(api) = options.api {
            config.api.listen = api;
        }
        config.check()?;
        create_private_dir(&self.root)?;
        let steunpunt_key = SteunpuntKey::generate()?;
        steunpunt_key.save(&self.steunpunt_key_path())?;
        let node_key = Keypair::generate_ed25519();
        let encoded = node_key
            .to_protobuf_encoding()
            .map_err(|e| DataDirError::NodeKey {
                path: self.node_key_path().display().to_string(),
                problem: e.to_string(),
            })?;
        write_private(&self.node_key_path(), &encoded)?;
        let header = "# Instellingen van deze steunpunt-node. Het deel [steunpunt] wordt als profiel\n# in de regio gepubliceerd. Start steunpuntd opnieuw na een wijziging. Regels met\n# # ervoor tellen niet mee; haal het # weg om een instelling te gebruiken.\n#\n# Settings of this steunpunt node. The [steunpunt] section is published to the\n# region as the profile. Restart steunpuntd after editing. Lines starting with #\n# do not count; remove the # to use a setting.\n";
        std::fs::write(
            self.config_path(),
            format!("{header}{}", config.documented()),
        )
        .map_err(io("write", &self.config_path()))?;
        Ok(InitReport {
            steunpunt_id: steunpunt_key.id(),
            peer_id: node_key.public().to_peer_id().to_string(),
            data_dir: self.root.clone(),
        })
    }

    /// Opens an initialised directory.
    pub fn open(&self) -> Result<Opened, DataDirError> {
        if !self.config_path().exists() || !self.steunpunt_key_path().exists() {
            return Err(DataDirError::Missing(self.root.display().to_string()));
        }
        let config = Config::load(&self.config_path())?;
        let steunpunt_key = SteunpuntKey::load(&self.steunpunt_key_path())?;
        let node_key = self.load_node_key()?;
        let peers = self.load_peers()?;
        Ok(Opened {
            config,
            steunpunt_key,
            node_key,
            peers,
        })
    }

    fn load_node_key(&self) -> Result<Keypair, DataDirError> {
        let path = self.node_key_path();
        let problem = |problem: String| DataDirError::NodeKey {
            path: path.display().to_string(),
            problem,
        };
        if let Some(mode) = open_to_others(&path) {
            return Err(problem(format!(
                "other users can read it (mode {mode:o}); run `chmod 600 {}`",
                path.display()
            )));
        }
        let bytes = std::fs::read(&path).map_err(|e| problem(e.to_string()))?;
        Keypair::from_protobuf_encoding(&bytes)
            .map_err(|_| problem("it is damaged; restore it from a backup".into()))
    }

    /// Neighbours added with `peer add`.
    pub fn load_peers(&self) -> Result<Vec<PeerEntry>, DataDirError> {
        let path = self.peers_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| DataDirError::Peers {
                path: path.display().to_string(),
                problem: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io("read", &path)(e)),
        }
    }

    /// Saves the neighbour list.
    pub fn save_peers(&self, peers: &[PeerEntry]) -> Result<(), DataDirError> {
        let json = serde_json::to_vec_pretty(peers).unwrap_or_default();
        write_private(&self.peers_path(), &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backup restores into a new directory only, and a file that is not one of ours
    /// (another name, a path outside the directory, no key) is refused with nothing
    /// written.
    #[test]
    fn backups_restore_into_new_directories_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(tmp.path().join("breda"))).unwrap();
        dir.init(InitOptions {
            name: "Steunpunt Breda".into(),
            municipalities: vec!["Breda".into()],
            ..Default::default()
        })
        .unwrap();
        let mut backup = Vec::new();
        let saved = dir.backup(&mut backup).unwrap();
        assert_eq!(saved.files, ["steunpunt.key", "node.key", "config.toml"]);
        let again = DataDir::resolve(Some(tmp.path().join("again"))).unwrap();
        let restored = again.restore(backup.as_slice(), "b.tar").unwrap();
        assert_eq!(restored.steunpunt, saved.steunpunt);
        let refused = again.restore(backup.as_slice(), "b.tar").unwrap_err();
        assert!(matches!(refused, DataDirError::NotEmpty(_)), "{refused}");

        let mut foreign = tar::Builder::new(Vec::new());
        for name in ["config.toml", "etc/passwd"] {
            let mut header = tar::Header::new_gnu();
            header.set_size(1);
            header.set_mode(0o600);
            header.set_cksum();
            foreign.append_data(&mut header, name, &b"x"[..]).unwrap();
        }
        let foreign = foreign.into_inner().unwrap();
        let target = DataDir::resolve(Some(tmp.path().join("foreign"))).unwrap();
        for (bytes, says) in [
            (foreign.as_slice(), "is not one of"),
            (&b"no archive at all"[..], "not a backup"),
            (&backup[..512], "not a backup"),
        ] {
            let refused = target.restore(bytes, "x.tar").unwrap_err().to_string();
            assert!(refused.contains(says), "{refused}");
            assert!(!target.root().exists(), "nothing written for: {refused}");
        }
    }

    #[test]
    fn init_then_open() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(tmp.path().join("breda"))).unwrap();
        let report = dir
            .init(InitOptions {
                name: "Steunpunt Breda".into(),
                municipalities: vec!["Breda".into()],
                ..Default::default()
            })
            .unwrap();
        let opened = dir.open().unwrap();
        assert_eq!(opened.steunpunt_key.id(), report.steunpunt_id);
        assert_eq!(
            opened.node_key.public().to_peer_id().to_string(),
            report.peer_id
        );
        assert_eq!(
            opened.config.steunpunt.municipalities,
            vec!["Breda".to_owned()]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for path in [dir.steunpunt_key_path(), dir.node_key_path()] {
                assert_eq!(
                    std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
                    0o600
                );
            }
        }
        let again = dir.init(InitOptions {
            name: "x".into(),
            ..Default::default()
        });
        assert!(matches!(again, Err(DataDirError::AlreadyInitialised(_))));
    }

    #[test]
    fn missing_directory_says_how_to_create_one() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(tmp.path().join("nothing"))).unwrap();
        let err = dir.open().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("init --name NAME"), "{err}");
    }
}

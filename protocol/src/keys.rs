//! Steunpunt keys and steunpunt IDs (ARCHITECTURE.md, Identities).
//!
//! A steunpunt key is an ed25519 signing key; it signs every record the steunpunt publishes
//! and its public half is the steunpunt's identity. The textual form of that identity, the
//! *steunpunt ID*, is `sp_` followed by 56 lower-case base32 characters: the 32 key bytes and
//! a 3-byte checksum, so a mistyped or truncated ID is caught instead of naming a stranger.
//! The prefix cannot be confused with a libp2p PeerId (`12D3KooW…`, `Qm…`).

use std::fmt;
use std::io::Write as _;
use std::path::Path;
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// Prefix of every steunpunt ID.
pub const STEUNPUNT_ID_PREFIX: &str = "sp_";
const CHECKSUM_LEN: usize = 3;
const ENCODED_LEN: usize = 56; // base32 of 32 + 3 bytes, no padding
const CHECKSUM_DOMAIN: &[u8] = b"steunpunt-federatie/steunpunt-id/v1";
const KEY_FILE_HEADER: &str = "steunpunt-federatie secret key v1";

/// The public identity of a steunpunt: its ed25519 verifying key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SteunpuntId([u8; 32]);

/// Why a text is not a steunpunt ID. Each message says what a valid ID looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SteunpuntIdError {
    /// The text was empty.
    #[error("the steunpunt ID is empty; it looks like `sp_` followed by 56 letters and digits")]
    Empty,
    /// The text is a libp2p PeerId (a node), not a steunpunt.
    #[error(
        "`{0}` is a node's PeerId, not a steunpunt ID; steunpunt IDs start with `sp_` (see `steunpunt status`)"
    )]
    LooksLikePeerId(String),
    /// The `sp_` prefix is missing.
    #[error("a steunpunt ID starts with `sp_`; `{0}` does not")]
    MissingPrefix(String),
    /// Wrong number of characters after the prefix.
    #[error(
        "a steunpunt ID has 56 characters after `sp_`, this one has {0}; was it cut off when copying?"
    )]
    WrongLength(usize),
    /// A character outside the base32 alphabet.
    #[error(
        "character `{character}` at position {position} is not allowed in a steunpunt ID; only a–z and 2–7 are"
    )]
    BadCharacter {
        /// The offending character.
        character: char,
        /// Its 1-based position in the whole ID.
        position: usize,
    },
    /// The checksum does not match: a typo.
    #[error("the steunpunt ID's checksum does not match; it was probably mistyped")]
    Checksum,
    /// The bytes are not a valid ed25519 public key.
    #[error("the steunpunt ID does not contain a valid public key")]
    InvalidKey,
}

fn checksum(key: &[u8; 32]) -> [u8; CHECKSUM_LEN] {
    let mut hasher = blake3::Hasher::new();
    hasher.update(CHECKSUM_DOMAIN);
    hasher.update(key);
    let digest = hasher.finalize();
    let mut out = [0u8; CHECKSUM_LEN];
    out.copy_from_slice(&digest.as_bytes()[..CHECKSUM_LEN]);
    out
}

impl SteunpuntId {
    /// Wraps raw public-key bytes, checking that they are a valid ed25519 point.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, SteunpuntIdError> {
        VerifyingKey::from_bytes(&bytes).map_err(|_| SteunpuntIdError::InvalidKey)?;
        Ok(Self(bytes))
    }

    /// Wraps key bytes that were checked when their record was first received, read
    /// back from the node's own store: checking the point again costs a square root on
    /// the curve, more than the rest of reading a record. Never for bytes from elsewhere.
    pub fn from_stored_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw public-key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The ed25519 verifying key. The point was checked when the ID was made, or when its
    /// record was first received (see [`Self::from_stored_bytes`]).
    pub fn verifying_key(&self) -> Result<VerifyingKey, SteunpuntIdError> {
        VerifyingKey::from_bytes(&self.0).map_err(|_| SteunpuntIdError::InvalidKey)
    }

    /// A short form for logs and tables (`sp_abcdefgh`); not unique, never parse it.
    pub fn short(&self) -> String {
        let full = self.to_string();
        full[..STEUNPUNT_ID_PREFIX.len() + 8].to_owned()
    }
}

impl fmt::Display for SteunpuntId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 32 + CHECKSUM_LEN];
        raw[..32].copy_from_slice(&self.0);
        raw[32..].copy_from_slice(&checksum(&self.0));
        let encoded = BASE32_NOPAD.encode(&raw).to_ascii_lowercase();
        write!(f, "{STEUNPUNT_ID_PREFIX}{encoded}")
    }
}

impl fmt::Debug for SteunpuntId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SteunpuntId({self})")
    }
}

impl FromStr for SteunpuntId {
    type Err = SteunpuntIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SteunpuntIdError::Empty);
        }
        if text.starts_with("12D3KooW") || text.starts_with("Qm") {
            return Err(SteunpuntIdError::LooksLikePeerId(text.to_owned()));
        }
        let Some(rest) = text
            .get(..STEUNPUNT_ID_PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(STEUNPUNT_ID_PREFIX))
            .and_then(|_| text.get(STEUNPUNT_ID_PREFIX.len()..))
        else {
            return Err(SteunpuntIdError::MissingPrefix(text.to_owned()));
        };
        if let Some((index, character)) = rest
            .chars()
            .enumerate()
            .find(|(_, c)| !matches!(c.to_ascii_lowercase(), 'a'..='z' | '2'..='7'))
        {
            return Err(SteunpuntIdError::BadCharacter {
                character,
                position: STEUNPUNT_ID_PREFIX.len() + index + 1,
            });
        }
        if rest.len() != ENCODED_LEN {
            return Err(SteunpuntIdError::WrongLength(rest.chars().count()));
        }
        let raw = BASE32_NOPAD
            .decode(rest.to_ascii_uppercase().as_bytes())
            .map_err(|_| SteunpuntIdError::WrongLength(rest.len()))?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&raw[..32]);
        if raw[32..] != checksum(&key) {
            return Err(SteunpuntIdError::Checksum);
        }
        Self::from_bytes(key)
    }
}

impl Serialize for SteunpuntId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for SteunpuntId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = SteunpuntId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a steunpunt ID (`sp_…`) or 32 key bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SteunpuntId, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<SteunpuntId, E> {
                let bytes: [u8; 32] = v
                    .try_into()
                    .map_err(|_| E::invalid_length(v.len(), &"32 key bytes"))?;
                SteunpuntId::from_bytes(bytes).map_err(E::custom)
            }
        }
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(IdVisitor)
        } else {
            deserializer.deserialize_bytes(IdVisitor)
        }
    }
}

/// A steunpunt's secret signing key. Never logged: `Debug` shows only the public ID.
pub struct SteunpuntKey(SigningKey);

/// Errors creating, reading or writing a key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The operating system's random generator failed.
    #[error("could not get randomness from the operating system to make a key: {0}")]
    Randomness(String),
    /// The key file could not be read or written.
    #[error("could not {action} the key file {path}: {source}")]
    Io {
        /// What was being done ("read", "create", …).
        action: &'static str,
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A key file already exists; it is never overwritten.
    #[error("a key file already exists at {0}; refusing to overwrite a steunpunt's key")]
    AlreadyExists(String),
    /// Group or others may read the file.
    #[error(
        "the key file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}` and start again"
    )]
    TooOpen {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The file's contents are not a key.
    #[error("the key file {0} is damaged or not a steunpunt key file; restore it from your backup")]
    Malformed(String),
}

impl SteunpuntKey {
    /// Makes a new random key from the operating system's generator.
    pub fn generate() -> Result<Self, KeyFileError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::fill(secret.as_mut()).map_err(|e| KeyFileError::Randomness(e.to_string()))?;
        Ok(Self(SigningKey::from_bytes(&secret)))
    }

    /// Builds a key from a 32-byte secret (tests, simulations and deterministic demos).
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret))
    }

    /// This key's public identity.
    pub fn id(&self) -> SteunpuntId {
        SteunpuntId(self.0.verifying_key().to_bytes())
    }

    /// Signs `message` exactly as given.
    pub(crate) fn sign(&self, message: &[u8]) -> Signature {
        self.0.sign(message)
    }

    /// Writes the key to a new file readable only by its owner (mode 0600). Never
    /// overwrites an existing file.
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        let shown = path.display().to_string();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::AlreadyExists(shown.clone())
            } else {
                KeyFileError::Io {
                    action: "create",
                    path: shown.clone(),
                    source,
                }
            }
        })?;
        let secret = Zeroizing::new(BASE32_NOPAD.encode(&self.0.to_bytes()));
        let contents = Zeroizing::new(format!("{KEY_FILE_HEADER}\n{}\n", secret.as_str()));
        file.write_all(contents.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|source| KeyFileError::Io {
                action: "write",
                path: shown,
                source,
            })
    }

    /// Reads a key file written by [`SteunpuntKey::save`]. Refuses a file that others can read.
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let shown = path.display().to_string();
        let io = |action| {
            let shown = shown.clone();
            move |source| KeyFileError::Io {
                action,
                path: shown,
                source,
            }
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path)
                .map_err(io("read"))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(KeyFileError::TooOpen {
                    path: shown,
                    mode: mode & 0o777,
                });
            }
        }
        let contents = Zeroizing::new(std::fs::read_to_string(path).map_err(io("read"))?);
        let mut lines = contents.lines();
        if lines.next() != Some(KEY_FILE_HEADER) {
            return Err(KeyFileError::Malformed(shown));
        }
        let secret = lines
            .next()
            .and_then(|line| BASE32_NOPAD.decode(line.trim().as_bytes()).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| KeyFileError::Malformed(shown.clone()))?;
        let secret: Zeroizing<[u8; 32]> = Zeroizing::new(
            secret
                .as_slice()
                .try_into()
                .map_err(|_| KeyFileError::Malformed(shown))?,
        );
        Ok(Self::from_secret_bytes(&secret))
    }
}

impl fmt::Debug for SteunpuntKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SteunpuntKey({}, secret hidden)", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SteunpuntKey {
        SteunpuntKey::from_secret_bytes(&[seed; 32])
    }

    #[test]
    fn id_text_round_trips_and_has_prefix() {
        let id = key(1).id();
        let text = id.to_string();
        assert!(text.starts_with("sp_"));
        assert_eq!(text.len(), 3 + 56);
        assert_eq!(text.parse::<SteunpuntId>(), Ok(id));
        assert_eq!(
            text.to_uppercase()
                .replace("SP_", "sp_")
                .parse::<SteunpuntId>(),
            Ok(id)
        );
        assert_eq!(format!(" {text}\n").parse::<SteunpuntId>(), Ok(id));
    }

    #[test]
    fn id_parse_errors_are_specific() {
        let text = key(2).id().to_string();
        assert_eq!("".parse::<SteunpuntId>(), Err(SteunpuntIdError::Empty));
        assert!(matches!(
            "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN".parse::<SteunpuntId>(),
            Err(SteunpuntIdError::LooksLikePeerId(_))
        ));
        assert!(matches!(
            text[3..].parse::<SteunpuntId>(),
            Err(SteunpuntIdError::MissingPrefix(_))
        ));
        assert_eq!(
            text[..40].parse::<SteunpuntId>(),
            Err(SteunpuntIdError::WrongLength(37))
        );
        let mut bad = text.clone();
        bad.replace_range(10..11, "1");
        assert_eq!(
            bad.parse::<SteunpuntId>(),
            Err(SteunpuntIdError::BadCharacter {
                character: '1',
                position: 11
            })
        );
        // A single changed character is caught by the checksum.
        let mut typo = text.into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(typo.parse::<SteunpuntId>(), Err(SteunpuntIdError::Checksum));
    }

    #[test]
    fn messages_say_what_is_allowed() {
        let message = "xyz".parse::<SteunpuntId>().err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("a steunpunt ID starts with `sp_`; `xyz` does not")
        );
    }

    #[test]
    fn key_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("steunpunt.key");
        let original = SteunpuntKey::generate().expect("key file");
        original.save(&path).expect("key file");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        let loaded = SteunpuntKey::load(&path).expect("key file");
        assert_eq!(loaded.id(), original.id());
        assert!(matches!(
            original.save(&path),
            Err(KeyFileError::AlreadyExists(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("steunpunt.key");
        key(3).save(&path).expect("key file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("key file");
        let err = SteunpuntKey::load(&path).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("chmod 600")));
    }

    #[test]
    fn damaged_key_file_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("steunpunt.key");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&path).expect("key file");
        file.write_all(b"steunpunt-federatie secret key v1\nnot-base32!\n")
            .expect("key file");
        assert!(matches!(
            SteunpuntKey::load(&path),
            Err(KeyFileError::Malformed(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let k = key(4);
        let secret = BASE32_NOPAD.encode(&k.0.to_bytes());
        assert!(!format!("{k:?}").contains(&secret));
    }
}

//! Record hashes: the identity of one exact envelope.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// BLAKE3 hash of an envelope's exact bytes. It is the item id in set reconciliation and
/// the gossip message id, and breaks ties between equivocating revisions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordHash(pub [u8; 32]);

impl RecordHash {
    /// Hashes envelope bytes.
    pub fn of(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }

    /// Lower-case hex, as shown to people and in JSON.
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses lower- or upper-case hex.
    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(text.as_bytes())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| format!("`{text}` is not a record hash (64 hexadecimal characters)"))?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for RecordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordHash({})", &self.to_hex()[..16])
    }
}

impl Serialize for RecordHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for RecordHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
            Self::from_hex(&text).map_err(serde::de::Error::custom)
        } else {
            let bytes = <serde_bytes::ByteBuf>::deserialize(deserializer)?;
            <[u8; 32]>::try_from(bytes.as_slice())
                .map(Self)
                .map_err(|_| serde::de::Error::invalid_length(bytes.len(), &"32 hash bytes"))
        }
    }
}

/// The first 16 bytes of a [`RecordHash`]: the item of set reconciliation and what a sync
/// fetches by. Two records share one only if their author made them to (about 2^64 hash
/// computations), and then only that author's two records are confused with each other.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ShortHash(pub [u8; 16]);

impl ShortHash {
    /// Bytes in a short hash.
    pub const LEN: usize = 16;

    /// The short form of a record's hash.
    pub fn of_record(hash: &RecordHash) -> Self {
        let mut bytes = [0u8; Self::LEN];
        bytes.copy_from_slice(&hash.0[..Self::LEN]);
        Self(bytes)
    }

    /// The range of full hashes that begin with this one.
    pub fn range(&self) -> std::ops::RangeInclusive<RecordHash> {
        let (mut low, mut high) = ([0u8; 32], [0xff; 32]);
        low[..Self::LEN].copy_from_slice(&self.0);
        high[..Self::LEN].copy_from_slice(&self.0);
        RecordHash(low)..=RecordHash(high)
    }

    /// Concatenated short hashes, as sync messages carry them.
    pub fn join(items: &[ShortHash]) -> Vec<u8> {
        items.iter().flat_map(|s| s.0).collect()
    }

    /// Splits concatenated short hashes; `None` unless the length is a multiple of 16.
    pub fn split(bytes: &[u8]) -> Option<Vec<ShortHash>> {
        let (chunks, rest) = bytes.as_chunks::<{ Self::LEN }>();
        rest.is_empty()
            .then(|| chunks.iter().map(|c| ShortHash(*c)).collect())
    }
}

impl RecordHash {
    /// The short form used by sync.
    pub fn short(&self) -> ShortHash {
        ShortHash::of_record(self)
    }
}

impl fmt::Debug for ShortHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ShortHash({})",
            data_encoding::HEXLOWER.encode(&self.0[..8])
        )
    }
}

//! Rateless invertible Bloom lookup tables (Yang, Gilad and Alizadeh, "Practical Rateless
//! Set Reconciliation", SIGCOMM 2024): the coded symbols of a set, and a decoder that
//! subtracts its own set's symbols from another's and peels out the difference.
//!
//! Why here and not negentropy: range-based reconciliation lists every id of each small
//! range that holds a difference, about 24 ids of 32 bytes per difference when the
//! differences are spread over time; negentropy 0.5 fixes both its fan-out and its id
//! size. A rateless table costs about 1.4 coded symbols of 26 bytes per difference
//! wherever the differences lie, and no estimate of their number is needed. No maintained
//! crate implements it; the algorithm is the paper's, with its index mapping.
//!
//! Items are [`ShortHash`]es: uniformly random, so they need no hashing of their own
//! beyond a checksum that is not linear in their bits.

use crate::hash::ShortHash;

/// One coded symbol: the XOR of the items mapped to it, the XOR of their checksums, and
/// how many there are (the decoder's differences may be negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Symbol {
    /// XOR of the items.
    pub sum: [u8; ShortHash::LEN],
    /// XOR of the items' checksums.
    pub checksum: u64,
    /// Number of items (the decoder's: remote minus local).
    pub count: i64,
}

impl Symbol {
    fn apply(&mut self, item: &ShortHash, checksum: u64, count: i64) {
        for (s, i) in self.sum.iter_mut().zip(item.0) {
            *s ^= i;
        }
        self.checksum ^= checksum;
        self.count = self.count.wrapping_add(count);
    }

    fn is_empty(&self) -> bool {
        self.count == 0 && self.checksum == 0 && self.sum == [0; ShortHash::LEN]
    }

    /// The single item left in a symbol: count ±1 and a checksum that matches the sum.
    fn pure(&self) -> Option<(ShortHash, i64)> {
        let item = ShortHash(self.sum);
        ((self.count == 1 || self.count == -1) && checksum(&item) == self.checksum)
            .then_some((item, self.count))
    }

    /// Appends the wire form: sum, checksum (little-endian), count (zigzag LEB128).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.sum);
        out.extend_from_slice(&self.checksum.to_le_bytes());
        let mut zigzag = ((self.count << 1) ^ (self.count >> 63)) as u64;
        loop {
            let byte = (zigzag & 0x7f) as u8;
            zigzag >>= 7;
            if zigzag == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    /// Reads symbols written by [`Symbol::encode_into`]; `None` if the bytes are not a
    /// whole number of well-formed symbols or hold more than `limit`.
    pub fn decode_all(mut bytes: &[u8], limit: usize) -> Option<Vec<Self>> {
        let mut symbols = Vec::new();
        while !bytes.is_empty() {
            if symbols.len() >= limit {
                return None;
            }
            let (sum, rest) = bytes.split_first_chunk::<{ ShortHash::LEN }>()?;
            let (checksum, mut rest) = rest.split_first_chunk::<8>()?;
            let mut zigzag = 0u64;
            for shift in (0..64).step_by(7) {
                let (byte, after) = rest.split_first()?;
                rest = after;
                zigzag |= u64::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
                if shift == 63 {
                    return None;
                }
            }
            bytes = rest;
            symbols.push(Symbol {
                sum: *sum,
                checksum: u64::from_le_bytes(*checksum),
                count: ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64),
            });
        }
        Some(symbols)
    }
}

/// A checksum that is not linear in the item's bits, so the XOR of two items never
/// passes for either (splitmix64's finaliser, twice).
fn checksum(item: &ShortHash) -> u64 {
    let half = |range: std::ops::Range<usize>| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&item.0[range]);
        u64::from_le_bytes(word)
    };
    mix(half(0..8) ^ mix(half(8..16)))
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The coded symbols an item is added to: symbol 0, then each symbol `i` with
/// probability 1/(1 + i/2), drawn from a generator seeded by the item's checksum (the
/// paper's mapping, so both sides map an item alike).
#[derive(Debug, Clone, Copy)]
struct Mapping {
    prng: u64,
    next: u64,
}

impl Mapping {
    fn new(checksum: u64) -> Self {
        Self {
            prng: checksum,
            next: 0,
        }
    }

    fn advance(&mut self) {
        self.prng = self.prng.wrapping_mul(0xda94_2042_e4dd_58b5);
        let scale = (1u64 << 32) as f64 / ((self.prng as f64) + 1.0).sqrt() - 1.0;
        let step = ((self.next as f64 + 1.5) * scale).ceil().max(1.0);
        // `as` saturates: a step past u64::MAX ends the mapping.
        self.next = self.next.saturating_add(step as u64);
    }
}

/// An item with its checksum and where its mapping stands.
#[derive(Debug, Clone, Copy)]
struct Mapped {
    item: ShortHash,
    checksum: u64,
    mapping: Mapping,
}

impl Mapped {
    fn new(item: ShortHash) -> Self {
        let checksum = checksum(&item);
        Self {
            item,
            checksum,
            mapping: Mapping::new(checksum),
        }
    }

    /// Adds the item `count` times to every symbol of `symbols` (which start at index
    /// `from`) it maps to, up to their end; `on_change` sees each index touched.
    fn apply(
        &mut self,
        symbols: &mut [Symbol],
        from: u64,
        count: i64,
        mut on_change: impl FnMut(usize),
    ) {
        let end = from + symbols.len() as u64;
        while self.mapping.next < end {
            let at = (self.mapping.next - from) as usize;
            symbols[at].apply(&self.item, self.checksum, count);
            on_change(at);
            self.mapping.advance();
        }
    }
}

/// The coded symbols of one set, produced in order, as many as asked for.
#[derive(Debug, Clone)]
pub struct Encoder {
    items: Vec<Mapped>,
    produced: u64,
}

impl Encoder {
    /// An encoder over `items` (no repeats).
    pub fn new(items: impl IntoIterator<Item = ShortHash>) -> Self {
        Self {
            items: items.into_iter().map(Mapped::new).collect(),
            produced: 0,
        }
    }

    /// Items in the set.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Symbols produced so far.
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// The next `n` coded symbols.
    pub fn produce(&mut self, n: usize) -> Vec<Symbol> {
        let mut symbols = vec![Symbol::default(); n];
        for item in &mut self.items {
            item.apply(&mut symbols, self.produced, 1, |_| {});
        }
        self.produced += n as u64;
        symbols
    }

    /// The items, in no particular order.
    pub fn items(&self) -> impl Iterator<Item = ShortHash> + '_ {
        self.items.iter().map(|m| m.item)
    }
}

/// Why symbols could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the coded symbols peel into more items than they can hold")]
pub struct Undecodable;

/// Learns the difference between our set and another's from the other's coded symbols.
#[derive(Debug, Clone)]
pub struct Decoder {
    local: Encoder,
    /// The other's symbols minus ours, with every item peeled so far taken out.
    difference: Vec<Symbol>,
    /// Items only the other side holds.
    remote_only: Vec<Mapped>,
    /// Items only we hold.
    local_only: Vec<Mapped>,
}

impl Decoder {
    /// A decoder for our own `items` (no repeats).
    pub fn new(items: impl IntoIterator<Item = ShortHash>) -> Self {
        Self {
            local: Encoder::new(items),
            difference: Vec::new(),
            remote_only: Vec::new(),
            local_only: Vec::new(),
        }
    }

    /// Symbols received so far.
    pub fn received(&self) -> u64 {
        self.difference.len() as u64
    }

    /// Takes the other side's next coded symbols (in order, following those given before)
    /// and peels what it can.
    pub fn add(&mut self, remote: &[Symbol]) -> Result<(), Undecodable> {
        let from = self.difference.len() as u64;
        let ours = self.local.produce(remote.len());
        self.difference
            .extend(remote.iter().zip(&ours).map(|(theirs, ours)| {
                let mut symbol = *theirs;
                symbol.apply(&ShortHash(ours.sum), ours.checksum, -ours.count);
                symbol
            }));
        let new = &mut self.difference[from as usize..];
        for item in &mut self.remote_only {
            item.apply(new, from, -1, |_| {});
        }
        for item in &mut self.local_only {
            item.apply(new, from, 1, |_| {});
        }
        let mut queue: Vec<usize> = (from as usize..self.difference.len()).collect();
        // Every item peeled takes at least one symbol's worth of information; a correct
        // sender's symbols never peel into more than twice as many items as symbols.
        let most = 2 * self.difference.len() + 16;
        while let Some(at) = queue.pop() {
            let Some((item, count)) = self.difference[at].pure() else {
                continue;
            };
            if self.remote_only.len() + self.local_only.len() >= most {
                return Err(Undecodable);
            }
            let mut mapped = Mapped::new(item);
            mapped.apply(&mut self.difference, 0, -count, |i| queue.push(i));
            if count == 1 {
                self.remote_only.push(mapped);
            } else {
                self.local_only.push(mapped);
            }
        }
        Ok(())
    }

    /// Whether the whole difference is known: symbol 0 holds every item, so it is empty
    /// once every differing item has been peeled.
    pub fn is_decoded(&self) -> bool {
        self.difference.first().is_some_and(Symbol::is_empty)
    }

    /// Items only the other side holds (sorted, no repeats).
    pub fn remote_only(&self) -> Vec<ShortHash> {
        sorted(&self.remote_only)
    }

    /// Items only we hold (sorted, no repeats).
    pub fn local_only(&self) -> Vec<ShortHash> {
        sorted(&self.local_only)
    }
}

fn sorted(items: &[Mapped]) -> Vec<ShortHash> {
    let mut out: Vec<ShortHash> = items.iter().map(|m| m.item).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{short_item as item, short_items_only_in};

    /// Feeds the other side's symbols in batches until decoded; returns the symbols used.
    fn reconcile(ours: &[u32], theirs: &[u32], batch: usize) -> (Decoder, u64) {
        let mut encoder = Encoder::new(theirs.iter().map(|n| item(*n)));
        let mut decoder = Decoder::new(ours.iter().map(|n| item(*n)));
        while !decoder.is_decoded() {
            let symbols = encoder.produce(batch);
            let mut wire = Vec::new();
            for s in &symbols {
                s.encode_into(&mut wire);
            }
            let back = Symbol::decode_all(&wire, usize::MAX).unwrap();
            assert_eq!(back, symbols);
            decoder.add(&back).unwrap();
            assert!(decoder.received() < 100_000, "never decodes");
        }
        let used = decoder.received();
        (decoder, used)
    }

    #[test]
    fn finds_both_directions_of_difference() {
        let ours: Vec<u32> = (0..5000).filter(|n| n % 97 != 0).collect();
        let theirs: Vec<u32> = (0..5000).filter(|n| n % 89 != 0).collect();
        let (decoder, used) = reconcile(&ours, &theirs, 16);
        assert_eq!(decoder.remote_only(), short_items_only_in(&theirs, &ours));
        assert_eq!(decoder.local_only(), short_items_only_in(&ours, &theirs));
        // 108 differences; the paper's overhead is about 1.4 symbols each.
        assert!(used < 108 * 3, "{used} symbols");
    }

    #[test]
    fn equal_sets_decode_from_the_first_symbol() {
        let same: Vec<u32> = (0..1000).collect();
        let (decoder, used) = reconcile(&same, &same, 1);
        assert_eq!(used, 1);
        assert!(decoder.remote_only().is_empty() && decoder.local_only().is_empty());
    }

    #[test]
    fn one_difference_needs_few_symbols() {
        let theirs: Vec<u32> = (0..1000).collect();
        let (decoder, used) = reconcile(&theirs[..999], &theirs, 1);
        assert_eq!(decoder.remote_only(), vec![item(999)]);
        assert_eq!(used, 1);
    }

    #[test]
    fn garbage_symbols_end_in_an_error_or_not_decoded() {
        let mut decoder = Decoder::new((0..100).map(item));
        let garbage: Vec<Symbol> = (0..64u32)
            .map(|n| Symbol {
                sum: item(n + 7).0,
                checksum: checksum(&item(n + 7)),
                count: if n % 2 == 0 { 1 } else { -1 },
            })
            .collect();
        let _ = decoder.add(&garbage);
        let _ = decoder.add(&garbage);
    }

    #[test]
    fn malformed_symbol_bytes_are_refused() {
        let mut wire = Vec::new();
        Symbol {
            sum: [1; 16],
            checksum: 2,
            count: -300,
        }
        .encode_into(&mut wire);
        assert_eq!(Symbol::decode_all(&wire, 1).unwrap()[0].count, -300);
        assert!(Symbol::decode_all(&wire[..wire.len() - 1], 1).is_none());
        assert!(Symbol::decode_all(&[wire.clone(), wire.clone()].concat(), 1).is_none());
        let mut endless = vec![0u8; 24];
        endless.extend([0xff; 11]);
        assert!(Symbol::decode_all(&endless, 1).is_none());
    }
}

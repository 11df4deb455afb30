//! The database checksum of format 2: one value that says "this is exactly the snapshot",
//! computed from the pages alone, and cheap to update when only some pages change (as
//! Litestream's LTX files do with their per-page checksums).
//!
//! Each page contributes a term: the first 16 bytes of SHA-256(`KSPG` || page number (u32 BE) ||
//! page), read as a big-endian 128-bit number. The terms are added modulo 2^128 (so the order
//! in which pages are met does not matter, and a changed page swaps one term for another), and
//! the checksum is SHA-256(`keepsake-db-checksum-v2` || page size (u32 BE) || page count (u64
//! BE) || sum (u128 BE)). It guards against damage and mistakes (a wrong member, a missing
//! page); against deliberate forgery, a plain file has no defence and an encrypted one has its
//! authenticated encryption.

use sha2::{Digest, Sha256};

/// The term of page `pgno` (numbered from 1).
pub fn page_term(pgno: u32, page: &[u8]) -> u128 {
    let mut h = Sha256::new();
    h.update(b"KSPG");
    h.update(pgno.to_be_bytes());
    h.update(page);
    let d = h.finalize();
    u128::from_be_bytes(d[..16].try_into().unwrap_or([0u8; 16]))
}

/// The sum of the terms of `data`, consecutive pages of `page_size` bytes from `first`.
#[cfg(test)]
pub fn terms(first: u32, data: &[u8], page_size: usize) -> u128 {
    let mut sum = 0u128;
    for (i, page) in data.chunks(page_size.max(1)).enumerate() {
        sum = sum.wrapping_add(page_term(first.wrapping_add(i as u32), page));
    }
    sum
}

/// The checksum of a database of `page_count` pages of `page_size` bytes whose terms add up to
/// `sum`.
pub fn db_checksum(page_size: u32, page_count: u64, sum: u128) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"keepsake-db-checksum-v2");
    h.update(page_size.to_be_bytes());
    h.update(page_count.to_be_bytes());
    h.update(sum.to_be_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_does_not_matter_and_every_page_counts() {
        let pages: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 512]).collect();
        let forward =
            pages.iter().enumerate().fold(0u128, |s, (i, p)| s.wrapping_add(page_term(i as u32 + 1, p)));
        let backward = pages
            .iter()
            .enumerate()
            .rev()
            .fold(0u128, |s, (i, p)| s.wrapping_add(page_term(i as u32 + 1, p)));
        assert_eq!(forward, backward);
        let flat: Vec<u8> = pages.concat();
        assert_eq!(terms(1, &flat, 512), forward);
        // The same pages at other numbers (swapped members) give another sum.
        assert_ne!(terms(2, &flat, 512), forward);
        // Swapping one page for another changes it; swapping back restores it.
        let changed = forward.wrapping_sub(page_term(3, &pages[2])).wrapping_add(page_term(3, &[9u8; 512]));
        assert_ne!(changed, forward);
        assert_eq!(
            changed.wrapping_sub(page_term(3, &[9u8; 512])).wrapping_add(page_term(3, &pages[2])),
            forward
        );
        assert_ne!(db_checksum(512, 8, forward), db_checksum(512, 9, forward));
    }
}

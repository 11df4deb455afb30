//! The payload: a multi-member gzip stream (RFC 1952) that any `gunzip` reads.
//!
//! Every member carries the extra subfield `KL` (its own total length, u32 LE) so a reader can
//! split the stream into members without inflating, and hand them to several threads. The first
//! member is empty and carries `KH` (the header JSON; format 2 adds `KC`, its CRC-32); data
//! members of format 2 carry `KP`, the pages they hold (runs of page numbers), so the order of
//! members is checked by a reader alone; the last member is empty and carries `KE` (total
//! uncompressed bytes and number of data members, and in format 2 the database checksum), which
//! is how truncation at a member boundary is noticed.

use std::io::{Read, Write};

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};

use crate::error::{Error, ErrorCode, Result};

const ID1: u8 = 0x1f;
const ID2: u8 = 0x8b;
const CM_DEFLATE: u8 = 8;
const FEXTRA: u8 = 0x04;
const OS_UNKNOWN: u8 = 255;
/// Fixed header (10) + XLEN (2).
const FIXED: usize = 12;

/// Pages `first .. first + count` (numbered from 1, as SQLite does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The first page.
    pub first: u32,
    /// How many pages.
    pub count: u32,
}

/// What a member carries besides data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    /// The header JSON, and (format 2) whether its CRC-32 matched.
    Header(Vec<u8>),
    /// Data; format 2 says which pages.
    Data(Option<Vec<Run>>),
    /// The end: bytes and data members in all, and (format 2) the database checksum.
    End {
        /// Bytes of data in all.
        total: u64,
        /// Data members in all.
        members: u64,
        /// The database checksum (format 2).
        checksum: Option<[u8; 32]>,
    },
}

fn build_member(extra: &[(&[u8; 2], &[u8])], deflated: &[u8], crc: u32, isize: u32) -> Vec<u8> {
    let sub_len: usize = extra.iter().map(|(_, d)| 4 + d.len()).sum();
    let xlen = 8 + sub_len;
    let total = FIXED + xlen + deflated.len() + 8;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&[ID1, ID2, CM_DEFLATE, FEXTRA, 0, 0, 0, 0, 0, OS_UNKNOWN]);
    out.extend_from_slice(&(xlen as u16).to_le_bytes());
    out.extend_from_slice(b"KL");
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    for (id, data) in extra {
        out.extend_from_slice(*id);
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(deflated);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&isize.to_le_bytes());
    out
}

/// An empty deflate stream: one final fixed-Huffman block with no symbols.
const EMPTY_DEFLATE: [u8; 2] = [0x03, 0x00];

/// The first member, carrying the header JSON (format 2: and its CRC-32 in `KC`).
pub fn header_member(json: &[u8], version: u16) -> Vec<u8> {
    if version >= 2 {
        let crc = crc32(json).to_le_bytes();
        build_member(&[(b"KH", json), (b"KC", &crc)], &EMPTY_DEFLATE, 0, 0)
    } else {
        build_member(&[(b"KH", json)], &EMPTY_DEFLATE, 0, 0)
    }
}

/// The last member, marking the end (format 2: with the database checksum).
pub fn end_member(total: u64, members: u64, checksum: Option<&[u8; 32]>) -> Vec<u8> {
    let mut data = Vec::with_capacity(48);
    data.extend_from_slice(&total.to_le_bytes());
    data.extend_from_slice(&members.to_le_bytes());
    if let Some(c) = checksum {
        data.extend_from_slice(c);
    }
    build_member(&[(b"KE", &data)], &EMPTY_DEFLATE, 0, 0)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = Crc::new();
    c.update(bytes);
    c.sum()
}

/// Compresses one block into a data member (format 2: with the runs of pages it holds).
/// Compression uses libdeflate, which compresses a whole buffer at once: at the same level it
/// is both faster and smaller than zlib's streaming deflate (measured by `make bench`); the
/// output is ordinary raw deflate.
pub fn data_member(block: &[u8], level: u32, runs: Option<&[Run]>) -> Vec<u8> {
    let deflated = if level == 0 {
        let mut enc = DeflateEncoder::new(Vec::with_capacity(block.len() + 64), Compression::none());
        // Writing to a Vec cannot fail.
        enc.write_all(block).and_then(|_| enc.finish()).unwrap_or_default()
    } else {
        let lvl = libdeflater::CompressionLvl::new(level as i32).unwrap_or_default();
        let mut c = libdeflater::Compressor::new(lvl);
        let mut out = vec![0u8; c.deflate_compress_bound(block.len())];
        let n = c.deflate_compress(block, &mut out).unwrap_or(0);
        out.truncate(n);
        out
    };
    let crc = crc32(block);
    match runs {
        Some(runs) => {
            let mut kp = Vec::with_capacity(runs.len() * 8);
            for r in runs {
                kp.extend_from_slice(&r.first.to_le_bytes());
                kp.extend_from_slice(&r.count.to_le_bytes());
            }
            build_member(&[(b"KP", &kp)], &deflated, crc, block.len() as u32)
        }
        None => build_member(&[], &deflated, crc, block.len() as u32),
    }
}

fn damaged(file: &str, what: &str) -> Error {
    Error::new(ErrorCode::BackupDamaged, format!("{file} is damaged: {what}"))
}

fn truncated(file: &str) -> Error {
    Error::new(ErrorCode::BackupTruncated, format!("{file} is incomplete: it ends before the end marker"))
}

/// Reads the fixed part and extra field of a member; returns (total length, kind, extra len).
pub fn parse_member_head(head: &[u8], file: &str) -> Result<(usize, MemberKind, usize)> {
    if head.len() < FIXED {
        return Err(truncated(file));
    }
    if head[0] != ID1 || head[1] != ID2 || head[2] != CM_DEFLATE {
        return Err(damaged(file, "bad gzip member header"));
    }
    if head[3] != FEXTRA {
        return Err(damaged(file, "gzip member without Keepsake's extra field"));
    }
    let xlen = u16::from_le_bytes([head[10], head[11]]) as usize;
    if head.len() < FIXED + xlen {
        return Err(truncated(file));
    }
    let mut extra = &head[FIXED..FIXED + xlen];
    let mut total = None;
    let (mut header, mut header_crc, mut runs, mut end) = (None, None, None, None);
    while !extra.is_empty() {
        if extra.len() < 4 {
            return Err(damaged(file, "bad gzip extra field"));
        }
        let id = [extra[0], extra[1]];
        let len = u16::from_le_bytes([extra[2], extra[3]]) as usize;
        if extra.len() < 4 + len {
            return Err(damaged(file, "bad gzip extra field"));
        }
        let data = &extra[4..4 + len];
        match &id {
            b"KL" if len == 4 => {
                total = Some(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize)
            }
            b"KH" => header = Some(data.to_vec()),
            b"KC" if len == 4 => header_crc = Some(u32::from_le_bytes([data[0], data[1], data[2], data[3]])),
            b"KP" if len.is_multiple_of(8) && len > 0 => {
                runs = Some(
                    data.chunks_exact(8)
                        .map(|c| Run {
                            first: u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                            count: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                        })
                        .collect::<Vec<_>>(),
                )
            }
            b"KP" => return Err(damaged(file, "bad page list in a gzip member")),
            b"KE" if len == 16 || len == 48 => {
                let t = u64::from_le_bytes(data[..8].try_into().unwrap_or_default());
                let m = u64::from_le_bytes(data[8..16].try_into().unwrap_or_default());
                let checksum = (len == 48).then(|| data[16..48].try_into().unwrap_or([0u8; 32]));
                end = Some(MemberKind::End { total: t, members: m, checksum });
            }
            _ => {}
        }
        extra = &extra[4 + len..];
    }
    let kind = match (header, end) {
        (Some(json), None) => {
            if let Some(crc) = header_crc
                && crc != crc32(&json)
            {
                return Err(damaged(file, "the header's checksum does not match"));
            }
            MemberKind::Header(json)
        }
        (None, Some(end)) => end,
        (None, None) => MemberKind::Data(runs),
        (Some(_), Some(_)) => return Err(damaged(file, "a member is both header and end")),
    };
    let total = total.ok_or_else(|| damaged(file, "gzip member without its length"))?;
    if total < FIXED + xlen + 2 + 8 {
        return Err(damaged(file, "bad gzip member length"));
    }
    Ok((total, kind, xlen))
}

/// Splits a gzip payload into whole members.
#[derive(Debug)]
pub struct MemberSplitter<R> {
    inner: R,
    file: String,
    /// Longest member accepted (bytes on disk).
    limit: usize,
}

/// Longest member accepted before the header says how large blocks are: the header member.
const HEADER_MEMBER_LIMIT: usize = 1 << 17;

/// Longest member on disk for blocks of `block_size` bytes: deflate's worst case (stored
/// blocks) plus the member's own header and extra field.
pub fn member_limit(block_size: usize) -> usize {
    block_size + (block_size >> 4) + (1 << 17)
}

impl<R: Read> MemberSplitter<R> {
    /// Splits what `inner` (the file `file`) reads into members.
    pub fn new(inner: R, file: &str) -> Self {
        MemberSplitter { inner, file: file.to_owned(), limit: HEADER_MEMBER_LIMIT }
    }

    /// Accepts members of up to `limit` bytes from now on (once the header gave the block size).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit;
    }

    /// The next member's bytes and kind; `None` at a clean end of input.
    pub fn next_member(&mut self) -> Result<Option<(Vec<u8>, MemberKind)>> {
        let mut head = vec![0u8; FIXED];
        let got = read_full(&mut self.inner, &mut head, &self.file)?;
        if got == 0 {
            return Ok(None);
        }
        if got < FIXED {
            return Err(truncated(&self.file));
        }
        let xlen = u16::from_le_bytes([head[10], head[11]]) as usize;
        head.resize(FIXED + xlen, 0);
        if read_full(&mut self.inner, &mut head[FIXED..], &self.file)? < xlen {
            return Err(truncated(&self.file));
        }
        let (total, kind, _) = parse_member_head(&head, &self.file)?;
        if total > self.limit {
            return Err(damaged(&self.file, "a gzip member is larger than its block size allows"));
        }
        let mut member = head;
        let have = member.len();
        member.resize(total, 0);
        if read_full(&mut self.inner, &mut member[have..], &self.file)? < total - have {
            return Err(truncated(&self.file));
        }
        Ok(Some((member, kind)))
    }
}

pub use super::crypto::read_full;

/// Inflates one member and checks its CRC-32 and length; returns the data. A member may not
/// inflate past `max` bytes (the block size its backup was written with): a planted member
/// claiming more is damage, never a bigger allocation.
pub fn inflate_member(member: &[u8], file: &str, max: usize) -> Result<Vec<u8>> {
    let (total, _, xlen) = parse_member_head(member, file)?;
    if total != member.len() {
        return Err(damaged(file, "gzip member length mismatch"));
    }
    let body = &member[FIXED + xlen..total - 8];
    let trailer = &member[total - 8..];
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let isize = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]) as usize;
    if isize > max {
        return Err(damaged(file, "a gzip member inflates past its block size"));
    }
    // libdeflate inflates a whole member into a buffer of exactly ISIZE bytes: data that is
    // longer, shorter or malformed is an error, never a bigger allocation.
    let mut out = vec![0u8; isize];
    let n = libdeflater::Decompressor::new()
        .deflate_decompress(body, &mut out)
        .map_err(|_| damaged(file, "invalid compressed data"))?;
    if n != isize {
        return Err(damaged(file, "invalid compressed data"));
    }
    if crc32(&out) != crc {
        return Err(damaged(file, "CRC-32 mismatch"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_concatenate_to_a_gzip_stream_flate2_reads() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let mut stream = header_member(b"{}", 2);
        for (i, block) in data.chunks(65536).enumerate() {
            stream.extend(data_member(block, 6, Some(&[Run { first: i as u32 + 1, count: 1 }])));
        }
        stream.extend(end_member(data.len() as u64, 7, Some(&[7u8; 32])));
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&stream[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, data);

        let mut split = MemberSplitter::new(&stream[..], "t");
        let mut rebuilt = Vec::new();
        let mut kinds = Vec::new();
        while let Some((m, k)) = split.next_member().unwrap() {
            if matches!(k, MemberKind::Data(_)) {
                rebuilt.extend(inflate_member(&m, "t", 1 << 20).unwrap());
            }
            kinds.push(k);
        }
        assert_eq!(rebuilt, data);
        assert_eq!(kinds.first(), Some(&MemberKind::Header(b"{}".to_vec())));
        assert_eq!(kinds[1], MemberKind::Data(Some(vec![Run { first: 1, count: 1 }])));
        assert!(matches!(kinds.last(), Some(MemberKind::End { checksum: Some(_), .. })));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_member_reader(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let mut split = MemberSplitter::new(&bytes[..], "f");
            while let Ok(Some((m, _))) = split.next_member() {
                let _ = inflate_member(&m, "f", 1 << 20);
            }
        }

        #[test]
        fn a_changed_byte_in_a_member_never_inflates_to_other_data(pos in 0usize..4000, xor in 1u8..=255) {
            let data: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 13) as u8).collect();
            let mut m = data_member(&data, 6, None);
            let pos = pos % m.len();
            m[pos] ^= xor;
            if let Ok(out) = inflate_member(&m, "f", 1 << 20) {
                proptest::prop_assert_eq!(out, data);
            }
        }
    }

    #[test]
    fn a_member_inflating_past_its_block_size_is_damage_not_a_bigger_allocation() {
        // 8 MiB of zeros deflate to a few KiB: a bomb against a 1 MiB block.
        let data = vec![0u8; 8 << 20];
        let m = data_member(&data, 6, None);
        assert!(m.len() < 64 << 10);
        let e = inflate_member(&m, "f", 1 << 20).unwrap_err();
        assert_eq!(e.code(), crate::error::ErrorCode::BackupDamaged);
        assert!(e.message().contains("past its block size"), "{e}");
        // A lying ISIZE that claims less does not help: the data does not fit and is refused.
        let mut lie = m.clone();
        let n = lie.len();
        lie[n - 4..].copy_from_slice(&(1u32 << 20).to_le_bytes());
        assert_eq!(
            inflate_member(&lie, "f", 1 << 20).unwrap_err().code(),
            crate::error::ErrorCode::BackupDamaged
        );
        assert_eq!(inflate_member(&m, "f", 8 << 20).unwrap(), data);
    }

    #[test]
    fn stored_level_zero_is_valid_gzip() {
        let m = data_member(b"hello hello hello", 0, None);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&m[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"hello hello hello");
    }
}

//! The members of a payload, checked as they come: each data member inflated (on a worker) and
//! checked against its own page list, then (in stream order) against the members before it, and
//! the end member against everything. A reader that passes this has the exact image the backup
//! was made from, in order, whole, and (format 2) with the database checksum it was written
//! with; nothing is left to SQLite to notice.

use super::Header;
use super::checksum;
use super::gzip::{self, Run};
use crate::error::{Error, ErrorCode, Result};

/// What a data member held.
#[derive(Debug)]
pub struct Inflated {
    /// The member's bytes, inflated.
    pub data: Vec<u8>,
    /// Which pages they are (format 2).
    pub runs: Option<Vec<Run>>,
    /// The term of each of its pages, in order (format 2).
    pub terms: Vec<u128>,
}

/// What a worker needs to inflate members of one backup.
#[derive(Debug, Clone)]
pub struct Inflater {
    version: u16,
    block_size: usize,
    page_size: usize,
    label: String,
}

impl Inflater {
    /// An inflater for the payload of a backup with `header`.
    pub fn new(header: &Header, version: u16, label: &str) -> Inflater {
        Inflater {
            version,
            block_size: header.codec.block_size as usize,
            page_size: header.schema.page_size as usize,
            label: label.to_owned(),
        }
    }

    /// Inflates one data member and checks it against its own page list.
    pub fn inflate(&self, member: &[u8], runs: Option<Vec<Run>>) -> Result<Inflated> {
        let data = gzip::inflate_member(member, &self.label, self.block_size)?;
        if self.version < 2 {
            return Ok(Inflated { data, runs: None, terms: Vec::new() });
        }
        let runs =
            runs.ok_or_else(|| damaged(&self.label, "a data member does not say which pages it holds"))?;
        let mut pages = 0u64;
        for r in &runs {
            if r.count == 0 || r.first == 0 || u64::from(r.first) + u64::from(r.count) > u64::from(u32::MAX) {
                return Err(damaged(&self.label, "a data member lists impossible pages"));
            }
            pages += u64::from(r.count);
        }
        if pages * self.page_size as u64 != data.len() as u64 {
            return Err(damaged(&self.label, "a data member holds another number of pages than it lists"));
        }
        let mut terms = Vec::with_capacity(pages as usize);
        let mut at = 0usize;
        for r in &runs {
            for k in 0..r.count {
                terms.push(checksum::page_term(r.first + k, &data[at..at + self.page_size]));
                at += self.page_size;
            }
        }
        Ok(Inflated { data, runs: Some(runs), terms })
    }
}

/// The order and totals of one backup's members: a full backup's pages run from 1 to its page
/// count, in order, and add up to its checksum; an increment's pages are in increasing order,
/// within its page count, and its totals match its end member (its checksum is the whole
/// database's after it, checked once its chain is assembled).
#[derive(Debug)]
pub struct Sequence {
    label: String,
    version: u16,
    full: bool,
    page_size: u32,
    page_count: u64,
    original_size: u64,
    /// The page the next member must start with (format 2).
    next_page: u64,
    total: u64,
    members: u64,
    sum: u128,
}

impl Sequence {
    /// A check of the members of a backup with `header`, in order.
    pub fn new(header: &Header, version: u16, label: &str) -> Sequence {
        Sequence {
            label: label.to_owned(),
            version,
            full: header.kind == crate::model::BackupKind::Full,
            page_size: header.schema.page_size,
            page_count: header.schema.page_count,
            original_size: header.original_size,
            next_page: 1,
            total: 0,
            members: 0,
            sum: 0,
        }
    }

    /// The next data member, in stream order.
    pub fn data(&mut self, m: &Inflated) -> Result<()> {
        self.total += m.data.len() as u64;
        self.members += 1;
        if self.total > self.original_size {
            return Err(damaged(&self.label, "more data than its header says"));
        }
        if self.version < 2 {
            return Ok(());
        }
        for r in m.runs.iter().flatten() {
            let in_order = if self.full {
                u64::from(r.first) == self.next_page
            } else {
                u64::from(r.first) >= self.next_page
            };
            if !in_order {
                return Err(damaged(
                    &self.label,
                    &format!(
                        "its members are out of order (page {} where {} comes next)",
                        r.first, self.next_page
                    ),
                ));
            }
            self.next_page += u64::from(r.count);
        }
        if self.next_page - 1 > self.page_count {
            return Err(damaged(&self.label, "more pages than its header says"));
        }
        self.sum = m.terms.iter().fold(self.sum, |s, t| s.wrapping_add(*t));
        Ok(())
    }

    /// The end member: everything must add up.
    pub fn end(&self, total: u64, members: u64, checksum: Option<[u8; 32]>) -> Result<()> {
        let size_ok = !self.full || self.total == self.original_size;
        if total != self.total || members != self.members || !size_ok {
            return Err(damaged(&self.label, "sizes do not match its end marker"));
        }
        if self.version >= 2 && !self.full {
            return if checksum.is_some() {
                Ok(())
            } else {
                Err(damaged(&self.label, "no database checksum"))
            };
        }
        if self.version >= 2 {
            if self.next_page - 1 != self.page_count {
                return Err(damaged(&self.label, "pages are missing"));
            }
            let want = checksum::db_checksum(self.page_size, self.page_count, self.sum);
            if checksum != Some(want) {
                return Err(damaged(&self.label, "the database checksum does not match"));
            }
        }
        Ok(())
    }
}

fn damaged(label: &str, what: &str) -> Error {
    Error::new(ErrorCode::BackupDamaged, format!("{label} is damaged: {what}"))
}

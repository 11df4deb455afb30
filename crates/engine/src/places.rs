//! Where copies of a database's backups are, as a person thinks of it: on this computer's disk,
//! on another disk, in a folder a sync client sends elsewhere, or online. A database is
//! protected only when a copy of its newest backup is off the disk it lives on (a failing disk,
//! a lost or stolen laptop take the backup folder with them when it is on that disk too).
//!
//! Another disk is told from the mount table (`/proc/self/mountinfo`): two folders are on the same
//! disk when the file systems that hold them come from the same block device (so two Btrfs
//! subvolumes of one disk are one disk, though their device numbers differ). File systems that
//! come from no device (tmpfs, overlay) are told apart by their device numbers. A folder on a
//! network file system is off this computer.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::destinations::{Destination, DestinationKind};
use crate::model::{CopyRecord, PlaceKind, SecondPlace};

/// Folder names sync clients keep by default: a folder inside one leaves the computer.
pub const SYNCED_FOLDERS: &[&str] = &[
    "Dropbox",
    "Nextcloud",
    "ownCloud",
    "OneDrive",
    "Google Drive",
    "GoogleDrive",
    "pCloudDrive",
    "MEGA",
    "MEGAsync",
    "Seafile",
    "Sync",
    "Syncthing",
    "Tresorit",
    "Proton Drive",
    "Insync",
    "Box",
    "Koofr",
    "Filen",
];

/// One line of the mount table that matters here.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    point: PathBuf,
    fstype: String,
    source: String,
}

/// The mount table of this process.
fn mounts() -> Vec<Mount> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else { return Vec::new() };
    text.lines().filter_map(parse_mountinfo).collect()
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.
fn parse_mountinfo(line: &str) -> Option<Mount> {
    let (left, right) = line.split_once(" - ")?;
    let point = left.split(' ').nth(4)?;
    let mut r = right.split(' ');
    let fstype = r.next()?.to_owned();
    let source = r.next()?.to_owned();
    Some(Mount { point: PathBuf::from(unescape(point)), fstype, source })
}

/// Mount points escape space, tab, newline and backslash as `\ooo`.
fn unescape(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The nearest existing folder at or above `path`, made absolute and without links.
fn existing(path: &Path) -> Option<PathBuf> {
    path.ancestors().find_map(|p| std::fs::canonicalize(p).ok())
}

/// The mount that holds `path` (the longest mount point above it).
fn mount_of<'a>(mounts: &'a [Mount], path: &Path) -> Option<&'a Mount> {
    mounts.iter().filter(|m| path.starts_with(&m.point)).max_by_key(|m| m.point.as_os_str().len())
}

/// File systems on another computer.
fn is_network(fstype: &str) -> bool {
    matches!(fstype, "nfs" | "nfs4" | "cifs" | "smb3" | "smbfs" | "9p" | "afs" | "ceph" | "glusterfs")
        || fstype.starts_with("fuse.sshfs")
        || fstype.starts_with("fuse.rclone")
}

/// Whether `folder` is in a folder a sync client keeps (`~/Dropbox/Keepsake`).
pub fn in_synced_folder(folder: &Path) -> bool {
    folder.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        // Compared as bytes: a folder's name is anyone's (a slice of it by bytes could split a
        // character).
        let name = name.as_bytes();
        SYNCED_FOLDERS.iter().map(|s| s.as_bytes()).any(|s| {
            name.eq_ignore_ascii_case(s)
                // "Dropbox (Personal)", "Nextcloud-work"
                || (s.len() > 4
                    && name.len() > s.len()
                    && name[..s.len()].eq_ignore_ascii_case(s)
                    && matches!(name[s.len()], b' ' | b'-' | b'_'))
        })
    })
}

/// Where `folder` is, seen from the database at `database`: a synced folder, another disk (or
/// another computer), or the same disk. A folder that does not exist yet is judged by the
/// nearest folder above it that does.
pub fn folder_place(database: &Path, folder: &Path) -> PlaceKind {
    if in_synced_folder(folder) {
        return PlaceKind::SyncedFolder;
    }
    let (Some(db), Some(dir)) = (existing(database), existing(folder)) else { return PlaceKind::ThisDisk };
    let table = mounts();
    let (Some(a), Some(b)) = (mount_of(&table, &db), mount_of(&table, &dir)) else {
        return same_device(&db, &dir);
    };
    if is_network(&b.fstype) && !is_network(&a.fstype) {
        return PlaceKind::OtherDisk;
    }
    if a.source != b.source {
        return PlaceKind::OtherDisk;
    }
    if a.source.starts_with('/') {
        // One block device: the same disk, whatever its subvolumes.
        return PlaceKind::ThisDisk;
    }
    same_device(&db, &dir)
}

fn same_device(a: &Path, b: &Path) -> PlaceKind {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) if x.dev() != y.dev() => PlaceKind::OtherDisk,
        _ => PlaceKind::ThisDisk,
    }
}

/// The place off this disk that holds copies of the database's backups, if any: the backup folder
/// itself when it is on another disk or synced, else a destination it is copied to (another
/// disk, a synced folder, or online). `newest` is the database's newest backup; `copies` what was
/// copied where. A place that has the newest backup is preferred.
pub fn second_place(
    database: &Path,
    backup_dir: &Path,
    destinations: &[&Destination],
    newest: Option<&str>,
    copies: &[CopyRecord],
) -> Option<SecondPlace> {
    let mut found = Vec::new();
    let folder = folder_place(database, backup_dir);
    if folder != PlaceKind::ThisDisk {
        // Said as a place, not by the folder's own name ("a copy on another disk").
        let name = if folder == PlaceKind::SyncedFolder { "your synced folder" } else { "another disk" };
        found.push(SecondPlace { kind: folder, name: name.to_owned(), has_newest: newest.is_some() });
    }
    for d in destinations {
        let kind = match d.kind {
            DestinationKind::Folder => match &d.path {
                Some(p) => folder_place(database, p),
                None => PlaceKind::ThisDisk,
            },
            _ => PlaceKind::Online,
        };
        if kind == PlaceKind::ThisDisk {
            continue;
        }
        let has_newest =
            newest.is_some_and(|id| copies.iter().any(|c| c.backup_id == id && c.destination == d.name));
        found.push(SecondPlace { kind, name: d.name.clone(), has_newest });
    }
    found.sort_by_key(|p| !p.has_newest);
    found.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mount_table_line_is_read_with_its_escapes() {
        let m = parse_mountinfo(
            r"36 35 98:0 / /media/ada/My\040Disk rw,noatime master:1 - ext4 /dev/sdb1 rw,errors=continue",
        )
        .unwrap();
        assert_eq!(m.point, PathBuf::from("/media/ada/My Disk"));
        assert_eq!((m.fstype.as_str(), m.source.as_str()), ("ext4", "/dev/sdb1"));
        assert!(parse_mountinfo("garbage").is_none());
    }

    #[test]
    fn synced_folders_are_known_by_their_names() {
        assert!(in_synced_folder(Path::new("/home/ada/Dropbox/Keepsake")));
        assert!(in_synced_folder(Path::new("/home/ada/Dropbox (Personal)/backups")));
        assert!(in_synced_folder(Path::new("/home/ada/Nextcloud-work/x")));
        assert!(in_synced_folder(Path::new("/home/ada/nextcloud")));
        assert!(!in_synced_folder(Path::new("/home/ada/Documents/Syncing notes")));
        assert!(!in_synced_folder(Path::new("/home/ada/.local/share/keepsake")));
        assert!(!in_synced_folder(Path::new("/home/ada/Boxes")));
        // A name from the disk with a character across the compared length: no panic.
        assert!(!in_synced_folder(Path::new("/home/ada/Dropbo\u{e9}\u{e9}x/x")));
        assert!(!in_synced_folder(Path::new("/home/ada/Nextclou\u{1f600}/x")));
    }

    #[test]
    fn a_folder_beside_the_database_is_on_the_same_disk() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        std::fs::write(&db, b"x").unwrap();
        assert_eq!(folder_place(&db, &dir.path().join("backups/not/yet")), PlaceKind::ThisDisk);
        // /proc is another file system, from no device.
        assert_eq!(folder_place(&db, Path::new("/proc/self")), PlaceKind::OtherDisk);
    }

    #[test]
    fn the_second_place_prefers_one_that_has_the_newest_backup() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("app.db");
        std::fs::write(&db, b"x").unwrap();
        let mut usb = Destination::new("USB stick", DestinationKind::Folder);
        usb.path = Some(dir.path().join("usb"));
        let s3 = Destination::new("Cloud", DestinationKind::S3);
        let copy = |id: &str, to: &str| CopyRecord {
            backup_id: id.into(),
            destination: to.into(),
            location: String::new(),
            object: String::new(),
            size: 1,
            sha256: String::new(),
            copied_at: chrono::Utc::now(),
        };
        let backups = dir.path().join("backups");
        // The USB folder is on this disk: not a second place.
        assert_eq!(second_place(&db, &backups, &[&usb], Some("b2"), &[]), None);
        let p = second_place(&db, &backups, &[&usb, &s3], Some("b2"), &[copy("b1", "Cloud")]).unwrap();
        assert_eq!((p.kind, p.name.as_str(), p.has_newest), (PlaceKind::Online, "Cloud", false));
        let p = second_place(&db, &backups, &[&s3], Some("b2"), &[copy("b2", "Cloud")]).unwrap();
        assert!(p.has_newest);
        let synced = dir.path().join("Dropbox/Keepsake");
        let p = second_place(&db, &synced, &[&s3], Some("b2"), &[]).unwrap();
        assert_eq!(
            (p.kind, p.name.as_str(), p.has_newest),
            (PlaceKind::SyncedFolder, "your synced folder", true)
        );
    }
}

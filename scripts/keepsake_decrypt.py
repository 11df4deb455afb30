#!/usr/bin/env python3
"""Reference reader of the Keepsake backup format, written from docs/FORMAT.md alone.

Usage: KEEPSAKE_PASSWORD=... keepsake_decrypt.py BACKUP OUT.db
       KEEPSAKE_PASSWORD=... keepsake_decrypt.py INCREMENT LINK... OUT.db
(an increment with the files of its chain, in any order after the first)
Version 3 opens with the recovery key instead: KEEPSAKE_RECOVERY_KEY=XXXX-XXXX-... (the key
files `keepsake-key_*.json` beside the first backup are read too).

Needs only the standard library and the `cryptography` package (for AES-GCM). It makes every
check FORMAT.md lists, in the order it lists them, and exits with a message naming the first
one that fails; on success it writes the database. The test suite runs it against backups made
by the engine, to keep the document honest.
"""
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import zlib

MAX_HEADER = 60_000
MIN_ITERATIONS, MAX_ITERATIONS = 100_000, 10_000_000
MIN_CHUNK, MAX_CHUNK = 4 << 10, 16 << 20
MIN_BLOCK, MAX_BLOCK = 4 << 10, 8 << 20
ID = re.compile(r"^backup_[0-9]{8}_[0-9]{6}(_[0-9a-f]{1,16})?$")


class Bad(Exception):
    """The backup fails a check (the message says which)."""


def need(cond, what):
    if not cond:
        raise Bad(what)


# --- The encrypted container ------------------------------------------------------------------


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block = b"", b""
    for i in range(1, -(-length // 32) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:length]


def unhex(value, size, what):
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Bad(f"{what} is not hex")
    need(size is None or len(raw) == size, f"{what} has the wrong length")
    return raw


# --- Keys of version 3 ------------------------------------------------------------------------

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def parse_recovery_key(text: str) -> bytes:
    """The 16 random bytes of a recovery key, its checksum checked."""
    chars = [c for c in text.upper() if not c.isspace() and c != "-"]
    chars = ["1" if c in "IL" else "0" if c == "O" else c for c in chars]
    need(all(c in CROCKFORD for c in chars), "the recovery key has a character it never uses")
    need(len(chars) == 32, "a recovery key has 32 letters and digits")
    n = 0
    for c in chars:
        n = (n << 5) | CROCKFORD.index(c)
    raw = n.to_bytes(20, "big")
    need(hashlib.sha256(b"keepsake recovery key" + raw[:16]).digest()[:4] == raw[16:], "the recovery key has a typo")
    return raw[:16]


def aes_unwrap(kek: bytes, wrapped: dict, aad: bytes, size: int):
    """The wrapped bytes, or None when the tag does not match (another key)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag
    nonce = unhex(wrapped["nonce"], 12, "a wrap's nonce")
    data = unhex(wrapped["data"], size + 16, "a wrapped key")
    try:
        return AESGCM(kek).decrypt(nonce, data, aad)
    except InvalidTag:
        return None


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"keepsake v3 key id", hashlib.sha256).digest()[:16]


def open_record(record: dict, password, recovery):
    """The data key of a key record, opened with the password or the recovery key; None when
    neither opens it."""
    rid = unhex(record["id"], 16, "a record's id")
    key = None
    p = record.get("password")
    if key is None and password is not None and p:
        need(p["kdf"]["name"] == "pbkdf2-hmac-sha256", "unknown key derivation")
        iterations = p["kdf"]["iterations"]
        need(MIN_ITERATIONS <= iterations <= MAX_ITERATIONS, "iterations out of bounds")
        salt = unhex(p["kdf"]["salt"], None, "salt")
        need(8 <= len(salt) <= 64, "salt length out of bounds")
        master = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)
        key = aes_unwrap(master, p["key"], b"keepsake v3 password" + rid, 32)
    r = record.get("recovery")
    if key is None and recovery is not None and r:
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
        secret = X25519PrivateKey.from_private_bytes(hkdf_sha256(recovery, b"", b"keepsake v3 recovery x25519"))
        public = secret.public_key().public_bytes_raw()
        if unhex(r["public"], 32, "a recovery public key") == public:
            seal_key = hkdf_sha256(recovery, b"", b"keepsake v3 recovery seal")
            eph = unhex(r["ephemeral"], 32, "an ephemeral key")
            nonce = unhex(r["key"]["nonce"], 12, "a wrap's nonce")
            data = unhex(r["key"]["data"], 48, "a wrapped key")
            seal = hmac.new(seal_key, b"keepsake v3 seal" + rid + public + eph + nonce + data, hashlib.sha256).digest()
            need(hmac.compare_digest(seal, unhex(r["seal"], 32, "a seal")),
                 "a key record's seal does not match: it was changed or planted")
            shared = secret.exchange(X25519PublicKey.from_public_bytes(eph))
            need(shared != b"\0" * 32, "an unusable ephemeral key")
            kek = hkdf_sha256(shared, eph + public, b"keepsake v3 recovery wrap")
            key = aes_unwrap(kek, r["key"], b"keepsake v3 recovery" + rid, 32)
            need(key is not None, "a recovery wrap that does not open although its seal matches")
    if key is None:
        return None
    need(key_id(key) == rid, "a key record's key is not the key it names")
    return key


def unlock(record: dict, key: bytes, keys: dict) -> None:
    """Keeps a record's data key and the older keys it carries."""
    rid = unhex(record["id"], 16, "a record's id")
    keys[rid] = key
    for p in record.get("previous", []):
        pid = unhex(p["id"], 16, "an older key's id")
        old = aes_unwrap(key, p["key"], b"keepsake v3 previous" + rid + pid, 32)
        need(old is not None and key_id(old) == pid, "an older key does not open with its record's")
        keys[pid] = old


# Data keys opened so far (by id), and key records to try (from key files and backups).
KEYS: dict = {}
RECORDS: list = []


def data_key(record: dict, password, recovery) -> bytes:
    """The data key of a file: from its own record (whose failure is the file's), else from a
    key file's record (one that fails is passed over, and said only if nothing opens)."""
    rid = unhex(record["id"], 16, "a record's id")
    refused = None
    for i, r in enumerate([record] + RECORDS):
        if rid in KEYS:
            break
        try:
            key = open_record(r, password, recovery)
            if key is not None:
                unlock(r, key, KEYS)
        except (Bad, KeyError, TypeError, AttributeError) as e:
            if i == 0:
                raise
            refused = e
    if rid not in KEYS and refused is not None:
        raise Bad(f"a key file was refused: {refused}")
    need(rid in KEYS, "wrong password or recovery key")
    return KEYS[rid]


def open_container(data: bytes, password, recovery=None) -> tuple[int, bytes]:
    """Checks and decrypts a container; returns (version, payload)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag

    need(len(data) >= 14, "truncated inside the header")
    need(data[:8] == b"KEEPSAKE", "not a Keepsake container")
    (version,) = struct.unpack(">H", data[8:10])
    need(version in (1, 2, 3), f"unsupported format version {version}")
    (n,) = struct.unpack(">I", data[10:14])
    need(1 <= n <= MAX_HEADER, "damaged header length")
    end = 14 + n
    need(len(data) >= end + 4, "truncated inside the header")
    (crc,) = struct.unpack(">I", data[end:end + 4])
    need(crc == zlib.crc32(data[:end]), "header CRC-32 mismatch")
    header_bytes = data[:end + 4]
    clear = json.loads(data[14:end])
    if version == 3:
        need(clear.get("format") == 3, "header format is not 3")
        need(clear["cipher"] == "aes-256-gcm-stream-be32", "unknown cipher")
        chunk_size = clear["chunk_size"]
        need(MIN_CHUNK <= chunk_size <= MAX_CHUNK, "chunk size out of bounds")
        prefix = unhex(clear["nonce_prefix"], 7, "nonce prefix")
        file_salt = unhex(clear["file_salt"], 16, "file salt")
        need(len(data) >= len(header_bytes) + 16 + 16, "truncated: no room for a chunk and the trailer")
        magic, total = data[-16:-8], struct.unpack(">Q", data[-8:])[0]
        need(magic == b"KSEND\0\0\0" and total == len(data), "truncated: the trailer is missing or wrong")
        key = hkdf_sha256(data_key(clear["key"], password, recovery), file_salt, b"keepsake v3 file key")
        return version, decrypt_chunks(data, header_bytes, key, prefix, chunk_size)
    if version == 1:
        need(clear.get("format") == 1, "header format is not 1")
        enc = clear.get("encryption")
        need(isinstance(enc, dict), "no encryption parameters")
    else:
        need(clear.get("format") == 2, "header format is not 2")
        enc = clear
    need(enc["cipher"] == "aes-256-gcm-stream-be32", "unknown cipher")
    need(enc["kdf"]["name"] == "pbkdf2-hmac-sha256", "unknown key derivation")
    iterations = enc["kdf"]["iterations"]
    need(MIN_ITERATIONS <= iterations <= MAX_ITERATIONS, "iterations out of bounds")
    chunk_size = enc["chunk_size"]
    need(MIN_CHUNK <= chunk_size <= MAX_CHUNK, "chunk size out of bounds")
    salt = unhex(enc["kdf"]["salt"], None, "salt")
    need(8 <= len(salt) <= 64, "salt length out of bounds")
    prefix = unhex(enc["nonce_prefix"], 7, "nonce prefix")
    key_check = unhex(enc["key_check"], 16, "key check")
    file_salt = unhex(enc["file_salt"], 16, "file salt") if version == 2 else None

    need(len(data) >= len(header_bytes) + 16 + 16, "truncated: no room for a chunk and the trailer")
    magic, total = data[-16:-8], struct.unpack(">Q", data[-8:])[0]
    need(magic == b"KSEND\0\0\0" and total == len(data), "truncated: the trailer is missing or wrong")

    need(password is not None, "encrypted: set KEEPSAKE_PASSWORD")
    master = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)
    if hmac.new(master, b"keepsake key check", hashlib.sha256).digest()[:16] != key_check:
        raise Bad("wrong password")
    key = master if version == 1 else hkdf_sha256(master, file_salt, b"keepsake v2 file key")
    return version, decrypt_chunks(data, header_bytes, key, prefix, chunk_size)


def decrypt_chunks(data: bytes, header_bytes: bytes, key: bytes, prefix: bytes, chunk_size: int) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag
    aes = AESGCM(key)
    region = data[len(header_bytes):-16]
    step = chunk_size + 16
    offsets = list(range(0, len(region), step))
    out = []
    for i, off in enumerate(offsets):
        part = region[off:off + step]
        need(len(part) >= 16, "a chunk is shorter than its tag")
        last = i == len(offsets) - 1
        nonce = prefix + struct.pack(">I", i) + (b"\x01" if last else b"\x00")
        try:
            out.append(aes.decrypt(nonce, part, header_bytes))
        except InvalidTag:
            raise Bad(f"chunk {i} fails authentication (damaged, reordered or cut)")
    return b"".join(out)


# --- The payload ------------------------------------------------------------------------------


def members(payload: bytes):
    """Yields (subfields, data) for each gzip member, checking its framing, CRC-32 and size."""
    pos = 0
    while pos < len(payload):
        need(len(payload) - pos >= 12, "truncated inside a member")
        need(payload[pos:pos + 4] == b"\x1f\x8b\x08\x04", "bad gzip member header")
        (xlen,) = struct.unpack("<H", payload[pos + 10:pos + 12])
        extra = payload[pos + 12:pos + 12 + xlen]
        need(len(extra) == xlen, "truncated inside a member")
        fields, i = {}, 0
        while i < len(extra):
            need(len(extra) - i >= 4, "bad extra field")
            sid, (slen,) = extra[i:i + 2], struct.unpack("<H", extra[i + 2:i + 4])
            need(len(extra) - i - 4 >= slen, "bad extra field")
            fields[sid] = extra[i + 4:i + 4 + slen]
            i += 4 + slen
        need(b"KL" in fields and len(fields[b"KL"]) == 4, "member without its length")
        (total,) = struct.unpack("<I", fields[b"KL"])
        need(total >= 12 + xlen + 2 + 8, "bad member length")
        need(len(payload) - pos >= total, "truncated inside a member")
        body = payload[pos + 12 + xlen:pos + total - 8]
        crc, isize = struct.unpack("<II", payload[pos + total - 8:pos + total])
        yield fields, body, crc, isize
        pos += total


def inflate(body, crc, isize, limit):
    need(isize <= limit, "a member inflates past its block size")
    d = zlib.decompressobj(-15)
    data = d.decompress(body, limit + 1)
    need(d.eof and not d.unconsumed_tail and len(data) == isize, "invalid compressed data")
    need(zlib.crc32(data) == crc, "CRC-32 mismatch")
    return data


def page_term(pgno: int, page: bytes) -> int:
    return int.from_bytes(hashlib.sha256(b"KSPG" + struct.pack(">I", pgno) + page).digest()[:16], "big")


def db_checksum(page_size: int, page_count: int, total: int) -> bytes:
    return hashlib.sha256(
        b"keepsake-db-checksum-v2" + struct.pack(">IQ", page_size, page_count) + total.to_bytes(16, "big")
    ).digest()


def check_header(h: dict, version: int, file_id) -> None:
    need(h.get("format") == version, "the header's format differs from the container's")
    need(version == 1 or "encryption" not in h or h["encryption"] is None, "a format-2 header with encryption")
    need(h["codec"]["name"] == "gzip", "unknown codec")
    need(0 <= h["codec"]["level"] <= 9, "level out of bounds")
    block = h["codec"]["block_size"]
    need(MIN_BLOCK <= block <= MAX_BLOCK, "block size out of bounds")
    need(ID.match(h["id"]) is not None, "not a backup id")
    need(file_id is None or h["id"] == file_id, "the header names another backup than the file name")
    if version >= 2:
        ps = h["schema"]["page_size"]
        need(512 <= ps <= 65536 and ps & (ps - 1) == 0 and block % ps == 0, "page size out of bounds")
        need(h["schema"]["page_count"] * ps == h["original_size"], "sizes do not add up")
        need(h.get("kind", "full") in ("full", "increment"), "unknown kind")
        need((h.get("kind") == "increment") == (h.get("chain") is not None), "an increment without its chain, or the reverse")
        parts = h.get("opaque")
        if parts is not None:
            # A file its app encrypts, kept as bytes: the file, then at most a -wal and a
            # -journal, each padded to 4096-byte pages that fill the image exactly.
            suffixes = [p["suffix"] for p in parts]
            need(len(parts) >= 1 and suffixes[0] == "" and len(parts) <= 3, "an impossible list of files")
            need(all(x in ("-wal", "-journal") for x in suffixes[1:]) and len(set(suffixes)) == len(suffixes),
                 "an impossible list of files")
            need(h.get("kind", "full") == "full" and ps == 4096, "an opaque backup that is not a full one of 4096-byte pages")
            need(all(isinstance(p["length"], int) and p["length"] >= 0 for p in parts), "an impossible file length")
            need(sum(-(-p["length"] // 4096) for p in parts) == h["schema"]["page_count"], "the files' lengths do not fill the pages")


def read_payload(payload: bytes, version: int, file_id, plain: bool):
    """Checks a payload; returns (header, pages, end checksum), pages as a list of
    (page number, bytes) for version 2, or the image as one (1, bytes) for version 1."""
    it = members(payload)
    first = next(it, None)
    need(first is not None, "empty payload")
    fields, body, crc, isize = first
    need(b"KH" in fields and isize == 0, "no header member")
    inflate(body, crc, isize, 0)
    raw = fields[b"KH"]
    if b"KC" in fields:
        need(struct.unpack("<I", fields[b"KC"])[0] == zlib.crc32(raw), "header checksum mismatch")
    header = json.loads(raw)
    if plain:
        version = header.get("format")
        need(version in (1, 2, 3), f"unsupported format version {version}")
        need(version == 1 or b"KC" in fields, "a format-2 header without its checksum")
        need(header.get("encryption") is None, "a plain backup's header describes encryption")
    check_header(header, version, file_id)
    full = header.get("kind", "full") == "full"
    block, ps = header["codec"]["block_size"], header["schema"]["page_size"]
    count_pages = header["schema"]["page_count"]
    pages, count, next_page, total_terms, size = [], 0, 1, 0, 0
    for fields, body, crc, isize in it:
        need(b"KH" not in fields, "a second header")
        if b"KE" in fields:
            ke = fields[b"KE"]
            need(len(ke) == (16 if version == 1 else 48), "bad end marker")
            total, n = struct.unpack("<QQ", ke[:16])
            need(total == size and n == count, "sizes do not match the end marker")
            need(not full or size == header["original_size"], "sizes do not match the header")
            checksum = ke[16:] if version >= 2 else None
            if version >= 2 and full:
                need(next_page - 1 == count_pages, "pages are missing")
                need(checksum == db_checksum(ps, count_pages, total_terms), "the database checksum does not match")
            need(next(it, None) is None, "data after the end marker")
            return header, pages, checksum
        data = inflate(body, crc, isize, block)
        count += 1
        size += len(data)
        if version < 2:
            pages.append((1 + (size - len(data)) // max(ps, 1), data))
            continue
        kp = fields.get(b"KP", b"")
        need(len(kp) > 0 and len(kp) % 8 == 0, "a data member without its page list")
        at = 0
        for off in range(0, len(kp), 8):
            first_page, n = struct.unpack("<II", kp[off:off + 8])
            need(n >= 1, "an empty run of pages")
            need(first_page == next_page if full else first_page >= next_page, "members out of order")
            need(first_page + n - 1 <= count_pages, "a page beyond the page count")
            for k in range(n):
                page = data[at:at + ps]
                need(len(page) == ps, "a member holds fewer pages than it lists")
                total_terms = (total_terms + page_term(first_page + k, page)) % (1 << 128)
                pages.append((first_page + k, page))
                at += ps
            next_page = first_page + n
        need(at == len(data), "a member holds more pages than it lists")
    raise Bad("truncated: no end marker")


def read_backup(path: str, password, recovery=None):
    data = open(path, "rb").read()
    name = os.path.basename(path)
    file_id = None
    for ext in (".db.gz", ".keepsake"):
        if name.endswith(ext):
            file_id = name[:-len(ext)]
    if data[:8] == b"KEEPSAKE":
        need(password is not None or recovery is not None, "encrypted: set KEEPSAKE_PASSWORD or KEEPSAKE_RECOVERY_KEY")
        version, payload = open_container(data, password, recovery)
        return read_payload(payload, version, file_id, plain=False)
    need(data[:2] == b"\x1f\x8b", "not a Keepsake backup")
    return read_payload(data, 0, file_id, plain=True)


def rebuild(paths, password, recovery=None) -> bytes:
    """The database of the first backup given, rebuilt from its chain (the other files)."""
    links = {}
    for p in paths:
        header, pages, checksum = read_backup(p, password, recovery)
        links[header["id"]] = (header, pages, checksum)
    newest = read_backup(paths[0], password, recovery)[0]["id"]
    chain, link = [], newest
    while True:
        need(link in links, f"the chain needs backup {link}, which was not given")
        header = links[link][0]
        chain.append(link)
        if header.get("kind", "full") == "full":
            break
        base = header["chain"]["base"]
        need(base not in chain, "the chain loops")
        base_header, _, base_checksum = links[base]
        need(base_checksum is not None and header["chain"]["base_checksum"] == base_checksum.hex(),
             f"{link} does not build on the {base} given (checksum)")
        need(header["schema"]["page_size"] == base_header["schema"]["page_size"], "the page size changed in a chain")
        expected_full = base_header["chain"]["full"] if base_header.get("chain") else base
        need(header["chain"]["full"] == expected_full, "the chain names another full backup")
        link = base
    image = []
    for link in reversed(chain):
        header, pages, _ = links[link]
        ps = header["schema"]["page_size"]
        if header.get("format") == 1:
            image = [b"".join(p for _, p in pages)]
            continue
        n = header["schema"]["page_count"]
        image = (image + [None] * n)[:n]
        for pgno, page in pages:
            image[pgno - 1] = page
    header, _, checksum = links[newest]
    if header.get("format") == 1:
        return image[0] if image else b""
    need(all(p is not None for p in image), "pages are in none of the chain's backups")
    ps, n = header["schema"]["page_size"], header["schema"]["page_count"]
    total = sum(page_term(i + 1, p) for i, p in enumerate(image)) % (1 << 128)
    need(db_checksum(ps, n, total) == checksum, "the rebuilt database is not the one backed up (checksum)")
    return b"".join(image)


def split_opaque(header: dict, image: bytes) -> list:
    """An opaque backup's image cut into its files: (suffix, bytes), the file itself first."""
    out, at = [], 0
    for p in header["opaque"]:
        n, padded = p["length"], -(-p["length"] // 4096) * 4096
        need(image[at + n:at + padded] == b"\0" * (padded - n), "padding that is not zeros")
        out.append((p["suffix"], image[at:at + n]))
        at += padded
    return out


def main() -> None:
    srcs, dst = sys.argv[1:-1], sys.argv[-1]
    need_usage = len(srcs) < 1
    if need_usage:
        sys.exit(__doc__)
    try:
        password = os.environ.get("KEEPSAKE_PASSWORD")
        recovery = os.environ.get("KEEPSAKE_RECOVERY_KEY")
        recovery = parse_recovery_key(recovery) if recovery else None
        folder = os.path.dirname(os.path.abspath(srcs[0]))
        # Key files beside the backup: at most 16, each at most 64 KiB; one that is not a key
        # record of its own name is passed over (nothing there counts unless it opens).
        names = [n for n in sorted(os.listdir(folder)) if re.fullmatch(r"keepsake-key_[0-9a-f]{32}\.json", n)]
        for name in names[:16]:
            path = os.path.join(folder, name)
            if os.path.getsize(path) > 64 << 10:
                continue
            try:
                record = json.load(open(path))
            except ValueError:
                continue
            if isinstance(record, dict) and name == f"keepsake-key_{record.get('id')}.json":
                RECORDS.append(record)
        db = rebuild(srcs, password, recovery)
        header = read_backup(srcs[0], password, recovery)[0]
        files = split_opaque(header, db) if header.get("opaque") is not None else [("", db)]
    except Bad as e:
        sys.exit(f"{srcs[0]}: {e}")
    # A file its app encrypts comes with its -wal or -journal, written beside it.
    for suffix, data in files:
        with open(dst + suffix, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

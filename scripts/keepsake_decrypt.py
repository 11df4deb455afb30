#!/usr/bin/env python3
"""Reference reader of the Keepsake backup format, written from docs/FORMAT.md alone.

Usage: KEEPSAKE_PASSWORD=... keepsake_decrypt.py BACKUP OUT.db

Needs only the standard library and the `cryptography` package. It decrypts (when the backup
is encrypted), then gunzips the payload with Python's gzip module, and writes the database.
The test suite runs it against backups made by the engine, to keep the document honest.
"""
import gzip
import hashlib
import hmac
import json
import os
import struct
import sys
import zlib


def decrypt_container(data: bytes, password: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    assert data[:8] == b"KEEPSAKE", "not an encrypted Keepsake backup"
    (version,) = struct.unpack(">H", data[8:10])
    assert version == 1, f"unsupported version {version}"
    (json_len,) = struct.unpack(">I", data[10:14])
    header_end = 14 + json_len
    (crc,) = struct.unpack(">I", data[header_end:header_end + 4])
    assert crc == zlib.crc32(data[:header_end]), "header CRC mismatch"
    aad = data[:header_end + 4]
    header = json.loads(data[14:header_end])
    enc = header["encryption"]
    assert enc["cipher"] == "aes-256-gcm-stream-be32"
    assert enc["kdf"]["name"] == "pbkdf2-hmac-sha256"
    magic, total = data[-16:-8], struct.unpack(">Q", data[-8:])[0]
    assert magic == b"KSEND\0\0\0" and total == len(data), "truncated (no end marker)"

    key = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(enc["kdf"]["salt"]), enc["kdf"]["iterations"], 32)
    check = hmac.new(key, b"keepsake key check", hashlib.sha256).digest()[:16]
    if check.hex() != enc["key_check"]:
        sys.exit("wrong password")
    aes = AESGCM(key)
    prefix = bytes.fromhex(enc["nonce_prefix"])
    chunk = enc["chunk_size"] + 16
    region = data[header_end + 4:-16]
    out = []
    offsets = list(range(0, len(region), chunk)) or [0]
    for i, off in enumerate(offsets):
        last = i == len(offsets) - 1
        nonce = prefix + struct.pack(">I", i) + (b"\x01" if last else b"\x00")
        out.append(aes.decrypt(nonce, region[off:off + chunk], aad))
    return b"".join(out)


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    if data[:8] == b"KEEPSAKE":
        data = decrypt_container(data, os.environ["KEEPSAKE_PASSWORD"])
    # The payload is an ordinary multi-member gzip stream.
    db = gzip.decompress(data)
    with open(dst, "wb") as f:
        f.write(db)


if __name__ == "__main__":
    main()

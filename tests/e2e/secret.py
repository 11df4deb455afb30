#!/usr/bin/env python3
"""The app's password in the Secret Service, read and written the way another program would (for
the end-to-end tests): `store PASSWORD` and `lookup`. The item is the one the app's `keyring`
crate uses: attributes service=app.keepsake.desktop, username=backup-password."""
import sys

import dbus

BUS = "org.freedesktop.secrets"
SERVICE = "org.freedesktop.Secret.Service"
ATTRS = {"service": "app.keepsake.desktop", "username": "backup-password"}


def session(bus):
    svc = dbus.Interface(bus.get_object(BUS, "/org/freedesktop/secrets"), SERVICE)
    _, path = svc.OpenSession("plain", dbus.String("", variant_level=1))
    return svc, path


def main():
    bus = dbus.SessionBus()
    svc, path = session(bus)
    if sys.argv[1] == "lookup":
        unlocked, locked = svc.SearchItems(ATTRS)
        if locked:
            sys.exit("the item is locked")
        if len(unlocked) != 1:
            sys.exit(f"{len(unlocked)} items match")
        secrets = svc.GetSecrets(unlocked, path)
        print(bytes(secrets[unlocked[0]][2]).decode())
    elif sys.argv[1] == "store":
        coll = dbus.Interface(bus.get_object(BUS, "/org/freedesktop/secrets/aliases/default"),
                              "org.freedesktop.Secret.Collection")
        props = {
            "org.freedesktop.Secret.Item.Label": "Keepsake backup password",
            "org.freedesktop.Secret.Item.Attributes": dbus.Dictionary(
                {**ATTRS, "target": "default", "application": "rust-keyring"}, signature="ss"),
        }
        secret = dbus.Struct((path, dbus.ByteArray(b""), dbus.ByteArray(sys.argv[2].encode()), "text/plain"))
        coll.CreateItem(props, secret, True)
    else:
        sys.exit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()

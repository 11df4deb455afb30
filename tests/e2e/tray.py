#!/usr/bin/env python3
"""The tray, over D-Bus, without pixels (for the end-to-end tests).

`watch FILE`: owns org.kde.StatusNotifierWatcher on the session bus, as a desktop panel would,
and writes each StatusNotifierItem that registers (`bus-name object-path`, one a line) to FILE.
Start it before the app: the app's AppIndicator registers with the watcher it finds.

`menu FILE`: prints the menu of the last registered item as JSON ([{id, label, enabled}]),
read with com.canonical.dbusmenu.GetLayout.

`click FILE LABEL`: clicks the menu item with that label (com.canonical.dbusmenu.Event).
"""
import json
import sys
import time

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPS = "org.freedesktop.DBus.Properties"


class Watcher(dbus.service.Object):
    def __init__(self, bus, out):
        self.items = []
        self.out = out
        self.name = dbus.service.BusName(WATCHER, bus)
        super().__init__(self.name, "/StatusNotifierWatcher")

    @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # AppIndicator passes its object path; others pass a bus name.
        bus_name, path = (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
        self.items.append(f"{bus_name}{path}")
        with open(self.out, "a") as f:
            f.write(f"{bus_name} {path}\n")
        self.StatusNotifierItemRegistered(f"{bus_name}{path}")

    @dbus.service.method(WATCHER, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        self.StatusNotifierHostRegistered()

    @dbus.service.signal(WATCHER, signature="s")
    def StatusNotifierItemRegistered(self, item):
        pass

    @dbus.service.signal(WATCHER, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def _props(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        return self._props()[prop]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self._props()


def watch(out):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    open(out, "w").close()
    watcher = Watcher(dbus.SessionBus(), out)  # noqa: F841 (kept alive by the loop)
    GLib.MainLoop().run()


def last_item(path):
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]
    if not lines:
        sys.exit("no tray item registered")
    return lines[-1]


def menu_items(path):
    bus_name, obj = last_item(path)
    bus = dbus.SessionBus()
    item = bus.get_object(bus_name, obj)
    menu_path = item.Get(ITEM, "Menu", dbus_interface=PROPS)
    menu = dbus.Interface(bus.get_object(bus_name, menu_path), MENU)
    _revision, layout = menu.GetLayout(0, -1, ["label", "enabled", "visible", "type"])
    out = []

    def walk(node):
        node_id, props, children = node
        # The root (id 0) is the menu itself, not an item.
        if node_id != 0 and ("label" in props or props.get("type") == "separator"):
            out.append({
                "id": int(node_id),
                "label": str(props.get("label", "")).replace("_", ""),
                "enabled": bool(props.get("enabled", True)),
                "type": str(props.get("type", "standard")),
            })
        for child in children:
            walk(child)

    walk(layout)
    return bus_name, menu, out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "watch":
        watch(path)
    elif cmd == "menu":
        print(json.dumps(menu_items(path)[2]))
    elif cmd == "click":
        label = sys.argv[3]
        _, menu, items = menu_items(path)
        match = [i for i in items if i["label"] == label]
        if not match:
            sys.exit(f"no menu item {label!r} in {[i['label'] for i in items]}")
        try:
            menu.Event(match[0]["id"], "clicked", dbus.String("", variant_level=1), dbus.UInt32(int(time.time())))
        except dbus.exceptions.DBusException as e:
            # "Quit" may end the app before its answer is sent: the click was delivered (the
            # test checks what the app did, from its log).
            if e.get_dbus_name() != "org.freedesktop.DBus.Error.NoReply":
                raise
        print(json.dumps(match[0]))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()

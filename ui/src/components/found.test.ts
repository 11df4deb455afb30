// What the finder says, without a window: kinds, words, left-out files, "Protected", free names,
// card ids and the counts line.

import { describe, expect, it } from "vitest";

import { foundFixture, makeSource } from "../testing/fixtures";
import { appKind, cardIds, countsLine, freeName, holdsWords, lowerFirst, protectedBy, stoppedWords } from "./found";

const [firefox, zotero, signal] = foundFixture().apps;

describe("the finder's words", () => {
  it("says an app's kind, and how it is installed when not the usual way", () => {
    expect(appKind(firefox!)).toBe("Web browser");
    expect(appKind(signal!)).toBe("Messenger · Flatpak");
    expect(appKind({ ...zotero!, installed: "snap" })).toBe("Reference manager · Snap");
  });

  it("joins what the included files hold, leaving out caches (a file its app encrypts is included, kept whole)", () => {
    expect(holdsWords(firefox!)).toBe("History and bookmarks, sign-ins to websites (cookies), words typed into forms");
    expect(holdsWords(signal!)).toBe("Your messages");
    expect(lowerFirst("URLs visited")).toBe("URLs visited");
    expect(lowerFirst("Sign-ins")).toBe("sign-ins");
  });

  it("knows an app protected already: by one of its files, or by its name in its place", () => {
    expect(protectedBy(firefox!, [makeSource()])).toBeUndefined();
    const byFile = makeSource({ name: "Browser", also: [`${firefox!.place}/cookies.sqlite`] });
    expect(protectedBy(firefox!, [makeSource(), byFile])).toBe(byFile);
    const byPlace = makeSource({ name: "Firefox", app: "Firefox", database: `${firefox!.place}/other.sqlite` });
    expect(protectedBy(firefox!, [byPlace])).toBe(byPlace);
    expect(protectedBy(firefox!, [{ ...byPlace, database: `${firefox!.place}-old/places.sqlite` }])).toBeUndefined();
  });

  it("gives a name no source has yet, and tells two places apart", () => {
    expect(freeName(zotero!, [makeSource()])).toBe("Zotero");
    expect(freeName(zotero!, [makeSource({ name: "Zotero" })])).toBe("Zotero (Zotero)");
    expect(freeName(zotero!, [makeSource({ name: "Zotero" }), makeSource({ name: "Zotero (Zotero)" })])).toBe("Zotero (Zotero) 2");
    expect(cardIds([firefox!, zotero!, firefox!, firefox!])).toEqual(["firefox", "zotero", "firefox-2", "firefox-3"]);
  });

  it("says how much was looked at, and why some places were not", () => {
    expect(countsLine(foundFixture())).toBe("Looked at 12,345 files in 0.4 s.");
    expect(countsLine({ ...foundFixture(), took_ms: 95_000 })).toBe("Looked at 12,345 files in 1 min 35 s.");
    expect(stoppedWords(null)).toBeNull();
    expect(stoppedWords("time_budget")).toMatch(/some places were not looked at/);
    expect(stoppedWords("count_budget")).toMatch(/too many files.*some places were not looked at/);
  });
});

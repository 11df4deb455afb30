// Window-wide state that every screen shares: refresh counters (bumped after a change and on the
// shell's `state-changed` event, which names what changed: everything, or only the copies
// elsewhere, so only the queries about copies refetch then) and the error notices. Failed
// actions land here by default, so no failure is silent (STYLE.md: failed mutations show an
// error by default).

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import { describeError } from "./errors";
import type { Changed, Code } from "./types";

export interface Notice {
  id: number;
  code: Code;
  title: string;
  action: string;
  detail: string;
  /** What the person was doing, e.g. "Backing up Notes". */
  doing?: string;
}

interface Shared {
  /** Moves after any change: every query refetches. */
  refreshTick: number;
  /** Moves after any change, and after a change of the copies elsewhere alone. */
  copiesTick: number;
  /** Refetches the queries about `what` (everything by default). */
  refresh: (what?: Changed) => void;
  notices: Notice[];
  report: (error: unknown, doing?: string) => void;
  dismiss: (id: number) => void;
  /**
   * Takes back the notices a later success answers: those of the same action (`doing`), and
   * those with one of `codes` (a wrong-password notice once the right password works).
   */
  settle: (what: { doing?: string; codes?: readonly Code[] }) => void;
}

const SharedContext = createContext<Shared | null>(null);

let nextNoticeId = 1;

export function SharedProvider({ children }: { children: ReactNode }) {
  const [refreshTick, setRefreshTick] = useState(0);
  const [copiesTick, setCopiesTick] = useState(0);
  const [notices, setNotices] = useState<Notice[]>([]);

  const refresh = useCallback((what: Changed = "everything") => {
    setCopiesTick((t) => t + 1);
    if (what === "everything") setRefreshTick((t) => t + 1);
  }, []);
  const report = useCallback((error: unknown, doing?: string) => {
    const described = describeError(error);
    const notice: Notice = { id: nextNoticeId++, ...described, doing };
    // The same failure twice in a row shows once.
    setNotices((list) =>
      list.some((n) => n.code === notice.code && n.detail === notice.detail && n.doing === notice.doing)
        ? list
        : [...list, notice],
    );
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const settle = useCallback(({ doing, codes = [] }: { doing?: string; codes?: readonly Code[] }) => {
    setNotices((list) => {
      const kept = list.filter((n) => !((doing !== undefined && n.doing === doing) || codes.includes(n.code)));
      return kept.length === list.length ? list : kept;
    });
  }, []);

  const value = useMemo(
    () => ({ refreshTick, copiesTick, refresh, notices, report, dismiss, settle }),
    [refreshTick, copiesTick, refresh, notices, report, dismiss, settle],
  );
  return <SharedContext.Provider value={value}>{children}</SharedContext.Provider>;
}

export function useShared(): Shared {
  const shared = useContext(SharedContext);
  if (!shared) throw new Error("useShared outside SharedProvider");
  return shared;
}

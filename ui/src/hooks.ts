// Data hooks for screens: `useQuery` reads (refetched whenever the shared refresh counter moves),
// `useAction` changes things (errors reported to the window by default, lists refreshed after),
// and `useJob` runs a long job with live progress and Cancel.

import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";

import * as api from "./api";
import { ApiError, toApiError } from "./api";
import { useShared } from "./context";
import type { Changed, Phase } from "./types";

export interface Query<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True until the first answer for the current key (a refetch keeps showing the old data). */
  loading: boolean;
  reload: () => void;
}

interface QueryResult<T> {
  key: string;
  fullKey: string;
  data?: T;
  error?: ApiError;
}

/**
 * Fetches with `fetcher` whenever `key` changes or a refresh names what it reads: `about`
 * "copies" for a query of the copies elsewhere alone (refetched when only they changed too),
 * "both" for one that also depends on them, else any change.
 */
export function useQuery<T>(
  key: string | null,
  fetcher: () => Promise<T>,
  about: Changed | "both" = "everything",
): Query<T> {
  const { refreshTick, copiesTick } = useShared();
  const [localTick, setLocalTick] = useState(0);
  const [result, setResult] = useState<QueryResult<T> | null>(null);
  // "both": a query that depends on the copies too (the app's state: a copy can make a database protected).
  const tick = about === "copies" ? `${copiesTick}` : about === "both" ? `${refreshTick}.${copiesTick}` : `${refreshTick}`;
  const fullKey = key === null ? null : `${key}#${tick}.${localTick}`;
  const fetch = useEffectEvent(() => fetcher());

  useEffect(() => {
    if (key === null || fullKey === null) return;
    let active = true;
    fetch().then(
      (data) => active && setResult({ key, fullKey, data }),
      (raw: unknown) => active && setResult({ key, fullKey, error: toApiError(raw, key) }),
    );
    return () => {
      active = false;
    };
  }, [key, fullKey]);

  const reload = useCallback(() => setLocalTick((t) => t + 1), []);
  const current = result !== null && result.key === key ? result : null;
  return {
    data: current?.data,
    error: current?.error,
    loading: key !== null && current === null,
    reload,
  };
}

export interface Action<A extends unknown[], R> {
  run: (...args: A) => Promise<R | undefined>;
  pending: boolean;
  error: ApiError | undefined;
}

export interface ActionOptions<R> {
  /** Words for the error notice: what the person was doing ("Deleting a backup"). */
  doing?: string;
  onSuccess?: (result: R) => void;
  /** Replaces the default error notice (for errors shown next to a field). */
  onError?: (error: ApiError) => void;
  /** Refetch every query after success (default true: most actions change what is shown). */
  refresh?: boolean;
}

/** Runs a command that changes something; a failure shows a notice unless `onError` takes it. */
export function useAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  options: ActionOptions<R> = {},
): Action<A, R> {
  const { report, refresh, settle } = useShared();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const { doing, onSuccess, onError, refresh: shouldRefresh = true } = options;

  const run = useCallback(
    async (...args: A) => {
      setPending(true);
      setError(undefined);
      try {
        const result = await fn(...args);
        // It worked this time: the notices of its earlier failures are answered.
        if (doing !== undefined) settle({ doing });
        onSuccess?.(result);
        if (shouldRefresh) refresh();
        return result;
      } catch (raw) {
        const apiError = toApiError(raw, "action");
        setError(apiError);
        if (onError) onError(apiError);
        else report(apiError, doing);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [fn, onSuccess, onError, doing, shouldRefresh, refresh, report, settle],
  );
  return { run, pending, error };
}

export interface JobStatus {
  phase: Phase | null;
  done: number;
  total: number;
  /** 0..1, or null before the first progress event. */
  fraction: number | null;
  /** Bytes per second over the current phase, once it can be measured. */
  speed: number | null;
  /** Milliseconds left in the current phase, once the speed is known. */
  remainingMs: number | null;
}

export interface JobOptions<R> extends ActionOptions<R> {
  /** The person pressed Cancel and the job stopped: not an error, so no error notice. */
  onCancelled?: () => void;
}

const IDLE: JobStatus = { phase: null, done: 0, total: 0, fraction: null, speed: null, remainingMs: null };

export interface Job {
  running: boolean;
  status: JobStatus;
  cancelling: boolean;
  /** Runs `work` with a fresh job id, following its progress; resolves to its result or undefined on failure. */
  start: <R>(work: (jobId: string) => Promise<R>, options?: JobOptions<R>) => Promise<R | undefined>;
  cancel: () => void;
}

/** One long-running job at a time (backup, verify, restore), with progress, speed, time left and Cancel. */
export function useJob(): Job {
  const { report, refresh, settle } = useShared();
  const [jobId, setJobId] = useState<string | null>(null);
  const [status, setStatus] = useState<JobStatus>(IDLE);
  const [cancelling, setCancelling] = useState(false);
  // Where the current phase started, to measure speed: set in event handlers, not in render.
  const phaseStart = useRef<{ phase: Phase; at: number; done: number } | null>(null);
  const cancelRequested = useRef(false);

  const start = useCallback(
    async <R,>(work: (jobId: string) => Promise<R>, options: JobOptions<R> = {}) => {
      const id = api.newJobId();
      phaseStart.current = null;
      cancelRequested.current = false;
      setJobId(id);
      setCancelling(false);
      setStatus(IDLE);
      let unsubscribe: api.Unsubscribe | undefined;
      try {
        unsubscribe = await api.onJobProgress((p) => {
          if (p.job_id !== id) return;
          const now = performance.now();
          const startOfPhase = phaseStart.current;
          if (!startOfPhase || startOfPhase.phase !== p.phase) {
            phaseStart.current = { phase: p.phase, at: now, done: p.done };
          }
          const origin = phaseStart.current ?? { at: now, done: p.done };
          const elapsed = (now - origin.at) / 1000;
          const speed = elapsed > 0.2 && p.done > origin.done ? (p.done - origin.done) / elapsed : null;
          setStatus({
            phase: p.phase,
            done: p.done,
            total: p.total,
            fraction: p.total > 0 ? Math.min(1, p.done / p.total) : null,
            speed,
            remainingMs: speed ? ((p.total - p.done) / speed) * 1000 : null,
          });
        });
      } catch {
        // Progress is a nicety: the job runs (and reports its result) without it.
      }
      try {
        const result = await work(id);
        if (options.doing !== undefined) settle({ doing: options.doing });
        options.onSuccess?.(result);
        return result;
      } catch (raw) {
        const apiError = toApiError(raw, "job");
        if (apiError.code === "cancelled" && cancelRequested.current) options.onCancelled?.();
        else if (options.onError) options.onError(apiError);
        else report(apiError, options.doing);
        return undefined;
      } finally {
        unsubscribe?.();
        setJobId(null);
        setCancelling(false);
        setStatus(IDLE);
        if (options.refresh ?? true) refresh();
      }
    },
    [report, refresh, settle],
  );

  const cancel = useCallback(() => {
    if (!jobId) return;
    cancelRequested.current = true;
    setCancelling(true);
    api.cancelJob(jobId).catch((raw: unknown) => report(raw, "Cancelling"));
  }, [jobId, report]);

  return { running: jobId !== null, status, cancelling, start, cancel };
}

/** A value that settles `delay` ms after it stops changing (for live validation as people type). */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** The current time, updated every `intervalMs` so "2 hours ago" stays true while the window is open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

// The data the window receives from the Tauri shell. Everything that crosses IPC is generated
// from the Rust types into ./bindings (do not mirror it by hand here): this module re-exports
// what the window uses and adds only the window's own types. Field names are the engine's
// snake_case JSON names; times are RFC 3339 strings; sizes are bytes.

export type {
  Alert,
  Reason,
  SourcePatch,
  Changed,
  CopyProblem,
  CopyRecord,
  CopyStatus,
  Destination,
  DestinationKind,
  AlertKind,
  AppCode,
  AppStateView,
  BackupKind,
  BackupMetadata,
  BackupType,
  Check,
  ChainLink,
  CleanupPlan,
  Code,
  Commands,
  Concern,
  ErrorCode,
  Events,
  ExportFormat,
  Facts,
  FileState,
  FolderFile,
  Found,
  FoundApp,
  FoundFile,
  Installed,
  ScanCounts,
  Stopped,
  FullReason,
  FolderReport,
  FreeUp,
  HealthView,
  IpcError,
  JobProgress,
  KeyringStatus,
  NotificationLevel,
  Operation,
  Origin,
  PathKind,
  Phase,
  Report,
  SourceReport,
  SpaceCheck,
  SpaceState,
  Pin,
  PlanEntry,
  RestoreOutcome,
  RestoreRequest,
  RetentionPolicy,
  RowsPage,
  RunRecord,
  RunStatus,
  Schedule,
  SchedulePreview,
  SourceView,
  Stats,
  TableChange,
  TableDiff,
  TableRestored,
  TableSummary,
  VerificationStatus,
  VerifyReport,
} from "./bindings";

import type { Schedule } from "./bindings";

/** The day of the week of a weekly schedule (`"monday"` … `"sunday"`). */
export type Weekday = Extract<Schedule, { kind: "weekly" }>["weekday"];

/** The day of the month of a monthly schedule: 1-28 or `"last"`. */
export type MonthDay = Extract<Schedule, { kind: "monthly" }>["day"];


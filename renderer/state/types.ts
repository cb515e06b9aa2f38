// The store's shape: one zustand store composed of slices (each in its own module with its tests).
import type { StoreApi } from 'zustand/vanilla';
import type { ConfineApi, ExportResult } from '../../electron/api.js';
import type { ErrorsSlice } from './errors.js';
import type { NavSlice } from './nav.js';
import type { HostSlice } from './host.js';
import type { JobsSlice } from './jobs.js';
import type { ReportsSlice } from './reports.js';
import type { ReviewsSlice } from './reviews.js';
import type { PolicySlice } from './policy.js';
import type { DetailSlice } from './detail.js';
import type { ExplorerSlice } from './explorer.js';
import type { DiffSlice } from './diff.js';
import type { ExportSlice } from './exports.js';
import type { HardenSlice } from './harden.js';

/** What the slices need from outside: the API, a clock, and how the platform downloads a file. */
export interface Deps {
  api: ConfineApi;
  /** ms since the epoch (tests pass a fixed clock). */
  now?: () => number;
  /** Browser download of an export (the web host has no native save dialog). */
  download?: (r: ExportResult) => void;
}

export type ConfineState = ErrorsSlice &
  NavSlice &
  HostSlice &
  JobsSlice &
  ReportsSlice &
  ReviewsSlice &
  PolicySlice &
  DetailSlice &
  ExplorerSlice &
  DiffSlice &
  ExportSlice &
  HardenSlice;

export type SetState = StoreApi<ConfineState>['setState'];
export type GetState = () => ConfineState;
export type Slice<T> = (set: SetState, get: GetState, deps: Deps) => T;

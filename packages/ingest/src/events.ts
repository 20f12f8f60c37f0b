import type { Failure, StacCollection, StacItem } from '@scm/core';
import type { PageRequest } from './request.js';
import type { WindowState } from './windows.js';

/** A collection document was read from the API (written before its items by a rebuild). */
export interface CollectionEvent {
  type: 'collection';
  collection: StacCollection;
}

/** Windows of a collection were planned (first run) or a window was cut into smaller ones. */
export interface PlanEvent {
  type: 'plan';
  collection: string;
  /** The window replaced by `windows`; absent for a collection's first plan. */
  replaces?: string;
  windows: WindowState[];
}

/** One page of a window: its new items, and where the window goes on. */
export interface PageEvent {
  type: 'page';
  window: string;
  collection: string;
  /** URL the page came from. */
  url: string;
  /** Items to write: normalised, owned by this window, not seen before in it. */
  items: StacItem[];
  /** The next page of the window; absent when the window is finished. */
  next?: PageRequest;
  /** Items the server says match the window, when it says. */
  matched?: number;
}

/** A window stopped before its end: a page failed after retries, or the loop guard cut a repeating chain. */
export interface WindowStopEvent {
  type: 'window-stop';
  window: string;
  collection: string;
  /** `incomplete` when items may be missing (a failure), `done` when the loop guard cut a repeat. */
  status: 'incomplete' | 'done';
  /** Why, for people. */
  note: string;
}

/** A per-page or per-collection problem, recorded as a PRD failure (`api_error`). */
export interface FailureEvent {
  type: 'failure';
  failure: Failure;
}

/** Everything a harvest reports, in order per window. */
export type HarvestEvent = CollectionEvent | PlanEvent | PageEvent | WindowStopEvent | FailureEvent;

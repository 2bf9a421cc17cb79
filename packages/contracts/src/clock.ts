import { uuidv7 } from './uuidv7';

/**
 * The one source of "now" for every service and command. Code that reads
 * the time takes a Clock, so a test can hold time still or move it on
 * without fake timers, and event times and expiry checks agree.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  /** Whole seconds since the epoch (JWT `iat`/`exp`, command `now`). */
  nowSeconds(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
};

/** A clock that moves only when told: for tests. */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  nowMs(): number {
    return this.ms;
  }
  nowSeconds(): number {
    return Math.floor(this.ms / 1000);
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Where event ids come from: one per event, unique, UUIDv7-shaped (the envelope checks). */
export interface IdSource {
  next(): string;
}

/** Time-ordered UUIDv7 ids whose time part comes from `clock`. */
export function uuidv7Ids(clock: Clock = systemClock): IdSource {
  return { next: () => uuidv7(clock.nowMs()) };
}

/**
 * Ids 00000000-0000-7000-8000-000000000001, …002, …: valid UUIDv7 shapes,
 * predictable, so a test can name the id of each event it expects.
 */
export function sequentialIds(start = 1): IdSource {
  let n = start;
  return { next: () => sequentialId(n++) };
}

export function sequentialId(n: number): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

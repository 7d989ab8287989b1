/**
 * Wall-clock time in an IANA time zone, with Node's Intl and nothing else. In core/ because the API (app/) and the
 * activities (the daily digest) both need it. Kept out of domain/: the zone database
 * belongs to the Node release, so the same question may get another answer after an upgrade, which a workflow
 * replaying its history must never see. The API converts once, and the workflow receives plain UTC instants.
 */
/** `YYYY-MM-DD` and an ISO instant: domain/'s IsoDate and Instant, which core/ (below domain/) cannot import. */
type IsoDate = string;
type Instant = string;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's canonical name (`america/chicago` → `America/Chicago`), or null when it is not one. Names only:
 * fixed offsets such as `+05:00` say nothing about summer time and are refused.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return null;
  try {
    return formatterOf(name).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The calendar date an instant falls on in the zone. */
export function localDateOf(instant: Instant, zone: string): IsoDate {
  return new Date(wallClockMs(Date.parse(instant), zone)).toISOString().slice(0, 10);
}

/** The instant a calendar day begins in the zone: usually its 00:00, later where a clock change skips midnight. */
export function startOfLocalDay(date: IsoDate, zone: string): Instant {
  return instantOfLocal(date, '00:00', zone);
}

/**
 * The instant a wall-clock time (`HH:MM`, `HH:MM:SS` or with a fraction) on a date stands for in the zone. A time
 * the clocks skip (spring forward) is read with the offset before the change, i.e. that much later on the new
 * clock; a time that happens twice (fall back) is its first occurrence. This is what people who wrote the time down
 * meant, and what Temporal's `compatible` rule and most calendars do.
 */
export function instantOfLocal(date: IsoDate, time: string, zone: string): Instant {
  const wall = Date.parse(`${date}T${time}Z`);
  // Offsets a day either side bracket any single change near that time (zones change at most twice a year).
  const before = offsetMs(wall - DAY_MS, zone);
  const after = offsetMs(wall + DAY_MS, zone);
  const matching = [wall - before, wall - after].filter((at) => wallClockMs(at, zone) === wall);
  const at = matching.length > 0 ? Math.min(...matching) : wall - before;
  return new Date(at).toISOString();
}

/**
 * When a wall-clock time on a date never happened in the zone (the clocks went forward over it, `02:30` on 8 Mar
 * 2026 in Los Angeles), the clock readings the change went from and to (`02:00` and `03:00`, `HH:MM`); else null.
 */
export function skippedLocalTime(date: IsoDate, time: string, zone: string): { from: string; to: string } | null {
  const wall = Date.parse(`${date}T${time}Z`);
  const at = Date.parse(instantOfLocal(date, time, zone));
  if (wallClockMs(at, zone) === wall) return null;
  // The change lies between the time read with the offset after it and with the offset before: find its instant.
  const before = offsetMs(wall - DAY_MS, zone);
  let low = wall - offsetMs(wall + DAY_MS, zone) - DAY_MS / 2;
  let high = wall - before + DAY_MS / 2;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetMs(middle, zone) === before) low = middle;
    else high = middle;
  }
  // `high` is the change's first instant: its clock read with the offset before (02:00), and as it reads (03:00).
  const clock = (wallMs: number) => new Date(wallMs).toISOString().slice(11, 16);
  return { from: clock(high + before), to: clock(wallClockMs(high, zone)) };
}

/** How far the zone's clock is ahead of UTC at that moment. */
export function offsetMs(epochMs: number, zone: string): number {
  return wallClockMs(epochMs, zone) - epochMs;
}

/** The zone's wall clock at that moment, as the epoch milliseconds of the same reading in UTC. */
function wallClockMs(epochMs: number, zone: string): number {
  // Intl reads whole seconds; the milliseconds carry over unchanged (no zone's offset has a fraction of a second).
  const fraction = ((epochMs % 1000) + 1000) % 1000;
  const second = epochMs - fraction;
  const key = `${zone} ${second}`;
  let wall = wallClocks.get(key);
  if (wall === undefined) {
    if (wallClocks.size >= WALL_CLOCKS_KEPT) wallClocks.clear();
    wall = wallClockOfSecond(second, zone);
    wallClocks.set(key, wall);
  }
  return wall + fraction;
}

/**
 * Wall clocks already read, by zone and second. Reading one is Intl's `formatToParts`, about 5 µs, and a deadline's
 * last day asks dozens (the offsets of the year before it, `midnightNear` in core/people-dates.ts) for the same
 * instants again in each of the functions that place it: a calendar feed of 1,500 deadlines spent about a second of
 * the one thread every request is answered on. A reading never changes while the process runs (the zone database is
 * the Node release's), so it is kept; cleared whole once this many are kept, a few MB at most.
 */
const wallClocks = new Map<string, number>();
const WALL_CLOCKS_KEPT = 50_000;

function wallClockOfSecond(epochMs: number, zone: string): number {
  const parts = Object.fromEntries(
    formatterOf(zone)
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  );
  const field = (type: string) => Number(parts[type]);
  return Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
}

function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

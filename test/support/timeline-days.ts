/** Timeline entries as the API gives them to the console: each with the day it happened on, where one was typed. */
import { enteredDays } from '../../app/timeline-days';
import type { TimelineEntry } from '../../domain/types';

/**
 * The entries with the day each happened on where it was entered without a time, as the API gives them
 * (app/timeline-days.ts, from the whole case); `policeZones`: where an identification by its date may have been kept.
 */
export function withDays<Entry extends TimelineEntry>(
  entries: Entry[],
  steps: { id: string; kind: string; details: Record<string, unknown> }[],
  policeZones: string[] = [],
) {
  const days = enteredDays(entries, steps, policeZones);
  return entries.map((entry) => ({ ...entry, typedDay: days.get(entry.seq) ?? null }));
}

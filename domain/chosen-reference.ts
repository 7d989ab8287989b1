/**
 * A case reference an agency chooses (its own case number), as the API checks its form: when a case is opened, and when
 * a correction of the survivor's identity gives the case another. The console checks a reference it does not send yet
 * by the same rules, so its form says every problem at once. Whether it says who the survivor is needs the identity
 * (app/case-commands.ts `identityInReference`).
 */
import { z } from 'zod';

/**
 * Whether a chosen reference could pass for one the service assigns (`newReference`, `RC-YYYY-XXXXXXXX`): that form is
 * kept for them, since a chosen reference is unique only within its agency, and one that reads as assigned could be
 * taken for another agency's case in a coordinator's caseload (found by a reference's start) or in an email, which
 * carries the reference alone. Read as a person would misread it: in any case, O for 0 and I or L for 1, whatever
 * stands between its groups or before them, and whatever follows.
 */
export function passesForAssigned(reference: string): boolean {
  const folded = reference.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return /^[^0-9A-Z]*RC[^0-9A-Z]*\d{4}[^0-9A-Z]*[0-9A-F]{8}/.test(folded);
}

/** The words of a refused reference that reads as an assigned one, before how to have one assigned instead. */
const READS_AS_ASSIGNED =
  "reads as an assigned reference (RC-YYYY-XXXXXXXX, O for 0 and I or L for 1 alike, or anything after it), which could be another agency's case";

/**
 * A reference an agency chooses: printed in emails and logs, so a code, never a name. `assigned`: how the request has
 * one assigned instead.
 */
export const chosenReferenceSchema = (assigned: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,39}$/, 'expected a reference code (letters, digits, -; 2 to 40)')
    .refine((reference) => !passesForAssigned(reference), {
      message: `${READS_AS_ASSIGNED}: choose another, or ${assigned}`,
    });

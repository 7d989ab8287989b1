/**
 * The controls of a sign-off form, read from the step catalogue (domain/steps.ts): each outcome's details schema
 * says which fields exist, which are dates, which are choices and which are optional.
 */
import { z } from 'zod';
import { STEP_CATALOGUE } from '../domain/steps';
import type { StepKind } from '../domain/types';
import { humanize } from './labels';

export interface DetailField {
  name: string;
  label: string;
  control: 'date' | 'select' | 'text' | 'textarea';
  options: string[];
  required: boolean;
  hint?: string;
}

export function outcomesOf(kind: StepKind): string[] {
  return Object.keys(STEP_CATALOGUE[kind].outcomes);
}

export function detailFields(kind: StepKind, outcome: string): DetailField[] {
  const definition = STEP_CATALOGUE[kind].outcomes[outcome];
  if (!definition || !(definition.details instanceof z.ZodObject)) return [];
  const shape = definition.details.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, schema]) => {
    const required = !(schema instanceof z.ZodOptional);
    const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
    const label = humanize(name.replace(/([A-Z])/g, '_$1').toLowerCase());
    if (inner instanceof z.ZodISODate)
      return { name, label, control: 'date', options: [], required, hint: 'a date, YYYY-MM-DD' };
    if (inner instanceof z.ZodEnum)
      return { name, label, control: 'select', options: inner.options.map(String), required };
    if (name === 'note')
      return {
        name,
        label,
        control: 'textarea',
        options: [],
        required,
        hint: "sealed at rest; shown only to those who may read the survivor's identity",
      };
    return {
      name,
      label,
      control: 'text',
      options: [],
      required,
      hint: name === 'reason' ? 'a short code, e.g. insufficient_evidence' : undefined,
    };
  });
}

/** The details of a posted form: the chosen outcome's fields, trimmed, empty ones left out for the API to judge. */
export function detailsFromForm(
  kind: StepKind,
  outcome: string,
  form: Record<string, unknown>,
): Record<string, string> {
  const details: Record<string, string> = {};
  for (const field of detailFields(kind, outcome)) {
    const value = form[`details.${field.name}`];
    if (typeof value === 'string' && value.trim() !== '') details[field.name] = value.trim();
  }
  return details;
}

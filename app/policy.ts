import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_POLICY, policyWithOverrides, type Policy } from '../domain/policy';
import { ConfigError } from './config';

/**
 * The deadline policy new cases capture: the cited defaults, or those with a JSON override from POLICY_FILE laid
 * over them. Running cases keep the policy they started with.
 */
export async function loadPolicy(file: string | undefined): Promise<Policy> {
  if (!file) return DEFAULT_POLICY;
  let override: unknown;
  try {
    override = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `POLICY_FILE: cannot read ${file} as JSON (${error instanceof Error ? error.message : String(error)})`,
    ]);
  }
  try {
    return policyWithOverrides(override);
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ConfigError(error.issues.map((i) => `POLICY_FILE ${i.path.join('.')}: ${i.message}`));
    throw error;
  }
}

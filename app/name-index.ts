/**
 * The name index's backfill (db/survivors.ts `reindexSurvivorNames`), run by each API process at start-up in the
 * background: survivors recorded before the index existed, or indexed under an identity key that has since been
 * rotated, become findable by name again. It must run in the service, which holds the identity keys: the rows are
 * sealed, so no SQL migration can compute their tokens. Until it finishes, a name search may miss those cases.
 */
import type { Pool } from 'pg';
import type { IdentityKeyring } from '../core/identity-cipher';
import type { Logger } from '../core/logger';
import { reindexSurvivorNames } from '../db/survivors';

export async function backfillNameIndex(deps: {
  pool: Pool;
  identityKeyring?: IdentityKeyring;
  logger: Logger;
}): Promise<void> {
  try {
    const indexed = await reindexSurvivorNames(deps.pool, deps.identityKeyring);
    if (indexed > 0) deps.logger.info({ indexed }, 'survivor name index: survivors indexed');
  } catch (error) {
    // A later start tries again; meanwhile those cases are still found by reference and filters.
    deps.logger.warn({ err: error }, 'survivor name index: backfill did not finish');
  }
}

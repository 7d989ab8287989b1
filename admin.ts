/**
 * `npm run admin -- reproject [--refresh]`: brings the read model up to the cases' workflows (after restoring PostgreSQL
 * from a backup; see docs/runbook.md); with `--refresh`, also projects again the cases it already has at their latest
 * version, as this release's code projects them (after an upgrade that projects a case's rows differently).
 *
 * `npm run admin -- create-admin ...`: creates a system administrator (role `system_admin`) of a real deployment
 * (DATABASE_URL set), with its agency, and prints a one-time password. The only way to grant that role: no API call
 * can (domain/access.ts), so taking over an admin account never yields one. A system administrator then registers
 * agencies and appoints each agency's admins through the API; those admins create their own agency's users.
 * The embedded mode needs none of this: it seeds `demo-system-admin` (see the start-up banner).
 *
 * `npm run admin -- reseal`: seals every row sealed under an older identity key again under the current one, so the
 * older key can be dropped from IDENTITY_KEYS (README, "Keys and their rotation").
 *
 * `npm run admin -- retire-payload-key <id>`: an old payload key dropped from PAYLOAD_KEYS on purpose, once no workflow
 * history holds a payload sealed under it (app/payload-key-retirement.ts).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { NewAgencySchema, NewUserSchema, UsernameSchema } from './api/schemas';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Pool } from 'pg';
import type { IdentityKeyring } from './core/identity-cipher';
import { ConfigError, loadConfig, settingErrors } from './app/config';
import { reprojectCases } from './app/reproject';
import { passwordProblem, temporaryPassword } from './app/password-policy';
import { MIN_PASSWORD_LENGTH } from './core/passwords';
import { agencyKindOf, upsertAgencies } from './db/agencies';
import { recordAudit } from './db/audit';
import { migrateDeployment, ownerOf } from './db/migrate';
import { inTransaction, reachablePool } from './db/pool';
import { createUser, findUser } from './db/users';
import { resealDocuments, type DocumentStorage } from './db/documents';
import { s3ObjectStore } from './db/object-store';
import { keysInUse } from './db/sealed-places';
import { resealSurvivors } from './db/survivors';
import { refuseMissingIdentityKeys } from './app/identity-keys-in-use';
import { refuseWrongPayloadKeys } from './app/payload-keys-checked';
import { retirePayloadKey } from './app/payload-key-retirement';
import { connectClient, namingTemporalAddress } from './temporal/connection';
import { dataConverterFor } from './temporal/data-converter';

/** Each admin command's one connection, named in pg_stat_activity. */
const ADMIN_POOL = { max: 1, applicationName: 'relief-cases-admin' };

const USAGE = `Usage: npm run admin -- create-admin --username <name> --display-name <text> --agency <id>
                      [--agency-kind <kind> --agency-name <text>]   (to register the agency if it is new)
                      [--password <at least ${MIN_PASSWORD_LENGTH} characters>]   (default: generated and printed once)
       npm run admin -- reproject [--refresh]   (the read model brought up to the cases' workflows; a worker must be
                      running; --refresh: every case projected again, those already at their latest version too)
       npm run admin -- reseal   (every row sealed under an older identity key sealed again under the current one,
                      the first of IDENTITY_KEYS, so an older key can be dropped; run as the tables' owner)
       npm run admin -- retire-payload-key <key id>   (an older payload key dropped from PAYLOAD_KEYS once no workflow
                      history holds a payload sealed under it; run as the tables' owner)
Needs DATABASE_URL (and MIGRATION_DATABASE_URL when the service role may not migrate); reproject and
retire-payload-key also TEMPORAL_ADDRESS and PAYLOAD_KEYS; reseal also IDENTITY_KEYS (every key still in use) and
S3_* if documents are there.`;

const ArgsSchema = z.object({
  username: UsernameSchema,
  'display-name': NewUserSchema.shape.displayName,
  agency: NewAgencySchema.shape.id,
  'agency-kind': NewAgencySchema.shape.kind.optional(),
  'agency-name': NewAgencySchema.shape.name.optional(),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1000).optional(),
});

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      ...Object.fromEntries(Object.keys(ArgsSchema.shape).map((name) => [name, { type: 'string' as const }])),
      refresh: { type: 'boolean' as const },
    },
  });
  const { refresh, ...others } = values;
  if (positionals[0] === 'reproject' && positionals.length === 1 && Object.keys(others).length === 0) {
    return reproject(refresh === true);
  }
  if (positionals[0] === 'reseal' && positionals.length === 1 && Object.keys(others).length === 0 && !refresh) {
    return reseal();
  }
  if (positionals[0] === 'retire-payload-key' && positionals.length === 2 && Object.keys(values).length === 0) {
    return retire(positionals[1]!);
  }
  if (refresh !== undefined) {
    console.error(USAGE);
    return 2;
  }
  if (positionals[0] !== 'create-admin' || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const parsed = ArgsSchema.safeParse(values, { error: settingErrors });
  if (!parsed.success) {
    console.error(
      `${parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n')}\n\n${USAGE}`,
    );
    return 2;
  }
  const args = parsed.data;
  const weak = args.password === undefined ? null : passwordProblem(args.password, { username: args.username });
  if (weak) {
    console.error(`--password: ${weak}.`);
    return 2;
  }
  const config = loadConfig(process.env, 'admin');
  if (!('url' in config.database)) {
    console.error(
      'DATABASE_URL is not set. The embedded mode already has a system administrator: demo-system-admin (see the banner of npm start).',
    );
    return 2;
  }
  await migrateDeployment(config.database);
  const pool = await reachablePool('DATABASE_URL', config.database.url, ADMIN_POOL);
  try {
    // The agency it registers, the user and the audit row saying both are one transaction, checked before anything is
    // written: a refusal (the username taken, or taken by someone else meanwhile) leaves no agency registered unsaid.
    const outcome = await inTransaction(pool, async (db) => {
      if (await findUser(db, { username: args.username })) {
        return { code: 1, problem: `The username ${args.username} is taken.` };
      }
      const kind = await agencyKindOf(db, args.agency);
      const registered = !kind;
      if (!kind) {
        if (!args['agency-kind'] || !args['agency-name']) {
          return { code: 2, problem: `No agency ${args.agency}: pass --agency-kind and --agency-name to register it.` };
        }
        await upsertAgencies(db, [
          { id: args.agency, kind: args['agency-kind'], name: args['agency-name'], email: null },
        ]);
      }
      const password = args.password ?? temporaryPassword(args.username);
      const user = await createUser(db, {
        username: args.username,
        displayName: args['display-name'],
        agencyId: args.agency,
        roles: ['system_admin'],
        password,
      });
      await recordAudit(db, {
        action: 'user.create_admin',
        outcome: 'allowed',
        user: { id: user.id, username: user.username, agencyId: user.agencyId, roles: user.roles },
        // What it did, as user.create's row says it (api/routes/access.ts), never the password: whom it added, to which
        // agency, with which roles; that it registered the agency; whether the password was given or made here.
        detail: [
          'command line',
          `user ${user.id}`,
          `username ${user.username}`,
          `agency ${user.agencyId}`,
          `roles: ${user.roles.join(', ')}`,
          registered && 'its agency registered too',
          args.password === undefined ? 'a temporary password made' : 'the password given',
        ]
          .filter(Boolean)
          .join('; '),
      });
      return { code: 0, user, password };
    });
    if (outcome.user === undefined) {
      console.error(outcome.problem);
      return outcome.code;
    }
    const { user, password } = outcome;
    console.log(`Created system administrator ${user.username} (${user.id}) of agency ${user.agencyId}.`);
    if (!args.password) console.log(`Password (shown once, store it safely): ${password}`);
    console.log(
      "Sign in with POST /api/auth/sign-in, register agencies with POST /api/agencies, then appoint each agency's admins with POST /api/users.",
    );
    return 0;
  } finally {
    await pool.end();
  }
}

async function reproject(refresh: boolean): Promise<number> {
  return onDeployment(
    "reproject brings a deployment's read model up to its workflows",
    'DATABASE_URL',
    async ({ pool, keyring, timeZone, temporal }) => {
      // A payload key with the deployment's id but other bytes would open none of the workflows: refused as the
      // service refuses it, before Temporal is reached.
      await refuseWrongPayloadKeys(pool, keyring);
      const client = await temporal(dataConverterFor(keyring));
      const { cases, updated, withoutIdentity, referencesReserved, referencesTaken, notRunning, unanswered } =
        await reprojectCases(client, pool, { refresh, timeZone });
      console.log(
        refresh
          ? `${cases} cases in Temporal; the read model of ${updated} has been projected again from their workflows.`
          : `${cases} cases in Temporal; the read model of ${updated} was behind and has been brought up to date.`,
      );
      if (withoutIdentity.length > 0) {
        console.log(
          `${withoutIdentity.length === 1 ? '1 case has' : `${withoutIdentity.length} cases have`} no survivor identity (opened after the backup). Ask each case's agencies to enter it again from their file (PUT /api/cases/{caseId}/survivor):`,
        );
        for (const { reference, caseId } of withoutIdentity) console.log(`  ${reference}  ${caseId}`);
      }
      if (referencesReserved > 0) {
        console.log(
          `${referencesReserved === 1 ? "1 case's reference was" : `${referencesReserved} cases' references were`} reserved again for its agency (opened after the backup).`,
        );
      }
      if (referencesTaken.length > 0) {
        console.log(
          `${referencesTaken.length === 1 ? '1 case has a reference' : `${referencesTaken.length} cases have references`} its agency gave another case since the restore, so not reserved for it: the two cases share it.`,
        );
        for (const { reference, caseId } of referencesTaken) console.log(`  ${reference}  ${caseId}`);
      }
      if (notRunning.length > 0) {
        console.log(
          `${notRunning.length === 1 ? '1 open case has' : `${notRunning.length} open cases have`} no running workflow: each takes no sign-offs and sends no reminders until it is reset (docs/runbook.md, "A case's workflow failed or was terminated"):`,
        );
        for (const { reference, caseId, status } of notRunning) console.log(`  ${reference}  ${caseId}  ${status}`);
      }
      if (unanswered.length > 0) {
        console.log(
          `${unanswered.length === 1 ? '1 workflow of the case type did not answer, and was left as it is' : `${unanswered.length} workflows of the case type did not answer, and were left as they are`}: one that never ran as a case (an unsealed or copied start, README "Who can command a case"), or a case whose workflow task keeps failing (docs/runbook.md, "A case is stuck"):`,
        );
        for (const { workflowId, reason } of unanswered) console.log(`  ${workflowId}  ${reason}`);
      }
      return 0;
    },
  );
}

/**
 * `npm run admin -- reseal`: after a rotation (the new identity key first in IDENTITY_KEYS, every process restarted
 * with it), seals every identity, revision and document sealed under an older key again under the current one and
 * rewrites the name index, then says, from the one list of sealed places (db/sealed-places.ts), what is still sealed
 * under another key. Row by row: run again after a stop, it goes on with what is left; run twice, the second finds
 * nothing. It connects as MIGRATION_DATABASE_URL when set, since the service's role may not update sealed rows.
 */
async function reseal(): Promise<number> {
  const config = loadConfig(process.env, 'admin');
  if (!('url' in config.database) || !('keyring' in config.identityKeys)) {
    console.error(
      'reseal seals the data of a deployment again under its current identity key: set DATABASE_URL and IDENTITY_KEYS (the new key first, then every older key still in use).',
    );
    return 2;
  }
  const keyring = config.identityKeys.keyring;
  await migrateDeployment(config.database);
  const owner = ownerOf(config.database);
  const pool = await reachablePool(owner.variable, owner.url, ADMIN_POOL);
  try {
    // Every key in use must be at hand to open what it sealed: the same refusal as the service's at start.
    await refuseMissingIdentityKeys(pool, keyring);
    const storage: DocumentStorage =
      config.documents.store === 's3'
        ? { kind: 's3', store: s3ObjectStore(config.documents.s3) }
        : { kind: 'postgres' };
    const current = keyring.current.id;
    // One audit row a run, as create-admin's: counts and key ids, never what was sealed. Written once it has sealed all
    // it could, or when it stopped on an error (rows may be sealed again already), with the counts of the parts it
    // finished: a part stopped in was counted by no one, so it is named, not given a count.
    const counted: string[] = [];
    const audit = (outcome: 'allowed' | 'failed', end: string[]) =>
      recordAudit(pool, {
        action: 'identity_keys.reseal',
        outcome,
        detail: [
          'command line',
          `identity key ${current}`,
          ...(counted.length > 0 ? [`sealed again: ${counted.join(', ')}`] : []),
          ...end,
        ].join('; '),
      });
    let stage = 'survivor identities';
    let sealed: { survivors: number; revisions: number; documents: number };
    try {
      const { survivors, revisions } = await resealSurvivors(pool, keyring);
      counted.push(`${survivors} survivor identities`, `${revisions} earlier identities`);
      stage = 'documents';
      const documents = await resealDocuments(pool, storage, keyring);
      counted.push(`${documents} documents`);
      sealed = { survivors, revisions, documents };
    } catch (error) {
      await audit('failed', [`stopped on an error while sealing ${stage} again`]);
      throw error;
    }
    console.log(
      `Sealed again under ${current}: ${sealed.survivors} survivor identities, ${sealed.revisions} earlier versions of identities, ${sealed.documents} documents; the name index rewritten under ${current}.`,
    );
    const left = (await keysInUse(pool)).filter((use) => use.keyId !== current);
    await audit(
      'allowed',
      left.length === 0
        ? ['nothing left under another key']
        : left.map((use) => `still under ${use.keyId}: ${use.places.join(' and ')}`),
    );
    if (left.length === 0) {
      console.log(`Nothing is sealed under another key: every key but ${current} may be dropped from IDENTITY_KEYS.`);
      return 0;
    }
    console.log('Still sealed under another key (keep each such key in IDENTITY_KEYS):');
    for (const use of left) console.log(`  ${use.keyId}: ${use.places.join('; ')}`);
    console.log(
      "Notes and corrections' reasons are sealed in their cases' workflows, which keep them as recorded: their key stays needed while those cases are kept. Answers kept for a retry are deleted after 24 hours.",
    );
    return 0;
  } finally {
    await pool.end();
  }
}

/**
 * `npm run admin -- retire-payload-key <id>`: deletes the key's check once no workflow history holds a payload sealed
 * under it, so processes start without the key; refuses otherwise, naming the histories. As the tables' owner
 * (MIGRATION_DATABASE_URL when set), since the service's role may not delete a check.
 */
async function retire(keyId: string): Promise<number> {
  return onDeployment(
    'retire-payload-key reads the histories of a deployment',
    'owner',
    async ({ pool, keyring, temporal }) => {
      // Histories are read as the server keeps them, nothing opened: no data converter.
      const outcome = await retirePayloadKey(await temporal(), pool, keyring, keyId);
      if (!outcome.retired) {
        console.error(outcome.problem);
        return 1;
      }
      console.log(
        `Retired the payload key ${keyId}: none of the ${outcome.histories} workflow histories holds a payload sealed under it. Processes now start without it in PAYLOAD_KEYS.`,
      );
      return 0;
    },
  );
}

/** What a command on a deployment's read model and workflows is given: its pool, payload keys and Temporal. */
interface Deployment {
  pool: Pool;
  keyring: IdentityKeyring;
  timeZone: string;
  /** Connects to the deployment's Temporal (closed when the command ends), naming TEMPORAL_ADDRESS when it cannot. */
  temporal: (dataConverter?: DataConverter) => Promise<Client>;
}

/**
 * Runs a command that needs a deployment's PostgreSQL, Temporal and payload keys: says what to set when one is missing
 * (exit 2), reaches PostgreSQL as the service's role or as the tables' owner (MIGRATION_DATABASE_URL when set, after
 * migrating), and closes what it opened.
 */
async function onDeployment(
  purpose: string,
  login: 'DATABASE_URL' | 'owner',
  work: (deployment: Deployment) => Promise<number>,
): Promise<number> {
  const config = loadConfig(process.env, 'admin');
  if (!('url' in config.database) || !('connect' in config.temporal) || !('keyring' in config.payloadKeys)) {
    console.error(`${purpose}: set DATABASE_URL, TEMPORAL_ADDRESS and PAYLOAD_KEYS (the keys its processes hold).`);
    return 2;
  }
  const settings = config.temporal.connect;
  if (login === 'owner') await migrateDeployment(config.database);
  const { variable, url } =
    login === 'owner' ? ownerOf(config.database) : { variable: 'DATABASE_URL' as const, url: config.database.url };
  const pool = await reachablePool(variable, url, ADMIN_POOL);
  let connection: Awaited<ReturnType<typeof connectClient>> | undefined;
  try {
    return await work({
      pool,
      keyring: config.payloadKeys.keyring,
      timeZone: config.timeZone,
      temporal: async (dataConverter) => {
        connection = await namingTemporalAddress(settings, () => connectClient(settings));
        return new Client({ connection, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) });
      },
    });
  } finally {
    await pool.end();
    await connection?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

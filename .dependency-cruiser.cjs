/**
 * The layers of README "How it is built", checked in CI (`npm run deps`). Imports only point down; no cycles, type-only
 * imports included (a type-only cycle still ties two modules together for a reader and a refactoring).
 *
 * Bottom to top; a layer may import any layer below it, never one above. Layers on one line are peers.
 */
const LAYERS = [
  ['core'], // what every layer shares: errors, logger, passwords, the identity cipher and keyrings
  ['domain'], // pure rules, no I/O
  ['db'], // PostgreSQL: the read model, users, audit trail, outbox
  ['mail'], // rendering and sending email (reads agencies' addresses from db/)
  ['activities', 'workflows'], // what the worker runs; workflows are narrowed further below
  ['temporal'], // binaries, dev server, connections and the worker that hosts activities and workflows
  ['app'], // configuration and the services: the write side through workflows
  ['api'], // the HTTP API over app/
  ['web'], // the console: a client of the API
];
// Above every layer, free to import any of them (never imported by one): main.ts, admin.ts, service.ts (the
// composition root), bench/, test/, scripts/.

const folders = (layers) => `^(${layers.flat().join('|')})/`;

const upward = LAYERS.flatMap((layer, rank) =>
  rank === LAYERS.length - 1
    ? []
    : [
        {
          name: `${layer.join('-')}-not-upward`,
          comment:
            `${layer.join('/, ')}/ may import ${rank === 0 ? 'nothing of ours' : `only ${LAYERS.slice(0, rank).flat().join('/, ')}/`}` +
            ' (README "How it is built").',
          severity: 'error',
          from: { path: folders([layer]) },
          to: { path: folders(LAYERS.slice(rank + 1)) },
        },
      ],
);

// Workflow code others may import: the contract (ids, type names, inputs, updates, queries, signals, the rejection
// type), the search attributes, the request-id header and the bundle's entry; the rest of workflows/ is the
// implementation, which only the worker's bundle loads. Tests and benchmarks may still reach into it (replays, the
// workflow's own unit tests).
const WORKFLOW_CONTRACT = '^workflows/(index|contract|search-attributes|request-id)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No cycles, type-only included: a cycle makes two modules one for every reader and refactoring.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'layers-not-entry-points',
      comment: 'The entry points, the composition root, benchmarks and tests sit above every layer.',
      severity: 'error',
      from: { path: folders(LAYERS) },
      to: { path: '^((main|admin|service)\\.ts$|test/|bench/|scripts/)' },
    },
    {
      name: 'domain-pure',
      comment: 'domain/ is pure rules: it imports nothing of ours outside domain/ (not even core/, which does I/O).',
      severity: 'error',
      from: { path: '^domain/' },
      to: { path: '^(core)/' },
    },
    {
      name: 'workflows-deterministic',
      comment:
        'Workflow code runs in the deterministic sandbox: it imports domain/ and its own modules only, and ' +
        'activities by type (for proxyActivities), never their code.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(core|db|mail)/' },
    },
    {
      name: 'workflows-activities-by-type-only',
      comment: "Workflows know activities only by their type (proxyActivities); the activities' code runs outside.",
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-workflow-implementation',
      comment:
        'Outside workflows/ only the contract, the search attributes and the bundle entry are imported, never workflow code.',
      severity: 'error',
      from: { pathNot: '^(workflows|test|bench)/' },
      to: { path: '^workflows/', pathNot: WORKFLOW_CONTRACT },
    },
    {
      name: 'api-over-services',
      comment:
        'Routes and the HTTP machinery (authentication, idempotency, audit) call app/ services, which own the ' +
        'storage; api/ never reaches db/ (or what lies between) itself, not even for a type.',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^(db|mail|activities|temporal)/' },
    },
    {
      name: 'web-is-an-api-client',
      comment:
        'The console reaches data through the public API only; its type generator (web/api-types-source.ts) is the ' +
        'one module that builds the API, to read its OpenAPI document.',
      severity: 'error',
      from: { path: '^web/', pathNot: '^web/api-types-source\\.ts$' },
      to: { path: '^(api|db|mail|activities|workflows|temporal)/' },
    },
  ],
  options: {
    // Our own modules only: packages are pinned by the lockfile and checked by tsc.
    exclude: { path: '^(node_modules|\\.tools|\\.data|dist|coverage)/' },
    includeOnly: '^(core|domain|db|mail|activities|workflows|temporal|app|api|web|test|bench)/|^[^/]+\\.ts$',
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

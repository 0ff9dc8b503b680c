/**
 * Import rules of server/src (and of the client's one way into it), run by `npm run lint:deps`
 * (part of `npm test`). The folders read as the architecture: domain is pure; services hold
 * their ports; pipeline, outputs and sim are edges that meet only in app/ (the composition root).
 * Allowed edges form a DAG, so no two top-level folders can import each other. protocol/ is the
 * contract with the dashboard (live events and REST answers): it stands alone, so the client can
 * import it without pulling in the server.
 */
const S = '^server/src/';
const OURS = '^(server|client)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'domain/ imports nothing of ours outside domain/, and no I/O module (fs, net, http, workers, child processes, sqlite) nor clock package: zod, and re2js (pure linear-time regex matching for user-supplied matchers).',
      from: { path: `${S}domain/` },
      to: {
        pathNot: [`${S}domain/`, '^node_modules/zod/', '^node_modules/re2js/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-no-io-types',
      severity: 'error',
      comment: 'domain/ does not even name our adapters in types.',
      from: { path: `${S}domain/` },
      to: { path: OURS, pathNot: `${S}domain/` },
    },
    {
      name: 'protocol-stands-alone',
      severity: 'error',
      comment: 'protocol/ imports only itself and zod: the client bundles it, so it must not pull in domain/ or anything with I/O.',
      from: { path: `${S}protocol/` },
      to: { pathNot: [`${S}protocol/`, '^node_modules/zod/'] },
    },
    {
      name: 'services-import-domain-and-own-ports',
      severity: 'error',
      comment:
        'A service imports domain/, protocol/ and its own folder (its ports.ts); storage, collectors and outputs are passed in by app/.',
      from: { path: `${S}services/([^/]+)/` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}protocol/`, `${S}services/$1/`] },
    },
    {
      name: 'outputs-not-pipeline',
      severity: 'error',
      comment: 'outputs/ (http, live, metrics) read services, domain and protocol, never pipeline/ internals, app/ or sim/.',
      from: { path: `${S}outputs/` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}services/`, `${S}outputs/`, `${S}protocol/`] },
    },
    {
      name: 'pipeline-not-services-or-outputs',
      severity: 'error',
      comment: "pipeline/ (ingest, collector, store) imports domain/ and itself only: stores implement the services' ports structurally.",
      from: { path: `${S}pipeline/` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}pipeline/`] },
    },
    {
      name: 'sim-imports-domain-only',
      severity: 'error',
      comment: 'sim/ renders the real formats itself (its own DCGM text), so it needs nothing but domain/.',
      from: { path: `${S}sim/` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}sim/`] },
    },
    {
      name: 'workers-are-entry-points',
      severity: 'error',
      comment: 'workers/ run on their own thread with what they build themselves: domain, pipeline and sim.',
      from: { path: `${S}workers/` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}pipeline/`, `${S}sim/`, `${S}workers/`] },
    },
    {
      name: 'config-reads-env-only',
      severity: 'error',
      comment: 'config.ts and config/ parse the environment and import domain types at most.',
      from: { path: `${S}config(\\.ts|/)` },
      to: { path: OURS, pathNot: [`${S}domain/`, `${S}config(\\.ts|/)`] },
    },
    {
      name: 'only-main-imports-app',
      severity: 'error',
      comment: 'app/ is the composition root: only main.ts starts it (and app/ its own parts).',
      from: { pathNot: [`${S}main\\.ts$`, `${S}app/`, '^test/'] },
      to: { path: `${S}app/` },
    },
    {
      name: 'nothing-imports-cli-but-app',
      severity: 'error',
      comment: 'cli/ holds entry points (and the client build app/ runs at npm start).',
      from: { path: `${S}`, pathNot: [`${S}app/`, `${S}cli/`] },
      to: { path: `${S}cli/` },
    },
    {
      name: 'client-only-via-protocol',
      severity: 'error',
      comment: 'The dashboard imports one server folder: protocol/ (alias @protocol/*), its contract with the server.',
      from: { path: '^client/src/' },
      to: { path: '^server/', pathNot: `${S}protocol/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module cycle (folder cycles are ruled out by the rules above).',
      from: { path: S },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', 'client/dist'] },
    tsPreCompilationDeps: true,
    // client/tsconfig.json maps @protocol/* to the server's protocol/ folder.
    tsConfig: { fileName: `${__dirname}/client/tsconfig.json` },
    enhancedResolveOptions: {
      extensions: ['.ts', '.mjs', '.js'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};

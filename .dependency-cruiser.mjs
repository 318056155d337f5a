// The shape of the code, checked by `npm run lint` (dependency-cruiser): no import cycles, type-only
// imports included, and the lower layers never import the bot (README, "Layout").
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules import each other in one direction only; a cycle means two rooms are one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ingest-does-not-import-bot',
      comment: 'ingest/ (sources, parse, series) is pure: no store, no pipeline, nothing of bot/.',
      severity: 'error',
      from: { path: '^ingest/' },
      to: { path: '^bot/' },
    },
    {
      name: 'runners-do-not-import-bot',
      comment: 'runners/ (tree, build, sandbox, guest, QEMU, the runner kinds) know nothing of bot/.',
      severity: 'error',
      from: { path: '^runners/' },
      // TEMPORARY (issue 10): runners/ still take InfraError from bot/errors.ts until floor-runners
      // moves it into runners/; floor-runners removes this pathNot.
      to: { path: '^bot/', pathNot: '^bot/errors\\.ts$' },
    },
    {
      name: 'config-does-not-import-bot',
      comment: 'config/ is the lowest layer: it assembles the sources and runners schemas, nothing above.',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^bot/' },
    },
  ],
  options: {
    // `import type` counts: a type-only cycle still ties two modules into one.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|var|dist)/|^test/fixtures/' },
  },
};

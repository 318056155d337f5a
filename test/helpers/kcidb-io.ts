/**
 * kcidb-io's own validator (../shared/upstream/kcidb-io-*.tar.gz, KernelCI's KCIDB schema in
 * Python), run on Debian's python3-jsonschema: `schema.LATEST.validate(report)`, with format
 * checking as kcidb-io sets it up (the "uri" fields are checked when python3-rfc3987 is there).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { debianPython, pythonHas, topFolder, unpackUpstream, upstreamDir } from './upstream.ts';

export const kcidbIoTarball = path.join(upstreamDir, 'kcidb-io-8971c02.tar.gz');

export function kcidbIoAvailable(): boolean {
  return existsSync(kcidbIoTarball) && pythonHas(['jsonschema']);
}

export type KcidbValidation = { ok: true; schema: string } | { ok: false; error: string };

const VALIDATE = `
import json, sys
import jsonschema
from kcidb_io import schema
try:
    schema.LATEST.validate(json.load(sys.stdin))
except jsonschema.exceptions.ValidationError as e:
    print(e.message + " at " + "/".join(str(p) for p in e.absolute_path), file=sys.stderr)
    sys.exit(1)
print(str(schema.LATEST))
`;

/** Validates a report with kcidb-io: ok with the schema version (e.g. "v5.3"), or the refusal. */
export function validateKcidb(report: unknown): KcidbValidation {
  const root = topFolder(unpackUpstream(kcidbIoTarball));
  const r = spawnSync(debianPython, ['-c', VALIDATE], {
    input: JSON.stringify(report),
    env: { ...process.env, PYTHONPATH: root },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 0) return { ok: true, schema: r.stdout.trim() };
  return { ok: false, error: (r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join('\n') };
}

/**
 * The pipeline's boundaries, passed in: the clock, the runner lookup, the mbox exporter, git,
 * the mail sender and the ingest steps. The CLI wires the real ones (wire.ts); tests pass fakes.
 */
import type { Logger } from 'pino';
import type { Config, RunnerConfig } from '../config/schema.ts';
import type { Runner } from '../runners/types.ts';
import type { Store } from './store/store.ts';
import type { DeliveryPolicy } from './report/delivery-policy.ts';
import type { MailSender } from './report/senders.ts';

export interface PipelineDeps {
  store: Store;
  config: Config;
  log: Logger;
  now: () => Date;
  runnerFor(rc: RunnerConfig): Runner;
  exportMbox(versionKey: string): Promise<Buffer>;
  /** Full sha of `rev` in the git tree, or null when the tree does not have it. */
  resolveCommit(tree: string, rev: string): Promise<string | null>;
  /** Absolute path of a configured tree's repository. */
  treePath(name: string): string;
  sender: MailSender;
  /** Absolute scratch folder; each job works in <workDir>/jobs/<id>. */
  workDir: string;
  /** Poll every source into the store. */
  ingest(): Promise<void>;
  /** Re-assemble series versions after ingest. */
  refreshSeries(): Promise<void>;
  /** Lease length; a worker renews it every third of it while a step runs. */
  leaseMs?: number;
  /** Infra retries before a job gives up. */
  maxAttempts?: number;
  /** Retries and backoff of a reply the mail server refuses (defaults: DEFAULT_DELIVERY_POLICY). */
  delivery?: Partial<DeliveryPolicy>;
  /** Stop between steps when aborted (SIGINT/SIGTERM): the job stays resumable. */
  signal?: AbortSignal;
}

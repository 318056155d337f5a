/**
 * The pipeline's boundaries, passed in: the clock, the runner lookup, the mbox exporter, git,
 * the mail sender and the ingest steps. The CLI wires the real ones (wire.ts); tests pass fakes.
 */
import type { Logger } from 'pino';
import type { Config, RunnerConfig } from '../config/schema.ts';
import type { Runner, RunResult } from '../runners/types.ts';
import type { Output } from './outputs/types.ts';
import type { Store } from './store/store.ts';
import type { DiscoveryIo } from './jobs/base-types.ts';
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
  /** Absolute path of a configured tree's repository (a remote's bare clone). */
  treePath(name: string): string;
  /** Base discovery's git and store lookups (jobs/base-io.ts; tests pass fakes). */
  bases: DiscoveryIo;
  sender: MailSender;
  /** Where results go besides mail (Patchwork, KCIDB): bot/outputs/publish.ts tells them. */
  outputs?: readonly Output[];
  /** Absolute scratch folder; each job works in <workDir>/jobs/<id>. */
  workDir: string;
  /** Poll every source into the store. */
  ingest(): Promise<void>;
  /** Re-assemble series versions after ingest. */
  refreshSeries(): Promise<void>;
  /** Lease length; a worker renews it every third of it while a step runs. */
  leaseMs?: number;
  /**
   * The machine's name in the leases it takes (default: the host name; no ':'). A lease of this
   * machine whose process is gone is released at once; another machine's waits for its expiry.
   */
  worker?: string;
  /** Infra retries before a job gives up. */
  maxAttempts?: number;
  /** Retries and backoff of a reply the mail server refuses (defaults: DEFAULT_DELIVERY_POLICY). */
  delivery?: Partial<DeliveryPolicy>;
  /**
   * Keeps a recorded run's artifacts (its .config, console log, bzImage, vmlinux, build log)
   * under its number before the next run of the job overwrites them (bot/artifacts/keep.ts);
   * none in tests that do not look at them. A failure is logged, never the job's.
   */
  keepArtifacts?: (runNo: number, result: RunResult, workDir: string) => Promise<void>;
  /** Stop between steps when aborted (SIGINT/SIGTERM): the job stays resumable. */
  signal?: AbortSignal;
}

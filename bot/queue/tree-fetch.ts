/**
 * Remote trees fetched on their schedules (node-cron), beside the sources and the processing loop
 * of `daxbot run`. A tick fetches unless the tree is backing off; a failed fetch is logged, kept
 * in the clone's fetch record and tried again after its backoff (a timer, not the next tick),
 * while jobs go on with the last good heads. Jobs themselves fetch first when a tree's heads are
 * older than its schedule's last tick (bot/jobs/base-io.ts), so a bot that was down catches up.
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { TreeConfig } from '../../config/schema.ts';
import { fetchBackoffMs, type BackoffPolicy } from '../../runners/tree/remote-plan.ts';
import { syncRemote, type RemoteSync } from '../../runners/tree/remote.ts';
import { errorMessage } from '../errors.ts';
import { remoteTreeOf } from '../jobs/base-io.ts';

export interface TreeFetchOptions {
  trees: readonly TreeConfig[];
  treePath: (name: string) => string;
  log: Logger;
  now?: () => Date;
  /** How long to wait after failures (remote-plan.ts DEFAULT_FETCH_BACKOFF when absent). */
  backoff?: BackoffPolicy;
}

export interface TreeFetches {
  /** Fetches every remote tree now (a tick of each), resolving when all are done. */
  fetchAll(): Promise<RemoteSync[]>;
  stop(): Promise<void>;
}

export function startTreeFetches(o: TreeFetchOptions): TreeFetches {
  const now = o.now ?? (() => new Date());
  const remotes = o.trees.flatMap((t) => {
    const r = remoteTreeOf(t, o.treePath(t.name));
    return r ? [r] : [];
  });
  const busy = new Map<string, Promise<RemoteSync>>();
  const retries = new Set<NodeJS.Timeout>();
  let stopped = false;
  const tick = (r: (typeof remotes)[number]): Promise<RemoteSync> => {
    const running = busy.get(r.name);
    if (running) return running;
    const p = syncRemote(r, { now: now(), log: o.log, force: true, ...(o.backoff && { backoff: o.backoff }) })
      .then((sync) => {
        if (sync.error && !stopped) {
          // Tried again after the backoff rather than at the next tick, which may be hours away.
          const timer = setTimeout(
            () => {
              retries.delete(timer);
              void tick(r);
            },
            fetchBackoffMs(sync.state.failures, o.backoff),
          );
          timer.unref();
          retries.add(timer);
        }
        return sync;
      })
      .finally(() => busy.delete(r.name));
    busy.set(r.name, p);
    return p;
  };
  const tasks: ScheduledTask[] = remotes.map((r) =>
    schedule(r.schedule, () => {
      tick(r).catch((err: unknown) => o.log.error({ tree: r.name, err: errorMessage(err) }, 'tree fetch failed'));
    }),
  );
  return {
    fetchAll: () => Promise.all(remotes.map(tick)),
    async stop() {
      stopped = true;
      for (const t of retries) clearTimeout(t);
      for (const t of tasks) await t.stop();
      await Promise.allSettled([...busy.values()]);
    },
  };
}

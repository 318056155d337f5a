/** The finished jobs a KCIDB export covers, read from the store. */
import { finishedJobIds } from '../../store/job-results.ts';
import type { Store } from '../../store/store.ts';
import { loadJobResult } from '../job-result.ts';
import type { JobResult } from '../types.ts';

/** Every job finished at or after `since` (ISO time), oldest first. */
export async function finishedJobResults(
  store: Store,
  o: { since?: string | undefined; dashboardUrl: string },
): Promise<JobResult[]> {
  const out: JobResult[] = [];
  for (const id of await finishedJobIds(store.db, o.since)) {
    const result = await loadJobResult(store, id, o.dashboardUrl);
    if (result) out.push(result);
  }
  return out;
}

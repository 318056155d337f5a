/**
 * What every dashboard view of a job (the queue page's, the series page's) says of where it
 * stands: its runner, why and how urgently it was queued, its state and queue slot, its last
 * progress line and who asked for it. Both pages and their JSON twins read the same fields.
 */
import type { QueueSlot } from '../queue/policy.ts';
import type { JobRow } from '../store/jobs.ts';

export interface JobStateFields {
  runner: string;
  trigger: string;
  priority: number;
  /** The state machine's state ("testing", "bisecting", ...). */
  state: string;
  slot: QueueSlot;
  progress: string | null;
  requestedBy: string | null;
}

/** The fields of `j` in `slot` (slotOf, computed once by the caller), in the views' order (pure). */
export function jobStateFields(j: JobRow, slot: QueueSlot): JobStateFields {
  return {
    runner: j.runner,
    trigger: j.trigger,
    priority: j.priority,
    state: j.state,
    slot,
    progress: j.progress,
    requestedBy: j.options.requestedBy ?? null,
  };
}

/**
 * Job groups: the jobs one series version was dispatched with, one per runner. They are
 * inserted in one transaction (a kill never leaves a version with only some of its runners,
 * which enqueue would then never complete), and read back together when the group's last
 * verdict is in and its one reply is composed.
 */
import { Transaction, type Kysely } from 'kysely';
import type { Database } from './tables.ts';
import { insertJob, type NewJob } from './jobs.ts';

export interface GroupMemberRow {
  id: number;
  versionKey: string;
  runner: string;
  state: string;
  outcome: string | null;
  summary: string | null;
  error: string | null;
  /** The job's verdict JSON (group-plan.ts VerdictRecord), null until its verdict is in. */
  verdict: string | null;
}

/**
 * Inserts one job per entry as one group; returns their ids, the group's (first) id first.
 * Given a transaction, the group joins it (a command's re-run commits with the command's
 * record); otherwise the group is a transaction of its own.
 */
export async function insertJobGroup(
  db: Kysely<Database> | Transaction<Database>,
  jobs: Omit<NewJob, 'groupId'>[],
  now: string,
): Promise<number[]> {
  if (jobs.length === 0) return [];
  const insert = async (trx: Transaction<Database>): Promise<number[]> => {
    const ids: number[] = [];
    for (const j of jobs) {
      const groupId = ids[0];
      ids.push(await insertJob(trx, groupId === undefined ? j : { ...j, groupId }, now));
    }
    return ids;
  };
  return db instanceof Transaction ? insert(db) : db.transaction().execute(insert);
}

/** The group's jobs in id order (rows from before groups existed form a group of one). */
export async function groupMembers(db: Kysely<Database>, groupId: number): Promise<GroupMemberRow[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'version_key', 'runner', 'state', 'outcome', 'summary', 'error', 'verdict'])
    .where((eb) => eb.or([eb('group_id', '=', groupId), eb.and([eb('group_id', 'is', null), eb('id', '=', groupId)])]))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    versionKey: r.version_key,
    runner: r.runner,
    state: r.state,
    outcome: r.outcome,
    summary: r.summary,
    error: r.error,
    verdict: r.verdict,
  }));
}

/** The ids of a group's jobs, its first (the group id) first. */
export async function groupJobIds(db: Kysely<Database>, groupId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where((eb) => eb.or([eb('group_id', '=', groupId), eb('id', '=', groupId)]))
    .orderBy('id')
    .execute();
  return rows.map((j) => j.id);
}

import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The pipeline's durable state: one job per (series version, trigger), the runs each job
 * recorded (a recorded step is never redone), the baseline cache shared by all jobs, the
 * replies (inserted before sending, so a restart never mails twice) and mail commands.
 */
/** The primary key column of this dialect: its type and how it is made. */
interface TableKeys {
  pk: 'serial' | 'integer';
  id: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

async function createJobs(db: Kysely<unknown>, t: TableKeys): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', t.pk, t.id)
    .addColumn('version_key', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('runner', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_before', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('progress', 'text')
    .addColumn('outcome', 'text')
    .addColumn('summary', 'text')
    .addColumn('verdict', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_version').on('jobs').column('version_key').execute();
  await db.schema.createIndex('jobs_state').on('jobs').columns(['state', 'priority']).execute();
}

async function createRuns(db: Kysely<unknown>, t: TableKeys): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', t.pk, t.id)
    .addColumn('job_id', 'integer', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('patch_limit', 'integer')
    .addColumn('failure_class', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_job_step').on('runs').columns(['job_id', 'step']).unique().execute();
}

async function createBaselines(db: Kysely<unknown>, t: TableKeys): Promise<void> {
  await db.schema
    .createTable('baselines')
    .addColumn('id', t.pk, t.id)
    .addColumn('cache_key', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('runner', 'text', (c) => c.notNull())
    .addColumn('tree_commit', 'text', (c) => c.notNull())
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .addColumn('suites', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('baselines_key').on('baselines').columns(['cache_key', 'repeat']).unique().execute();
}

async function createReplies(db: Kysely<unknown>, t: TableKeys): Promise<void> {
  await db.schema
    .createTable('replies')
    .addColumn('id', t.pk, t.id)
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('version_key', 'text')
    .addColumn('job_id', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('mailed', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('replies_version').on('replies').column('version_key').execute();
}

async function createCommands(db: Kysely<unknown>, t: TableKeys): Promise<void> {
  await db.schema
    .createTable('commands')
    .addColumn('id', t.pk, t.id)
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('version_key', 'text')
    .addColumn('from_address', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('job_id', 'integer')
    .addColumn('reply_message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export function up003(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    const t: TableKeys = {
      pk: dialect === 'postgres' ? 'serial' : 'integer',
      id: (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()),
    };
    await createJobs(db, t);
    await createRuns(db, t);
    await createBaselines(db, t);
    await createReplies(db, t);
    await createCommands(db, t);
  };
}

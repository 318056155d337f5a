import type { Migration } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { up001 } from './001-messages.ts';
import { up002 } from './002-series.ts';
import { up003 } from './003-pipeline.ts';
import { up004 } from './004-command-marks.ts';
import { up005 } from './005-job-groups.ts';
import { up006 } from './006-reply-delivery.ts';
import { up007 } from './007-output-posts.ts';
import { up008 } from './008-job-base.ts';
import { up009 } from './009-dashboard.ts';
import { up010 } from './010-message-dedup.ts';
import { up011 } from './011-command-mails.ts';
import { up012 } from './012-job-dispatch.ts';

/**
 * Every migration, in order. Names sort lexically; never rename or edit one that has shipped:
 * add a new one instead.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001-messages': { up: up001(dialect) },
    '002-series': { up: up002(dialect) },
    '003-pipeline': { up: up003(dialect) },
    '004-command-marks': { up: up004(dialect) },
    '005-job-groups': { up: up005(dialect) },
    '006-reply-delivery': { up: up006(dialect) },
    '007-output-posts': { up: up007(dialect) },
    '008-job-base': { up: up008(dialect) },
    '009-dashboard': { up: up009(dialect) },
    '010-message-dedup': { up: up010(dialect) },
    '011-command-mails': { up: up011(dialect) },
    '012-job-dispatch': { up: up012(dialect) },
  };
}

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { splitMbox } from '/work/main/ingest/sources/mbox-split.ts';
import { parseMessage } from '/work/main/ingest/parse/message.ts';
const msgs = splitMbox(gunzipSync(readFileSync('/work/shared/corpus/lore-nvdimm/nvdimm.all.mboxrd.gz')));
const c0=process.cpuUsage();
for (const m of msgs) await parseMessage(m);
const c=process.cpuUsage(c0); console.log('cpu rate', msgs.length/((c.user+c.system)/1e6));

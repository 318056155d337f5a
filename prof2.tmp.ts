import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { splitMbox } from '/work/main/ingest/sources/mbox-split.ts';
import { decodeFast } from '/work/main/ingest/parse/mime-fast.ts';
import { buildMessage } from '/work/main/ingest/parse/message.ts';
const msgs = splitMbox(gunzipSync(readFileSync('/work/shared/corpus/lore-nvdimm/nvdimm.all.mboxrd.gz')));
for (let r=0;r<2;r++){
let t0 = performance.now(); const decs=[];
for (const m of msgs) { const d=decodeFast(m); if(d) decs.push([m,d]); }
console.log('decodeFast', msgs.length/(performance.now()-t0)*1000, decs.length);
t0 = performance.now(); for (const [m,d] of decs) buildMessage(m,d);
console.log('build', decs.length/(performance.now()-t0)*1000);
}

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { splitMbox } from '/work/main/ingest/sources/mbox-split.ts';
import { decodeFast } from '/work/main/ingest/parse/mime-fast.ts';
import { decodeFull } from '/work/main/ingest/parse/mime-full.ts';
import { buildMessage } from '/work/main/ingest/parse/message.ts';
const msgs = splitMbox(gunzipSync(readFileSync('/work/shared/corpus/lore-nvdimm/nvdimm.all.mboxrd.gz')));
let n=0, bad=0;
for (let i=0;i<msgs.length;i++) { const m=msgs[i]!; const f=decodeFast(m); if(!f) continue; n++;
  const g=await decodeFull(m);
  const a=JSON.stringify(buildMessage(m,f)), b=JSON.stringify(buildMessage(m,g));
  if (a!==b) { bad++; if (bad<=5) { console.log('DIFF', i, f.text.length, g.text.length); for (let k=0;k<a.length;k++) if(a[k]!==b[k]) { console.log(JSON.stringify(a.slice(k-80,k+80))); console.log(JSON.stringify(b.slice(k-80,k+80))); break; } } }
}
console.log({n, bad});

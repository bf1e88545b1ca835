import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from './infra/bundling.js';

const g = process.argv[2] ?? 'charges';
const r = await build({
  ...ESBUILD_OPTIONS,
  entryPoints: [`functions/${g}.ts`],
  outfile: `/tmp/out/${g}.mjs`,
  write: false,
  metafile: true,
});
const key = Object.keys(r.metafile.outputs).find((k) => k.endsWith('.mjs'))!;
const out = r.metafile.outputs[key]!;
console.log(g, (out.bytes / 1024).toFixed(1));
const groups = new Map<string, number>();
for (const [k, v] of Object.entries(out.inputs)) {
  const grp = k.includes('node_modules/')
    ? k
        .split('node_modules/')[1]!
        .split('/')
        .slice(0, k.includes('node_modules/@') ? 2 : 1)
        .join('/')
    : k;
  groups.set(grp, (groups.get(grp) ?? 0) + v.bytesInOutput);
}
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log((v / 1024).toFixed(1).padStart(6), k);

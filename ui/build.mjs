// Builds the web console into dist/ui (index.html, app.js, app.css) with esbuild: Preact and uPlot are
// bundled in, so the page needs no network at run time. `npm run build:ui`; `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const outdir = join(root, '..', 'dist', 'ui');
const options = {
  entryPoints: { app: join(root, 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir,
  logLevel: 'warning',
  legalComments: 'linked',
};

await mkdir(outdir, { recursive: true });
await copyFile(join(root, 'index.html'), join(outdir, 'index.html'));
if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log(`watching ui/src, writing ${outdir}`);
} else {
  await build(options);
}

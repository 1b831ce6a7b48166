// Builds the web dashboard's page into dist/web-assets with esbuild: one script and one stylesheet
// (Preact, uPlot and the page's code, minified), and the HTML shell. Prints their gzipped size and
// fails above the budget, so the page stays light to load over a slow link.
//
//   npm run build:web      (part of npm run build)

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT = path.join(ROOT, 'src/web/client');
const OUT = path.join(ROOT, 'dist/web-assets');
/** The budget for the page's JS and CSS together, gzipped. */
const BUDGET_BYTES = 150 * 1024;

mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: { app: path.join(CLIENT, 'main.tsx') },
  outdir: OUT,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(path.join(CLIENT, 'index.html'), path.join(OUT, 'index.html'));

const sizes = ['app.js', 'app.css'].map((file) => ({ file, gzipped: gzipSync(readFileSync(path.join(OUT, file)), { level: 9 }).length }));
const total = sizes.reduce((sum, { gzipped }) => sum + gzipped, 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`web dashboard: ${sizes.map(({ file, gzipped }) => `${file} ${kb(gzipped)}`).join(', ')}; ${kb(total)} gzipped of a ${kb(BUDGET_BYTES)} budget`);
if (total > BUDGET_BYTES) {
  console.error(`web dashboard: ${kb(total)} gzipped is over the ${kb(BUDGET_BYTES)} budget: make the page lighter (see what esbuild --analyze shows)`);
  process.exit(1);
}

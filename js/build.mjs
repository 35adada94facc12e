// `npm run build` (make js): bundle src/ with esbuild into certnb/widgets/datagrid/static/ (or the folder given
// as the first argument). Each output starts with a banner holding the sha256 of the sources, this script
// and the lock file, which tests/widgets/test_grid_bundle.py checks; the build is deterministic.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "certnb", "widgets", "datagrid", "static"));

export function sourcesDigest() {
  const files = ["build.mjs", "package.json", "package-lock.json", ...readdirSync(join(here, "src")).sort().map((f) => `src/${f}`)];
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file + "\0");
    hash.update(readFileSync(join(here, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const banner = `/* certnb grid bundle · sources sha256 ${sourcesDigest()} · built by js/build.mjs with esbuild; Tabulator (MIT) © Oli Folkerd */`;
await esbuild.build({
  entryPoints: { grid: join(here, "src", "index.js") },
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020"],
  outdir: out,
  banner: { js: banner, css: banner },
  legalComments: "none",
  logLevel: "warning",
  charset: "utf8",
});

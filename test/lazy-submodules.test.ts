/**
 * scripts/lazy-submodules.ts, which `npx projen compile` runs on lib/index.js: the generated CRD bindings load on
 * first use, and are the same objects, enumerable and importable from ES modules, as before.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { lazySubmodules, submoduleNames } from '../scripts/lazy-submodules';

const INDEX_TS = fs.readFileSync(path.join(__dirname, '..', 'src', 'index.ts'), 'utf8');
const NAMES = submoduleNames(INDEX_TS);

/** src/index.ts as TypeScript compiles it for the library (CommonJS, ES2022, esModuleInterop). */
function compiledIndex(): string {
  return ts.transpileModule(INDEX_TS, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
}

/**
 * A folder with the rewritten index.js and a stub for every module it requires: each stub records its loading in
 * `globalThis.loaded` and exports its own name.
 */
function stubLibrary(indexJs: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-submodules-'));
  fs.writeFileSync(path.join(dir, 'index.js'), indexJs);
  for (const [, file] of indexJs.matchAll(/require\("(\.\/[^"]+)"\)/g)) {
    const stub = path.join(dir, `${file}.js`);
    fs.mkdirSync(path.dirname(stub), { recursive: true });
    fs.writeFileSync(stub, `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n(globalThis.loaded ??= []).push(${JSON.stringify(file)});\nexports.stubOf = ${JSON.stringify(file)};\n`);
  }
  return dir;
}

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { encoding: 'utf8' }).trim();
}

describe('lazy submodules (scripts/lazy-submodules.ts)', () => {
  test('src/index.ts exports the eight generated bindings from ./imports/', () => {
    expect(NAMES).toEqual(['certmanager', 'karmadaapps', 'karmadaautoscaling', 'karmadaconfig', 'karmadanetworking', 'karmadapolicy', 'karmadaremedy', 'multicluster']);
  });

  test('the compiled index loads no binding until one is used, then that one only, once', () => {
    const dir = stubLibrary(lazySubmodules(compiledIndex(), NAMES));
    try {
      const out = node(['-e', `
        const lib = require(${JSON.stringify(dir)});
        const atLoad = (globalThis.loaded ?? []).filter(f => f.startsWith('./imports/'));
        const first = lib.certmanager, second = lib.certmanager;
        const after = globalThis.loaded.filter(f => f.startsWith('./imports/'));
        console.log(JSON.stringify({ atLoad, after, same: first === second, stub: first.stubOf, keys: Object.keys(lib) }));`]);
      const result = JSON.parse(out);
      expect(result.atLoad).toEqual([]);
      expect(result.after).toEqual(['./imports/cert-manager.io']);
      expect(result.same).toBe(true);
      expect(result.stub).toBe('./imports/cert-manager.io');
      expect(result.keys).toEqual(expect.arrayContaining(NAMES));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ES modules import the submodules by name', () => {
    const dir = stubLibrary(lazySubmodules(compiledIndex(), NAMES));
    try {
      const url = `file://${path.join(dir, 'index.js')}`;
      const out = node(['--input-type=module', '-e', `import { ${NAMES.join(', ')} } from ${JSON.stringify(url)};\nconsole.log([${NAMES.join(', ')}].map(m => m.stubOf).join(' '));`]);
      const files = [...INDEX_TS.matchAll(/^export \* as \w+ from '(\.\/imports\/[^']+)';$/gm)].map(match => match[1]);
      expect(out.split(' ')).toEqual(files);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rewriting twice changes nothing; a missing or unexpected export fails', () => {
    const once = lazySubmodules(compiledIndex(), NAMES);
    expect(once).not.toMatch(/^exports\.\w+ = __importStar/m);
    expect(lazySubmodules(once, NAMES)).toBe(once);
    expect(() => lazySubmodules(compiledIndex(), [...NAMES, 'another'])).toThrow(/expected the submodule exports/);
    expect(() => lazySubmodules(compiledIndex().replace(/^exports\.certmanager = .*$/m, ''), NAMES)).toThrow(/found karmadaapps/);
  });
});

/**
 * Makes the compiled library load its generated CRD bindings only when a program uses them (run after jsii by
 * `npx projen compile`; `test/lazy-submodules.test.ts` checks the rewrite).
 *
 * `src/index.ts` exports each binding as a jsii submodule (`export * as certmanager from './imports/cert-manager.io'`),
 * which TypeScript compiles to `exports.certmanager = __importStar(require("./imports/cert-manager.io"));`: every
 * `require('cdk8s-karmada')` then loads all eight (about 680 KB of code, 3.3 MB with their inline source maps),
 * although synthesis uses none of them.
 * This rewrites those lines of `lib/index.js` into getters that require the module on first access and keep it.
 * The API is unchanged: `certmanager.Certificate` etc. are the same classes, the names stay enumerable, and ES
 * modules still import them by name (such an import loads every binding, as before).
 *
 * Run from the repository root: `npx ts-node --project test/tsconfig.json scripts/lazy-submodules.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';

/** One submodule export as TypeScript emits it. */
const EAGER = /^exports\.([A-Za-z_$][\w$]*) = __importStar\(require\("(\.\/imports\/[^"]+)"\)\);$/gm;
/** What marks a rewritten line. */
const MARKER = '/* lazy submodule */';
/** Defined once, before the first getter: the modules, each loaded by its own getter on first access and kept. */
const HELPER = 'const __lazySubmodules = {}; function __lazySubmodule(name, load) { let loaded; '
  + 'Object.defineProperty(__lazySubmodules, name, { get: () => (loaded ??= load()) }); }';

/** The submodules `src/index.ts` exports from `./imports/`. */
export function submoduleNames(indexTs: string): string[] {
  return [...indexTs.matchAll(/^export \* as (\w+) from '\.\/imports\/[^']+';$/gm)].map(match => match[1]);
}

/**
 * `indexJs` with each eager submodule export replaced by a lazy getter. Throws unless exactly `expected` are found
 * (TypeScript emitting them differently must not go unnoticed); text already rewritten is returned as it is.
 *
 * The getter on `exports` has the one form Node recognizes when an ES module imports names from CommonJS
 * (`get: function () { return a.b; }`; a getter of another form hides the name), so it reads a getter of its own.
 */
export function lazySubmodules(indexJs: string, expected: string[]): string {
  const found: string[] = [];
  const rewritten = indexJs.replace(EAGER, (_line, name: string, file: string) => {
    found.push(name);
    const key = JSON.stringify(name);
    return `${found.length === 1 ? `${HELPER}\n` : ''}${MARKER} __lazySubmodule(${key}, () => __importStar(require(${JSON.stringify(file)}))); `
      + `Object.defineProperty(exports, ${key}, { enumerable: true, get: function () { return __lazySubmodules.${name}; } });`;
  });
  if (found.length === 0 && expected.every(name => indexJs.includes(`${MARKER} __lazySubmodule(${JSON.stringify(name)},`))) {
    return indexJs;
  }
  if (found.join(',') !== expected.join(',')) {
    throw new Error(`expected the submodule exports ${expected.join(', ')} in lib/index.js, found ${found.join(', ') || 'none'}`);
  }
  return rewritten;
}

function main(): void {
  const root = path.join(__dirname, '..');
  const file = path.join(root, 'lib', 'index.js');
  const expected = submoduleNames(fs.readFileSync(path.join(root, 'src', 'index.ts'), 'utf8'));
  const before = fs.readFileSync(file, 'utf8');
  const after = lazySubmodules(before, expected);
  if (after !== before) fs.writeFileSync(file, after);
  console.log(`lib/index.js: ${expected.length} submodules load on first use (${expected.join(', ')})`);
}

if (require.main === module) main();

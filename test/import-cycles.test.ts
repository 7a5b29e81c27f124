import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The library's modules form no runtime import cycle. Each file of src/ is transpiled as the compiler emits it
 * (imports used only as types are dropped), and the `require`s left are the edges of the graph that Node loads.
 */

const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'imports' ? [] : sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The library files a module requires at run time (relative imports only; generated bindings aside). */
function runtimeImports(file: string): string[] {
  const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
  });
  const imports: string[] = [];
  for (const match of outputText.matchAll(/require\("(\.[^"]+)"\)/g)) {
    const base = path.resolve(path.dirname(file), match[1]);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find(candidate => fs.existsSync(candidate));
    if (target && !target.includes(`${path.sep}imports${path.sep}`)) imports.push(target);
  }
  return imports;
}

/** Every cycle, each as the list of files from its first file back to it (found by depth-first search). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  [...graph.keys()].sort().forEach(file => { if (!state.has(file)) visit(file); });
  return cycles;
}

describe('the import graph of src/', () => {
  const graph = new Map(sourceFiles(SRC).map(file => [file, runtimeImports(file)]));

  test('GIVEN every module of the library WHEN the runtime imports are followed THEN no module reaches itself', () => {
    const cycles = findCycles(graph).map(cycle => cycle.map(file => path.relative(SRC, file)).join(' -> '));
    expect(cycles).toEqual([]);
  });

  test('GIVEN the graph WHEN it is built THEN it holds the library and its edges (the check has something to check)', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get(path.join(SRC, 'index.ts'))).toContain(path.join(SRC, 'constructs', 'ha-topology.ts'));
  });
});

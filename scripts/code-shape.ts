/**
 * The shape of the library's code, for reviews: files of src/ over 400 lines and functions (constructors, methods,
 * arrow functions assigned to names) over 60 lines, generated bindings aside. Run:
 * `npx ts-node --project test/tsconfig.json scripts/code-shape.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', 'src');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'imports' ? [] : sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

function functionName(node: ts.Node, source: ts.SourceFile): string | undefined {
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassDeclaration).name?.text ?? '?'} constructor`;
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) && node.name) return node.name.getText(source);
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) return node.parent.name.getText(source);
  return undefined;
}

const lines = (source: ts.SourceFile, node: ts.Node) =>
  source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

for (const file of sourceFiles(SRC).sort()) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2020, true);
  const relative = path.relative(path.join(__dirname, '..'), file);
  const fileLines = text.split('\n').length - 1;
  if (fileLines > MAX_FILE_LINES) console.log(`file      ${String(fileLines).padStart(4)}  ${relative}`);
  const visit = (node: ts.Node) => {
    const name = functionName(node, source);
    if (name !== undefined && lines(source, node) > MAX_FUNCTION_LINES) {
      console.log(`function  ${String(lines(source, node)).padStart(4)}  ${relative}: ${name}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

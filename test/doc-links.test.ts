import * as fs from 'fs';
import * as path from 'path';

/**
 * Every relative link of the README and the docs pages (docs/*.md; docs/api/ is generated) resolves: the file or
 * folder exists, and an anchor (`#...`, alone or after a markdown file) names a heading of that file, as GitHub
 * makes anchors of headings. Links to other sites are not followed.
 */
const ROOT = path.join(__dirname, '..');

/** The markdown without fenced code blocks and inline code spans (links and headings inside them are not ones). */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      fence = !fence;
      lines.push('');
      continue;
    }
    lines.push(fence ? '' : line.replace(/`[^`]*`/g, m => (/^#/.test(line) ? m : '``')));
  }
  return lines;
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1].toLowerCase().replace(/[^\p{L}\p{M}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The links of `markdown` (the file `file`, relative to the repository) that do not resolve, as `file: target`. */
function brokenLinks(file: string, markdown: string, exists: (p: string) => boolean = p => fs.existsSync(p),
  read: (p: string) => string = p => fs.readFileSync(p, 'utf8')): string[] {
  const broken: string[] = [];
  const dir = path.dirname(path.join(ROOT, file));
  for (const line of prose(markdown)) {
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [targetPath, anchor] = target.split('#', 2);
      const resolved = targetPath === '' ? path.join(ROOT, file) : path.resolve(dir, decodeURI(targetPath));
      if (!resolved.startsWith(ROOT + path.sep) || !exists(resolved)) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith('.md') || !anchorsOf(read(resolved)).has(decodeURIComponent(anchor))) {
        broken.push(`${file}: ${target} (no such heading)`);
      }
    }
  }
  return broken;
}

const FILES = ['README.md', 'CHANGELOG.md',
  ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

describe('the links of the README and the docs pages', () => {
  test('the docs pages are there', () => {
    expect(FILES).toEqual(expect.arrayContaining(['docs/architecture.md', 'docs/pki.md', 'docs/proof.md']));
  });

  test.each(FILES)('every relative link and anchor of %s resolves', file => {
    expect(brokenLinks(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))).toEqual([]);
  });

  test('the README links every docs page', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const page of FILES.filter(f => f.startsWith('docs/'))) {
      expect(readme).toContain(`](${page})`);
    }
  });

  test('anchors are made as GitHub makes them', () => {
    expect([...anchorsOf([
      '# cdk8s-karmada', '## Composing without `HATopology`', '### `Pki.certManager(options)` (the default)',
      '## Placement rules (all *required*, i.e. hard, unless noted)', '## host-cut.ts: a real Karmada loses a host',
      '## Usage', '## Usage', '```sh', '# not a heading', '```',
    ].join('\n'))]).toEqual([
      'cdk8s-karmada', 'composing-without-hatopology', 'pkicertmanageroptions-the-default',
      'placement-rules-all-required-ie-hard-unless-noted', 'host-cutts-a-real-karmada-loses-a-host', 'usage', 'usage-1',
    ]);
  });

  test('a missing file, a missing heading and a heading of another page are caught; sites and code are not links', () => {
    const page = [
      'See [etcd](docs/etcd.md#backup-and-restore), [gone](docs/gone.md), [wrong](docs/etcd.md#no-such-heading),',
      '[moved](#backup-and-restore), [here](#usage), [site](https://karmada.io#x) and `[code](nowhere.md)`.',
      '```md', '[in a block](nowhere.md)', '```',
    ].join('\n');
    expect(brokenLinks('README.md', page)).toEqual([
      'README.md: docs/gone.md (no such file)',
      'README.md: docs/etcd.md#no-such-heading (no such heading)',
      'README.md: #backup-and-restore (no such heading)',
    ]);
  });
});

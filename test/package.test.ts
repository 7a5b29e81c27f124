import * as fs from 'fs';
import * as path from 'path';

/**
 * The npm package carries the library and its docs only: no test state (the etcd binary the integration test
 * downloads), no CI script, no examples or bench. `.npmignore` is generated from .projenrc.ts.
 */
test('the npm package leaves out test state, CI, examples, bench and scripts', () => {
  const ignored = fs.readFileSync(path.join(__dirname, '..', '.npmignore'), 'utf8').split('\n');
  for (const entry of ['/.etcd-test/', '/.ci/', '/examples/', '/bench/', '/scripts/', '/test/', '/src/']) {
    expect(ignored).toContain(entry);
  }
});

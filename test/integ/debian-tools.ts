import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ETCD_TEST_STATE_DIR, REPO_ROOT } from './etcd-binary';

/**
 * What the tests run that is no Go module, from Debian's packages: busybox (busybox-static), and openssl and unshare
 * on PATH. scripts/ensure-debian-tools.sh provides them. (etcd, etcdctl, etcdutl and kubectl are built from their Go
 * modules instead: test/cluster/real-components.ts.)
 */
export const ENSURE_DEBIAN_TOOLS_SCRIPT = path.join(REPO_ROOT, 'scripts', 'ensure-debian-tools.sh');
const SCRIPT_NAME = path.relative(REPO_ROOT, ENSURE_DEBIAN_TOOLS_SCRIPT);

function runEnsureScript(): { status: number | null; error?: Error; output: string } {
  const run = spawnSync('bash', [ENSURE_DEBIAN_TOOLS_SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
  return { status: run.status, error: run.error, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}

/**
 * The path of a binary the script provides from Debian's packages: `$<envVariable>` if set, else the one named in
 * `.etcd-test/<recordFile>` (which the script writes). When neither exists, runs the script first, so `npx jest`
 * alone works on a fresh machine. Throws (never skips) when the binary cannot be had.
 */
export function ensureDebianBinary(what: string, envVariable: string, recordFile: string): string {
  const override = process.env[envVariable];
  if (override) return override;
  const readRecorded = (): string | undefined => {
    try {
      return fs.readFileSync(path.join(ETCD_TEST_STATE_DIR, recordFile), 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const recorded = readRecorded();
  if (recorded && fs.existsSync(recorded)) return recorded;
  const run = runEnsureScript();
  const installed = readRecorded();
  if (run.status !== 0 || !installed || !fs.existsSync(installed)) {
    throw new Error([
      `No ${what}, and ${SCRIPT_NAME} could not provide one`,
      `(exit status ${run.status}${run.error ? `, ${run.error.message}` : ''}). Its output:`,
      run.output,
    ].join('\n'));
  }
  return installed;
}

/** The tools the harness runs from PATH (the test's own certificates, the members' private /etc/hosts). */
export const PATH_TOOLS: readonly string[] = ['openssl', 'unshare'];

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).some(dir => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

let pathToolsChecked = false;
/**
 * Makes sure {@link PATH_TOOLS} are on PATH: when one is missing, runs the script (which installs them with apt-get)
 * once per process. Throws when one is still missing.
 */
export function ensurePathTools(): void {
  if (pathToolsChecked) return;
  if (PATH_TOOLS.some(tool => !onPath(tool))) {
    const run = runEnsureScript();
    const missing = PATH_TOOLS.filter(tool => !onPath(tool));
    if (missing.length > 0) {
      throw new Error(`${missing.join(' and ')} not on PATH, and ${SCRIPT_NAME} did not install them (exit status ${run.status}${
        run.error ? `, ${run.error.message}` : ''}). Its output:\n${run.output}`);
    }
  }
  pathToolsChecked = true;
}

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ensureDebianBinary } from './debian-tools';

/** A busybox binary, its version and its applets. */
export interface BusyboxBinary {
  readonly path: string;
  /** e.g. `1.37.0` */
  readonly version: string;
  /** The first line of `busybox --help`, e.g. `BusyBox v1.37.0 (Debian 1:1.37.0-6+b9) multi-call binary.` */
  readonly banner: string;
  /** `busybox --list`. */
  readonly applets: readonly string[];
}

/** Runs `<bin> --help` and `<bin> --list`. */
export function busyboxBinaryAt(binaryPath: string): BusyboxBinary {
  const run = (arg: string) => spawnSync(binaryPath, [arg], { encoding: 'utf8', timeout: 10_000, env: {} });
  const help = run('--help');
  const banner = `${help.stdout ?? ''}${help.stderr ?? ''}`.split('\n')[0];
  const match = /^BusyBox v(\d+\.\d+\.\d+)/.exec(banner);
  const list = run('--list');
  if (help.error || !match || list.status !== 0) {
    throw new Error(`${binaryPath} is no working busybox (status ${help.status}/${list.status}, ${help.error ?? ''}): ${banner}`);
  }
  return { path: binaryPath, version: match[1], banner, applets: list.stdout.split('\n').filter(a => a !== '') };
}

/**
 * The busybox binary the tests run: `$BUSYBOX_BIN` if set, else the one named in `.etcd-test/busybox-bin`. When
 * neither exists, runs scripts/ensure-debian-tools.sh (which unpacks one from Debian's busybox-static and writes that file)
 * first, so `npx jest` alone works on a fresh machine. Throws (never skips) when no busybox can be had.
 */
export function ensureBusyboxBinary(): BusyboxBinary {
  return busyboxBinaryAt(ensureDebianBinary('busybox binary for the bootstrap Job\'s script', 'BUSYBOX_BIN', 'busybox-bin'));
}

/**
 * Makes `dir` a directory of symlinks, one per applet, to `binary`: as a PATH of its own, it offers busybox's tools
 * and nothing else.
 */
export function appletDirectory(binary: BusyboxBinary, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const applet of binary.applets) {
    if (applet.includes('/')) throw new Error(`busybox --list printed ${JSON.stringify(applet)}`);
    fs.symlinkSync(binary.path, path.join(dir, applet));
  }
  return dir;
}

import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-karmada',
  description: 'cdk8s constructs that synthesize a highly available Karmada control plane (stacked or external etcd)',
  author: 'cdk8s-karmada team',
  authorAddress: 'team@cdk8s-karmada.dev',
  repositoryUrl: 'https://example.com/cdk8s-karmada.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  keywords: ['cdk8s', 'karmada', 'etcd', 'kubernetes', 'high-availability'],

  // Toolchain verified offline (../shared/docs/toolchain.md). typescriptVersion stays unset on purpose.
  jsiiVersion: '~6.0.0',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.3.0',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  devDeps: [
    'kubernetes-models@^4.5.1',
    '@kubernetes-models/validate@^4.0.0',
    'cdk8s-cli@^2.207.60',
    '@types/node@^20',
    'yaml@^2',
    // test/crd-schema.ts: validate custom resources against the CRDs' openAPIV3Schema
    'ajv@^8',
    'ajv-formats@^3',
  ],

  // Every cdk8s language (docs/languages.md): jsii-pacmak packages the library as a Python wheel, a Maven artifact
  // and a Go module besides the npm tarball. The jsii submodules (the generated CRD bindings) become Python modules
  // `cdk8s_karmada.<name>`, Java packages `dev.cdk8s_karmada.<name>` and Go packages under the module.
  publishToPypi: { distName: 'cdk8s-karmada', module: 'cdk8s_karmada' },
  publishToMaven: { javaPackage: 'dev.cdk8s_karmada', mavenGroupId: 'dev.cdk8s-karmada', mavenArtifactId: 'cdk8s-karmada' },
  // The Go module path follows the repository URL's host; v0, so no major-version suffix.
  publishToGo: { moduleName: 'example.com/cdk8s-karmada-go' },

  docgen: true,
  sampleCode: false,
  github: false,
  release: false,

  jestOptions: {
    // `test` runs `jest --ci`: a changed or missing snapshot fails. `npx projen test:update` rewrites them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // The real-etcd integration test starts processes; give it room.
      testTimeout: 120_000,
    },
    // The real-cluster tests start processes and poll them. Their afterAll hooks stop every monitor and process
    // (and an exit handler kills what a crash left), but a handle leaked by a failed test must not turn a finished
    // run into a CI timeout: jest exits once every suite has reported.
    extraCliOptions: ['--forceExit'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts'],
    ignorePatterns: ['src/imports/**', 'examples/**/dist/**', 'examples/**/node_modules/**'],
    commandOptions: { fix: false },
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'],
    compilerOptions: {},
  },
});

// The released version. With `release: false` projen writes 0.0.0 into package.json unless told otherwise; this
// library is released by hand, so the version is set here and CHANGELOG.md says what each version holds.
const VERSION = '0.1.0';
project.package.addVersion(VERSION);
// jsii-pacmak names the npm tarball `<name>@<version>.jsii.tgz`; '@' trips shells, URLs and tools that read a name
// before '@' as a package spec. Rename it to npm's own `<name>-<version>.tgz`.
project.tasks.tryFind('package:js')!.exec(
  `node -e "const fs = require('fs'); const dir = 'dist/js'; for (const f of fs.readdirSync(dir)) if (f.endsWith('.jsii.tgz')) fs.renameSync(dir + '/' + f, dir + '/cdk8s-karmada-${VERSION}.tgz')"`,
);

// unrs-resolver 1.13.0's optional bindings are not all on the registry we reach; pin the release that has them
// all, or `npm ci` fails on a lock file that misses them.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// jsii 6.0 prints an end-of-life banner for Node 20 on every call; it runs fine on Node 20.20.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// API.md is this library's reference; the generated CRD bindings (jsii submodules) are documented apart, one file
// each in docs/api/ (scripts/api-docs.sh).
project.tasks.tryFind('docgen')!.reset('bash scripts/api-docs.sh');

// The generated CRD bindings load on first use, not on every `require('cdk8s-karmada')`: after jsii compiles,
// scripts/lazy-submodules.ts rewrites their exports in lib/index.js into getters (see that script).
project.compileTask.exec('ts-node --project test/tsconfig.json scripts/lazy-submodules.ts');

// ts-jest only transpiles (isolatedModules): type-check tests, examples and the bench explicitly.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// busybox (the bootstrap Job's shell image) is not a Go module: Debian's busybox-static, fetched when missing; openssl and unshare too.
project.testTask.prependExec('bash scripts/ensure-debian-tools.sh');
// The real upstream programs (Kubernetes, etcd, kwok), built from their Go modules at the versions in
// tools/versions.env into a cache that survives between runs (see tools/README.md); a no-op when cached.
project.testTask.prependExec('bash scripts/build-components.sh');

// The main job: synthesize every example app with `cdk8s synth` into examples/<name>/dist/.
project.addTask('synth-examples', {
  description: 'Synthesize the YAML of every example app (examples/*/dist/*.k8s.yaml)',
  exec: 'bash examples/synth-all.sh',
});

// Every cdk8s language (docs/languages.md). `package` runs `package-all` (npm, Python, Java, Go) outside CI and only
// `package:js` under CI, where .ci/run runs `package-bindings` and `test-bindings` as steps of their own (timed).
// The registries CI reaches lack some dependency bindings at the npm versions (cdk8s and cdk8s-plus-28 for Java,
// cdk8s for Go): scripts/package-binding.sh generates those with jsii-pacmak from the npm packages (cached) into
// dist/ before packaging the library, gives jsii-pacmak's Maven build the machine's local repository, and its Python
// build a wheelhouse (pip caches nothing it downloads from the index CI reaches).
project.tasks.tryFind('package:python')!.reset('bash scripts/package-binding.sh python');
project.tasks.tryFind('package:java')!.reset('bash scripts/package-binding.sh java');
project.tasks.tryFind('package:go')!.reset('bash scripts/package-binding.sh go');
const packageBindings = project.addTask('package-bindings', {
  description: 'Package the library for Python, Java and Go (dist/python wheel, dist/java Maven repository, dist/go module)',
});
for (const language of ['python', 'java', 'go']) packageBindings.spawn(project.tasks.tryFind(`package:${language}`)!);
project.addTask('test-bindings', {
  description: 'Synthesize examples/stacked in Python, Java and Go against dist/ and compare each YAML byte for byte with the TypeScript example\'s (after package-bindings and synth-examples)',
  exec: 'bash scripts/test-bindings.sh',
});
project.gitignore.exclude('/examples/*/*/dist/', '/examples/*/*/.venv/', '/examples/*/*/target/', '__pycache__/');

// Synthesis cost: whole processes against a one-Deployment cdk8s-plus app, and in-process synthesis against YAML
// serialization alone, as medians (see bench/README.md).
const bench = project.addTask('bench', {
  description: 'Time whole processes of the README\'s default app and an all-options app against a one-Deployment cdk8s-plus app (paired rounds, ratios to it), then in-process synthesis of stacked 3, 5 and 7 nodes against YAML serialization alone',
  env: { CDK8S_KARMADA_SILENCE_WARNINGS: '1' },
});
// The whole-process and first-synthesis figures run the compiled library (lib/), so compile it first.
bench.spawn(project.compileTask);
bench.exec('ts-node --project test/tsconfig.json bench/synth.ts');
// etcd leader failover with the synthesized election settings, on real etcd (see bench/README.md).
project.addTask('bench-failover', {
  description: 'SIGKILL the etcd leader of synthesized stacked 3 and external 5 members during steady writes: median time to the first acknowledged write over 7 runs, and its ratio to the election timeout',
  env: { CDK8S_KARMADA_SILENCE_WARNINGS: '1' },
  exec: 'ts-node --project test/tsconfig.json bench/etcd-failover.ts',
});

// Host-cut failover of a real Karmada (every program real, on pod-runner hosts): medians over 5 runs (see bench/README.md).
project.addTask('bench-host-cut', {
  description: 'Cut off the host holding the component Leases of a real stacked 3 Karmada while a client writes through the entry point, 5 times: medians of the first acknowledged write, the longest write gap and the new leaders, against the lease',
  env: { CDK8S_KARMADA_SILENCE_WARNINGS: '1' },
  exec: 'ts-node --project test/tsconfig.json bench/host-cut.ts',
});

// What the library reads at synth time instead of parsing and serializing the CRD YAML (assets/precomputed/, committed
// and shipped): test/precomputed-crds.test.ts fails until this is run after a change to the CRDs or to how
// KarmadaApiObjects renders them.
project.addTask('precompute-crds', {
  description: 'Parse assets/karmada-crds/ into assets/precomputed/karmada-crds.json and render the CRDs\' YAML into assets/precomputed/karmada-api-objects.json and the default installation\'s gzip into assets/precomputed/default-installation.json',
  exec: 'ts-node --project test/tsconfig.json scripts/precompute-crds.ts',
});

// CRD YAML input (one multi-document file, built by scripts/gather-crds.sh and committed); the generated TS is
// committed under src/imports/. `cdk8s import` takes one spec per call and projen tasks cannot loop.
project.addTask('import-crds', {
  description: 'Generate TypeScript for the CRDs in imports/crds.yaml into src/imports',
  exec: 'cdk8s import imports/crds.yaml --language typescript --output src/imports --no-check-upgrade --no-save',
});

project.gitignore.exclude('/examples/*/dist/', '/.etcd-test/', '/bench/results/', '/.real-components/', '/.real-cluster/');
project.npmignore?.exclude('/examples/', '/bench/', '/scripts/', '/.ci/', '/.etcd-test/', '/tools/', '/.real-components/', '/.real-cluster/');
project.npmignore?.exclude('/imports/');

project.synth();

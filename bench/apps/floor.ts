/**
 * The floor of the whole-process benchmark: a one-Deployment cdk8s-plus app, what any cdk8s app pays for Node, cdk8s
 * and cdk8s-plus to start and write one small file.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

const app = new App();
const chart = new Chart(app, 'app');
new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
app.synth();

import { App } from 'cdk8s';
import { buildExternalChart } from './chart';
import { HATopology } from '../../src';

const app = new App();
const chart = buildExternalChart(app);
// What the topology needs and which failures it survives, before anything is applied (on stderr: `cdk8s synth`
// keeps the app's stdout to itself).
const topology = chart.node.findChild('Karmada') as HATopology;
console.error(`failure tolerance: ${topology.failureTolerance.summary}`);
app.synth();

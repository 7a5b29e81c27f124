import { App } from 'cdk8s';
import { buildExternalEndpointsChart } from './chart';

const app = new App();
buildExternalEndpointsChart(app);
app.synth();

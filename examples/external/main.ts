import { App } from 'cdk8s';
import { buildExternalChart } from './chart';

const app = new App();
buildExternalChart(app);
app.synth();

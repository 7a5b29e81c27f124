import { App } from 'cdk8s';
import { buildStackedChart } from './chart';

const app = new App();
buildStackedChart(app);
app.synth();

export { renewalWorkflow } from './renewal.js';

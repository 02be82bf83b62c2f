export { expiryInvitationsWorkflow } from './expiry.js';
export { renewalWorkflow } from './renewal.js';
export { documentRetentionWorkflow } from './retention.js';

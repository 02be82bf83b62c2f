export { emailReceived, svixHeaders } from '../../lib/resend-webhook.js';

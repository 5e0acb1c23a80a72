/** The demo and the tests find free loopback ports the same way. */
export { freePort } from '../../scripts/lib/processes.js';

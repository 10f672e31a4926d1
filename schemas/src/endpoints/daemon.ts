/** The daemon's own endpoints: status and stop. */
import { statusResponse, stopResponse } from '../api';
import { defineEndpoint } from '../endpoint';

export const getStatus = defineEndpoint({ method: 'GET', path: '/status', response: statusResponse, timeoutMs: 3000 });
export const stopDaemon = defineEndpoint({ method: 'POST', path: '/daemon/stop', response: stopResponse });

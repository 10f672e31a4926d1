/** Notebook conversion (issue 18): the CLI and the editor record what they wrote. */
import { eventSchema } from '../api';
import { conversionRecord } from '../convert';
import { defineEndpoint } from '../endpoint';

export const recordConversion = defineEndpoint({ method: 'POST', path: '/notebooks/conversions', body: conversionRecord, response: eventSchema, status: 201 });

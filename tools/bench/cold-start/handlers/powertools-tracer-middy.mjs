// Powertools Tracer as its docs show it with middy: captureLambdaHandler middleware.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';

const tracer = new Tracer({ serviceName: 'bench' });

const loadDescriptor = { value: async (id) => ({ id, loaded: true }) };
tracer.captureMethod({ subSegmentName: 'load' })({}, 'load', loadDescriptor);
const load = loadDescriptor.value;

export const handler = middy(async (event) => load(event.id)).use(captureLambdaHandler(tracer));

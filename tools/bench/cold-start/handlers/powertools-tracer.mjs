// Powertools Tracer without middy: its decorators applied by hand (plain .mjs has no decorator syntax).
import { Tracer } from '@aws-lambda-powertools/tracer';

const tracer = new Tracer({ serviceName: 'bench' });

const loadDescriptor = { value: async (id) => ({ id, loaded: true }) };
tracer.captureMethod({ subSegmentName: 'load' })({}, 'load', loadDescriptor);
const load = loadDescriptor.value;

const handlerDescriptor = { value: async (event) => load(event.id) };
tracer.captureLambdaHandler()({}, 'handler', handlerDescriptor);

export const handler = handlerDescriptor.value;

#!/usr/bin/env node
// The `fleece` command: a thin entry over the built package, so the shebang never depends on the bundler.
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));

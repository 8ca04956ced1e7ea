import type { KmsClientLike, SsmClientLike } from '@fleece/config';
import type { CliIO } from './io.js';

/** AWS clients the commands use; by default each is made by `@fleece/aws` from the environment. */
export interface CliServices {
  kms?: KmsClientLike;
  ssm?: SsmClientLike;
}

/** What every command gets: its streams and its services. */
export interface CliContext {
  io: CliIO;
  services: CliServices;
}

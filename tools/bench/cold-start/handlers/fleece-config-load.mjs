// @fleece/config: the stage's encrypted configuration (FLEECE_CONFIG), decrypted once per container.
import { loadConfig } from '@fleece/config';

export const handler = async () => {
  const config = await loadConfig();
  return { ok: true, service: config.service };
};

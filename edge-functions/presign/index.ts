/**
 * The Lambda@Edge viewer-request function for `/presign` (docs/edge-config.md).
 *
 * Everything that can be done once is done here, at module load: config.json
 * is read from beside this file, validated and frozen, and the token verifier
 * is built with the baked-in JWKS. A broken config throws now, so the cold
 * start fails loudly instead of a request failing quietly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsFromEnv, parseEdgeConfig } from '../core/edge-config';
import { EdgeConfigError } from '../core/errors';
import { newUploadId } from '../core/object-key';
import { safeJsonParse } from '../core/safe-json';
import { createTokenVerifier } from '../core/token-verifier';
import { DEFAULT_UPLOAD_RULES } from '../core/upload-rules';
import { createPresignHandler } from './handler';

const CONFIG_FILE = join(__dirname, 'config.json');

function loadConfig() {
  let text: string;
  try {
    text = readFileSync(CONFIG_FILE, 'utf8');
  } catch {
    throw new EdgeConfigError(`Cannot read ${CONFIG_FILE}: the presign function needs its config.json beside it.`);
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok) throw new EdgeConfigError(`${CONFIG_FILE} is not valid JSON.`);
  return parseEdgeConfig(parsed.value, DEFAULT_UPLOAD_RULES.policyTtlSeconds, DEFAULT_UPLOAD_RULES.partUrlTtlSeconds);
}

const config = loadConfig();

export const handler = createPresignHandler({
  config,
  rules: DEFAULT_UPLOAD_RULES,
  verifier: createTokenVerifier(config),
  credentials: () => credentialsFromEnv(process.env),
  now: () => new Date(),
  newId: newUploadId,
});

/**
 * What the CDK CLI runs (cdk.json "app"), bundled to dist/infra/aws/main.js
 * by `npm run build`. Builds the app from cdk.json's context and synthesizes
 * it; a bad config or rules file stops here with every problem listed.
 */
import { InfraError } from './errors';
import { FirewallError } from '../firewall/errors';
import { buildEdgeUploadApp } from './app';

try {
  buildEdgeUploadApp().app.synth();
} catch (error: unknown) {
  if (error instanceof InfraError || error instanceof FirewallError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

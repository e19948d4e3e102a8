/**
 * Lambda entry of the edge-config custom resource (runs in us-east-1, beside
 * the Lambda@Edge function it configures). Clients are built once per
 * container; the logic is in edge-config-resource.ts.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createEdgeConfigResourceHandler } from './edge-config-resource';
import { HttpsFetcher } from './fetcher';

export const handler = createEdgeConfigResourceHandler({
  lambda: new LambdaClient({}),
  fetcher: new HttpsFetcher(),
});

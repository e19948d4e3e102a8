/**
 * Builds the real CDK app the way the CLI does, from cdk.json's context (so
 * the feature flags and defaults under test are the shipped ones), with the
 * placeholder account and any test overrides on top. No credentials, no
 * network. Each test file builds it once, in beforeAll.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildEdgeUploadApp, type EdgeUploadApp } from '../../../../infra/aws/app';
import type { BuildArtifacts } from '../../../../infra/aws/build-artifacts';
import { PLACEHOLDER_ACCOUNT } from '../../../../infra/aws/app-config';
import { findProjectRoot } from '../../../../infra/aws/build-artifacts';

export const PROJECT_ROOT = findProjectRoot(__dirname);

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson)) throw new Error('cdk.json has no context');
  return cdkJson.context as Record<string, unknown>;
}

export interface SynthOptions {
  /** Top-level context overrides, as `-c key=value` would give. */
  readonly context?: Record<string, unknown>;
  /** Register cdk-nag's AwsSolutions pack (synth then fails on any unacknowledged finding). */
  readonly nag?: boolean;
  /** Other bundles than dist/'s (e.g. a presign bundle built from changed source). */
  readonly artifacts?: BuildArtifacts;
}

export function buildTestApp(options: SynthOptions = {}): EdgeUploadApp {
  const app = new App({ context: { ...cdkJsonContext(), account: PLACEHOLDER_ACCOUNT, ...options.context } });
  return buildEdgeUploadApp({
    app,
    env: {},
    projectRoot: PROJECT_ROOT,
    nag: options.nag ?? false,
    ...(options.artifacts === undefined ? {} : { artifacts: options.artifacts }),
  });
}

export interface StackTemplates {
  readonly built: EdgeUploadApp;
  readonly data: Template;
  readonly edge: Template;
  readonly web: Template;
  readonly uploads: Template;
}

export function synthTemplates(options: SynthOptions = {}): StackTemplates {
  const built = buildTestApp(options);
  return {
    built,
    data: Template.fromStack(built.stacks.data),
    edge: Template.fromStack(built.stacks.edge),
    web: Template.fromStack(built.stacks.web),
    uploads: Template.fromStack(built.stacks.uploads),
  };
}

/** The one resource of `type` in `template` whose logical id starts with `prefix`. */
export function resourceNamed(template: Template, type: string, prefix: string): { id: string; properties: Record<string, unknown> } {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${matches.length}`);
  const [id, resource] = matches[0]!;
  return { id, properties: (resource as { Properties: Record<string, unknown> }).Properties };
}

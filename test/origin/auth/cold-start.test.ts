/**
 * origin/auth/index.ts builds config and client once, at module load: a bad
 * environment fails the cold start with a clear message, before any request.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { TEST_ENV } from '../support/harness';

type Entry = { handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> };

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function loadEntry(env: Record<string, string | undefined>): Entry {
  process.env = { ...saved, ...env };
  let entry: Entry | undefined;
  jest.isolateModules(() => {
    entry = jest.requireActual<Entry>('../../../origin/auth/index');
  });
  if (entry === undefined) throw new Error('module did not load');
  return entry;
}

describe('cold start', () => {
  it('exports a handler when the environment is valid', () => {
    const entry = loadEntry({ ...TEST_ENV });
    expect(typeof entry.handler).toBe('function');
  });

  it('fails with a message naming every bad variable', () => {
    let thrown: unknown;
    try {
      loadEntry({
        USER_POOL_ID: undefined,
        USER_POOL_CLIENT_ID: 'ok',
        SITE_ORIGIN: 'http://uploads.example.com/app',
        COGNITO_MAX_ATTEMPTS: 'many',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'AuthConfigError', message: expect.stringMatching(/^Invalid auth API configuration: /) });
    const message = thrown instanceof Error ? thrown.message : '';
    expect(message).toContain('USER_POOL_ID is required');
    expect(message).toContain('SITE_ORIGIN must be an origin');
    expect(message).toContain('COGNITO_MAX_ATTEMPTS must be a whole number');
    expect(message).not.toContain('USER_POOL_CLIENT_ID');
  });
});

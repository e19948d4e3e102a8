/**
 * The stack refuses to start, with a message that says what to do, when it
 * cannot run as asked; and it leaves nothing running behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FirewallRulesError } from '../../../infra/firewall/errors';
import { MissingBuildOutputError, PortInUseError, LocalSettingsError } from '../../../infra/local/errors';
import { startLocalStack } from '../../../infra/local/local-stack';
import { DEFAULT_PORTS, settingsFromEnv } from '../../../infra/local/local-settings';
import { writeRulesFile } from './support/stack-harness';

jest.setTimeout(30_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'edge-upload-fail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const freePorts = { edge: 0, cognito: 0, s3: 0, s3rver: 0 };

it('a port in use: names the part and the variable that moves it', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const start = startLocalStack({ stateDir: dir, ports: { ...freePorts, cognito: port } });
    await expect(start).rejects.toThrow(PortInUseError);
    await expect(start).rejects.toThrow(new RegExp(`Port ${port} \\(cognito-local\\).*COGNITO_PORT=<port>`));
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

it('no build output: says to run the build', async () => {
  await expect(startLocalStack({ stateDir: dir, ports: freePorts, buildDir: path.join(dir, 'nothing') })).rejects.toThrow(
    MissingBuildOutputError,
  );
  await expect(startLocalStack({ stateDir: dir, ports: freePorts, buildDir: path.join(dir, 'nothing') })).rejects.toThrow(/npm run build/);
});

it('a bad rules file: names the line', async () => {
  const rules = writeRulesFile(
    dir,
    'version: 1\nrules:\n  - name: r\n    type: rate-limit\n    priority: 1\n    action: block\n    limit: 5\n',
  );
  const start = startLocalStack({ stateDir: dir, ports: freePorts, firewallRulesFile: rules });
  await expect(start).rejects.toThrow(FirewallRulesError);
  await expect(start).rejects.toThrow(/firewall-rules\.yaml:7:/);
});

describe('settings from the environment', () => {
  it('defaults', () => {
    expect(settingsFromEnv({})).toEqual({ ports: DEFAULT_PORTS, stateDir: undefined, firewallRulesFile: undefined, allowedOrigins: [] });
  });

  it('takes ports, the state folder and the rules file', () => {
    expect(
      settingsFromEnv({ EDGE_PORT: '8080', COGNITO_PORT: '0', S3_PORT: '9000', LOCAL_STATE_DIR: '/tmp/s', FIREWALL_RULES: 'r.yaml' }),
    ).toEqual({
      ports: { edge: 8080, cognito: 0, s3: 9000, s3rver: 0 },
      stateDir: '/tmp/s',
      firewallRulesFile: 'r.yaml',
      allowedOrigins: [],
    });
  });

  it('takes ALLOWED_ORIGINS as a comma-separated list of exact origins', () => {
    expect(
      settingsFromEnv({ ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:5173,https://app.example.com' }).allowedOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    for (const bad of ['https://app.example.com/', '*', 'null', 'https://APP.example.com', 'ftp://x.example.com']) {
      expect(() => settingsFromEnv({ ALLOWED_ORIGINS: bad })).toThrow(/ALLOWED_ORIGINS/);
    }
  });

  it('lists every bad value at once', () => {
    expect(() => settingsFromEnv({ EDGE_PORT: 'http', S3_PORT: '70000' })).toThrow(LocalSettingsError);
    expect(() => settingsFromEnv({ EDGE_PORT: 'http', S3_PORT: '70000' })).toThrow(/EDGE_PORT[\s\S]*S3_PORT/);
    expect(() => settingsFromEnv({ EDGE_PORT: '4569' })).toThrow(/also used/);
  });
});

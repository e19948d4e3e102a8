/**
 * `npm run upload -- <file> [--type <type>] [--out <file>]`: see upload-flow.ts.
 * The edge is http://127.0.0.1:$EDGE_PORT (default 3000) unless EDGE_URL says
 * otherwise. With UPLOAD_EMAIL and UPLOAD_PASSWORD set it logs in as that
 * account; otherwise it registers a throw-away one through the dev mailbox.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, PORT_ENV } from '../local-settings';
import { UploadCommandError, uploadOneFile } from './upload-flow';

const USAGE = 'usage: npm run upload -- <file> [--type <content type>] [--out <file to write the bytes read back to>]';

function parseCommandLine() {
  return parseArgs({
    allowPositionals: true,
    options: { type: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine();
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file] = parsed.positionals;
  if (parsed.values.help === true || file === undefined || parsed.positionals.length > 1) {
    console.error(USAGE);
    return parsed.values.help === true ? 0 : 2;
  }
  const edge = process.env['EDGE_URL'] ?? `http://127.0.0.1:${process.env[PORT_ENV.edge] ?? DEFAULT_PORTS.edge}`;
  const email = process.env['UPLOAD_EMAIL'];
  const password = process.env['UPLOAD_PASSWORD'];
  try {
    const verdict = await uploadOneFile({
      file,
      edge,
      ...(parsed.values.type !== undefined ? { type: parsed.values.type } : {}),
      ...(parsed.values.out !== undefined ? { out: parsed.values.out } : {}),
      ...(email !== undefined && password !== undefined ? { account: { email, password } } : {}),
      print: (line) => console.log(line),
    });
    return verdict.status === 'verified' && verdict.readBackIdentical ? 0 : 1;
  } catch (error) {
    if (error instanceof UploadCommandError) console.error(`upload: ${error.message}`);
    else if (error instanceof TypeError && String((error as { cause?: { code?: string } }).cause?.code) === 'ECONNREFUSED') {
      console.error(`upload: nothing answers at ${edge}: start the local stack first (npm start, in another terminal)`);
    } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') console.error(`upload: no such file: ${file}`);
    else console.error(`upload: ${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});

/**
 * Reading codes back from cognito-local's console output (it "sends" them by
 * printing a box), as test/support/cognito-local.ts does for the tests and
 * for the local stack's mailbox.
 */
import { parseCodeDeliveries } from '../../support/cognito-local';

const ESC = '\u001b';
const top = `╭${'─'.repeat(55)}╮`;
const bottom = `╰${'─'.repeat(55)}╯`;
const row = (text: string): string => `│   ${text.padEnd(52)}│`;

/** Output as cognito-local 5.3 prints it (pino-pretty, colours on), with sanitized values. */
const OUTPUT = [
  `[1795933481914] ${ESC}[32mINFO${ESC}[39m: ${ESC}[36mNONE NONE Cognito Local running on http://127.0.0.1:19229${ESC}[39m`,
  `[1795933489126] ${ESC}[32mINFO${ESC}[39m: ${ESC}[36m49f17ccd SignUp ${top}`,
  row(''),
  row('Confirmation Code Delivery'),
  row(''),
  row('Username:    00000000-0000-4000-8000-000000000001'),
  row('Destination: ann@example.com'),
  row('Code:        018827'),
  row(''),
  `${bottom}${ESC}[39m ${ESC}[90m{"reqId":"49f17ccd","target":"SignUp"}${ESC}[39m`,
  `[1795933489133] ${ESC}[33mWARN${ESC}[39m: ${ESC}[36m7254bb11 NONE Error handling target: SignUp${ESC}[39m`,
  '    err: {',
  '      "type": "UsernameExistsError",',
  '    }',
  `[1795933489156] INFO: e784cedc ForgotPassword ${top}`,
  row(''),
  row('Confirmation Code Delivery'),
  row(''),
  row('Username:    00000000-0000-4000-8000-000000000001'),
  row('Destination: ann@example.com'),
  row('Code:        567042'),
  row(''),
  `${bottom} {"reqId":"e784cedc","target":"ForgotPassword"}`,
  `[1795933489200] INFO: aaaaaaaa SignUp ${top}`,
  row('Confirmation Code Delivery'),
  row('Destination: bob@example.com'),
  row('Code:        000111'),
  bottom,
].join('\n');

describe('parseCodeDeliveries', () => {
  it('finds every code, oldest first, with its address, kind and time', () => {
    expect(parseCodeDeliveries(OUTPUT)).toEqual([
      { email: 'ann@example.com', code: '018827', operation: 'SignUp', kind: 'confirm', sentAt: '2026-11-29T06:24:49.126Z' },
      { email: 'ann@example.com', code: '567042', operation: 'ForgotPassword', kind: 'reset', sentAt: '2026-11-29T06:24:49.156Z' },
      { email: 'bob@example.com', code: '000111', operation: 'SignUp', kind: 'confirm', sentAt: '2026-11-29T06:24:49.200Z' },
    ]);
  });

  it('ignores a box cut off by the end of the output', () => {
    const cut = OUTPUT.slice(0, OUTPUT.lastIndexOf('╰'));
    expect(parseCodeDeliveries(cut).map((d) => d.code)).toEqual(['018827', '567042']);
  });
});

/**
 * The names the log gives aws-jwt-verify's refusals (edge-functions/core/token-verifier.ts):
 * spelled out because the edge bundle does not keep class names.
 */
import { JwtExpiredError, JwtInvalidIssuerError, JwtParseError } from 'aws-jwt-verify/error';
import { REFUSAL_REASONS, refusalReason } from '../../../edge-functions/core/token-verifier';

it('names each refusal after its class, exactly', () => {
  for (const [type, name] of REFUSAL_REASONS) expect(name).toBe(type.name);
});

it('lists a subclass before the class it extends, so the most specific name wins', () => {
  REFUSAL_REASONS.forEach(([later], i) => {
    for (const [earlier] of REFUSAL_REASONS.slice(0, i)) expect(later.prototype instanceof earlier).toBe(false);
  });
});

it('gives the most specific name, and a fixed phrase for anything else', () => {
  expect(refusalReason(new JwtExpiredError('expired', 1, '2'))).toBe('JwtExpiredError');
  expect(refusalReason(new JwtInvalidIssuerError('other issuer', 'x', 'y'))).toBe('JwtInvalidIssuerError');
  expect(refusalReason(new JwtParseError('not a jwt'))).toBe('JwtParseError');
  expect(refusalReason(new TypeError('boom'))).toBe('unrecognized refusal');
  expect(refusalReason('a string')).toBe('unverifiable token');
});

/**
 * The security response headers of the distribution, defined once: the CDK
 * app turns `SECURITY_HEADERS` into the distribution's response headers
 * policy (securityHeadersBehavior, every header with override: true), and the
 * local edge adds `securityHeaders(...)` to every response it sends.
 *
 * The one input is the upload endpoint: the browser POSTs files straight to
 * the bucket (S3 Transfer Acceleration on AWS, the POST-policy guard
 * locally), so the CSP's connect-src must name that origin besides 'self'.
 */

export interface SecurityHeaderSettings {
  /** Strict-Transport-Security. Browsers ignore it over plain http (the local stack). */
  readonly strictTransportSecurity: { readonly maxAgeSeconds: number; readonly includeSubdomains: boolean; readonly preload: boolean };
  readonly contentTypeOptions: 'nosniff';
  readonly frameOptions: 'DENY';
  readonly referrerPolicy: 'strict-origin-when-cross-origin';
}

export const SECURITY_HEADERS: SecurityHeaderSettings = Object.freeze({
  // Two years: the value hstspreload.org asks for.
  strictTransportSecurity: Object.freeze({ maxAgeSeconds: 63_072_000, includeSubdomains: true, preload: false }),
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  referrerPolicy: 'strict-origin-when-cross-origin',
});

/**
 * The Content-Security-Policy of the site. Everything comes from the site's
 * own origin; the only other origin the page talks to is the upload endpoint
 * (fetch/XHR POST of the form). Images may be `blob:`/`data:` for previews of
 * the files being uploaded. No inline script, no plugins, no framing.
 */
export function contentSecurityPolicy(uploadOrigin: string): string {
  const origin = new URL(uploadOrigin).origin;
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self' ${origin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers as HTTP header fields, in their canonical case. */
export function securityHeaders(
  uploadOrigin: string,
  settings: SecurityHeaderSettings = SECURITY_HEADERS,
): Readonly<Record<string, string>> {
  const hsts = settings.strictTransportSecurity;
  return Object.freeze({
    'Strict-Transport-Security': `max-age=${hsts.maxAgeSeconds}${hsts.includeSubdomains ? '; includeSubDomains' : ''}${hsts.preload ? '; preload' : ''}`,
    'Content-Security-Policy': contentSecurityPolicy(uploadOrigin),
    'X-Content-Type-Options': settings.contentTypeOptions,
    'X-Frame-Options': settings.frameOptions,
    'Referrer-Policy': settings.referrerPolicy,
  });
}

/**
 * Who the viewer is. On AWS, CloudFront knows the viewer's address and looks
 * its country up; the local edge lets a client play any viewer (docs/local-stack.md):
 * the IP is the first `X-Forwarded-For` entry when one is sent, else the
 * socket's address, and the country is `CloudFront-Viewer-Country` when
 * sent, else US. Only the local edge trusts these headers.
 */
import { isIP } from 'node:net';
import { firstHeader, headerValues, type HeaderList, type Viewer } from './http-exchange';

export const DEFAULT_VIEWER_COUNTRY = 'US';

const COUNTRY = /^[A-Za-z]{2}$/;

export function viewerOf(headers: HeaderList, socketIp: string): Viewer {
  return { ip: viewerIp(headers, socketIp), country: viewerCountry(headers) };
}

/** The first X-Forwarded-For entry if it is an IP address, else the socket's address. */
export function viewerIp(headers: HeaderList, socketIp: string): string {
  const forwarded = headerValues(headers, 'x-forwarded-for').join(',');
  const first = forwarded.split(',')[0]?.trim() ?? '';
  if (first !== '' && isIP(first) !== 0) return first;
  return socketIp;
}

/** A two-letter CloudFront-Viewer-Country, upper-cased; anything else is the default. */
export function viewerCountry(headers: HeaderList): string {
  const sent = firstHeader(headers, 'cloudfront-viewer-country')?.trim();
  return sent !== undefined && COUNTRY.test(sent) ? sent.toUpperCase() : DEFAULT_VIEWER_COUNTRY;
}

/** node reports IPv4 peers on a dual-stack socket as ::ffff:a.b.c.d; CloudFront would say a.b.c.d. */
export function socketAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '127.0.0.1';
  return remoteAddress.startsWith('::ffff:') && isIP(remoteAddress.slice(7)) === 4 ? remoteAddress.slice(7) : remoteAddress;
}

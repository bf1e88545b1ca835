// Where a webhook may be sent (SPEC §9), so that registering an endpoint can not turn the service
// into a way to reach our own network (SSRF): `https` only, and every address the host resolves
// to must be a public unicast one: no private, loopback, link-local (the instance metadata
// service), carrier-grade NAT, multicast or reserved range, in IPv4 or IPv6 (IPv4-mapped IPv6
// is judged as the IPv4 it maps). The check runs when an endpoint is registered and again on
// every delivery, inside the connection's own DNS lookup, so a name that later resolves to a
// private address (DNS rebinding) is refused at connect time. Locally, plain `http` to a
// loopback address is allowed, for receivers on the developer's machine.

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidRequest } from '../errors.js';

export interface AddressPolicy {
  /** Allow `http://` to loopback addresses (npm start and tests only). */
  allowLoopbackHttp: boolean;
}

export const AWS_POLICY: AddressPolicy = { allowLoopbackHttp: false };
export const LOCAL_POLICY: AddressPolicy = { allowLoopbackHttp: true };

const MAX_URL_LENGTH = 2_048;

/** Whether an IP address is one a webhook may reach. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() reads an IPv4-mapped IPv6 address as the IPv4 address it maps.
  return ipaddr.process(address).range() === 'unicast';
}

function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'loopback';
}

/** The URL, checked for its form: https (or local http to loopback), no credentials, no fragment. */
export function checkWebhookUrl(text: string, policy: AddressPolicy): URL {
  if (text.length > MAX_URL_LENGTH) throw new InvalidRequest('url is too long');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidRequest('url is not a URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const localHttp = url.protocol === 'http:' && policy.allowLoopbackHttp && (host === 'localhost' || isLoopback(host));
  if (url.protocol !== 'https:' && !localHttp) throw new InvalidRequest('url must be https');
  if (url.username || url.password) throw new InvalidRequest('url must not carry credentials');
  if (url.hash) throw new InvalidRequest('url must not have a fragment');
  if (isIP(host) && !localHttp && !isPublicAddress(host))
    throw new InvalidRequest('url must not point at a private, loopback or link-local address');
  return url;
}

export type Resolve = (hostname: string) => Promise<string[]>;

export const resolveAll: Resolve = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    ),
  );

/** Registration: the URL's form, then every address its host resolves to. */
export async function checkWebhookTarget(
  text: string,
  policy: AddressPolicy,
  resolve: Resolve = resolveAll,
): Promise<URL> {
  const url = checkWebhookUrl(text, policy);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:') return url; // loopback http, allowed by the local policy only
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw new InvalidRequest(`url's host ${host} does not resolve`);
  }
  if (addresses.length === 0 || !addresses.every(isPublicAddress))
    throw new InvalidRequest('url must not resolve to a private, loopback or link-local address');
  return url;
}

/**
 * A DNS lookup for `http.request`'s `lookup` option that refuses non-public addresses, so the
 * connection itself can not reach one, whatever the name resolved to at registration.
 */
export function guardedLookup(policy: AddressPolicy) {
  return (
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '');
      const allowed = addresses.filter(
        (a) => isPublicAddress(a.address) || (policy.allowLoopbackHttp && isLoopback(a.address)),
      );
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        const refused = Object.assign(new Error(`${hostname} resolves to an address webhooks may not reach`), {
          code: 'EADDRNOTALLOWED',
        });
        return callback(refused, '');
      }
      if (options.all) return callback(null, allowed);
      const first = allowed[0]!;
      callback(null, first.address, first.family);
    });
  };
}

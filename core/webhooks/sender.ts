// Sends one webhook request: a POST of the event's JSON with its signature, through Node's own
// http/https client with the guarded DNS lookup (address.ts), no redirects followed (a redirect is
// an answer that is not 2xx), a time limit, and the receiver's answer read and dropped.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressPolicy, checkWebhookUrl, guardedLookup } from './address.js';

export interface WebhookSender {
  /** Resolves with the receiver's HTTP status; rejects when no answer came. */
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}

export const SEND_TIMEOUT_MS = 10_000;
const USER_AGENT = 'IO-Credits-Webhooks/1';

export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly timeoutMs = SEND_TIMEOUT_MS,
  ) {}

  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
    const target = checkWebhookUrl(url, this.policy);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': USER_AGENT,
          },
          lookup: guardedLookup(this.policy),
          timeout: this.timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

// How a purchase was paid, as the provider reported it (SPEC §11): a card's brand and last 4
// digits (Stripe), or the USDC network and on-chain transaction hash (Spherepay). Kept with the
// purchase and copied into its receipt.

import * as z from 'zod';

export type PaymentDetails =
  | { kind: 'card'; brand: string; last4: string }
  | { kind: 'usdc'; network: string; transactionHash: string };

export const paymentDetailsShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('card'), brand: z.string().min(1), last4: z.string().regex(/^\d{4}$/) }),
  z.object({ kind: z.literal('usdc'), network: z.string().min(1), transactionHash: z.string().min(1) }),
]) satisfies z.ZodType<PaymentDetails, unknown>;

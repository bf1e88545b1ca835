// Receipts, credit notes and the billing profile (SPEC §11): the lists a page at a time, a
// document's PDF downloaded as a file, and the profile receipts are made out to. Kept apart from
// queries.ts: only the Receipts card, the buy pop-up and Settings use them.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { paths } from '../../../sdk/src/schema';
import { useAuth } from '../auth';
import { ApiError, call, NetworkError, type Problem } from './client';

type Documents = paths['/credits/receipts']['get']['responses'][200]['content']['application/json'];
export type BillingDocument = Documents['items'][number];
export type ReceiptView = Extract<BillingDocument, { kind: 'receipt' }>;
export type CreditNoteView = Extract<BillingDocument, { kind: 'credit_note' }>;
export type BillingProfile = paths['/credits/billing-profile']['put']['requestBody']['content']['application/json'];
export type DocumentKind = BillingDocument['kind'];

/** Documents per page of the Receipts card. */
const PAGE = 10;

export const billingKeys = {
  documents: (kind: DocumentKind) => ['documents', kind] as const,
  profile: ['billingProfile'] as const,
};

/** The account's receipts or credit notes, newest first; `fetchNextPage` follows the cursor. */
export function useDocuments(kind: DocumentKind) {
  const { client } = useAuth();
  return useInfiniteQuery({
    queryKey: billingKeys.documents(kind),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/credits/receipts', {
          params: { query: { kind, limit: String(PAGE), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** The billing profile, or null while the account has none (the API answers 404). */
export function useBillingProfile() {
  const { client } = useAuth();
  return useQuery({
    queryKey: billingKeys.profile,
    queryFn: async (): Promise<BillingProfile | null> => {
      try {
        return await call(client.GET('/credits/billing-profile'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useSaveBillingProfile() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: BillingProfile) => call(client.PUT('/credits/billing-profile', { body })),
    onSuccess: (saved) => queries.setQueryData(billingKeys.profile, saved),
  });
}

/** Downloads a receipt or credit note as `<number>.pdf`; a refused or failed download is kept as an error. */
export function useDocumentPdf() {
  const { client } = useAuth();
  const [state, setState] = useState<{ busy?: string; error?: Error }>({});
  const download = async (number: string) => {
    setState({ busy: number });
    try {
      const result = await client
        .GET('/credits/receipts/{number}', {
          params: { path: { number }, query: { format: 'pdf' } },
          parseAs: 'blob',
        })
        .catch((error: unknown) => {
          throw new NetworkError('IO Credits could not be reached. Check your connection and try again.', {
            cause: error,
          });
        });
      if (!result.response.ok) throw new ApiError(problemOf(result.error, result.response.status));
      // parseAs: 'blob' hands the PDF over as a Blob; the generated types describe the JSON answer.
      save(result.data as unknown as Blob, `${number}.pdf`);
      setState({});
    } catch (error) {
      setState({ error: error instanceof Error ? error : new Error(String(error)) });
    }
  };
  return { download, busy: state.busy, error: state.error ?? null };
}

function problemOf(body: unknown, status: number): Problem {
  if (body && typeof body === 'object' && 'detail' in body) return body as Problem;
  return { title: 'Download failed', status, detail: `The download failed with status ${status}.`, code: 'unknown' };
}

function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

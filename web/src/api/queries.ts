// The app's reads and writes of the API, as TanStack Query hooks: each read is cached under a key
// and refetched after a write that changes it, so the balance chip, the Total IO Credits card and
// the transactions agree after every action.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { paths } from '../../../sdk/src/schema';
import { useAuth } from '../auth';
import type { Product } from '../products';
import type { ActionKey } from './action-key';
import { call } from './client';

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

/** GET /credits/balance answers the full view, or with `at` the balance at that instant. */
type BalanceAnswer = Json<'/credits/balance', 'get', 200>;
export type Balance = Extract<BalanceAnswer, { lots: unknown }>;
export type BalanceAt = Exclude<BalanceAnswer, Balance>;
const isFullBalance = (answer: BalanceAnswer): answer is Balance => 'lots' in answer;
export type Transactions = Json<'/credits/transactions', 'get', 200>;
export type Transaction = Transactions['items'][number];
export type Usage = Json<'/credits/usage', 'get', 200>;
export type Withdrawal = Json<'/credits/withdrawals', 'get', 200>['items'][number];
export type NotificationItem = Json<'/notifications', 'get', 200>['items'][number];
export type Purchase = Json<'/credits/purchases/{purchaseId}', 'get', 200>;
export type Check = Json<'/credits/check', 'get', 200>;
export type Charge = Json<'/credits/charges/{chargeId}', 'get', 200>;
export type Alerts = Json<'/credits/alerts', 'get', 200>;
export type AutoTopUp = Json<'/credits/auto-top-up', 'get', 200>;
export type WebhookEndpoint = Json<'/credits/webhook-endpoints', 'get', 200>['items'][number];
export type WebhookEndpointCreated = Json<'/credits/webhook-endpoints', 'post', 201>;
export type WebhookDelivery = Json<'/credits/webhook-endpoints/{endpointId}/deliveries', 'get', 200>['items'][number];
export type EventType = WebhookEndpoint['events'][number];
export type AuditPage = Json<'/admin/audit', 'get', 200>;
export type AuditRecord = AuditPage['items'][number];
export type AccountOverview = Json<'/admin/accounts/{accountId}', 'get', 200>;
export type ChargeCreated = Json<'/credits/charges', 'post', 201> | Json<'/credits/charges', 'post', 202>;
export type Statement = Json<'/credits/statements/{month}', 'get', 200>;

export const keys = {
  balance: ['balance'] as const,
  transactions: (filters: object) => ['transactions', filters] as const,
  usage: (filters: object) => ['usage', filters] as const,
  withdrawals: ['withdrawals'] as const,
  notifications: ['notifications'] as const,
  purchase: (id: string) => ['purchase', id] as const,
  check: (amount: string, product: Product | undefined) => ['check', amount, product ?? ''] as const,
  charge: (id: string) => ['charge', id] as const,
  finance: (status: string) => ['finance', status] as const,
  closes: ['closes'] as const,
  account: (accountId: string) => ['account', accountId] as const,
  audit: (filters: object) => ['audit', filters] as const,
  alerts: ['alerts'] as const,
  autoTopUp: ['autoTopUp'] as const,
  limits: ['limits'] as const,
  endpoints: ['endpoints'] as const,
  deliveries: (endpointId: string) => ['deliveries', endpointId] as const,
  statement: (month: string) => ['statement', month] as const,
};

/** Everything that shows money moving: refetched after any action that moves it. */
export function useRefreshMoney() {
  const queries = useQueryClient();
  return () =>
    Promise.all(
      [
        'balance',
        'transactions',
        'usage',
        'withdrawals',
        'notifications',
        'check',
        'finance',
        'account',
        'audit',
        'statement',
      ].map((key) => queries.invalidateQueries({ queryKey: [key] })),
    );
}

export function useBalance() {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.balance,
    queryFn: async () => {
      const answer = await call(client.GET('/credits/balance'));
      if (!isFullBalance(answer)) throw new Error('the balance came back without its lots');
      return answer;
    },
  });
}

export type Category = NonNullable<
  NonNullable<paths['/credits/transactions']['get']['parameters']['query']>['category']
>;

export interface TransactionFilters {
  category?: Category;
  product?: Product;
  from?: string;
  to?: string;
  cursor?: string;
}

export function useTransactions(filters: TransactionFilters) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.transactions(filters),
    queryFn: () => call(client.GET('/credits/transactions', { params: { query: { limit: '20', ...clean(filters) } } })),
    placeholderData: (previous) => previous,
  });
}

/** Usage and refunds per day or month, each bucket and the total also by product. */
export function useUsage(granularity: 'day' | 'month', from: string, to: string) {
  const { client } = useAuth();
  const query = { granularity, from, to, groupBy: 'product' } as const;
  return useQuery({
    queryKey: keys.usage(query),
    queryFn: () => call(client.GET('/credits/usage', { params: { query } })),
  });
}

/** A month's statement (YYYY-MM, UTC): totals by section, opening and closing balance, its proof. */
export function useStatement(month: string) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.statement(month),
    queryFn: () => call(client.GET('/credits/statements/{month}', { params: { path: { month } } })),
    placeholderData: (previous) => previous,
  });
}

export function useWithdrawals() {
  const { client } = useAuth();
  return useQuery({ queryKey: keys.withdrawals, queryFn: () => call(client.GET('/credits/withdrawals')) });
}

export function useNotifications() {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.notifications,
    queryFn: () => call(client.GET('/notifications', { params: { query: { limit: '50' } } })),
    refetchInterval: 30_000,
  });
}

/** Whether a charge of `amount` (for `product`, when the deployment names one) would be paid now. */
export function useCheck(amount: string | null, product?: Product) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.check(amount ?? '', product),
    queryFn: () =>
      call(client.GET('/credits/check', { params: { query: { amount: amount!, ...(product ? { product } : {}) } } })),
    enabled: amount !== null,
  });
}

/** A purchase, followed every second until the provider says how it ended. */
export function usePurchase(purchaseId: string | null) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.purchase(purchaseId ?? ''),
    queryFn: () =>
      call(client.GET('/credits/purchases/{purchaseId}', { params: { path: { purchaseId: purchaseId! } } })),
    enabled: purchaseId !== null,
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 1_000 : false),
  });
}

/** A charge, followed every second while it waits for credit. */
export function useCharge(chargeId: string | null) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.charge(chargeId ?? ''),
    queryFn: () => call(client.GET('/credits/charges/{chargeId}', { params: { path: { chargeId: chargeId! } } })),
    enabled: chargeId !== null,
    refetchInterval: (query) => (query.state.data?.status === 'pending_payment' ? 1_000 : false),
  });
}

export function useMarkRead() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (notificationId: string) =>
      call(client.POST('/notifications/{notificationId}/read', { params: { path: { notificationId } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.notifications }),
  });
}

// The writes that move money take their Idempotency-Key from the form's useActionKey, and renew it
// once the action succeeded (here, so it happens even when the form was closed while waiting).

export function useBuy(action: Pick<ActionKey, 'renew'>) {
  const { client } = useAuth();
  return useMutation({
    mutationFn: ({ amount, method, key }: { amount: string; method: 'card' | 'usdc'; key: string }) =>
      call(
        client.POST('/credits/purchases', { params: { header: { 'Idempotency-Key': key } }, body: { amount, method } }),
      ),
    onSuccess: (_answer, sent) => void action.renew(sent.key),
  });
}

export function useRequestWithdrawal(action: Pick<ActionKey, 'renew'>) {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (input: {
      amount: string;
      network: 'solana' | 'ethereum' | 'base' | 'polygon' | 'arbitrum';
      address: string;
      key: string;
    }) =>
      call(
        client.POST('/credits/withdrawals', {
          params: { header: { 'Idempotency-Key': input.key } },
          body: { amount: input.amount, destination: { network: input.network, address: input.address } },
        }),
      ),
    onSuccess: (_answer, sent) => {
      action.renew(sent.key);
      return refresh();
    },
  });
}

export function useCancelWithdrawal() {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (withdrawalId: string) =>
      call(client.POST('/credits/withdrawals/{withdrawalId}/cancel', { params: { path: { withdrawalId } } })),
    onSuccess: refresh,
  });
}

/** What a deployment's checkout charges: the product and project only when its link names them. */
export interface DeploymentOrder {
  deploymentId: string;
  amount: string;
  product?: Product;
  projectId?: string;
}

/** Pay & Deploy; `key` comes from useActionKey, counted per deployment (see Checkout). */
export function usePayAndDeploy() {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: ({ key, deploymentId, amount, product, projectId }: DeploymentOrder & { key: string }) =>
      call(
        client.POST('/credits/charges', {
          params: { header: { 'Idempotency-Key': key } },
          body: { deploymentId, amount, ...(product ? { product } : {}), ...(projectId ? { projectId } : {}) },
        }),
      ) as Promise<ChargeCreated>,
    onSuccess: refresh,
  });
}

// ---- finance ----

export type WithdrawalStatus = Withdrawal['status'];

export function useFinanceQueue(status: WithdrawalStatus) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.finance(status),
    queryFn: () => call(client.GET('/admin/withdrawals', { params: { query: { status } } })),
  });
}

export function useFinanceAction() {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (
      action:
        | { kind: 'approve'; id: string }
        | { kind: 'reject'; id: string; reason: string }
        | { kind: 'complete'; id: string; payoutReference: string },
    ) => {
      const path = { params: { path: { withdrawalId: action.id } } };
      if (action.kind === 'approve') return call(client.POST('/admin/withdrawals/{withdrawalId}/approve', path));
      if (action.kind === 'reject')
        return call(
          client.POST('/admin/withdrawals/{withdrawalId}/reject', { ...path, body: { reason: action.reason } }),
        );
      return call(
        client.POST('/admin/withdrawals/{withdrawalId}/complete', {
          ...path,
          body: { payoutReference: action.payoutReference },
        }),
      );
    },
    onSuccess: refresh,
  });
}

/** Support's view of one account (SPEC §14); nothing is asked until an IO ID is given. */
export function useAccountOverview(accountId: string) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.account(accountId),
    queryFn: () => call(client.GET('/admin/accounts/{accountId}', { params: { path: { accountId } } })),
    enabled: accountId !== '',
  });
}

export interface AuditFilters {
  actor?: string;
  accountId?: string;
  from?: string;
  to?: string;
}

/** The audit log, newest first, a page at a time (`fetchNextPage` follows the cursor). */
export function useAuditLog(filters: AuditFilters, limit = 25) {
  const { client } = useAuth();
  return useInfiniteQuery({
    queryKey: keys.audit({ ...filters, limit }),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call(
        client.GET('/admin/audit', {
          params: { query: { ...clean(filters), limit: String(limit), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useGrant(action: Pick<ActionKey, 'renew'>) {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (input: {
      accountId: string;
      amount: string;
      expiresAt?: string;
      description: string;
      conditions?: string;
      products?: Product[];
      key: string;
    }) =>
      call(
        client.POST('/admin/accounts/{accountId}/grants', {
          params: { path: { accountId: input.accountId }, header: { 'Idempotency-Key': input.key } },
          body: {
            amount: input.amount,
            description: input.description,
            ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
            ...(input.conditions ? { conditions: input.conditions } : {}),
            ...(input.products?.length ? { products: input.products } : {}),
          },
        }),
      ),
    onSuccess: (_answer, sent) => {
      void action.renew(sent.key);
      void refresh();
    },
  });
}

export function useSetAllowance() {
  const { client } = useAuth();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (input: { accountId: string; amount: string }) =>
      call(
        client.PUT('/admin/accounts/{accountId}/negative-allowance', {
          params: { path: { accountId: input.accountId } },
          body: { amount: input.amount },
        }),
      ),
    onSuccess: refresh,
  });
}

function clean<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

export function useAlerts() {
  const { client } = useAuth();
  return useQuery({ queryKey: keys.alerts, queryFn: () => call(client.GET('/credits/alerts')) });
}

export function useSetAlerts() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (lowBalanceThreshold: string | null) =>
      call(client.PUT('/credits/alerts', { body: { lowBalanceThreshold } })),
    onSuccess: (data) => queries.setQueryData(keys.alerts, data),
  });
}

export function useWebhookEndpoints() {
  const { client } = useAuth();
  return useQuery({ queryKey: keys.endpoints, queryFn: () => call(client.GET('/credits/webhook-endpoints')) });
}

export function useRegisterEndpoint() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; events: EventType[] }) =>
      call(client.POST('/credits/webhook-endpoints', { body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.endpoints }),
  });
}

export function useRemoveEndpoint() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (endpointId: string) =>
      call(client.DELETE('/credits/webhook-endpoints/{endpointId}', { params: { path: { endpointId } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.endpoints }),
  });
}

/** An endpoint's deliveries, followed every few seconds while one is still being tried. */
export function useDeliveries(endpointId: string | null) {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.deliveries(endpointId ?? ''),
    queryFn: () =>
      call(
        client.GET('/credits/webhook-endpoints/{endpointId}/deliveries', {
          params: { path: { endpointId: endpointId! }, query: { limit: '20' } },
        }),
      ),
    enabled: endpointId !== null,
    refetchInterval: (query) => (query.state.data?.items.some((d) => d.status === 'pending') ? 5_000 : false),
  });
}

export function useRetryDelivery() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: ({ endpointId, deliveryId }: { endpointId: string; deliveryId: string }) =>
      call(
        client.POST('/credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry', {
          params: { path: { endpointId, deliveryId } },
        }),
      ),
    onSuccess: (_data, { endpointId }) => queries.invalidateQueries({ queryKey: keys.deliveries(endpointId) }),
  });
}

/** What a purchase and an auto top-up may be on this deployment: the same for everyone, read once. */
export function useLimits() {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.limits,
    queryFn: () => call(client.GET('/credits/limits')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export type Limits = NonNullable<ReturnType<typeof useLimits>['data']>;

export function useAutoTopUp() {
  const { client } = useAuth();
  return useQuery({ queryKey: keys.autoTopUp, queryFn: () => call(client.GET('/credits/auto-top-up')) });
}

export function useSetAutoTopUp() {
  const { client } = useAuth();
  const queries = useQueryClient();
  const refresh = useRefreshMoney();
  return useMutation({
    mutationFn: (body: { enabled: boolean; threshold: string; amount: string; monthlyLimit: string }) =>
      call(client.PUT('/credits/auto-top-up', { body })),
    onSuccess: (data) => {
      queries.setQueryData(keys.autoTopUp, data);
      void refresh();
    },
  });
}

export function useCardSetup() {
  const { client } = useAuth();
  return useMutation({ mutationFn: () => call(client.POST('/credits/auto-top-up/payment-method')) });
}

/** The latest day the daily close reconciled (SPEC §12), and its report with each item's resolution. */
export function useLatestClose() {
  const { client } = useAuth();
  return useQuery({
    queryKey: keys.closes,
    queryFn: async () => {
      const { days } = await call(client.GET('/admin/closes'));
      const day = days[0];
      if (day === undefined) return null;
      return call(client.GET('/admin/closes/{day}', { params: { path: { day } } }));
    },
  });
}

export type CloseReport = NonNullable<ReturnType<typeof useLatestClose>['data']>;
export type CloseItem = CloseReport['categories']['matched'][number];

export function useResolveCloseItem() {
  const { client } = useAuth();
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (input: { day: string; itemId: string; note: string }) =>
      call(
        client.POST('/admin/closes/{day}/items/{itemId}/resolve', {
          params: { path: { day: input.day, itemId: input.itemId } },
          body: { note: input.note },
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.closes }),
  });
}

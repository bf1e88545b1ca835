// SPEC §12's hash chain: every entry, of every kind and from batched charges and intents alike,
// is linked in commit order in the transaction that writes it, and the verifier names the first
// break when an entry is edited, deleted, inserted, moved or cut off directly in the table.

import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  charge,
  DAY_MS,
  expireDueLots,
  grantPromotional,
  type Ledger,
  refund,
  requestWithdrawal,
} from '../core/index.js';
import { canonicalJson } from '../core/proof/canonical.js';
import { preimageOf } from '../core/proof/chain.js';
import { bookFromExport } from '../core/proof/export-reader.js';
import { entryHash, entryJcs, GENESIS_HASH } from '../core/proof/hashes.js';
import { bookFromTable, exportLine } from '../core/proof/sources.js';
import { verify } from '../core/proof/verify.js';
import { keys } from '../core/table/keys.js';
import type { Item } from '../core/table/table.js';
import { accountItems, c, deploy, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

const { ledger, clock, table } = await newLedger();

/** An account with one entry of each kind the day can bring, charges batched among them. */
async function busyAccount(accountId: string): Promise<Item[]> {
  await buyCredits(ledger, accountId, c('50'));
  await buyCredits(ledger, accountId, c('20'));
  const paid = await charge(ledger, {
    accountId,
    deploymentId: 'd',
    product: 'inference',
    amount: c('60'),
    idempotencyKey: `${accountId}-three-lots`,
  });
  // Ten charges at once: one transaction, ten entries linked in the order they were planned.
  await Promise.all(Array.from({ length: 10 }, () => deploy(ledger, accountId, '0.5')));
  await refund(ledger, { accountId, chargeId: paid.chargeId, amount: c('1'), idempotencyKey: `${accountId}-r` });
  await requestWithdrawal(ledger, { accountId, amount: c('3'), destination: WALLET });
  await grantPromotional(ledger, { accountId, amount: c('5'), expiresAtMs: clock.nowMs() + DAY_MS, description: 'Hi' });
  clock.advance(2 * DAY_MS);
  await expireDueLots(ledger, accountId);
  await expectInvariants(ledger, accountId, { expiriesApplied: true });
  return entriesOf(ledger, accountId);
}

async function entriesOf(l: Ledger, accountId: string): Promise<Item[]> {
  return (await accountItems(l.table, accountId))
    .filter((item) => item.itemType === 'entry')
    .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
}

async function firstBreakIn(accountId: string) {
  const verdict = verify(await bookFromTable(table), []);
  return verdict.chainBreaks.find((b) => b.accountId === accountId) ?? null;
}

describe('the hash chain', () => {
  it('links every entry of an account in commit order, from seq 1, and the account item names the head', async () => {
    const entries = await busyAccount('chain-all-kinds');
    expect(new Set(entries.map((e) => e.type))).toEqual(
      new Set(['purchase', 'promotional_grant', 'usage', 'refund', 'withdrawal', 'expiry']),
    );
    let prevHash = GENESIS_HASH;
    for (const [i, entry] of entries.entries()) {
      expect(entry.seq).toBe(i + 1);
      expect(entry.prevHash).toBe(prevHash);
      const recomputed = entryHash(preimageOf('chain-all-kinds', i + 1, prevHash, hashedFields(entry)));
      expect(entry.hash).toBe(recomputed);
      prevHash = recomputed;
    }
    const account = await table.get(keys.account('chain-all-kinds'));
    expect({ headSeq: account?.headSeq, headHash: account?.headHash }).toEqual({
      headSeq: entries.length,
      headHash: prevHash,
    });
  });

  it('hashes the exact bytes of SPEC §12: JCS with keys sorted, amounts as decimal strings', () => {
    const hash = entryHash({
      accountId: 'acct_1',
      seq: 1,
      prevHash: GENESIS_HASH,
      transactionId: 'tx_01',
      type: 'purchase',
      amountMicros: '50000000',
      balanceAfterMicros: '50000000',
      createdAt: '2026-01-31T12:00:00.000Z',
      reference: '',
    });
    // From the shell, without this code: printf 'io-credits:entry:v1\n{"accountId":"acct_1",
    // "amountMicros":"50000000","balanceAfterMicros":"50000000","createdAt":"2026-01-31T12:00:00.000Z",
    // "prevHash":"000…0","reference":"","seq":1,"transactionId":"tx_01","type":"purchase"}' | sha256sum
    expect(hash).toBe('64adb0876ad61aa0585ca08b406b9419925c4773cd5195d20b506c6b119c150e');
  });

  it("the entry's fast serialisation is RFC 8785's, whatever its strings hold", () => {
    const preimage = {
      accountId: 'a|b@c.d:e_f-g',
      seq: 9_007_199_254_740_991,
      prevHash: GENESIS_HASH,
      transactionId: 'tx_01',
      type: 'usage',
      amountMicros: '-1250000',
      balanceAfterMicros: '0',
      createdAt: '2026-01-31T12:00:00.000Z',
      reference: 'quote " backslash \\ newline \n tab \t € 😀 \u0001',
    };
    expect(entryJcs(preimage)).toBe(canonicalJson(preimage));
  });

  it('verifies a whole table and the same ledger exported, with no break', async () => {
    const verdict = verify(await bookFromTable(table), []);
    expect(verdict.chainBreaks).toEqual([]);
    expect(verdict.entries).toBeGreaterThan(15);
  });
});

describe('the verifier names the first break', () => {
  async function tampered(accountId: string, tamper: (entries: Item[]) => Promise<void>) {
    const entries = await busyAccount(accountId);
    await tamper(entries);
    return firstBreakIn(accountId);
  }

  const send = (command: PutCommand | UpdateCommand | DeleteCommand) =>
    table.client.send(command as Parameters<typeof table.client.send>[0]);

  it('an edited entry: its amount changed in place', async () => {
    const broken = await tampered('tamper-edit', async (entries) => {
      await send(
        new UpdateCommand({
          TableName: table.name,
          Key: { pk: entries[4]!.pk, sk: entries[4]!.sk },
          UpdateExpression: 'SET amount = :a',
          ExpressionAttributeValues: { ':a': -1 },
        }),
      );
    });
    expect(broken).toMatchObject({ accountId: 'tamper-edit', seq: 5 });
  });

  it('a deleted entry', async () => {
    const broken = await tampered('tamper-delete', async (entries) => {
      await send(new DeleteCommand({ TableName: table.name, Key: { pk: entries[2]!.pk, sk: entries[2]!.sk } }));
    });
    expect(broken).toMatchObject({ accountId: 'tamper-delete', seq: 3 });
  });

  it('an inserted entry, its hash recomputed to fit after the one before it', async () => {
    const broken = await tampered('tamper-insert', async (entries) => {
      const before = entries[5]!;
      const forged: Item = {
        ...before,
        sk: `${String(before.sk).slice(0, -1)}~`,
        transactionId: 'tx_forged',
        amount: 1_000_000,
        seq: 7,
        prevHash: before.hash,
      };
      forged.hash = entryHash(preimageOf('tamper-insert', 7, String(before.hash), hashedFields(forged)));
      await send(new PutCommand({ TableName: table.name, Item: forged }));
    });
    expect(broken).toMatchObject({ accountId: 'tamper-insert', seq: 7 });
  });

  it('two entries swapped (reordered)', async () => {
    const broken = await tampered('tamper-reorder', async (entries) => {
      const [a, b] = [entries[3]!, entries[4]!];
      await send(new PutCommand({ TableName: table.name, Item: { ...b, pk: a.pk, sk: a.sk } }));
      await send(new PutCommand({ TableName: table.name, Item: { ...a, pk: b.pk, sk: b.sk } }));
    });
    expect(broken).toMatchObject({ accountId: 'tamper-reorder', seq: 4 });
  });

  it('the last entries cut off (truncated)', async () => {
    let count = 0;
    const broken = await tampered('tamper-truncate', async (entries) => {
      count = entries.length;
      for (const entry of entries.slice(-2))
        await send(new DeleteCommand({ TableName: table.name, Key: { pk: entry.pk, sk: entry.sk } }));
    });
    expect(broken).toMatchObject({ accountId: 'tamper-truncate', seq: count - 1 });
  });

  it('the same breaks from a DynamoDB export of the table', async () => {
    const { mkdtemp, writeFile, mkdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { gzipSync } = await import('node:zlib');
    const dir = await mkdtemp(join(tmpdir(), 'export-'));
    await mkdir(join(dir, 'data'));
    const items = await wholeTableItems();
    await writeFile(join(dir, 'data', 'part-0.json.gz'), gzipSync(items.map(exportLine).join('\n')));
    const fromExport = verify(await bookFromExport(dir), []);
    const fromTable = verify(await bookFromTable(table), []);
    expect(fromExport.chainBreaks).toEqual(fromTable.chainBreaks);
    expect(fromExport.chainBreaks.map((b) => b.accountId)).toEqual([
      'tamper-delete',
      'tamper-edit',
      'tamper-insert',
      'tamper-reorder',
      'tamper-truncate',
    ]);
  });
});

/** The stored fields an entry's hash covers. */
function hashedFields(item: Item) {
  return {
    transactionId: String(item.transactionId),
    type: String(item.type),
    amount: item.amount as number,
    balanceAfter: item.balanceAfter as number,
    createdAt: String(item.createdAt),
    reference: String(item.reference),
  };
}

async function wholeTableItems(): Promise<Item[]> {
  const { wholeTable } = await import('./support/ledger.js');
  return wholeTable(table);
}

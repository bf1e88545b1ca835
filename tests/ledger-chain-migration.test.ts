// The one-off migration that chains history written before the chain began: resumable after a
// crash, safe beside live writes, and never rewriting a link already there.

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { migrateAccount, migrateChains } from '../core/proof/migrate.js';
import { bookFromTable } from '../core/proof/sources.js';
import { verify } from '../core/proof/verify.js';
import { keys } from '../core/table/keys.js';
import type { Item } from '../core/table/table.js';
import { accountItems, c, deploy, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

const { ledger, table } = await newLedger();

async function history(accountId: string): Promise<void> {
  await buyCredits(ledger, accountId, c('30'));
  await Promise.all(Array.from({ length: 4 }, () => deploy(ledger, accountId, '1')));
  await deploy(ledger, accountId, '2');
}

async function entriesOf(accountId: string): Promise<Item[]> {
  return (await accountItems(table, accountId)).filter((item) => item.itemType === 'entry');
}

/** The account as a table written before the chain began holds it: no links, no head. */
async function unchain(accountId: string): Promise<void> {
  const remove = (key: { pk: unknown; sk: unknown }, expression: string) =>
    table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: key,
        UpdateExpression: expression,
        ...(expression.includes('#h') ? { ExpressionAttributeNames: { '#h': 'hash' } } : {}),
      }),
    );
  for (const entry of await entriesOf(accountId))
    await remove({ pk: entry.pk, sk: entry.sk }, 'REMOVE seq, prevHash, #h');
  await remove(keys.account(accountId), 'REMOVE headSeq, headHash');
}

async function breaksOf(accountId: string) {
  return verify(await bookFromTable(table), []).chainBreaks.filter((b) => b.accountId === accountId);
}

describe('chaining the history written before the chain', () => {
  it('links every account from seq 1 and sets its head; new entries then chain on', async () => {
    for (const id of ['old-1', 'old-2']) {
      await history(id);
      await unchain(id);
    }
    // Written while the account is not chained yet: the engine leaves it for the migration.
    await deploy(ledger, 'old-1', '1');
    expect((await breaksOf('old-1'))[0]).toMatchObject({ seq: 1, reason: expect.stringMatching(/not chained/) });

    const report = await migrateChains(table);
    expect(report).toMatchObject({ accounts: 2, refused: [] });
    expect(report.entriesLinked).toBe((await entriesOf('old-1')).length + (await entriesOf('old-2')).length);
    expect(await breaksOf('old-1')).toEqual([]);
    await deploy(ledger, 'old-1', '1');
    const snap = await expectInvariants(ledger, 'old-1');
    expect(snap.entries.every((e) => typeof e.hash === 'string')).toBe(true);
    expect(await migrateChains(table)).toEqual({ accounts: 0, entriesLinked: 0, refused: [] });
  });

  it('stopped half-way (a crash), run again, it links the rest and the entries written meanwhile', async () => {
    await history('old-crash');
    await unchain('old-crash');
    let linked = 0;
    const crash = () => {
      linked += 1;
      if (linked === 3) throw new Error('killed');
    };
    await expect(migrateAccount(table, 'old-crash', { afterLink: crash })).rejects.toThrow('killed');
    const halfway = await entriesOf('old-crash');
    expect(halfway.filter((e) => e.hash !== undefined)).toHaveLength(3);
    expect((await table.get(keys.account('old-crash')))?.headHash).toBeUndefined();
    await deploy(ledger, 'old-crash', '1');

    expect(await migrateAccount(table, 'old-crash')).toBe(halfway.length + 1 - 3);
    expect(await breaksOf('old-crash')).toEqual([]);
  });

  it('leaves alone an account whose stored links disagree with its entries', async () => {
    await history('old-tampered');
    await unchain('old-tampered');
    await migrateAccount(table, 'old-tampered');
    const [, second] = (await entriesOf('old-tampered')).sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : 1));
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: { pk: second!.pk, sk: second!.sk },
        UpdateExpression: 'SET amount = :a',
        ExpressionAttributeValues: { ':a': -5 },
      }),
    );
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keys.account('old-tampered'),
        UpdateExpression: 'REMOVE headSeq, headHash',
      }),
    );
    const report = await migrateChains(table);
    expect(report.refused).toEqual([{ accountId: 'old-tampered', reason: expect.stringMatching(/not entry 2's/) }]);
  });
});

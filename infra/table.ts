// The ledger's one DynamoDB table, declared from the definition in core/table/schema.ts (keys,
// indexes and their projections, the TTL attribute), the same one the tests create on DynamoDB
// Local, so the table on AWS and the one the ledger is tested on can not drift apart. It holds the
// money: on demand, with point-in-time recovery and deletion protection, and kept when the stack
// is deleted.

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TTL_ATTRIBUTE, tableDefinition } from '../core/table/schema.js';

export function addTable(scope: Construct): Table {
  const definition = tableDefinition('io-credits');
  const attributeType = (name: string) =>
    definition.AttributeDefinitions!.find((a) => a.AttributeName === name)!.AttributeType === 'N'
      ? AttributeType.NUMBER
      : AttributeType.STRING;
  const table = new Table(scope, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    const [hash, range] = index.KeySchema!;
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName!,
      partitionKey: { name: hash!.AttributeName!, type: attributeType(hash!.AttributeName!) },
      ...(range ? { sortKey: { name: range.AttributeName!, type: attributeType(range.AttributeName!) } } : {}),
      projectionType: index.Projection!.ProjectionType === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
    });
  }
  return table;
}

// Where the daily digests are published (SPEC §12): an S3 bucket with Object Lock in compliance
// mode and a default retention of 7 years, so no one, the account's root user included, can change
// or delete a published day before then. Versioned (Object Lock needs it), private, TLS only,
// retained when the stack is deleted.

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** 7 years of days, leap days included. */
export const DIGEST_RETENTION_DAYS = 7 * 365 + 2;

export function addDigestBucket(scope: Construct): Bucket {
  return new Bucket(scope, 'Digests', {
    objectLockEnabled: true,
    objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(DIGEST_RETENTION_DAYS)),
    versioned: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

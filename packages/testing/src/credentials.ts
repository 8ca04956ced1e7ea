import { randomBytes } from 'node:crypto';

/** AWS credentials as every SDK v3 client accepts them. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Who signed a request: the local root user, or a role session made by STS AssumeRole. */
export interface Identity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms after which the temporary credentials are refused. */
  expiresAt?: number;
  account: string;
  arn: string;
  userId: string;
}

/** The account every local service lives in. */
export const LOCAL_ACCOUNT = '123456789012';

/** The long-lived credentials `clientConfig()` hands out. Fixed so shells and env files can use them too. */
export const LOCAL_CREDENTIALS: Readonly<LocalCredentials> = Object.freeze({
  accessKeyId: 'AKIAFLEECELOCAL00001',
  secretAccessKey: 'fleece-local-secret-access-key',
});

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random upper-case id characters, as AWS key ids use. */
export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/**
 * The access keys one local AWS accepts: the fixed root key and every set of temporary
 * credentials that its STS issued. Shared by all services of that instance.
 */
export class IdentityStore {
  private readonly identities = new Map<string, Identity>();

  constructor(readonly account: string = LOCAL_ACCOUNT) {
    this.identities.set(LOCAL_CREDENTIALS.accessKeyId, {
      ...LOCAL_CREDENTIALS,
      account,
      arn: `arn:aws:iam::${account}:user/fleece-local`,
      userId: 'AIDAFLEECELOCALUSER01',
    });
  }

  /** The identity owning `accessKeyId`, if any. */
  get(accessKeyId: string): Identity | undefined {
    return this.identities.get(accessKeyId);
  }

  /** Issues temporary credentials for a role session. */
  issue(roleArn: string, sessionName: string, durationMs: number, now = Date.now()): Identity {
    const roleName = roleArn.slice(roleArn.indexOf(':role/') + ':role/'.length).split('/').pop() as string;
    const roleId = `AROA${randomId(17)}`;
    const identity: Identity = {
      accessKeyId: `ASIA${randomId(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiresAt: now + durationMs,
      account: this.account,
      arn: `arn:aws:sts::${this.account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
    };
    this.identities.set(identity.accessKeyId, identity);
    return identity;
  }
}

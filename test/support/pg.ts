// PostgreSQL for tests: each suite gets a schema of its own (`s_<random>`) in the test database,
// dropped afterwards, so suites can run in parallel on one server. A missing server is a test
// FAILURE with a message saying what to start, never a skip: the PostgreSQL adapter must not go
// untested silently.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPgStore, type PgStore, type PgStoreOptions } from '../../hq/adapters/postgres/pgStore.ts';

/** The test database (trust auth); override with FOOTFALL_TEST_PG_URL. */
export const TEST_PG_URL = process.env.FOOTFALL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  /** Connection URL of the test database (the schema is not in it: pass `schema` to openPgStore). */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. Close the stores using it first. */
  cleanup(): Promise<void>;
}

/** A plain connection to the test database; fails loudly when PostgreSQL is not there. */
export async function pgClient(url = TEST_PG_URL, schema?: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is required by this test and is not reachable at ${url} (${(err as Error).message}). ` +
        'Start PostgreSQL 15+ there, or point FOOTFALL_TEST_PG_URL at one.',
      { cause: err },
    );
  }
  return client;
}

/** Runs `fn` on a fresh connection and closes it. */
export async function withPgClient<T>(fn: (c: pg.Client) => Promise<T>, opts: { url?: string; schema?: string } = {}): Promise<T> {
  const client = await pgClient(opts.url ?? TEST_PG_URL, opts.schema);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const randomSchemaName = (): string => `s_${randomBytes(6).toString('hex')}`;

/** Creates an empty schema `s_<random>` (openPgStore migrates it). */
export async function freshPgSchema(url = TEST_PG_URL): Promise<PgSchema> {
  const schema = randomSchemaName();
  await withPgClient((c) => c.query(`CREATE SCHEMA ${schema}`), { url });
  return {
    url,
    schema,
    cleanup: () => withPgClient((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`), { url }).then(() => undefined),
  };
}

/** A migrated PostgreSQL store in a fresh schema; `cleanup` closes it and drops the schema. */
export async function freshPgStore(opts: Omit<PgStoreOptions, 'schema'> = {}, url = TEST_PG_URL): Promise<{ store: PgStore; schema: PgSchema; cleanup(): Promise<void> }> {
  const schema = await freshPgSchema(url);
  let store: PgStore;
  try {
    store = await openPgStore(url, { ...opts, schema: schema.schema });
  } catch (err) {
    await schema.cleanup();
    throw err;
  }
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await schema.cleanup();
    },
  };
}

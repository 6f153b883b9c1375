import type { TestProject } from 'vitest/node';
import { startPostgres, type TestPostgres } from '../kit/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection string of the test run's PostgreSQL server. */
    postgresUrl: string;
  }
}

let server: TestPostgres | undefined;

/**
 * One real PostgreSQL server for the whole Vitest run [STO-8]; each suite makes its own database
 * on it (tests/kit/postgres.ts `freshDatabase`). Fails the run, never skips, when PostgreSQL is
 * not installed.
 */
export async function setup(project: TestProject): Promise<void> {
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

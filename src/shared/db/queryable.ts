// What a query runs on: the pool, or one client of it (inside a transaction).
import type pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient;

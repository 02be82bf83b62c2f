import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/log.js';

export interface AppDeps {
  db: Database;
  temporal: Client;
  config: Config;
  log: Logger;
}

export interface CurrentUser {
  id: string;
  uid: string;
  isOperator: boolean;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    log: Logger;
    requestId: string;
    user: CurrentUser;
  };
}

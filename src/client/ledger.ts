/**
 * The refresh ledger: one small record, shared by every tab of the origin, saying which renewal of
 * the credentials is the latest (`generation`), when its access token expires and whether the user
 * is logged in. It never holds a token.
 *
 * Why IndexedDB and not the BroadcastChannel alone or localStorage: the tab that wins the refresh
 * lock writes the record and waits for the write to commit before it lets go of the lock, so the
 * next tab to get the lock is certain to read it. A broadcast message, or a localStorage change,
 * travels to the other tabs on its own path and may arrive after that tab already holds the lock,
 * which would make it refresh a second time.
 */
import { browser, type IdbDatabaseLike, type IdbRequestLike } from './browser.js';

export interface LedgerRecord {
  generation: number;
  loggedIn: boolean;
  /** Epoch ms at which the access token is due for renewal; `null` when unknown. */
  renewAt: number | null;
  /** Epoch ms at which the access token expires; `null` when unknown. */
  expiresAt: number | null;
}

export interface Ledger {
  read(): Promise<LedgerRecord | undefined>;
  write(record: LedgerRecord): Promise<void>;
}

const storeName = 'ledger';

function promised<T>(request: IdbRequestLike<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The ledger in IndexedDB, or, where the page may not use it, one kept in this tab's memory. */
export function openLedger(name: string): Ledger {
  const indexedDB = browser.indexedDB;
  if (indexedDB === undefined) return memoryLedger();
  let database: Promise<IdbDatabaseLike> | undefined;
  const open = () => {
    database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(storeName);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return database;
  };
  const fallback = memoryLedger();
  return {
    async read() {
      try {
        const db = await open();
        const record = await promised(db.transaction(storeName).objectStore(storeName).get('current'));
        return isRecord(record) ? record : undefined;
      } catch {
        return fallback.read();
      }
    },
    async write(record) {
      try {
        const db = await open();
        const transaction = db.transaction(storeName, 'readwrite');
        transaction.objectStore(storeName).put(record, 'current');
        // Committed, not just queued: only then may the lock go to the next tab.
        await new Promise<void>((resolve, reject) => {
          transaction.oncomplete = () => resolve();
          transaction.onerror = () => reject(transaction.error);
          transaction.onabort = () => reject(transaction.error);
        });
      } catch {
        await fallback.write(record);
      }
    },
  };
}

function memoryLedger(): Ledger {
  let current: LedgerRecord | undefined;
  return {
    read: async () => current,
    write: async (record) => {
      current = record;
    },
  };
}

function isRecord(value: unknown): value is LedgerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<LedgerRecord>;
  return typeof record.generation === 'number' && typeof record.loggedIn === 'boolean';
}

/** The name of Hearth's IndexedDB database, apart from db.ts so that asking whether it exists
 * does not load Dexie [PWA-4]. */
export const DB_NAME = 'hearth';

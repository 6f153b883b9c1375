import { HearthDB } from './db';

/**
 * What the device stores, and the identity code that needs the key library: loaded after the first
 * screen has shown [PWA-4]. A first visit (no database yet) shows the name field without waiting for
 * them; everyone else waits for their own data, which is what the first screen shows anyway.
 */
export const db = new HearthDB();

export {
  createIdentity,
  listPeople,
  loadIdentity,
  removePasscode,
  renameIdentity,
  replaceIdentity,
  setPasscode,
  unlockIdentity
} from './identity';

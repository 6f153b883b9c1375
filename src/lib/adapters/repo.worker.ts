/// <reference lib="webworker" />
// automerge-repo's own thread (ADR 0018): storage, sync with the relays and every Automerge
// document live here; the page asks for entries and writes through `doc-protocol` messages.
import { HearthDB } from './db';
import { serveRepo } from './doc-service';
import { startRepo } from './repo';

serveRepo(self, (relayUrls, onFacts, wasmUrl) =>
  startRepo(new HearthDB(), relayUrls, onFacts, wasmUrl)
);

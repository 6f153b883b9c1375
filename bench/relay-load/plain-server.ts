// The comparison point for bench/relay-load: a plain automerge-repo sync server in the shape of
// the library's own example — Repo + WebSocket server adapter + NodeFS storage, nothing else (no
// limits, no metrics, no flush-before-acknowledge). Usage: plain-server.ts <port> <dataDir>
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';

const [port, dir] = [Number(process.argv[2]), process.argv[3] ?? './plain-data'];
const wss = new WebSocketServer({ port, host: '127.0.0.1' });
new Repo({
  network: [new WebSocketServerAdapter(wss as never)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `plain-sync-server-${process.pid}` as PeerId,
  sharePolicy: () => Promise.resolve(false)
});
wss.on('listening', () => console.log(`listening ${port}`));
// Exit normally when stopped, so a `--cpu-prof` run writes its profile (as the relay does).
process.on('SIGTERM', () => process.exit(0));

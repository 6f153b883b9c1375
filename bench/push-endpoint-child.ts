// The local push service for bench/push.bench.ts, in its own process so the relay's process does
// only the relay's work. It checks VAPID and decrypts every message (tests/kit/push-endpoint.ts).
import { PushEndpoint } from '../tests/kit/push-endpoint';

const endpoint = await new PushEndpoint().listen();
const send = (m: unknown) => process.send!(m);
process.on('message', (m: { type: string; n?: number; key?: string }) => {
  if (m.type === 'subscribe')
    send({
      type: 'subs',
      subs: Array.from({ length: m.n ?? 1 }, () => {
        const s = endpoint.subscribe();
        return { endpoint: s.endpoint, keys: s.keys };
      })
    });
  else if (m.type === 'vapid') {
    endpoint.vapidKey = m.key;
    send({ type: 'ok' });
  } else if (m.type === 'count') send({ type: 'count', n: endpoint.received.length });
  else if (m.type === 'report')
    send({
      type: 'report',
      received: endpoint.received.map((r) => ({
        at: performance.timeOrigin + r.at,
        bytes: r.bytes,
        headerBytes: Object.entries(r.headers).reduce(
          (n, [k, v]) => n + k.length + 4 + String(v).length,
          0
        ),
        vapid: r.vapid.ok,
        payload: r.payload ? r.payload.toString('base64url') : null
      }))
    });
  else if (m.type === 'stop') void endpoint.close().then(() => process.exit(0));
});
send({ type: 'ready', certFile: endpoint.certFile });

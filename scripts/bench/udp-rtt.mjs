// UDP round trips for `npm run bench:live`: argv server, port, count. Each exchange uses
// a new socket (a new flow), sent after the previous reply. Prints the RTTs in µs (JSON).
import { createSocket } from 'node:dgram';

const [server, port, count] = process.argv.slice(2);
const out = [];
for (let i = 0; i < Number(count); i++) {
  const s = createSocket('udp4');
  const t = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), 2000);
    s.on('message', () => {
      clearTimeout(timer);
      resolve(Number(process.hrtime.bigint() - start) / 1000);
    });
    const start = process.hrtime.bigint();
    s.send('ping', Number(port), server);
  });
  s.close();
  out.push(t);
}
console.log(JSON.stringify(out));

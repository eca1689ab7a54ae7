// The two procd objects LuCI and rpcd call on a router, for the offline-root check
// (procd itself is not built): `system` board/info for LuCI's page header and status,
// and `service` event, where rpcd reports a committed config; like procd's reload
// trigger from /etc/init.d/flowsieve (procd_send_signal flowsieve flowsieve HUP), a
// config.change of package flowsieve sends SIGHUP to the daemon (its pid read from PIDFILE).
//   ucode -S procd-standin.uc SOCKET PIDFILE
import * as ubus from 'ubus';
import * as uloop from 'uloop';
import { popen, readfile } from 'fs';

const sock = ARGV[0];
const pidfile = ARGV[1];
uloop.init();
const conn = ubus.connect(sock);
if (!conn) die(`ubus connect ${sock}: ${ubus.error()}`);

conn.publish('system', {
	board: { call: () => ({ hostname: 'flowsieve-lab', model: 'offline root (local check)',
		system: 'x86_64', kernel: trim(popen('uname -r')?.read('all') ?? ''),
		release: { distribution: 'OpenWrt', version: 'SNAPSHOT', revision: 'local',
			target: 'x86/64', description: 'OpenWrt SNAPSHOT (offline root)' } }) },
	info: { call: () => ({ localtime: time(), uptime: 0, load: [0, 0, 0],
		memory: { total: 0, free: 0, shared: 0, buffered: 0 }, swap: { total: 0, free: 0 } }) },
});
conn.publish('service', {
	event: {
		call: (req) => {
			const pkg = req.args?.data?.package;
			print(`service event ${req.args?.type} ${pkg}\n`);
			const pid = +trim(readfile(pidfile) ?? '0');
			if (req.args?.type == 'config.change' && pkg == 'flowsieve' && pid > 0) {
				print(`SIGHUP flowsieve ${pid}\n`);
				system(['kill', '-HUP', `${pid}`]);
			}
			return 0;
		},
		args: { type: '', data: {} },
	},
});
print(`procd stand-in on ${sock}\n`);
uloop.run();

'use strict';
'require baseclass';

/*
 * The flowsieve page's logic, apart from LuCI: formatting, aggregation for the charts,
 * queue health between two polls, the config text that `check` validates for one action,
 * and the overview's DOM built through the element factory it is given (LuCI's E() in
 * the views). Loaded by LuCI as a class module; test/luci-logic.test.ts loads the same
 * file the way LuCI's loader does and runs it under Node.
 */

var _t = (typeof _ === 'function') ? _ : function(s) { return s; };

function fmt(s) {
	var args = Array.prototype.slice.call(arguments, 1);
	return String(s).replace(/%(\d)/g, function(m, i) { return String(args[+i - 1]); });
}

var UNITS = [ 'B', 'KiB', 'MiB', 'GiB', 'TiB' ];

function formatBytes(n) {
	n = Number(n) || 0;
	var u = 0;
	while (n >= 1024 && u < UNITS.length - 1) { n /= 1024; u++; }
	return (u === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + UNITS[u];
}

function formatCount(n) {
	return String(Math.round(Number(n) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function formatDuration(seconds) {
	var s = Math.max(0, Math.floor(Number(seconds) || 0));
	var d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
	if (d > 0) return d + 'd ' + h + 'h';
	if (h > 0) return h + 'h ' + m + 'm';
	if (m > 0) return (s % 60) ? m + 'm ' + (s % 60) + 's' : m + 'm';
	return s + 's';
}

/* Time since `ms` (epoch ms) at `now`, short. */
function formatAgo(ms, now) {
	if (ms == null) return _t('never');
	return fmt(_t('%1 ago'), formatDuration((now - ms) / 1000));
}

/* A stable colour per name, so an application keeps its colour from poll to poll. */
var PALETTE = [ '#2f7ed8', '#f28f43', '#8bbc21', '#910000', '#1aadce', '#492970', '#77a1e5', '#c42525', '#a6c96a', '#0d233a' ];
var OTHER_COLOUR = '#b0b0b0';

function colourFor(name) {
	var h = 0;
	for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
	return PALETTE[h % PALETTE.length];
}

/*
 * Usage entries ({name, flows, bytes}, most first) as chart slices: the top `max - 1`
 * by bytes, the rest folded into one 'other' slice; each with its share of the bytes.
 */
function slices(entries, max) {
	var list = (entries || []).slice().sort(function(a, b) { return b.bytes - a.bytes || b.flows - a.flows; });
	var total = list.reduce(function(n, e) { return n + e.bytes; }, 0);
	var shown = list.length > max ? list.slice(0, max - 1) : list;
	var rest = list.slice(shown.length);
	/* Each slice its own colour: a name keeps its colour unless an earlier slice took it. */
	var used = {};
	var out = shown.map(function(e) {
		var c = colourFor(e.name);
		for (var k = PALETTE.indexOf(c); used[c] && Object.keys(used).length < PALETTE.length; k++) c = PALETTE[(k + 1) % PALETTE.length];
		used[c] = true;
		return { name: e.name, flows: e.flows, bytes: e.bytes, share: total ? e.bytes / total : 0, colour: c };
	});
	if (rest.length) {
		var b = rest.reduce(function(n, e) { return n + e.bytes; }, 0);
		var f = rest.reduce(function(n, e) { return n + e.flows; }, 0);
		out.push({ name: fmt(_t('%1 others'), rest.length), flows: f, bytes: b, share: total ? b / total : 0, colour: OTHER_COLOUR, other: true });
	}
	return out;
}

/*
 * Health of each kernel queue from two status polls: packets dropped since the last poll
 * (queue full or the daemon refusing) make it 'bad', packets waiting make it 'busy'.
 */
function queueHealth(current, previous) {
	var before = {};
	(previous || []).forEach(function(q) { before[q.queue] = q; });
	return (current || []).map(function(q) {
		var p = before[q.queue];
		var dropped = p ? Math.max(0, (q.queue_dropped - p.queue_dropped) + (q.user_dropped - p.user_dropped)) : 0;
		var state = dropped > 0 ? 'bad' : (q.waiting > 0 ? 'busy' : 'ok');
		var text = dropped > 0 ? fmt(_t('%1 packets dropped since the last look'), formatCount(dropped))
			: (q.waiting > 0 ? fmt(_t('%1 packets waiting'), formatCount(q.waiting)) : _t('keeping up'));
		return { queue: q.queue, state: state, text: text, dropped_total: q.queue_dropped + q.user_dropped };
	});
}

/* The device of a flow: a host name the router knows for its MAC or address, else the address. */
function deviceName(flow, hints) {
	var h = hints || {};
	var mac = flow.local_mac ? String(flow.local_mac).toUpperCase() : null;
	var byMac = mac && h[mac] && h[mac].name;
	var byIp = h[flow.local_ip] && h[flow.local_ip].name;
	return byMac || byIp || flow.local_ip;
}

/* Flows as the table shows them. */
function flowRows(flows, hints) {
	return (flows || []).map(function(f) {
		return {
			app: f.app || f.protocol,
			host: f.host || f.other_ip,
			device: deviceName(f, hints),
			remote: f.other_ip + ':' + f.other_port,
			bytes: formatBytes(f.bytes),
			actions: (f.actions || []).join(', ')
		};
	});
}

/* A UCI value in single quotes ('…' with ' written as '\''). */
function quoteUci(v) {
	return "'" + String(v).split("'").join("'\\''") + "'";
}

/*
 * The configuration text `check` validates for one action being edited: the action with
 * its criteria and exemptions, calling a stand-in log target so that only what the form
 * holds can be wrong.
 */
function actionCheckText(criteria, exemptions) {
	var lines = [ "config target 'form_check_target'", "\toption target_type 'log'", '', "config action 'form_check'", "\tlist target 'form_check_target'" ];
	(criteria || []).forEach(function(c) { lines.push('\tlist criteria ' + quoteUci(c)); });
	(exemptions || []).forEach(function(e) { lines.push('\tlist exemption ' + quoteUci(e)); });
	return lines.join('\n') + '\n';
}

/* check's answer as messages for the form: locations in the stand-in text are left out. */
function checkMessages(report) {
	if (!report) return [ _t('the daemon did not answer') ];
	return (report.errors || []).map(function(e) {
		return String(e).replace(/^<check>(:\d+)*:\s*/, '').replace(/^(error|warning):\s*/, '').replace(/^action 'form_check'( criteria)?:\s*/, '');
	});
}

/* Quick checks while typing, before asking the daemon: quotes and parentheses balance. */
function criterionSyntax(text) {
	var s = String(text || '').trim();
	if (!s) return _t('an empty criterion matches nothing');
	var depth = 0, quote = null;
	for (var i = 0; i < s.length; i++) {
		var c = s[i];
		if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
		if (c === "'" || c === '"') quote = c;
		else if (c === '(') depth++;
		else if (c === ')' && --depth < 0) return fmt(_t('unbalanced ) at character %1'), i + 1);
	}
	if (quote) return _t('a quoted string is not closed');
	if (depth > 0) return _t('a ( is not closed');
	return true;
}

/* ---------------------------------------------------------------- overview DOM */

function bar(E, items) {
	return E('div', { 'class': 'fs-bar' }, items.map(function(s) {
		return E('div', { 'class': 'fs-bar-part', 'style': 'width:' + (s.share * 100).toFixed(2) + '%;background:' + s.colour, 'title': s.name }, []);
	}));
}

function legend(E, items) {
	return E('ul', { 'class': 'fs-legend' }, items.map(function(s) {
		return E('li', {}, [
			E('span', { 'class': 'fs-swatch', 'style': 'background:' + s.colour }, []),
			E('span', { 'class': 'fs-name' }, [ s.name ]),
			E('span', { 'class': 'fs-figure' }, [ fmt(s.flows === 1 ? _t('%1 · 1 flow · %3%') : _t('%1 · %2 flows · %3%'), formatBytes(s.bytes), formatCount(s.flows), Math.round(s.share * 100)) ])
		]);
	}));
}

function usageChart(E, title, entries) {
	var items = slices(entries, 8);
	return E('div', { 'class': 'fs-chart' }, [
		E('h3', {}, [ title ]),
		items.length ? bar(E, items) : E('p', { 'class': 'fs-empty' }, [ _t('No traffic in this window yet.') ]),
		legend(E, items)
	]);
}

function table(E, cls, head, rows) {
	return E('table', { 'class': 'table ' + cls }, [
		E('tr', { 'class': 'tr table-titles' }, head.map(function(h) { return E('th', { 'class': 'th' }, [ h ]); }))
	].concat(rows.map(function(r) {
		return E('tr', { 'class': 'tr' }, r.map(function(c) { return E('td', { 'class': 'td' }, [ c ]); }));
	})));
}

var STYLE = '.fs-cards{display:flex;flex-wrap:wrap;gap:.8em;margin-bottom:1em}' +
	'.fs-card{border:1px solid #ddd;border-radius:4px;padding:.5em .9em;min-width:8em}' +
	'.fs-card b{display:block;font-size:1.4em}' +
	'.fs-charts{display:flex;flex-wrap:wrap;gap:2em}.fs-chart{flex:1 1 22em}' +
	'.fs-bar{display:flex;height:1.6em;border-radius:3px;overflow:hidden;background:#eee}' +
	'.fs-legend{list-style:none;padding:0;margin:.6em 0}.fs-legend li{display:flex;align-items:center;gap:.5em;margin:.2em 0}' +
	'.fs-swatch{width:.9em;height:.9em;border-radius:2px;display:inline-block}.fs-name{flex:1}.fs-figure{color:#666;font-size:.9em}' +
	'.fs-q-ok{color:#2a8a2a}.fs-q-busy{color:#b07000}.fs-q-bad{color:#c42525;font-weight:bold}';

/*
 * The overview: counters, applications and categories now (as bars people read at a
 * glance), queue health, and the active flows with app, host, device and actions. Bytes
 * are those the daemon inspected: a flow leaves the queue once it is classified.
 * `d`: { status, apps, flows, actions, hints, previousQueues, now } as the daemon gave them.
 */
function renderOverview(E, d) {
	var st = d.status || {};
	var apps = d.apps || {};
	var health = queueHealth(st.queues, d.previousQueues);
	var cards = [
		[ _t('Active flows'), formatCount(st.flows) ],
		[ fmt(_t('Bytes inspected, last %1'), formatDuration(apps.window || 0)), formatBytes(apps.bytes) ],
		[ _t('Classified'), formatCount(st.classifications) ],
		[ _t('Action matches'), formatCount(st.action_firings) ],
		[ _t('Target errors'), formatCount(st.target_errors) ],
		[ _t('Running for'), formatDuration(st.uptime) ]
	];
	return [
		E('style', {}, [ STYLE ]),
		E('div', { 'class': 'fs-cards' }, cards.map(function(c) { return E('div', { 'class': 'fs-card' }, [ c[0], E('b', {}, [ c[1] ]) ]); })),
		E('div', { 'class': 'fs-charts' }, [
			usageChart(E, _t('Applications'), apps.apps),
			usageChart(E, _t('Categories'), apps.categories)
		]),
		E('h3', {}, [ _t('Queue health') ]),
		table(E, 'fs-queues', [ _t('Queue'), _t('State'), _t('Dropped since start') ], health.map(function(q) {
			return [ String(q.queue), E('span', { 'class': 'fs-q-' + q.state }, [ q.text ]), formatCount(q.dropped_total) ];
		})),
		E('h3', {}, [ fmt(_t('Active flows (%1 of %2, most traffic first)'), (d.flows && d.flows.flows || []).length, formatCount(d.flows && d.flows.total)) ]),
		table(E, 'fs-flows', [ _t('Application'), _t('Host'), _t('Device'), _t('Remote'), _t('Bytes inspected'), _t('Matched actions') ],
			flowRows(d.flows && d.flows.flows, d.hints).map(function(r) { return [ r.app, r.host, r.device, r.remote, r.bytes, r.actions ]; })),
		E('h3', {}, [ _t('Actions') ]),
		table(E, 'fs-actions', [ _t('Action'), _t('Matches'), _t('Last match') ], ((d.actions && d.actions.actions) || []).map(function(a) {
			return [ a.name, formatCount(a.matches), formatAgo(a.last_match, d.now) ];
		}))
	];
}

return baseclass.extend({
	formatBytes: formatBytes,
	formatCount: formatCount,
	formatDuration: formatDuration,
	formatAgo: formatAgo,
	colourFor: colourFor,
	slices: slices,
	queueHealth: queueHealth,
	deviceName: deviceName,
	flowRows: flowRows,
	quoteUci: quoteUci,
	actionCheckText: actionCheckText,
	checkMessages: checkMessages,
	criterionSyntax: criterionSyntax,
	renderOverview: renderOverview
});

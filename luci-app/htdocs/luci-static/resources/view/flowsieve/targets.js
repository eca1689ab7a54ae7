'use strict';
'require view';
'require form';
'require uci';

/*
 * Targets: what happens to flows an action hands over — elements in nftables or ipset
 * sets, conntrack labels and marks, JSON logs, a telemetry sink. Option names and
 * defaults are those of /etc/config/flowsieve (docs/configuration.md).
 */

var TYPES = {
	nftset: _('nftables set'),
	ipset: _('ipset'),
	ctlabel: _('conntrack label'),
	ctmark: _('conntrack mark'),
	log: _('JSON log'),
	sink: _('telemetry sink')
};

return view.extend({
	load: function() {
		return uci.load('flowsieve');
	},

	render: function() {
		var m, s, o;

		m = new form.Map('flowsieve', _('flowsieve: targets'),
			_('Targets act on the flows that actions hand them. Actions call them by name.'));

		s = m.section(form.GridSection, 'target', _('Targets'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.addbtntitle = _('Add target');

		o = s.option(form.ListValue, 'target_type', _('Type'));
		Object.keys(TYPES).forEach(function(k) { o.value(k, TYPES[k]); });
		o.rmempty = false;

		o = s.option(form.Flag, 'target_enabled', _('Enabled'));
		o.default = '1';
		o.editable = true;

		/* nftset and ipset */
		o = s.option(form.Value, 'set_name', _('Set name'));
		o.depends('target_type', 'nftset');
		o.depends('target_type', 'ipset');
		o.datatype = 'string';

		o = s.option(form.Value, 'table_name', _('nftables table'));
		o.depends('target_type', 'nftset');
		o.placeholder = 'flowsieve';
		o.modalonly = true;

		o = s.option(form.ListValue, 'table_family', _('Table family'));
		[ 'inet', 'ip', 'ip6', 'bridge', 'arp', 'netdev' ].forEach(function(f) { o.value(f); });
		o.depends('target_type', 'nftset');
		o.modalonly = true;

		o = s.option(form.ListValue, 'set_family', _('Address family'));
		o.value('*', _('IPv4 and IPv6'));
		o.value('ipv4', 'IPv4');
		o.value('ipv6', 'IPv6');
		o.depends('target_type', 'nftset');
		o.depends('target_type', 'ipset');
		o.modalonly = true;

		o = s.option(form.DynamicList, 'type', _('Element fields'), _('Flow fields that make up an element, in the order the set declares them.'));
		[ 'local_mac', 'other_mac', 'local_addr', 'other_addr', 'local_port', 'other_port', 'mark', 'interface', 'ip_proto' ].forEach(function(t) { o.value(t); });
		o.depends('target_type', 'nftset');
		o.modalonly = true;

		o = s.option(form.Value, 'ttl', _('Element timeout'), _('Seconds an element stays after the last matching traffic.'));
		o.datatype = 'uinteger';
		o.depends('target_type', 'nftset');
		o.depends('target_type', 'ipset');
		o.modalonly = true;

		/* conntrack */
		o = s.option(form.DynamicList, 'label', _('Labels'), _('Names from connlabel.conf or bit numbers.'));
		o.depends('target_type', 'ctlabel');

		o = s.option(form.Value, 'mark', _('Mark'), _('32-bit hexadecimal, e.g. 0x10.'));
		o.datatype = 'hexstring';
		o.depends('target_type', 'ctmark');

		o = s.option(form.Value, 'mask', _('Mask'));
		o.placeholder = '0xffffffff';
		o.depends('target_type', 'ctmark');
		o.modalonly = true;

		/* log */
		o = s.option(form.Value, 'prefix', _('File name prefix'));
		o.depends('target_type', 'log');

		o = s.option(form.Value, 'path', _('Directory'));
		o.placeholder = '/tmp';
		o.depends('target_type', 'log');
		o.modalonly = true;

		o = s.option(form.Value, 'interval', _('Interval'), _('Seconds between log files.'));
		o.datatype = 'uinteger';
		o.depends('target_type', 'log');
		o.modalonly = true;

		/* sink */
		o = s.option(form.Value, 'sink', _('Sink'));
		o.depends('target_type', 'sink');

		o = s.option(form.Value, 'channel', _('Channel'));
		o.depends('target_type', 'sink');
		o.modalonly = true;

		o = s.option(form.ListValue, 'format', _('Format'));
		o.value('json', 'JSON');
		o.value('msgpack', 'MessagePack');
		o.depends('target_type', 'sink');
		o.modalonly = true;

		return m.render();
	}
});

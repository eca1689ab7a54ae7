'use strict';
'require view';
'require form';
'require uci';
'require tools.widgets as widgets';

/* Settings: the daemon's globals section (queues, fail-open, LAN devices, logging). */

return view.extend({
	load: function() {
		return uci.load('flowsieve');
	},

	render: function() {
		var m, s, o;

		m = new form.Map('flowsieve', _('flowsieve: settings'),
			_('How the daemon takes packets from the kernel. Everything that changes traffic is off until an action with an enabled target says otherwise.'));

		s = m.section(form.NamedSection, 'globals', 'globals', _('Daemon'));
		s.addremove = false;

		o = s.option(form.Flag, 'enabled', _('Run the daemon'));
		o.default = '1';

		o = s.option(form.Value, 'queue', _('NFQUEUE'), _("A queue number, or a range such as '0-3' to spread flows over several queues."));
		o.default = '0';
		o.validate = function(section_id, value) {
			return /^\d+(-\d+)?$/.test(value || '0') ? true : _("expected a number or a range such as '0-3'");
		};

		o = s.option(form.Flag, 'fail_open', _('Fail open'), _('Let traffic through when the daemon is stopped or falls behind.'));
		o.default = '1';

		o = s.option(form.Value, 'packet_cap', _('Packets per flow'), _('Packets of each flow sent to the daemon; later ones bypass the queue.'));
		o.datatype = 'range(1,1000)';
		o.default = '32';

		o = s.option(widgets.DeviceSelect, 'lan', _('LAN devices'));
		o.multiple = true;
		o.noaliases = true;

		o = s.option(widgets.DeviceSelect, 'wan', _('WAN devices'), _('None chosen: every device that is not LAN.'));
		o.multiple = true;
		o.noaliases = true;

		o = s.option(form.Value, 'max_flows', _('Flows tracked at once'));
		o.datatype = 'uinteger';
		o.default = '65536';

		o = s.option(form.ListValue, 'log_level', _('Log level'));
		[ 'error', 'warning', 'notice', 'info', 'debug' ].forEach(function(l) { o.value(l); });
		o.default = 'info';

		o = s.option(form.Value, 'timezone', _('Time zone'), _('For time_of_day windows; empty: the system zone.'));
		o.placeholder = 'Europe/Berlin';

		o = s.option(form.Flag, 'reprocess_flows', _('Re-check active flows on reload'), _('CPU-heavy with many flows.'));
		o.default = '0';

		o = s.option(form.Value, 'queue_maxlen', _('Queue length'), _('Packets waiting in each kernel queue at most.'));
		o.datatype = 'range(16,1048576)';
		o.placeholder = '4096';

		o = s.option(form.Flag, 'flow_offload', _('Offload classified flows'), _("Offload flows to flowsieve's own flowtable once classified (turn fw4's flow offloading off)."));

		return m.render();
	}
});

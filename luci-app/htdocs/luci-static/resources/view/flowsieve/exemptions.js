'use strict';
'require view';
'require form';
'require uci';

/*
 * Exemptions: named lists of addresses, prefixes and flow expressions that actions skip.
 * The list named 'global' applies to every action.
 */

return view.extend({
	load: function() {
		return uci.load('flowsieve');
	},

	render: function() {
		var m, s, o;

		m = new form.Map('flowsieve', _('flowsieve: exemptions'),
			_("Flows listed here are left alone by the actions that name the list. The list called 'global' applies to every action."));

		s = m.section(form.TypedSection, 'exemption', _('Exemption lists'));
		s.addremove = true;
		s.anonymous = false;
		s.addbtntitle = _('Add list');

		o = s.option(form.DynamicList, 'exemption', _('Exempt'),
			_("An address (192.168.1.10), a prefix (10.0.0.0/8), or a flow expression (local_mac == '00:11:22:33:44:55';)."));
		o.validate = function(section_id, value) {
			if (value == null || value === '') return true;
			return /[=<>!~;]/.test(value) || /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(value) || /^[A-Za-z0-9_]+$/.test(value)
				? true : _('expected an address, a prefix, a flow expression or the name of another list');
		};

		return m.render();
	}
});

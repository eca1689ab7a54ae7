'use strict';
'require view';
'require form';
'require rpc';
'require uci';
'require ui';
'require flowsieve.logic as logic';

/*
 * Actions: which flows (criteria, exemptions, interface, time of day) go to which targets.
 * Criteria are checked as they are typed (quotes and parentheses) and, on change, by the
 * daemon itself through `flowsieve check`, whose answer shows under the field. Save &
 * Apply writes /etc/config/flowsieve and the init script's reload trigger reloads it.
 */

var callCheck = rpc.declare({ object: 'flowsieve', method: 'check', params: [ 'config' ] });

function showCheck(section_id, messages) {
	var field = document.querySelector('[data-field="cbid.flowsieve.' + section_id + '.criteria"]') ||
		document.getElementById('cbid.flowsieve.' + section_id + '.criteria');
	if (!field) return;
	var box = field.parentNode.querySelector('.flowsieve-check');
	if (!box) {
		box = E('div', { 'class': 'flowsieve-check cbi-value-description' });
		field.parentNode.appendChild(box);
	}
	box.style.color = messages.length ? '#c42525' : '#2a8a2a';
	box.textContent = messages.length ? messages.join('; ') : _('flowsieve accepts these criteria');
}

return view.extend({
	load: function() {
		return uci.load('flowsieve');
	},

	render: function() {
		var m, s, o;

		m = new form.Map('flowsieve', _('flowsieve: actions'),
			_('An action hands the flows that match its criteria, and are not exempt, to its targets. Criteria use the flow expression language (see the documentation); several criteria are alternatives.'));

		s = m.section(form.GridSection, 'action', _('Actions'));
		s.addremove = true;
		s.anonymous = false;
		s.sortable = true;
		s.nodescriptions = true;
		s.addbtntitle = _('Add action');

		o = s.option(form.Flag, 'enabled', _('Enabled'));
		o.default = '1';
		o.editable = true;

		o = s.option(form.DynamicList, 'criteria', _('Criteria'),
			_("For example: category == 'games'; or app == 'netify.netflix';"));
		o.rmempty = false;
		o.validate = function(section_id, value) {
			return (value == null || value === '') ? true : logic.criterionSyntax(value);
		};
		o.onchange = function(ev, section_id, value) {
			var criteria = L.toArray(value).filter(function(c) { return c !== ''; });
			if (!criteria.length) return;
			var exemptions = L.toArray(uci.get('flowsieve', section_id, 'exemption'));
			return callCheck(logic.actionCheckText(criteria, exemptions)).then(function(r) {
				showCheck(section_id, logic.checkMessages(r));
			}).catch(function(e) {
				showCheck(section_id, [ _('the daemon could not check: ') + e.message ]);
			});
		};

		o = s.option(form.MultiValue, 'target', _('Targets'));
		o.rmempty = false;
		uci.sections('flowsieve', 'target').forEach(function(t) {
			o.value(t['.name'], t['.name'] + ' (' + (t.target_type || '?') + ')');
		});

		o = s.option(form.DynamicList, 'exemption', _('Exemptions'),
			_('Addresses, prefixes, flow expressions, or names of exemption sections.'));
		o.modalonly = true;

		o = s.option(form.Value, 'interface', _('Interface'), _("A device, a role (lan, wan), or * for all."));
		o.default = '*';
		o.placeholder = '*';

		o = s.option(form.Value, 'priority', _('Priority'), _('Lower runs first.'));
		o.datatype = 'integer';
		o.default = '0';
		o.modalonly = true;

		o = s.option(form.Flag, 'halt_on_match', _('Stop after a match'), _('A match skips the actions after this one.'));
		o.modalonly = true;

		o = s.option(form.DynamicList, 'time_of_day', _('Time of day'),
			_("Windows when the action applies, e.g. 'mon-fri 09:00-17:00'."));
		o.modalonly = true;
		o.validate = function(section_id, value) {
			if (value == null || value === '') return true;
			return /^\s*([a-z]{3}(-[a-z]{3})?(,[a-z]{3}(-[a-z]{3})?)*\s*)?(\d{1,2}:\d{2}-\d{1,2}:\d{2})?\s*(inclusive|exclusive)?\s*$/i.test(value)
				? true : _("expected '[days] [hh:mm-hh:mm] [inclusive|exclusive]'");
		};

		return m.render();
	}
});

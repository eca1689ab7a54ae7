'use strict';
'require view';
'require dom';
'require poll';
'require rpc';
'require flowsieve.logic as logic';

/*
 * flowsieve's overview: what is on the network now (applications and categories), queue
 * health, the active flows and the actions' matches, refreshed every five seconds.
 */

var callStatus = rpc.declare({ object: 'flowsieve', method: 'status' });
var callApps = rpc.declare({ object: 'flowsieve', method: 'apps', params: [ 'window', 'limit' ] });
var callFlows = rpc.declare({ object: 'flowsieve', method: 'flows', params: [ 'limit' ] });
var callActions = rpc.declare({ object: 'flowsieve', method: 'actions' });
var callHostHints = rpc.declare({ object: 'luci-rpc', method: 'getHostHints', expect: { '': {} } });

var WINDOW = 300;

return view.extend({
	previousQueues: null,

	load: function() {
		return Promise.all([
			callStatus(),
			callApps(WINDOW, 20),
			callFlows(25),
			callActions(),
			L.resolveDefault(callHostHints(), {})
		]);
	},

	draw: function(data) {
		var d = { status: data[0], apps: data[1], flows: data[2], actions: data[3], hints: data[4], previousQueues: this.previousQueues, now: Date.now() };
		this.previousQueues = (data[0] && data[0].queues) || null;
		return logic.renderOverview(E, d);
	},

	render: function(data) {
		var root = E('div', { 'class': 'cbi-map' }, [
			E('h2', {}, [ _('flowsieve') ]),
			E('div', { 'class': 'cbi-map-descr' }, [ _('Applications on the network now, the kernel queues, and what the actions matched.') ]),
			E('div', { 'id': 'flowsieve-overview' }, this.draw(data))
		]);

		poll.add(L.bind(function() {
			return this.load().then(L.bind(function(fresh) {
				dom.content(root.querySelector('#flowsieve-overview'), this.draw(fresh));
			}, this)).catch(function(e) {
				dom.content(root.querySelector('#flowsieve-overview'), E('p', { 'class': 'alert-message warning' }, [ _('The flowsieve daemon does not answer: ') + e.message ]));
			});
		}, this), 5);

		return root;
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});

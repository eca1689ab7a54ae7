#!/bin/sh
# The flowsieve package's life on a live router, played in private namespaces: run as
#   unshare --net --mount sh openwrt-live-system.sh WORK IPK
# /etc and /usr become copy-on-write overlays (upper layers in a tmpfs), the network
# namespace is fresh, so the host's files and firewall are never touched. It installs the
# package's files, runs what OpenWrt's default_postinst runs (postinst-pkg, then the
# package's uci-defaults — twice, as an upgrade does), applies and re-applies the rules
# with the rule script, then runs prerm-pkg. Each step prints a "== name" section for the
# test to read. Needs uci on PATH for the uci parts ("== no uci" otherwise), and
# /tmp/.uci to exist (a private tmpfs goes over it).
set -eu
work=$1 ipk=$2

mount --make-rprivate /
# Upper layers on a tmpfs: overlayfs refuses an upper layer on overlayfs (a container's /tmp).
mkdir -p "$work/layers"
mount -t tmpfs tmpfs "$work/layers"
for d in etc usr; do
	mkdir -p "$work/layers/$d.upper" "$work/layers/$d.work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/layers/$d.upper,workdir=$work/layers/$d.work" "/$d"
done
# uci keeps uncommitted changes in /tmp/.uci: a private one.
mount -t tmpfs tmpfs /tmp/.uci
ip link set lo up

# A router's configuration, as far as the package reads it.
mkdir -p /etc/config /etc/xtables
printf '%s\n' "config defaults" "	option input 'REJECT'" "" "config zone" "	option name 'lan'" >/etc/config/firewall
printf '%s\n' "config interface 'wan'" "	option device 'eth1'" "	option proto 'dhcp'" >/etc/config/network

# opkg unpacks the files...
tar -xzOf "$ipk" ./data.tar.gz | tar -xzf - -C /
mkdir -p "$work/control"
tar -xzOf "$ipk" ./control.tar.gz | tar -xzf - -C "$work/control"
uci_defaults() {
	tar -xzOf "$ipk" ./data.tar.gz | tar -xzf - -C / ./etc/uci-defaults/90-flowsieve
	# shellcheck disable=SC1091 # sourced as OpenWrt does
	(cd /etc/uci-defaults && . ./90-flowsieve) && rm -f /etc/uci-defaults/90-flowsieve
}
# txiki.js, when the test has a tjs binary (else FLOWSIEVE names a command to use).
if [ -n "${TJS:-}" ]; then install -m0755 "$TJS" /usr/bin/tjs; fi
# ... then default_postinst: postinst-pkg, the uci-defaults.
sh "$work/control/postinst-pkg"
if command -v uci >/dev/null; then
	uci_defaults
	echo "== include"
	uci show firewall.flowsieve
	echo "== wan"
	uci get 'flowsieve.@globals[0].wan'
	echo "== upgrade"
	uci_defaults
	uci show firewall | grep -c '=include$' || true
	uci get 'flowsieve.@globals[0].wan'
else
	# Its connlabel part needs no uci (the uci steps fail quietly, as on a system without it).
	(set +e; uci_defaults) 2>/dev/null || true
	echo "== no uci"
fi
echo "== connlabel"
cat /etc/connlabel.conf /etc/xtables/connlabel.conf 2>/dev/null || true

if [ -n "${FLOWSIEVE:-}" ]; then export FLOWSIEVE; fi
# Label rules, so that the label names must resolve through the connlabel.conf files.
sed -i "/^config globals/a\\	option ct_label_init 'flowsieve-init'\\n	option ct_label_block 'flowsieve-block'" /etc/config/flowsieve
# This kernel lacks the nft queue expression: the rest of the nft form must load
# (checked on the empty firewall, before the rules are applied).
echo "== nft form"
if rules=$("${FLOWSIEVE:-/usr/bin/flowsieve}" rules --format nft); then
	printf '%s\n' "$rules" | grep -c ' queue num '
	printf '%s\n' "$rules" | grep -v ' queue num ' | nft -c -f - && echo "nft -c ok"
fi

echo "== apply"
/usr/share/flowsieve/firewall.include apply && echo "rc=0" || echo "rc=$?"
iptables -w -t mangle -S 2>&1 | grep flowsieve || true
nft list table inet flowsieve 2>&1 | sed -e 's/counter packets [0-9]* bytes [0-9]*/counter/'
# What the daemon adds between two firewall reloads must survive the second.
nft add set inet flowsieve fs_added '{ type ipv4_addr; }'
nft add element inet flowsieve fs_added '{ 198.51.100.9 }'
echo "== reapply"
/usr/share/flowsieve/firewall.include && echo "rc=0" || echo "rc=$?"
iptables -w -t mangle -S 2>&1 | grep flowsieve || true
nft list table inet flowsieve 2>&1 | sed -e 's/counter packets [0-9]* bytes [0-9]*/counter/'
echo "== prerm"
sh "$work/control/prerm-pkg"
echo "== after"
nft list tables
iptables -w -t mangle -S 2>&1 | grep -c flowsieve || true
if command -v uci >/dev/null; then uci -q get firewall.flowsieve || echo "no include"; fi
ls /etc/connlabel.conf /etc/xtables/connlabel.conf 2>&1 || true

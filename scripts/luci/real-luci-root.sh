#!/bin/sh
# Lays out an offline OpenWrt root for the real LuCI runtime and runs ubusd, rpcd and
# uhttpd (ucode handler for /cgi-bin/luci, JSON-RPC for /ubus) chrooted into it, each in
# a private mount namespace so the host's /usr stays untouched. Nothing here is part of
# the package: it is the local check's stand-in for a router (see docs/ubus.md).
#   RPCD_ACL=RPCD_SRC/unauthenticated.json real-luci-root.sh ROOT LUCI_DIR UCODE_PREFIX TOOLS_PREFIX PORT
# (rpcd's own acl.d entry: every session may call session access/login)
# LUCI_DIR: an extracted openwrt/luci tree (modules/luci-base, themes/luci-theme-bootstrap,
#   contrib/package/ucode-mod-html)
# UCODE_PREFIX: where ucode, lucihttp, rpcd and uhttpd were installed (cmake prefix, RPATH'd;
#   the build is in scripts/luci/check-real-luci.ts)
# TOOLS_PREFIX: libubox/ubus/uci prefix (/work/shared/tools/build-openwrt-tools.sh)
# Runs in the foreground until killed; the login is root / flowsieve.
set -eu
ROOT=$1 LUCI=$2 U=$3 P=$4 PORT=$5
RPCD_ACL=${RPCD_ACL:?rpcd source unauthenticated.json}
APP=$(cd "$(dirname "$0")/../../luci-app" && pwd)
BASE=$LUCI/modules/luci-base THEME=$LUCI/themes/luci-theme-bootstrap

# luci's ucode-mod-html (LUCI_DIR/contrib/package/ucode-mod-html) and luci-base's C module
# (luci.core: lmo catalogs, crypt) and version.uc
[ -f "$U/lib/ucode/html.so" ] || cc -O2 -fPIC -shared -I"$U/include" -o "$U/lib/ucode/html.so" \
	"$LUCI/contrib/package/ucode-mod-html/src/html.c"
[ -f "$BASE/src/core.so" ] || make -C "$BASE/src" FPIC=-fPIC CFLAGS="-O2 -I$U/include" \
	LUCI_VERSION=local LUCI_GITBRANCH=local compile >/dev/null

mkdir -p "$ROOT"/www "$ROOT"/usr/share/ucode "$ROOT"/usr/share/luci/menu.d \
	"$ROOT"/usr/share/rpcd/acl.d "$ROOT"/usr/share/acl.d "$ROOT"/etc/config "$ROOT"/sbin \
	"$ROOT"/var/run/ubus "$ROOT"/tmp "$ROOT"/proc "$ROOT"/dev "$ROOT"/usr/bin "$ROOT"/usr/lib \
	"$ROOT"/usr/lib64 "$ROOT$U" "$ROOT$P"
for l in bin lib lib64; do [ -e "$ROOT/$l" ] || ln -s usr/$l "$ROOT/$l"; done
chmod 1777 "$ROOT/tmp"

# ucode searches $U/share/ucode and $U/lib/ucode; LuCI's templates sit at /usr/share/ucode
mkdir -p "$U/share/ucode/luci" "$U/lib/ucode/luci"
cp -r "$BASE"/ucode/. "$U/share/ucode/luci/"
cp -r "$THEME"/ucode/template/. "$U/share/ucode/luci/template/"
cp "$BASE/src/version.uc" "$U/share/ucode/luci/"
cp "$BASE/src/core.so" "$U/lib/ucode/luci/"
rm -rf "$ROOT/usr/share/ucode"; ln -s "$U/share/ucode" "$ROOT/usr/share/ucode"

cp -r "$BASE"/htdocs/. "$THEME"/htdocs/. "$APP"/htdocs/. "$ROOT/www/"
cp "$BASE"/root/www/index.html "$ROOT/www/"
cp "$BASE"/root/usr/share/luci/menu.d/*.json "$APP"/root/usr/share/luci/menu.d/*.json "$ROOT/usr/share/luci/menu.d/"
cp "$RPCD_ACL" "$BASE"/root/usr/share/rpcd/acl.d/*.json "$APP"/root/usr/share/rpcd/acl.d/*.json "$ROOT/usr/share/rpcd/acl.d/"
# rpcd reads acl.d and ucode plugins under its install prefix: point that at the root's
mkdir -p "$ROOT/usr/share/rpcd/ucode"
cp "$BASE"/root/usr/share/rpcd/ucode/luci "$ROOT/usr/share/rpcd/ucode/"
rm -rf "$U/share/rpcd"; ln -s /usr/share/rpcd "$U/share/rpcd"
cp "$BASE"/root/etc/config/luci "$ROOT/etc/config/"
[ -f "$ROOT/etc/config/flowsieve" ] || cp "$APP/../files/etc/config/flowsieve" "$ROOT/etc/config/"
# ubusd drops clients whose uid/gid it cannot name
echo 'root:x:0:0:root:/root:/bin/sh' > "$ROOT/etc/passwd"
echo 'root:x:0:' > "$ROOT/etc/group"
HASH=$(openssl passwd -1 flowsieve)
cat > "$ROOT/etc/config/rpcd" <<CONF
config rpcd
	option socket /var/run/ubus/ubus.sock
	option timeout 30

config login
	option username 'root'
	option password '$HASH'
	list read '*'
	list write '*'
CONF
# rpcd runs /sbin/reload_config after uci reload_config; without procd there is no more to do
printf '#!/bin/sh\nexit 0\n' > "$ROOT/sbin/reload_config"; chmod +x "$ROOT/sbin/reload_config"

# shellcheck disable=SC2016 # the inner script expands its own positional arguments
exec unshare -m --propagation private sh -euc '
	ROOT=$1 U=$2 P=$3 PORT=$4 HERE=$5
	for d in /usr/bin /usr/lib /usr/lib64 /dev /proc "$U" "$P"; do mount --bind "$d" "$ROOT$d"; done
	chroot "$ROOT" "$P/sbin/ubusd" -s /var/run/ubus/ubus.sock & UB=$!
	while ! "$P/bin/ubus" -s "$ROOT/var/run/ubus/ubus.sock" list >/dev/null 2>&1; do sleep 0.1; done
	chroot "$ROOT" "$U/sbin/rpcd" -s /var/run/ubus/ubus.sock & RP=$!
	chroot "$ROOT" "$U/bin/uhttpd" -f -p 127.0.0.1:$PORT -h /www -t 60 -T 30 \
		-o /cgi-bin/luci -O /usr/share/ucode/luci/uhttpd.uc -u /ubus -U /var/run/ubus/ubus.sock & UH=$!
	"$U/bin/ucode" -S "$HERE/procd-standin.uc" "$ROOT/var/run/ubus/ubus.sock" "$ROOT/var/run/flowsieve.pid" & PS=$!
	trap "kill $UH $RP $PS $UB 2>/dev/null" TERM INT EXIT
	echo "LuCI at http://127.0.0.1:$PORT/cgi-bin/luci ubus $ROOT/var/run/ubus/ubus.sock"
	wait
' sh "$ROOT" "$U" "$P" "$PORT" "$(cd "$(dirname "$0")" && pwd)"

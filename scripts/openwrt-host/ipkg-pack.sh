#!/bin/sh
# ipkg-pack.sh IDIR IPK EPOCH: IDIR (the installed files, CONTROL/ empty) -> IPK, as
# OpenWrt's include/package-ipkg.mk and scripts/ipkg-build make it: CONTROL/control from
# $CONTROL and $DESCRIPTION, conffiles that exist, the postinst/prerm wrappers that hand
# over to /lib/functions.sh (default_postinst runs postinst-pkg and the package's
# uci-defaults, default_prerm runs prerm-pkg and stops its services), then three gzip'd
# tars with fixed owners, order and times, and the outer gzip'd tar opkg reads.
set -eu
idir=$1 ipk=$2 epoch=$3
ctl=$idir/CONTROL
tarx() { tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name --mtime="@$epoch" "$@"; }

{
	printf '%s\n' "$CONTROL"
	printf 'Description: '
	printf '%s\n' "$DESCRIPTION" | sed -e 's,^[[:space:]]*, ,g'
} >"$ctl/control"
chmod 0644 "$ctl/control"

# The wrappers are written literally: they expand on the router.
# shellcheck disable=SC2016
printf '%s\n' '#!/bin/sh' '[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0' \
	'. ${IPKG_INSTROOT}/lib/functions.sh' 'default_postinst $0 $@' >"$ctl/postinst"
# shellcheck disable=SC2016
printf '%s\n' '#!/bin/sh' '. ${IPKG_INSTROOT}/lib/functions.sh' 'default_prerm $0 $@' >"$ctl/prerm"
chmod 0755 "$ctl/postinst" "$ctl/prerm"
for s in preinst:preinst postinst:postinst-pkg prerm:prerm-pkg postrm:postrm; do
	eval "text=\${SCRIPT_${s%%:*}:-}"
	[ -n "$text" ] || continue
	printf '%s\n' "$text" >"$ctl/${s#*:}"
	chmod 0755 "$ctl/${s#*:}"
done

for f in $CONFFILES; do
	[ -f "$idir$f" ] && echo "$f"
done | LC_ALL=C sort >"$ctl/conffiles"
if [ -s "$ctl/conffiles" ]; then chmod 0644 "$ctl/conffiles"; else rm -f "$ctl/conffiles"; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$idir" && tarx --exclude=./CONTROL -cpf - .) | gzip -n >"$work/data.tar.gz"
size=$(gzip -dc "$work/data.tar.gz" | wc -c)
sed -i -e "s/^Installed-Size: .*/Installed-Size: $size/" "$ctl/control"
(cd "$ctl" && tarx -cf - .) | gzip -n >"$work/control.tar.gz"
echo 2.0 >"$work/debian-binary"
rm -f "$ipk"
(cd "$work" && tarx -cf - ./debian-binary ./data.tar.gz ./control.tar.gz) | gzip -n >"$ipk"
echo "packed $ipk"

#!/usr/bin/env bash
# Records samples/home-lan.pcapng: real DNS, TLS and HTTP traffic between two network
# namespaces (a client and a server standing in for the Internet), captured on the
# client's side. Needs root, iproute2, dumpcap (tshark), openssl, curl and python3.
# The addresses are private/documentation ranges that exist only inside the namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need-debian-packages.sh tshark openssl curl python3
out=${1:-samples/home-lan.pcapng}
work=$(mktemp -d)
cli=fs-sample-cli srv=fs-sample-srv
cleanup() {
  ip netns pids $srv 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids $cli 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del $cli 2>/dev/null || true
  ip netns del $srv 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cleanup; work=$(mktemp -d)
ip netns add $cli && ip netns add $srv
ip link add fs-s0 type veth peer name fs-s1
ip link set fs-s0 netns $cli && ip link set fs-s1 netns $srv
ip -n $cli addr add 192.168.77.20/24 dev fs-s0
ip -n $srv addr add 192.168.77.1/24 dev fs-s1
ip -n $srv addr add 198.51.100.10/32 dev fs-s1
for ns in $cli $srv; do ip -n "$ns" link set lo up; done
ip -n $cli link set fs-s0 up && ip -n $srv link set fs-s1 up
ip -n $cli route add default via 192.168.77.1

# Server side: a DNS responder, a TLS server and an HTTP server.
cat > "$work/dns.py" <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('192.168.77.1', 53))
while True:
    q, a = s.recvfrom(512)
    qid, = struct.unpack('>H', q[:2]); end = q.index(b'\0', 12) + 5
    ans = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 300, 4) + socket.inet_aton('198.51.100.10')
    s.sendto(struct.pack('>HHHHHH', qid, 0x8180, 1, 1, 0, 0) + q[12:end] + ans, a)
PY
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=www.youtube.com 2>/dev/null
ip netns exec $srv python3 "$work/dns.py" & 
ip netns exec $srv openssl s_server -quiet -accept 443 -cert "$work/cert.pem" -key "$work/key.pem" -alpn h2,http/1.1 -www >/dev/null 2>&1 &
ip netns exec $srv python3 -m http.server 80 --bind 198.51.100.10 --directory "$work" >/dev/null 2>&1 &
sleep 1

ip netns exec $cli dumpcap -q -i fs-s0 -w "$work/cap.pcapng" -f 'not arp and not icmp6' 2>/dev/null &
dump=$!
sleep 1
query() { # name: a minimal DNS A query from the client
  ip netns exec $cli python3 - "$1" <<'PY'
import socket, struct, sys, random
name = b''.join(bytes([len(l)]) + l.encode() for l in sys.argv[1].split('.')) + b'\0'
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(struct.pack('>HHHHHH', random.randrange(65536), 0x0100, 1, 0, 0, 0) + name + b'\0\1\0\1', ('192.168.77.1', 53))
s.recvfrom(512)
PY
}
for host in www.youtube.com www.netflix.com; do
  query $host
  echo | ip netns exec $cli timeout 5 openssl s_client -connect 198.51.100.10:443 -servername $host -alpn h2,http/1.1 >/dev/null 2>&1 || true
done
query en.wikipedia.org
ip netns exec $cli curl -s -o /dev/null -A 'flowsieve-sample/1.0' -H 'Host: en.wikipedia.org' http://198.51.100.10/cert.pem
sleep 1
kill $dump; wait $dump 2>/dev/null || true
mkdir -p "$(dirname "$out")"
cp "$work/cap.pcapng" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"

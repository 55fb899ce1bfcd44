#!/bin/bash
# A one-node Ceph cluster with its RADOS Gateway (S3) on 127.0.0.1, from Debian's packages
# (apt-get install ceph-mon ceph-osd radosgw): one monitor, one OSD keeping objects in memory
# (memstore), cephx keys in DIR/keyring, and an S3 user. For the scale-out check and the S3 tests:
#
#   tests_e2e/ceph_rgw.sh start DIR S3_PORT MON_PORT ACCESS_KEY SECRET_KEY   # prints "ready" when S3 answers
#   tests_e2e/ceph_rgw.sh stop DIR
set -euo pipefail
command=${1:?start or stop}; D=${2:?folder}

stop() {
    local pids=()
    for name in client.rgw osd.0 mon.a; do
        if [ -f "$D/run/$name.pid" ]; then pids+=("$(cat "$D/run/$name.pid")"); fi
    done
    [ ${#pids[@]} -eq 0 ] && return 0
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 40); do
        kill -0 "${pids[@]}" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}

if [ "$command" = stop ]; then stop; exit 0; fi

S3_PORT=${3:?s3 port}; MON_PORT=${4:?monitor port}; ACCESS=${5:?access key}; SECRET=${6:?secret key}
rm -rf "$D"; mkdir -p "$D"/{run,log,mon.a,osd.0}
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon initial members = a
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
ms bind ipv6 = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
keyring = $D/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd data = $D/osd.\$id
mon data = $D/mon.\$id
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT
rgw thread pool size = 64
CONF
C=(-c "$D/ceph.conf")
K="$D/keyring"
ceph-authtool --create-keyring "$K" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$K" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
ceph-authtool "$K" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' >/dev/null
ceph-authtool "$K" --gen-key -n client.rgw --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$K"
ceph-mon "${C[@]}" -i a
for _ in $(seq 60); do timeout 5 ceph "${C[@]}" --connect-timeout 2 mon stat >/dev/null 2>&1 && break; sleep 0.5; done
ID=$(timeout 30 ceph "${C[@]}" osd create)
ceph-osd "${C[@]}" -i "$ID" --mkfs >/dev/null 2>&1
ceph-osd "${C[@]}" -i "$ID" 2>/dev/null
timeout 30 ceph "${C[@]}" osd crush add "osd.$ID" 1.0 host=localhost root=default >/dev/null 2>&1 || true
radosgw "${C[@]}" -n client.rgw
timeout 60 radosgw-admin "${C[@]}" user create --uid=regapp --display-name=regapp \
    --access-key="$ACCESS" --secret-key="$SECRET" >/dev/null
for _ in $(seq 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/"; then echo ready; exit 0; fi
    sleep 0.5
done
echo "the RADOS Gateway did not answer on 127.0.0.1:$S3_PORT (see $D/log)" >&2
stop
exit 1

#!/bin/sh
# Bad module parameters fail with EINVAL and a "swapdrain: " line in dmesg.
. /tests/lib.sh
need_module params

for p in batch_size=0 batch_size=abc max_pending=-1 nr_threads=100000; do
	mark=$(dmesg_mark)
	if insmod "$KO" "$p" 2>/tmp/err; then
		bad "insmod $p succeeded"
		unload_module
		continue
	fi
	info "insmod $p: $(cat /tmp/err)"
	grep -q -e 'Invalid argument' -e 'invalid parameters' /tmp/err || bad "insmod $p: not EINVAL: $(cat /tmp/err)"
	loaded && bad "module loaded after insmod $p"
	dmesg_since "$mark" | grep -q 'swapdrain: ' || bad "insmod $p: no 'swapdrain: ' dmesg line"
done

load_module enabled=1 || { result params; exit 1; }
for v in -1 abc; do
	old=$(param max_pending)
	mark=$(dmesg_mark)
	if echo "$v" > "$PARAMS/max_pending"; then
		bad "max_pending=$v accepted at runtime"
	fi
	[ "$(param max_pending)" = "$old" ] ||
		bad "max_pending changed $old -> $(param max_pending) by a bad write"
	dmesg_since "$mark" | grep -q 'swapdrain: ' || bad "max_pending=$v: no 'swapdrain: ' dmesg line"
done
unload_module
result params

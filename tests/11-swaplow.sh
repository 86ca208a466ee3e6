#!/bin/sh
# Swap nearly full: below swap_low_pct (10) of free swap, exits free
# synchronously (fallback_swap_low) and an urgent drain starts; above it
# they defer. On a 128 MiB zram swap of its own (zram0 off), held full by
# processes whose zero pages are paged out (a swap slot each, no memory):
#  A. 50% free: a storm is deferred, no fallback;
#  B. ~2% free at the kills: the exits free synchronously until enough is
#     free again: at most (swapped - (threshold - free)) entries deferred;
#  C. the module loaded while swap is already ~10% free: the same.
. /tests/lib.sh
need_module swaplow

H1= H2= H3=
cleanup() {
	for p in $H1 $H2 $H3; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	unload_module
	extra_swap_off
}
trap cleanup EXIT
trap 'exit 1' TERM INT

# hold MiB FILE: a background process with MiB of zero pages in swap.
hold() {
	sdtool mem -m "$1" -f 100 -P zero > "$2" 2>&1 &
	HP=$!
	wait_ready "$2" 60 $HP && info "holder: $(cat "$2"), SwapFree $(swapfree_kb) kB"
}
snap() { d0=$(stat deferred_entries) l0=$(stat fallback_swap_low) u0=$(stat urgent_drains); }
delta() { dd=$(($(stat deferred_entries) - d0)) dl=$(($(stat fallback_swap_low) - l0)) du=$(($(stat urgent_drains) - u0)); }

unload_module
extra_swap_on 128 || { result swaplow; exit 1; }
base=$(swapfree_kb)
thr=$((base * 10 / 100))
info "swap $XSWAP: $base kB free, threshold $thr kB"
load_module || { result swaplow; exit 1; }
# The module learns the size of swap from what it sees free.
swapstorm storm -p 1 -m 4 -f 50 > /dev/null
wait_drained 30

hold 64 /tmp/h1; H1=$HP
snap
swapstorm storm -p 2 -m 16 -f 60 -g 16
delta
info "A: $(kv swapfree_ready_kb) kB free at the kills: deferred +$dd, fallback_swap_low +$dl"
gt "$(kv swapfree_ready_kb)" "$((thr + 4096))" || bad "A: swap not free enough for the check"
gt "$dd" "$(($(kv swapped_kb) / 4 * 9 / 10))" || bad "A: only $dd of $(($(kv swapped_kb) / 4)) entries deferred above the threshold"
[ "$dl" = 0 ] || bad "A: fallback_swap_low +$dl with $(kv swapfree_ready_kb) kB free (threshold $thr kB)"
wait_drained 30

hold 44 /tmp/h2; H2=$HP
snap
swapstorm storm -p 2 -m 12 -f 75 -g 16
delta
free=$(kv swapfree_ready_kb) sw=$(kv swapped_kb)
# Deferred entries do not free swap: at least the deficit below the
# threshold must be freed synchronously before anything is deferred.
# 1 MiB of slack for the swap slot caches.
most=$(((sw - (thr - free) + 1024) / 4))
[ $most -ge 0 ] || most=0
info "B: $free kB free at the kills ($sw kB swapped): deferred +$dd (at most $most)," \
     "fallback_swap_low +$dl, urgent_drains +$du"
[ "$free" -lt "$thr" ] || bad "B: swap not full enough for the check ($free kB free)"
gt "$dl" 0 || bad "B: no fallback_swap_low below the threshold"
gt "$du" 0 || bad "B: no urgent drain below the threshold"
[ "$dd" -le "$most" ] || bad "B: $dd entries deferred, more than the $most above the threshold"
wait_drained 30
show_stats
check_balance

# C: a module loaded when swap is already nearly full.
unload_module
hold 8 /tmp/h3; H3=$HP
load_module || { result swaplow; exit 1; }
snap
swapstorm storm -p 1 -m 8 -f 75 -g 16
delta
free=$(kv swapfree_ready_kb) sw=$(kv swapped_kb)
most=$(((sw - (thr - free) + 1024) / 4))
[ $most -ge 0 ] || most=0
info "C: loaded with $(kv swapfree_base_kb) kB free; $free kB free at the kills:" \
     "deferred +$dd (at most $most), fallback_swap_low +$dl"
[ "$free" -lt "$thr" ] || bad "C: swap not full enough for the check ($free kB free)"
[ "$dd" -le "$most" ] ||
	bad "C: loaded with swap ${free} kB free of $base kB, the module deferred $dd entries: it does not know the size of swap"
wait_drained 30
kill $H1 $H2 $H3; wait 2>/dev/null; H1= H2= H3=
wait_drained 30
check_balance
check_swapfree "$base"
dmesg_clean
result swaplow

#!/bin/sh
# After the suite: no kernel warnings, bugs, oopses or bad swap entries.
. /tests/lib.sh

pat='WARNING:|BUG:|Oops|Bad swap|Unused swap|Bad page|bad pte|print_bad_pte|Call Trace|general protection|soft lockup|blocked for more than|rcu_.*stall|self-detected stall|Missing ENDBR|refcount_t:|list_(add|del) corruption'
if dmesg | grep -E "$pat" > /tmp/bad; then
	sed 's/^/  dmesg: /' /tmp/bad | head -n 40
	fail dmesg "$(wc -l < /tmp/bad) suspicious kernel log lines"
else
	pass dmesg
fi

# SPDX-License-Identifier: GPL-2.0
# plot-bench.gnuplot: the `make bench` figure, from scripts/bench-report.py's
# .dat files.  gnuplot -e "dir='results/bench-...'; title='...'" plot-bench.gnuplot
# Points: medians; bars: min-max over the repetitions.
if (!exists("dir")) dir = "."
if (!exists("title")) title = "swapdrain: module off (enabled=0) vs on (enabled=1)"
set terminal pngcairo size 1600,1750 font "DejaVu Sans,11"
set output dir."/bench.png"
set datafile missing "NaN"
set grid
set key top left
set multiplot layout 3,2 title title font ",14"

off = "#c0392b"; on = "#27ae60"; on2 = "#2980b9"
e16 = dir."/exit_g16.dat"; e1 = dir."/exit_g1.dat"

# 1: exit latency
set title "Exit latency: kill-to-reap, median per process"
set xlabel "% of each process's memory swapped (zram)"
set ylabel "ms"
set xrange [-5:95]
set yrange [0:*]
# (on and -g 1 shifted a little to the right so that the bars do not hide each other)
plot e16 u 1:2:3:4 w yerrorlines lc rgb off pt 7 lw 2 t "off, -g 16", \
     e16 u ($1+1.5):5:6:7 w yerrorlines lc rgb on pt 7 lw 2 t "on, -g 16", \
     e1 u ($1+3):2:3:4 w yerrorbars lc rgb off pt 6 ps 1.5 lw 2 t "off, -g 1", \
     e1 u ($1+4.5):5:6:7 w yerrorbars lc rgb on pt 6 ps 1.5 lw 2 t "on, -g 1"

# 2: memory return
set title "Memory return: kills until SwapFree back at baseline (1 MiB)"
set ylabel "ms"
set y2label "peak pending entries (on)"
set y2tics
set y2range [0:*]
plot e16 u 1:8:9:10 w yerrorlines lc rgb off pt 7 lw 2 t "off, -g 16", \
     e16 u ($1+1.5):11:12:13 w yerrorlines lc rgb on pt 7 lw 2 t "on, -g 16", \
     e1 u ($1+3):8:9:10 w yerrorbars lc rgb off pt 6 ps 1.5 lw 2 t "off, -g 1", \
     e1 u ($1+4.5):11:12:13 w yerrorbars lc rgb on pt 6 ps 1.5 lw 2 t "on, -g 1", \
     e16 u 1:14 axes x1y2 w linespoints lc rgb on2 dt 2 pt 4 t "peak pending (on, -g 16)"
unset y2label
unset y2tics

# 3, 4: foreground frames
set xlabel "frame due time after the kills (ms)"
set ylabel "frame time (ms); dropped = 60"
set xrange [-500:*]
set yrange [0:65]
set arrow 1 from graph 0, first 16.67 to graph 1, first 16.67 nohead dt 2 lc rgb "black"
set key top right
set title "Foreground frames (one repetition), idle guest"
plot dir."/frames_b0_off.dat" u 1:2 w points lc rgb off pt 7 ps 0.6 t "off", \
     dir."/frames_b0_on.dat" u 1:2 w points lc rgb on pt 7 ps 0.6 t "on"
set title "Foreground frames (one repetition), with busy background processes"
fb = system("ls ".dir."/frames_b[1-9]*_off.dat 2>/dev/null | head -n1")
fbon = system("ls ".dir."/frames_b[1-9]*_on.dat 2>/dev/null | head -n1")
if (strlen(fb) > 0) {
	plot fb u 1:2 w points lc rgb off pt 7 ps 0.6 t "off", \
	     fbon u 1:2 w points lc rgb on pt 7 ps 0.6 t "on"
} else {
	unset arrow 1
	plot NaN t "no data"
}
unset arrow 1

# 5: CPU
set key top left
set title "CPU time of a storm: exiting tasks + drain threads"
set xlabel "% swapped (-g 16)"
set ylabel "CPU ms"
set xrange [-5:95]
set yrange [0:*]
plot e16 u 1:17:18:19 w yerrorlines lc rgb off pt 7 lw 2 t "off: exiting tasks", \
     e16 u ($1+1.5):26:27:28 w yerrorlines lc rgb on pt 7 lw 2 t "on: exiting tasks + drainers", \
     e16 u 1:20 w linespoints lc rgb on dt 2 pt 4 t "on: exiting tasks", \
     e16 u 1:23 w linespoints lc rgb on2 dt 2 pt 4 t "on: drainers (drain\\_cpu\\_ns)"

# 6: scaling
set title "Drain throughput at 60% swapped (-g 16), per boot / mode (onN: N drain threads)"
set xlabel ""
set ylabel "entries/s, kills to pending 0"
set xrange [-0.6:*]
set yrange [0:*]
set style fill solid 0.5
set boxwidth 0.6
set xtics rotate by -30
plot dir."/scale.dat" u 1:3:xtic(2) w boxes lc rgb on2 t "median", \
     dir."/scale.dat" u 1:3:4:5 w yerrorbars lc rgb "black" pt 0 t "min-max"
unset multiplot

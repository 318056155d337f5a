#!/bin/sh
# Lays the nfit_test build's modules out in the Debian chroot as `make M=tools/testing/nvdimm
# modules_install` would for the running kernel: /lib/modules/<release>/extra/, indexed by the
# chroot's own depmod. Why: ndctl's test harness looks each nfit_test-related module up through
# libkmod and accepts it only from an /extra/ or /updates/ path (otherwise it reports nfit_test
# unavailable and exits 77), and its shell tests unload and reload the simulator with
# `modprobe -r nfit_test` and `modprobe nfit_test`. The modules are already loaded (insmod from the
# initramfs, load-modules.sh); this makes the chroot's module tools find the same files.
# Run by ndctl-meson.sh after it mounted the root filesystem (a per-run overlay: writing is fine).
# Usage: chroot-modules.sh ROOT [ORDER] [KERNEL_FILES]
#   ORDER: "name path" lines in load order (the initramfs's modules.order)
#   KERNEL_FILES: folder with the kernel build's modules.builtin and modules.builtin.modinfo
# Exit status 0 when installed and indexed; otherwise 1, with the reason as the last line.
root=$1
order=${2:-/daxbot/nfit-sim/modules.order}
kfiles=${3:-/daxbot/nfit-sim/kernel}
rel=$(uname -r)
[ -d "$root" ] || { echo "no chroot at $root"; exit 1; }

# Debian's /lib is a symlink to usr/lib; resolve it inside the chroot so an absolute link can
# never send the files into the initramfs.
lib=$(chroot "$root" /usr/bin/readlink -f /lib) ||
	{ echo "cannot resolve /lib in the chroot"; exit 1; }
dir=$root$lib/modules/$rel
mkdir -p "$dir/extra" || { echo "cannot create $dir/extra"; exit 1; }
: >"$dir/modules.order"
while read -r name path; do
	[ -n "$name" ] || continue
	case $name in \#*) continue ;; esac
	cp "$path" "$dir/extra/$name.ko" || { echo "cannot copy $path into $dir/extra"; exit 1; }
	# depmod reads the order relative to the release folder, as modules_install writes it.
	echo "extra/$name.ko" >>"$dir/modules.order"
done <"$order"

# With the built-in lists, modprobe and modinfo answer for modules built into this kernel (a
# test that probes one succeeds) instead of calling them missing.
for f in modules.builtin modules.builtin.modinfo; do
	[ -e "$kfiles/$f" ] && { cp "$kfiles/$f" "$dir/$f" || { echo "cannot copy $f"; exit 1; }; }
done

out=$(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin depmod "$rel" 2>&1)
rc=$?
[ -n "$out" ] && printf '%s\n' "$out"
[ $rc = 0 ] || { echo "depmod $rel in the chroot exited $rc"; exit 1; }
echo "installed $(grep -c . "$dir/modules.order") modules in $lib/modules/$rel/extra"

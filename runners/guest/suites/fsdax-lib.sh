# fsdax set-up the DAX suites share: the namespace, mkfs, a dax=always mount, and the non-DAX
# O_DIRECT target. Sourced by dax.sh and dax-race.sh after lib.sh.
MNT=/mnt/dax
mkdir -p $MNT

setup_fsdax() {
  ndctl list -RNDi 2>&1 | head -n 40
  # A fresh NVDIMM's label area is blank: reconfigure the label-less namespace, else write
  # labels and create one.
  if ! ndctl create-namespace -f -e namespace0.0 -m fsdax; then
    ndctl disable-region all && ndctl init-labels -f all && ndctl enable-region all
    ndctl create-namespace -f -m fsdax -r region0 || return 1
  fi
  [ -b /dev/pmem0 ] || { echo "no /dev/pmem0"; ls /dev; return 1; }
}
mkfs_xfs() {
  # xfsprogs refuses filesystems under 300 MB unless run from a test harness (fstests' variables);
  # reflink and DAX do not mix on 6.1.
  TEST_DEV=/dev/pmem0 TEST_DIR=$MNT QA_CHECK_FS=1 mkfs.xfs -f -q -m reflink=0 /dev/pmem0
}
mount_dax() { # fstype
  mount -o dax=always -t "$1" /dev/pmem0 $MNT || return 1
  grep " $MNT " /proc/mounts
  grep " $MNT " /proc/mounts | grep -q 'dax' || { echo "dax not in mount options"; return 1; }
}
# O_DIRECT between a DAX mapping and a non-DAX block device: the second (scratch) NVDIMM's
# label-less raw namespace, /dev/pmem1. A DAX destination would copy without pinning pages.
odirect() { # src [daxio mode]
  if [ ! -b /dev/pmem1 ]; then
    echo "no non-DAX block device: configure a second NVDIMM (its raw namespace is /dev/pmem1)"
    return 77
  fi
  grep -q '^/dev/pmem1 ' /proc/mounts && { echo "/dev/pmem1 is mounted"; return 1; }
  daxio "${2:-odirect}" "$1" /dev/pmem1
}

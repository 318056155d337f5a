#!/bin/sh
# The DAX suite: fsdax on ext4 and xfs (mount -o dax=always, mmap, MAP_SYNC, truncate and hole
# punch under a mapping, O_DIRECT between a DAX mapping and a non-DAX block device), devdax
# mmap, namespace reconfiguration. The O_DIRECT-versus-truncate race is the dax-race suite.
. /daxbot/suites/lib.sh
. /daxbot/suites/fsdax-lib.sh

fs_tests() { # fs
  fs=$1
  run_test ${fs}_mmap_rw ${fs}_dax_mount -- daxio rw $MNT/rw
  run_test ${fs}_map_sync ${fs}_dax_mount -- daxio mapsync $MNT/sync
  run_test ${fs}_truncate_mapped ${fs}_dax_mount -- daxio truncate $MNT/trunc
  run_test ${fs}_punch_hole_mapped ${fs}_dax_mount -- daxio punch $MNT/punch
  run_test ${fs}_odirect_from_dax ${fs}_dax_mount -- odirect $MNT/src
  run_test ${fs}_umount ${fs}_dax_mount -- umount $MNT
}
devdax_setup() {
  ndctl create-namespace -f -e namespace0.0 -m devdax --align 2M || return 1
  [ -c /dev/dax0.0 ] || { echo "no /dev/dax0.0"; return 1; }
}
reconfigure() {
  ndctl disable-namespace namespace0.0 || return 1
  ndctl enable-namespace namespace0.0 || return 1
  ndctl destroy-namespace -f namespace0.0 || return 1
  ndctl create-namespace -f -e namespace0.0 -m fsdax 2>/dev/null || ndctl create-namespace -m fsdax -r region0 || return 1
  [ -b /dev/pmem0 ] || { echo "no /dev/pmem0 after reconfigure"; return 1; }
}

ktap_plan fsdax_namespace \
  ext4_mkfs ext4_dax_mount ext4_mmap_rw ext4_map_sync ext4_truncate_mapped ext4_punch_hole_mapped ext4_odirect_from_dax ext4_umount \
  xfs_mkfs xfs_dax_mount xfs_mmap_rw xfs_map_sync xfs_truncate_mapped xfs_punch_hole_mapped xfs_odirect_from_dax xfs_umount \
  devdax_namespace devdax_mmap namespace_reconfigure
run_test fsdax_namespace -- setup_fsdax
# DAX needs the fs block to equal the page size; mke2fs picks 1 KiB blocks on small devices.
run_test ext4_mkfs fsdax_namespace -- mkfs.ext4 -F -q -b 4096 /dev/pmem0
run_test ext4_dax_mount ext4_mkfs -- mount_dax ext4
fs_tests ext4
run_test xfs_mkfs fsdax_namespace -- mkfs_xfs
run_test xfs_dax_mount xfs_mkfs -- mount_dax xfs
fs_tests xfs
run_test devdax_namespace fsdax_namespace -- devdax_setup
run_test devdax_mmap devdax_namespace -- daxio devdax /dev/dax0.0
run_test namespace_reconfigure devdax_namespace -- reconfigure

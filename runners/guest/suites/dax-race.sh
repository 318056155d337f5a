#!/bin/sh
# The dax-race suite (opt in: `--suite dax-race`, `#daxbot test dax-race`): O_DIRECT writes
# from a DAX mapping to a non-DAX block device while another thread truncates the mapped file,
# on ext4 and xfs. Truncate must wait in ext4/xfs_break_layouts until the DMA's page pins are
# dropped, and be woken then. Not in the default plan: on Debian's 6.1.192 the truncating
# thread sleeps in ext4_break_layouts forever after the writes are done (the guest watchdog's
# stacks show it), which would cost every run a test timeout.
. /daxbot/suites/lib.sh
. /daxbot/suites/fsdax-lib.sh

ktap_plan fsdax_namespace ext4_mkfs ext4_dax_mount ext4_odirect_truncate_race ext4_umount \
  xfs_mkfs xfs_dax_mount xfs_odirect_truncate_race xfs_umount
run_test fsdax_namespace -- setup_fsdax
run_test ext4_mkfs fsdax_namespace -- mkfs.ext4 -F -q -b 4096 /dev/pmem0
run_test ext4_dax_mount ext4_mkfs -- mount_dax ext4
run_test ext4_odirect_truncate_race ext4_dax_mount -- odirect $MNT/src odirect-race
run_test ext4_umount ext4_dax_mount -- umount $MNT
run_test xfs_mkfs fsdax_namespace -- mkfs_xfs
run_test xfs_dax_mount xfs_mkfs -- mount_dax xfs
run_test xfs_odirect_truncate_race xfs_dax_mount -- odirect $MNT/src odirect-race
run_test xfs_umount xfs_dax_mount -- umount $MNT

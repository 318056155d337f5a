/**
 * The Debian packages the fstests-dax suite needs in the guest's root filesystem
 * (runners/guest/debian-rootfs.ts): what fstests' README lists for Debian to build it and what the
 * `dax` group's tests and fstests' `check` run. Left out on purpose: fio (it pulls in the Ceph and
 * GlusterFS client libraries, some 150 MB) and dbench, which no test of the `dax` group runs;
 * lvm2 (dmsetup alone drives dm-log-writes for generic/470); git, indent and the kernel headers
 * (fstests builds against the C library's linux-libc-dev headers).
 */
export const FSTESTS_ROOTFS_PACKAGES: readonly string[] = [
  // Building: fstests' Makefile runs libtoolize, aclocal and autoconf, then configure and make.
  'make',
  'gcc',
  'libc6-dev',
  'autoconf',
  'automake',
  'libtool',
  'libtool-bin',
  'pkg-config',
  'uuid-dev',
  'xfslibs-dev',
  'libattr1-dev',
  'libacl1-dev',
  'libaio-dev',
  'libgdbm-dev',
  'libgdbm-compat-dev',
  'libcap-dev',
  'liburing-dev',
  // Running: check's hard requirements (perl, gawk, sed, bc, xfs_io, mkfs) and the group's tools.
  'xfsprogs',
  'e2fsprogs',
  'attr',
  'acl',
  'quota',
  'gawk',
  'bc',
  'psmisc',
  'python3',
  'sqlite3',
  'uuid-runtime',
  'util-linux',
  'dmsetup',
  'procps',
  'kmod',
  'file',
];

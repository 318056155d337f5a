// daxio: DAX exercises for the guest suite. Each mode exits 0 on success, prints why otherwise.
//   rw FILE        mmap write, msync, read back through read(2)
//   mapsync FILE   MAP_SHARED_VALIDATE|MAP_SYNC must be accepted (only DAX supports it)
//   truncate FILE  shrink while mapped: access past EOF must SIGBUS, the rest stays readable
//   punch FILE     punch a hole while mapped: the range reads back as zeros and is writable
//   odirect SRC DST  O_DIRECT write from / read into a DAX mapping of SRC, with DST a non-DAX
//                  block device (or file): the block layer pins the DAX pages with
//                  get_user_pages. DST must not be on DAX: a DAX destination takes the
//                  DAX copy path and never pins anything.
//   odirect-race SRC DST  the same, then O_DIRECT writes from the mapping racing truncate
//                  of SRC (DMA versus truncate: ext4/xfs_break_layouts must wait for the
//                  pinned pages and be woken when they are released)
//   devdax DEV     mmap a device-dax character device at 2 MiB alignment
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

#define MB (1024UL * 1024UL)
#define SZ (8 * MB)

static sigjmp_buf jb;
static void on_sigbus(int sig) { (void)sig; siglongjmp(jb, 1); }

static int fail(const char *what) {
  printf("FAIL: %s: %s\n", what, strerror(errno));
  return 1;
}

static void fill(unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 31 + seed);
}
static long check(const unsigned char *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != (unsigned char)(i * 31 + seed)) return (long)i;
  return -1;
}

static unsigned char *map_file(const char *path, size_t size, int flags, int *fdp) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return NULL;
  if (ftruncate(fd, size) != 0) return NULL;
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) return NULL;
  *fdp = fd;
  return p;
}

static int mode_rw(const char *path) {
  int fd;
  unsigned char *p = map_file(path, SZ, MAP_SHARED, &fd);
  if (!p) return fail("map");
  fill(p, SZ, 7);
  if (msync(p, SZ, MS_SYNC) != 0) return fail("msync");
  munmap(p, SZ);
  unsigned char *buf = malloc(SZ);
  if (pread(fd, buf, SZ, 0) != (ssize_t)SZ) return fail("pread");
  long bad = check(buf, SZ, 7);
  if (bad >= 0) { printf("FAIL: mismatch at %ld\n", bad); return 1; }
  close(fd);
  printf("rw ok\n");
  return 0;
}

static int mode_mapsync(const char *path) {
  int fd;
  unsigned char *p = map_file(path, SZ, MAP_SHARED_VALIDATE | MAP_SYNC, &fd);
  if (!p) return fail("mmap MAP_SYNC");
  fill(p, SZ, 3);
  long bad = check(p, SZ, 3);
  if (bad >= 0) { printf("FAIL: mismatch at %ld\n", bad); return 1; }
  munmap(p, SZ);
  close(fd);
  printf("map_sync ok\n");
  return 0;
}

static int mode_truncate(const char *path) {
  int fd;
  unsigned char *p = map_file(path, SZ, MAP_SHARED, &fd);
  if (!p) return fail("map");
  fill(p, SZ, 5);
  if (ftruncate(fd, SZ / 2) != 0) return fail("ftruncate");
  long bad = check(p, SZ / 2, 5);
  if (bad >= 0) { printf("FAIL: mismatch at %ld after truncate\n", bad); return 1; }
  signal(SIGBUS, on_sigbus);
  volatile int got_bus = 0;
  if (sigsetjmp(jb, 1) == 0) {
    volatile unsigned char c = p[SZ / 2 + 4096];
    (void)c;
  } else {
    got_bus = 1;
  }
  signal(SIGBUS, SIG_DFL);
  if (!got_bus) { printf("FAIL: no SIGBUS past EOF\n"); return 1; }
  if (ftruncate(fd, SZ) != 0) return fail("re-extend");
  memset(p + SZ / 2, 0xab, SZ / 2);
  munmap(p, SZ);
  close(fd);
  printf("truncate ok\n");
  return 0;
}

static int mode_punch(const char *path) {
  int fd;
  unsigned char *p = map_file(path, SZ, MAP_SHARED, &fd);
  if (!p) return fail("map");
  fill(p, SZ, 9);
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * MB, 2 * MB) != 0) return fail("punch hole");
  for (size_t i = 2 * MB; i < 4 * MB; i++)
    if (p[i] != 0) { printf("FAIL: punched byte %zu is %d\n", i, p[i]); return 1; }
  long bad = check(p, 2 * MB, 9);
  if (bad >= 0) { printf("FAIL: mismatch before hole at %ld\n", bad); return 1; }
  memset(p + 2 * MB, 0x5a, 2 * MB);
  if (msync(p, SZ, MS_SYNC) != 0) return fail("msync");
  munmap(p, SZ);
  close(fd);
  printf("punch ok\n");
  return 0;
}

struct race { int fd; volatile int stop; };
static void *truncater(void *arg) {
  struct race *r = arg;
  for (int i = 0; i < 20 && !r->stop; i++) {
    if (ftruncate(r->fd, SZ / 2) != 0) break;
    if (ftruncate(r->fd, SZ) != 0) break;
  }
  return NULL;
}

static int mode_odirect(const char *src, const char *dst, int race) {
  int sfd;
  unsigned char *p = map_file(src, SZ, MAP_SHARED, &sfd);
  if (!p) return fail("map src");
  fill(p, SZ, 11);
  struct stat st;
  int blk = stat(dst, &st) == 0 && S_ISBLK(st.st_mode);
  int dfd = blk ? open(dst, O_RDWR | O_DIRECT) : open(dst, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
  if (dfd < 0) return fail("open O_DIRECT");
  if (blk) {
    unsigned long long bytes = 0;
    FILE *f;
    char sys[256];
    // The target's size, from sysfs (512-byte sectors): a small scratch DIMM must hold SZ.
    snprintf(sys, sizeof sys, "/sys/dev/block/%u:%u/size", major(st.st_rdev), minor(st.st_rdev));
    if ((f = fopen(sys, "r")) != NULL) {
      if (fscanf(f, "%llu", &bytes) != 1) bytes = 0;
      fclose(f);
    }
    if (bytes * 512 < SZ) { printf("FAIL: %s holds %llu sectors, need %lu bytes\n", dst, bytes, SZ); return 1; }
  }
  // The write's source pages are the DAX mapping: the kernel pins them with GUP.
  printf("odirect: write %lu bytes from the DAX mapping\n", SZ);
  if (pwrite(dfd, p, SZ, 0) != (ssize_t)SZ) return fail("O_DIRECT write from DAX mapping");
  memset(p, 0, SZ);
  printf("odirect: read back into the DAX mapping\n");
  if (pread(dfd, p, SZ, 0) != (ssize_t)SZ) return fail("O_DIRECT read into DAX mapping");
  long bad = check(p, SZ, 11);
  if (bad >= 0) { printf("FAIL: round trip mismatch at %ld\n", bad); return 1; }
  if (!race) {
    munmap(p, SZ);
    close(sfd);
    close(dfd);
    printf("odirect ok\n");
    return 0;
  }
  // DMA versus truncate: O_DIRECT from the mapping while another thread truncates the file.
  struct race r = { .fd = sfd, .stop = 0 };
  pthread_t t;
  signal(SIGBUS, SIG_IGN);
  printf("odirect: O_DIRECT writes racing truncate\n");
  pthread_create(&t, NULL, truncater, &r);
  for (int i = 0; i < 20; i++) {
    ssize_t n = pwrite(dfd, p, SZ / 2, 0);
    if (n < 0 && errno != EFAULT) { r.stop = 1; pthread_join(t, NULL); return fail("racing O_DIRECT write"); }
  }
  r.stop = 1;
  pthread_join(t, NULL);
  munmap(p, SZ);
  close(sfd);
  close(dfd);
  printf("odirect race ok\n");
  return 0;
}

static int mode_devdax(const char *dev) {
  int fd = open(dev, O_RDWR);
  if (fd < 0) return fail("open devdax");
  size_t len = 64 * MB;
  // A length that is not a multiple of the 2 MiB alignment must be refused.
  void *bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (bad != MAP_FAILED) { printf("FAIL: 4 KiB mmap of 2 MiB-aligned devdax accepted\n"); return 1; }
  unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail("mmap devdax");
  fill(p, len, 13);
  long m = check(p, len, 13);
  if (m >= 0) { printf("FAIL: devdax mismatch at %ld\n", m); return 1; }
  munmap(p, len);
  p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail("remap devdax");
  m = check(p, len, 13);
  if (m >= 0) { printf("FAIL: devdax data lost at %ld\n", m); return 1; }
  munmap(p, len);
  close(fd);
  printf("devdax ok\n");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 3) { fprintf(stderr, "usage: daxio MODE PATH [PATH]\n"); return 2; }
  const char *m = argv[1];
  if (!strcmp(m, "rw")) return mode_rw(argv[2]);
  if (!strcmp(m, "mapsync")) return mode_mapsync(argv[2]);
  if (!strcmp(m, "truncate")) return mode_truncate(argv[2]);
  if (!strcmp(m, "punch")) return mode_punch(argv[2]);
  if (!strcmp(m, "odirect") && argc > 3) return mode_odirect(argv[2], argv[3], 0);
  if (!strcmp(m, "odirect-race") && argc > 3) return mode_odirect(argv[2], argv[3], 1);
  if (!strcmp(m, "devdax")) return mode_devdax(argv[2]);
  fprintf(stderr, "unknown mode %s\n", m);
  return 2;
}

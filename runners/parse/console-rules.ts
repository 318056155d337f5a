/**
 * Data for the console crash analyzer: which lines start a kernel report and how its title is built.
 *
 * The rule set follows the conventions of syzkaller's Linux report parser (titles such as
 * "WARNING in foo" or "KASAN: use-after-free Read in foo" are what kernel developers and syzbot
 * use, so matching them lets our reports be compared with syzbot's). Only the conventions were
 * learned from syzkaller; the representation and the engine (console.ts) are our own and work
 * line by line, so no rule can run across a multi-megabyte log.
 */
import type { FindingType } from '../types.ts';

/** Function name in a frame: "name+0x..", "name.isra.0+0x..". Group 1 is the name. */
const FUNC = '([a-zA-Z0-9_]+)(?:\\.|\\+)';
/** "[<ffffffff81234567>]" or "[ffffffff81234567]" address in old-style traces. */
const PC = '\\[<?(?:0x)?[0-9a-f]+>?\\]';
/** "fs/dax.c:123" */
const SRC = '([a-zA-Z0-9\\-_/.]+\\.[a-z]+:[0-9]+)';

export function rx(source: string, flags = ''): RegExp {
  return new RegExp(source.replaceAll('{{FUNC}}', FUNC).replaceAll('{{PC}}', PC).replaceAll('{{SRC}}', SRC), flags);
}

/** A stack-parsing step: read frames from the following lines until the next stack keyword. */
export const STACK = 'STACK' as const;
export type StackPart = RegExp | typeof STACK;

export type FrameExtractor = 'first' | 'stall' | 'hung-task';

export interface StackSpec {
  /** Matched in order, each from where the previous one stopped; regexes may capture a frame. */
  parts: StackPart[];
  /** Tried when `parts` produced no frame. */
  parts2?: StackPart[];
  /** Extra substrings that disqualify a frame, on top of COMMON_SKIP. */
  skip?: string[];
  extractor?: FrameExtractor;
}

export interface TitleFormat {
  /** Tested against each report line; the earliest line matched by any format wins. */
  title: RegExp;
  /**
   * Optional chain of line regexes, the first tested on the title line, each next one on later
   * lines: it stands in for a multi-line pattern. Captured groups become the arguments.
   * When the chain fails, the next format is tried.
   */
  report?: RegExp[];
  /** Builds the title from the captured arguments and (when `stack` is set) the guilty frame. */
  fmt: (args: string[], frame: string) => string;
  stack?: StackSpec;
  type: FindingType;
}

export interface OopsRule {
  /** Substring that marks a line as the start of a report. */
  header: string;
  /** A line with the header but matching one of these is not a report. */
  ignore: RegExp[];
  formats: TitleFormat[];
  /** When no format matched: type of the fallback title (the header line itself). */
  fallbackType: FindingType;
}

/**
 * Frames that are reporting, allocation, locking or library helpers, never the culprit
 * (regex sources, tested against the bare function name).
 */
export const COMMON_SKIP: readonly string[] = [
  '__sanitizer',
  '__asan',
  'kasan',
  'hwasan',
  '__msan',
  'kmsan',
  'kcsan_setup_watchpoint',
  'check_memory_region',
  'check_heap_object',
  'check_object',
  'read_word_at_a_time',
  '(?:read|write)_once_.*nocheck',
  'print_address_description',
  'panic',
  'invalid_op',
  'report_bug',
  'fixup_bug',
  'print_report',
  'print_usage_bug',
  'do_error',
  '_trap$|do_trap',
  'show_stack',
  'dump_stack',
  'walk_stack',
  'dump_backtrace',
  'warn_slowpath',
  'warn_alloc',
  'warn_bogus',
  '__warn',
  'alloc_page',
  'k?v?(?:m|z|c)alloc',
  'krealloc',
  'kmem_cache',
  'allocate_slab',
  '__alloc_frozen_pages_noprof',
  'folio_(?:alloc|unlock)',
  'filemap_alloc_folio',
  '__filemap_get_folio',
  'find_or_create_page',
  'do_read_cache_folio',
  'read_cache_page',
  'pagecache_get_page',
  'grab_cache_page_write_begin',
  'slab_',
  'debug_object',
  'timer_is_static_object',
  'work_is_static_object',
  '__might_fault',
  'print_unlock',
  'imbalance_bug',
  'lockdep',
  'bh_enable',
  'bh_disable',
  'perf_trace',
  'lock_acquire',
  'lock_release',
  'lock_class',
  'mark_lock',
  '(?:reacquire|mark)_held_locks',
  'raw_spin_rq',
  'spin_lock',
  'spin_trylock',
  'spin_unlock',
  'read_lock',
  'read_trylock',
  'write_lock',
  'write_trylock',
  'read_unlock',
  'write_unlock',
  '^down$',
  'down_read',
  'down_write',
  'down_trylock',
  'up_read',
  'up_write',
  '^mutex_',
  '^__mutex_',
  '^rt_mutex_',
  'owner_on_cpu',
  'osq_lock',
  'osq_unlock',
  'atomic(?:64)?_(?:dec|inc|read|set|or|xor|and|add|sub|fetch|xchg|cmpxchg|try)',
  '(?:set|clear|change|test)_bit',
  '__wake_up',
  '^refcount_',
  '^kref_',
  'ref_tracker',
  'seqprop_assert',
  'memcpy',
  'memcmp',
  'memset',
  'memchr',
  'memmove',
  'memdup',
  'strcmp',
  'strncmp',
  'strcpy',
  'strlcpy',
  'strncpy',
  'strscpy',
  'strlen',
  'strstr',
  'strnstr',
  'strnlen',
  'strchr',
  'strdup',
  'strndup',
  'copy_to_user',
  'copy_from_user',
  'copy_to_iter',
  'copy_from_iter',
  'copy_page_to_iter',
  'copy_page_from_iter',
  'copy_folio_to_iter',
  '^copyin$',
  '^copyout$',
  'put_user',
  'get_user',
  'might_fault',
  'might_sleep',
  'list_add',
  'list_del',
  'list_replace',
  'list_move',
  'list_splice',
  '^rb_',
  '^__rb_',
  '_indirect_thunk_',
  'string',
  'pointer',
  'snprintf',
  'scnprintf',
  'kasprintf',
  'kvasprintf',
  'printk',
  'va_format',
  'dev_info',
  'dev_notice',
  'dev_warn',
  'dev_err',
  'dev_alert',
  'dev_crit',
  'dev_emerg',
  'program_check_exception',
  'program_check_common',
  'del_timer',
  'flush_work',
  '__cancel_work_timer',
  'cancel_work_sync',
  'try_to_grab_pending',
  'flush_workqueue',
  'drain_workqueue',
  'destroy_workqueue',
  'queue_work',
  'finish_wait',
  'kthread_stop',
  'kobject_',
  'add_uevent_var',
  'get_device_parent',
  'device_add',
  'device_del',
  'device_unregister',
  'device_destroy',
  'device_release',
  'devres_release_all',
  'hwrng_unregister',
  'i2c_del_adapter',
  '__unregister_client',
  'device_for_each_child',
  'rollback_registered',
  'unregister_netdev',
  'sysfs_remove',
  'device_remove_file',
  'tty_unregister_device',
  'dummy_urb_enqueue',
  'usb_kill_urb',
  'usb_kill_anchored_urbs',
  'usb_control_msg',
  'usb_hcd_submit_urb',
  'usb_submit_urb',
  '^complete$',
  'wait_for_completion',
  '^kv?free$',
  'kfree_skb',
  'readb$',
  'readw$',
  'readl$',
  'readq$',
  'writeb$',
  'writew$',
  'writel$',
  'writeq$',
  'logic_in',
  'logic_out',
  '^crc\\d+',
  'crc_itu_t',
  '__might_resched',
  'assertfail',
  '^iput$',
  '^iput_final$',
  '^ihold$',
  'hex_dump_to_buffer',
  'print_hex_dump',
  '^klist_',
  '(?:trace|lockdep)_(?:hard|soft)irq',
  '^(?:un)?lock_page',
  'stack_trace_consume_entry',
  'arch_stack_walk',
  'stack_trace_save',
  'insert_work',
  '__queue_delayed_work',
  'queue_delayed_work_on',
  'ida_free',
  'do_(?:kernel|translation)_fault',
  'do_mem_abort',
  'el1_abort',
  'el1h_64_sync(?:_handler)?',
  'print_tainted',
  'xas_(?:start|load|find)',
  'find_lock_entries',
  'truncate_inode_pages_range',
  '__phys_addr',
  '__fortify_report',
  'cleanup_srcu_struct',
  'rhashtable_lookup',
  'extract_(?:user|iter)_to_sg',
  'drop_nlink',
  '^get_taint$',
  '^put_device$',
  'lock_timer_base',
  '__timer_delete_sync',
  'sk_stop_timer_sync',
  '__mod_timer',
  'fast_dput',
  'dput',
];
/** Syscall wrappers are stripped from a title frame: "__x64_sys_openat2" reads "openat2". */
export const STRIP_FRAME_PREFIXES: readonly string[] = [
  'SYSC_',
  'SyS_',
  'sys_',
  '__x64_',
  '__ia32_',
  '__arm64_',
  '____sys_',
  '___sys_',
  '__sys_',
  '__se_',
  '__se_sys_',
  '__do_sys_',
  'compat_SYSC_',
  'compat_SyS_',
  'ksys_',
];

/**
 * Where a stalled CPU was interrupted says little; the work that stalled is identified by the
 * frame just above the dispatcher (syscall entry, workqueue, timer, file operation) in the stack.
 */
export const STALL_ANCHORS: readonly RegExp[] = [
  /process_one_work/,
  /do_syscall_/,
  /do_fast_syscall_/,
  /sysenter_dispatch/,
  /tracesys_phase2/,
  /el0_svc_handler/,
  /invoke_syscall/,
  /ret_fast_syscall/,
  /netif_receive_skb/,
  /do_softirq/,
  /call_timer_fn/,
  /_run_timers/,
  /run_timer_softirq/,
  /hrtimer_run/,
  /run_ksoftirqd/,
  /smpboot_thread_fn/,
  /^kthread$/,
  /start_secondary/,
  /cpu_startup_entry/,
  /ret_from_fork/,
  /vfs_write/,
  /vfs_read/,
  /vfs_iter_read/,
  /vfs_iter_write/,
  /do_iter_read/,
  /do_iter_write/,
  /call_read_iter/,
  /call_write_iter/,
  /new_sync_read/,
  /new_sync_write/,
  /vfs_ioctl/,
  /ksys_ioctl/,
  /compat_ioctl/,
  /compat_sys_ioctl/,
  /blkdev_driver_ioctl/,
  /blkdev_ioctl/,
  /do_iter_readv_writev/,
  /^call_mmap/,
  /mmap_region/,
  /do_mmap/,
  /do_dentry_open/,
  /vfs_open/,
  /^sock_sendmsg/,
  /^sock_recvmsg/,
  /^sock_release/,
  /^__sock_release/,
  /^setsockopt$/,
  /kernel_setsockopt/,
  /sock_common_setsockopt/,
  /^listen$/,
  /kernel_listen/,
  /sk_common_release/,
  /^sock_mmap/,
  /^accept$/,
  /kernel_accept/,
  /^sock_do_ioctl/,
  /^sock_ioctl/,
  /^compat_sock_ioctl/,
  /^nfnetlink_rcv_msg/,
  /^rtnetlink_rcv_msg/,
  /^netlink_dump/,
  /^(?:sys_)?(?:socketpair|connect|ioctl)/,
  /__do_fault/,
  /do_page_fault/,
  /^page_fault$/,
  /__fput/,
  /task_work_run/,
  /exit_to_usermode/,
  /smp_call_function/,
  /tasklet_action/,
  /tasklet_hi_action/,
];

export const RIP_FRAME = rx(
  '(?:IP|NIP|pc |PC is at):? (?:(?:[0-9]+:)?(?:{{PC}} +){0,2}{{FUNC}}|(?:[0-9]+:)?0x[0-9a-f]+|(?:[0-9]+:)?{{PC}} +\\[< *\\(null\\)>\\] +\\(null\\)|[0-9]+: +\\(null\\))',
);
const WARNING_RIP = rx(`(?:${RIP_FRAME.source}|--- interrupt: [0-9]+ at {{FUNC}})`);
const CALL_TRACE = /Call [Tt]race:|Backtrace:/;

/** Lines that open a stack trace; a stack step stops at the next one. */
export const STACK_KEYWORDS: readonly RegExp[] = [
  /Call [Tt]race/,
  /Allocated:/,
  /Allocated by task [0-9]+:/,
  /Freed:/,
  /Freed by task [0-9]+:/,
  /[^k] backtrace(?: \(crc [0-9a-f]*\))?:/,
  /Backtrace:/,
  /Uninit was stored to memory at/,
];

/** A frame line: "  func+0x1/0x2", " [<ffffffff8100>] func+0x1/0x2", " func mm/x.c:12 [inline]". */
// Inline frames (" func mm/x.c:12 [inline]", in symbolized reports) are not matched: titles are
// made from the frames a raw console shows, so symbolized and raw copies get the same title.
export const FRAME_LINE = rx('^ *(?:{{PC}} ){0,2}{{FUNC}}');
/** 32-bit arm: "[<c0100000>] (callee) from [<c0100000>] (caller+0x1/0x2)". */
export const ARM_FRAME_LINE = rx('^ *{{PC}} \\(([a-zA-Z0-9_.]+)\\) from {{PC}} \\({{FUNC}}');
/** Fault-injection frames are intermixed with real reports; they make what follows unreliable. */
export const CORRUPTED_LINE = /^(?: \[<?(?:0x)?[0-9a-f]+>?\])? should_fail(?:slab)?(?:\.[a-z0-9.]+)?\+0x/;

const callTrace: StackPart[] = [CALL_TRACE, STACK];
const ripThenTrace: StackPart[] = [RIP_FRAME, CALL_TRACE, STACK];

function warningStack(...skip: string[]): StackSpec {
  return { parts: [WARNING_RIP, STACK], parts2: [CALL_TRACE, STACK], skip };
}

const inFrame = (prefix: string) => (_a: string[], f: string) => `${prefix} in ${f}`;
const fixed = (title: string) => () => title;

export const OOPS_RULES: readonly OopsRule[] = [
  {
    header: 'BUG:',
    ignore: [/ODEBUG:/, /Boot_DEBUG:/, /xlog_status:/, /DEBUG:/, /BUG: no syscalls can create resource/],
    fallbackType: 'bug',
    formats: [
      {
        title: /BUG: KASAN:/,
        report: [rx('BUG: KASAN: ([a-z\\-]+) in {{FUNC}}'), /(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)/],
        fmt: (a, f) => `KASAN: ${a[0]} ${a[2]} in ${f}`,
        stack: {
          parts: [rx('BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}'), CALL_TRACE, STACK],
          skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
        },
        type: 'kasan',
      },
      {
        // A symbolized copy whose access site was inlined: the caller names it, as in the raw log.
        title: /BUG: KASAN: [a-z-]+ in [a-zA-Z0-9_]+ \S+:[0-9]+ \[inline\]/,
        report: [
          /BUG: KASAN: ([a-z-]+) in ([a-zA-Z0-9_]+) \S+:[0-9]+ \[inline\]/,
          /(Read|Write) (?:of size|at addr) (?:[0-9a-f]+)/,
        ],
        fmt: (a, f) => `KASAN: ${a[0]} ${a[2]} in ${f}`,
        stack: {
          parts: [rx('BUG: KASAN: (?:[a-z\\-]+) in {{FUNC}}'), CALL_TRACE, STACK],
          skip: ['kernel_fault', 'tag_check', 'mem_abort', '^el1_', '^el1h_'],
        },
        type: 'kasan',
      },
      {
        title: /BUG: KASAN:/,
        report: [rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}')],
        fmt: inFrame('KASAN: invalid-free'),
        stack: {
          parts: [
            rx('BUG: KASAN: (?:double-free or invalid-free|double-free|invalid-free) in {{FUNC}}'),
            CALL_TRACE,
            STACK,
          ],
          skip: ['slab_', 'kfree', 'vunmap', 'vfree'],
        },
        type: 'kasan',
      },
      {
        title: /BUG: KASAN: ([a-z-]+) on address/,
        report: [/BUG: KASAN: ([a-z-]+) on address/, /(Read|Write) of size ([0-9]+)/],
        fmt: (a) => `KASAN: ${a[0]} ${a[1]}`,
        type: 'kasan',
      },
      { title: /BUG: KASAN: (.*)/, fmt: (a) => `KASAN: ${a[0]}`, type: 'kasan' },
      {
        title: /BUG: KMSAN: kernel-usb-infoleak/,
        report: [rx('BUG: KMSAN: kernel-usb-infoleak in {{FUNC}}')],
        fmt: inFrame('KMSAN: kernel-usb-infoleak'),
        stack: {
          parts: [STACK, /(?:Local variable .* created at:|Uninit was created at:)/, STACK],
          skip: [
            'alloc_skb',
            'usb_submit_urb',
            'usb_start_wait_urb',
            'usb_bulk_msg',
            'usb_interrupt_msg',
            'usb_control_msg',
          ],
        },
        type: 'kasan',
      },
      {
        title: /BUG: KMSAN:/,
        report: [rx('BUG: KMSAN: ([a-z\\-]+) in {{FUNC}}')],
        fmt: (a, f) => `KMSAN: ${a[0]} in ${f}`,
        stack: {
          parts: [STACK, /(?:Local variable .* created at:|Uninit was created at:)/, STACK],
          skip: ['alloc_skb', 'netlink_ack', 'netlink_rcv_skb', '_encrypt$', '^(?:crypto|cipher|drbg|rng)_'],
        },
        type: 'kasan',
      },
      { title: /BUG: KCSAN: (.*)/, fmt: (a) => `KCSAN: ${a[0]}`, type: 'kasan' },
      {
        title: rx('BUG: KFENCE: (use-after-free|out-of-bounds) (read|write) in {{FUNC}}'),
        fmt: (a, f) => `KFENCE: ${a[0]} ${a[1]} in ${f}`,
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), STACK] },
        type: 'kasan',
      },
      {
        title: rx('BUG: KFENCE: invalid free in {{FUNC}}'),
        fmt: inFrame('KFENCE: invalid free'),
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), STACK] },
        type: 'kasan',
      },
      {
        title: rx('BUG: KFENCE: invalid (read|write) in {{FUNC}}'),
        fmt: (a, f) => `KFENCE: invalid ${a[0]} in ${f}`,
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), STACK] },
        type: 'kasan',
      },
      {
        title: rx('BUG: KFENCE: memory corruption in {{FUNC}}'),
        fmt: inFrame('KFENCE: memory corruption'),
        stack: { parts: [rx('BUG: KFENCE: (?:[a-z\\- ]+) in {{FUNC}}'), STACK] },
        type: 'kasan',
      },
      {
        title:
          /BUG: (?:unable to handle kernel paging request|unable to handle page fault for address|Unable to handle kernel data access)/,
        fmt: inFrame('BUG: unable to handle kernel paging request'),
        stack: { parts: ripThenTrace },
        type: 'paging-fault',
      },
      {
        title:
          /BUG: (?:unable to handle kernel NULL pointer dereference|kernel NULL pointer dereference|Kernel NULL pointer dereference)/,
        fmt: inFrame('BUG: unable to handle kernel NULL pointer dereference'),
        stack: { parts: ripThenTrace },
        type: 'null-deref',
      },
      {
        title: /BUG: (?:unable to handle kernel|Unable to handle kernel)/,
        fmt: fixed('BUG: unable to handle kernel'),
        type: 'paging-fault',
      },
      {
        title:
          /BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|wrong owner|wrong CPU|trylock failure on UP)/,
        fmt: (a, f) => `BUG: ${a[0]} ${a[1]} in ${f}`,
        stack: { parts: callTrace, skip: ['spin_', '_lock', '_unlock'] },
        type: 'lockdep',
      },
      {
        title: /BUG: soft lockup/,
        fmt: inFrame('BUG: soft lockup'),
        stack: { parts: ripThenTrace, extractor: 'stall' },
        type: 'soft-lockup',
      },
      {
        title: /BUG: .*still has locks held!/,
        report: [/BUG: .*still has locks held!/, rx('{{PC}} +{{FUNC}}')],
        fmt: (a) => `BUG: still has locks held in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /BUG: scheduling while atomic/,
        fmt: inFrame('BUG: scheduling while atomic'),
        stack: { parts: callTrace, skip: ['schedule'] },
        type: 'bug',
      },
      {
        title: /BUG: lock held when returning to user space/,
        report: [
          /BUG: lock held when returning to user space/,
          /leaving the kernel with locks still held/,
          rx('at: (?:{{PC}} +)?{{FUNC}}'),
        ],
        fmt: (a) => `BUG: lock held when returning to user space in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /BUG: bad unlock balance detected!/,
        fmt: inFrame('BUG: bad unlock balance'),
        stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, STACK] },
        type: 'lockdep',
      },
      {
        title: /BUG: held lock freed!/,
        report: [/BUG: held lock freed!/, rx('{{PC}} +{{FUNC}}')],
        fmt: (a) => `BUG: held lock freed in ${a[0]}`,
        type: 'lockdep',
      },
      { title: /BUG: Bad rss-counter state/, fmt: fixed('BUG: Bad rss-counter state'), type: 'bug' },
      { title: /BUG: non-zero nr_ptes on freeing mm/, fmt: fixed('BUG: non-zero nr_ptes on freeing mm'), type: 'bug' },
      { title: /BUG: non-zero nr_pmds on freeing mm/, fmt: fixed('BUG: non-zero nr_pmds on freeing mm'), type: 'bug' },
      {
        // The file system and block device in the message would split one bug into many.
        title: /BUG: Dentry .* still in use/,
        report: [/BUG: Dentry .* still in use \([0-9]+\) \[(unmount) of ([^\]]+)\]/],
        fmt: (a) => `BUG: Dentry still in use in ${a[0]}`,
        type: 'bug',
      },
      {
        title: /BUG: Bad page (state|cache)/,
        fmt: (a, f) => `BUG: Bad page ${a[0]} in ${f}`,
        stack: {
          parts: [/page last allocated/, STACK],
          skip: [
            '(?:free|put|get|update|release)_page',
            'free_unref',
            '^_*folio',
            'truncate_inode_pages',
            'page_frag_free',
            'alloc',
            'vmap',
            'page_owner',
          ],
        },
        type: 'bug',
      },
      { title: /BUG: Bad page map/, fmt: fixed('BUG: Bad page map'), type: 'bug' },
      { title: /BUG: workqueue lockup/, fmt: fixed('BUG: workqueue lockup'), type: 'hang' },
      {
        title: /BUG: sleeping function called from invalid context at (.*)/,
        fmt: inFrame('BUG: sleeping function called from invalid context'),
        stack: { parts: callTrace },
        type: 'bug',
      },
      {
        title: /BUG: using ([a-z_]+)\(\) in preemptible/,
        fmt: (a, f) => `BUG: using ${a[0]}() in preemptible code in ${f}`,
        stack: {
          parts: callTrace,
          skip: ['dump_stack', 'preemption', 'preempt', 'debug_', 'processor_id', 'this_cpu'],
        },
        type: 'bug',
      },
      {
        title: /BUG: workqueue leaked lock or atomic/,
        report: [/BUG: workqueue leaked lock or atomic/, /last function: ([a-zA-Z0-9_]+)$/],
        fmt: (a) => `BUG: workqueue leaked lock or atomic in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /BUG: memory leak/,
        fmt: inFrame('memory leak'),
        stack: {
          parts: [/backtrace(?: \(crc [0-9a-f]*\))?:/, STACK],
          skip: [
            'kmemleak',
            'mmap',
            'kmem',
            'slab',
            'alloc',
            'create_object',
            'idr_get',
            'list_lru_init',
            'kasprintf',
            'kvasprintf',
            'pcpu_create',
            'strdup',
            'strndup',
            'memdup',
          ],
        },
        type: 'bug',
      },
      {
        title: /BUG: .*stack guard page was hit at/,
        fmt: inFrame('BUG: stack guard page was hit'),
        stack: { parts: ripThenTrace, extractor: 'stall' },
        type: 'bug',
      },
      {
        // arm reports this differently from x86 but it is the same lockdep finding.
        title: /BUG: Invalid wait context/,
        fmt: inFrame('WARNING: locking bug'),
        stack: { parts: callTrace, skip: ['lock_sock', 'release_sock'] },
        type: 'lockdep',
      },
      { title: /BUG:\s*$/, fmt: fixed('BUG: corrupted'), type: 'bug' },
    ],
  },
  {
    header: 'WARNING:',
    ignore: [
      /WARNING: \/etc\/ssh\/moduli does not exist, using fixed modulus/,
      /WARNING: workqueue cpumask: online intersect > possible intersect/,
      /WARNING: [Tt]he mand mount option/,
      /WARNING: Unsupported flag value\(s\) of 0x%x in DT_FLAGS_1/,
      /WARNING: Unprivileged eBPF is enabled with eIBRS/,
      /WARNING: fbcon: Driver '.*' missed to adjust virtual screen size/,
      /WARNING: See https.* for mitigation options./,
      /WARNING: kernel not compiled with CPU_SRSO/,
      /EXT4-[Ff][Ss](?: \(.*\))?:/,
      /[Ww][Aa][Rr][Nn][Ii][Nn][Gg]: .* uses (?:deprecated v2 capabilities|wireless extensions)/,
      /XFS \(\w+\): WARNING/,
    ],
    fallbackType: 'warning',
    formats: [
      {
        title: /WARNING: .*lib\/debugobjects\.c.* (?:debug_print|debug_check|at)/,
        fmt: inFrame('WARNING: ODEBUG bug'),
        stack: warningStack(
          'debug_',
          'rcu',
          'hrtimer_',
          'timer_',
          'work_',
          'percpu_',
          'vunmap',
          'vfree',
          '__free_',
          'debug_check',
          'kobject_',
        ),
        type: 'warning',
      },
      {
        title: /WARNING: .*mm\/usercopy\.c.* (?:usercopy_warn|at)/,
        fmt: inFrame('WARNING: bad usercopy'),
        stack: warningStack('usercopy', '__check'),
        type: 'warning',
      },
      {
        title: /WARNING: .*lib\/kobject\.c.* (?:kobject_|at)/,
        fmt: inFrame('WARNING: kobject bug'),
        stack: warningStack('kobject_'),
        type: 'warning',
      },
      {
        title: /WARNING: .*fs\/proc\/generic\.c.* (?:proc_register|at)/,
        fmt: inFrame('WARNING: proc registration bug'),
        stack: warningStack('proc_'),
        type: 'warning',
      },
      {
        title: /WARNING: .*lib\/refcount\.c.* (?:refcount_|at)/,
        fmt: inFrame('WARNING: refcount bug'),
        stack: warningStack('refcount', 'kobject_'),
        type: 'warning',
      },
      {
        title: /WARNING: .*kernel\/locking\/lockdep\.c.*lock_/,
        fmt: inFrame('WARNING: locking bug'),
        stack: warningStack('lock_sock', 'release_sock'),
        type: 'lockdep',
      },
      {
        title: /WARNING: .*still has locks held!/,
        report: [/WARNING: .*still has locks held!/, rx('at: {{FUNC}}')],
        fmt: (a) => `WARNING: still has locks held in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /WARNING: Nested lock was not taken/,
        fmt: inFrame('WARNING: nested lock was not taken'),
        stack: warningStack(),
        type: 'lockdep',
      },
      {
        title: /WARNING: lock held when returning to user space/,
        report: [
          /WARNING: lock held when returning to user space/,
          /leaving the kernel with locks still held/,
          rx('at: (?:{{PC}} +)?{{FUNC}}'),
        ],
        fmt: (a) => `WARNING: lock held when returning to user space in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /WARNING: .*mm\/.*\.c.* k?.?malloc/,
        fmt: inFrame('WARNING: kmalloc bug'),
        stack: warningStack('kmalloc', 'krealloc', 'slab', 'kmem'),
        type: 'warning',
      },
      {
        title: /WARNING: .*mm\/vmalloc.c.*__vmalloc_node/,
        fmt: inFrame('WARNING: zero-size vmalloc'),
        stack: warningStack(),
        type: 'warning',
      },
      {
        title: /WARNING: .* usb_submit_urb/,
        fmt: (_a, f) => `WARNING in ${f}/usb_submit_urb`,
        stack: warningStack(
          'usb_submit_urb',
          'usb_start_wait_urb',
          'usb_bulk_msg',
          'usb_interrupt_msg',
          'usb_control_msg',
        ),
        type: 'warning',
      },
      // Kernels since 6.19 print "WARNING: fs/dax.c:12 at func+0x1/0x2, CPU#0: comm/1" (or "at 0x0").
      {
        title: rx('WARNING: {{SRC}} at 0x\\d+, CPU#\\d+'),
        fmt: inFrame('WARNING'),
        stack: warningStack(),
        type: 'warning',
      },
      { title: rx('WARNING: .* at {{SRC}} {{FUNC}}'), fmt: inFrame('WARNING'), stack: warningStack(), type: 'warning' },
      { title: rx('WARNING: {{SRC}} at {{FUNC}}'), fmt: inFrame('WARNING'), stack: warningStack(), type: 'warning' },
      {
        title: rx('WARNING: \\[.*\\] {{SRC}} at {{FUNC}}'),
        fmt: inFrame('WARNING'),
        stack: warningStack(),
        type: 'warning',
      },
      {
        title: /WARNING: possible circular locking dependency detected/,
        report: [/WARNING: possible circular locking dependency detected/, /is trying to acquire lock/],
        fmt: inFrame('possible deadlock'),
        stack: {
          parts: [rx('at: (?:{{PC}} +)?{{FUNC}}'), rx('at: (?:{{PC}} +)?{{FUNC}}'), STACK],
          // Work items take locks on behalf of the work: deadlocks there belong to the work.
          skip: ['process_one_work', 'flush_workqueue', 'drain_workqueue', 'destroy_workqueue'],
        },
        type: 'lockdep',
      },
      {
        title: /WARNING: possible irq lock inversion dependency detected/,
        report: [
          /WARNING: possible irq lock inversion dependency detected/,
          /just changed the state of lock/,
          rx('at: (?:{{PC}} +)?{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /WARNING: .*-safe -> .*-unsafe lock order detected/,
        fmt: inFrame('possible deadlock'),
        stack: { parts: [/which became (?:.*) at:/, STACK] },
        type: 'lockdep',
      },
      {
        title: /WARNING: possible recursive locking detected/,
        report: [
          /WARNING: possible recursive locking detected/,
          /is trying to acquire lock/,
          rx('at: (?:{{PC}} +)?{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /WARNING: inconsistent lock state/,
        report: [/WARNING: inconsistent lock state/, /takes/, rx('at: (?:{{PC}} +)?{{FUNC}}')],
        fmt: inFrame('inconsistent lock state'),
        stack: { parts: callTrace },
        type: 'lockdep',
      },
      {
        title: /WARNING: suspicious RCU usage/,
        report: [/WARNING: suspicious RCU usage/, rx('{{SRC}}')],
        fmt: inFrame('WARNING: suspicious RCU usage'),
        stack: { parts: callTrace, skip: ['rcu', 'kmem', 'slab'] },
        type: 'lockdep',
      },
      {
        title: /WARNING: kernel stack regs at [0-9a-f]+ in [^ ]* has bad '([^']+)' value/,
        fmt: (a) => `WARNING: kernel stack regs has bad '${a[0]}' value`,
        type: 'warning',
      },
      {
        title: /WARNING: kernel stack frame pointer at [0-9a-f]+ in [^ ]* has bad value/,
        fmt: fixed('WARNING: kernel stack frame pointer has bad value'),
        type: 'warning',
      },
      {
        title: /WARNING: bad unlock balance detected!/,
        fmt: inFrame('WARNING: bad unlock balance'),
        stack: { parts: [rx('{{PC}} +{{FUNC}}'), CALL_TRACE, STACK] },
        type: 'lockdep',
      },
      {
        title: /WARNING: held lock freed!/,
        report: [/WARNING: held lock freed!/, rx('at:(?: {{PC}})? +{{FUNC}}')],
        fmt: (a) => `WARNING: held lock freed in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /WARNING: kernel stack regs .* has bad 'bp' value/,
        fmt: fixed('WARNING: kernel stack regs has bad value'),
        type: 'warning',
      },
      {
        title: /WARNING: kernel stack frame pointer .* has bad value/,
        fmt: fixed('WARNING: kernel stack regs has bad value'),
        type: 'warning',
      },
      { title: /WARNING:\s*$/, fmt: fixed('WARNING: corrupted'), type: 'warning' },
    ],
  },
  {
    header: 'INFO:',
    ignore: [
      /INFO: lockdep is turned off/,
      /INFO: Stall ended before state dump start/,
      /INFO: NMI handler/,
      /INFO: recovery required on readonly filesystem/,
      /(?:handler|interrupt).*took too long/,
      /INFO: sys_.* is not present in \/proc\/kallsyms/,
      /INFO: no syscalls can create resource/,
      /rmt_storage:INFO:/,
      /_INFO:/,
    ],
    fallbackType: 'other',
    formats: [
      {
        title: /INFO: possible circular locking dependency detected/,
        report: [
          /INFO: possible circular locking dependency detected \]/,
          /is trying to acquire lock/,
          rx('at: {{PC}} +{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /INFO: possible irq lock inversion dependency detected/,
        report: [
          /INFO: possible irq lock inversion dependency detected \]/,
          /just changed the state of lock/,
          rx('at: {{PC}} +{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected/,
        report: [
          /INFO: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected \]/,
          /is trying to acquire/,
          rx('at: {{PC}} +{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /INFO: possible recursive locking detected/,
        report: [
          /INFO: possible recursive locking detected \]/,
          /is trying to acquire lock/,
          rx('at: {{PC}} +{{FUNC}}'),
        ],
        fmt: (a) => `possible deadlock in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /INFO: inconsistent lock state/,
        report: [/INFO: inconsistent lock state \]/, /takes/, rx('at: {{PC}} +{{FUNC}}')],
        fmt: (a) => `inconsistent lock state in ${a[0]}`,
        type: 'lockdep',
      },
      {
        title: /INFO: rcu_(?:preempt|sched|bh) (?:self-)?detected(?: expedited)? stall/,
        fmt: inFrame('INFO: rcu detected stall'),
        stack: {
          parts: [/apic_timer_interrupt/, RIP_FRAME, STACK],
          parts2: [/apic_timer_interrupt|Exception stack|el1h_64_irq/, STACK],
          skip: ['apic_timer_interrupt', 'rcu'],
          extractor: 'stall',
        },
        type: 'rcu-stall',
      },
      {
        title: /INFO: rcu_tasks[a-z_]* detected stalls? on/,
        fmt: inFrame('INFO: rcu detected stall'),
        stack: {
          parts: [/apic_timer_interrupt/, RIP_FRAME, STACK],
          parts2: [/apic_timer_interrupt|Exception stack|el1h_64_irq/, STACK],
          skip: ['apic_timer_interrupt', 'rcu'],
          extractor: 'stall',
        },
        type: 'rcu-stall',
      },
      {
        title: /INFO: trying to register non-static key/,
        fmt: inFrame('INFO: trying to register non-static key'),
        stack: { parts: callTrace, skip: ['stack', 'lock', 'IRQ'] },
        type: 'lockdep',
      },
      {
        title: /INFO: suspicious RCU usage/,
        report: [/INFO: suspicious RCU usage/, rx('{{SRC}}')],
        fmt: inFrame('INFO: suspicious RCU usage'),
        stack: { parts: callTrace, skip: ['rcu', 'kmem', 'slab'] },
        type: 'lockdep',
      },
      {
        title: /INFO: task .* blocked (?:in I\/O wait )?for more than [0-9]+ seconds/,
        fmt: inFrame('INFO: task hung'),
        stack: { parts: callTrace, extractor: 'hung-task' },
        type: 'hung-task',
      },
      {
        title: /INFO: task .* can't die for more than .* seconds/,
        fmt: inFrame("INFO: task can't die"),
        stack: { parts: callTrace, skip: ['schedule'] },
        type: 'hung-task',
      },
      // Old-style KASAN reports that lost their header.
      { title: /INFO: (Freed|Allocated) in (.*)/, fmt: (a) => `INFO: ${a[0]} in ${a[1]}`, type: 'kasan' },
      { title: /INFO:\s*$/, fmt: fixed('INFO: corrupted'), type: 'other' },
    ],
  },
  {
    header: 'Unable to handle kernel',
    ignore: [],
    fallbackType: 'paging-fault',
    formats: [
      {
        title: /Unable to handle kernel (paging request|NULL pointer dereference|access to user memory)/,
        fmt: (a, f) => `BUG: unable to handle kernel ${a[0]} in ${f}`,
        stack: { parts: ripThenTrace },
        type: 'paging-fault',
      },
    ],
  },
  {
    header: 'general protection fault',
    ignore: [/general protection fault .* error:\d+ in /],
    fallbackType: 'gpf',
    formats: [
      {
        title: /general protection fault.*:/,
        fmt: inFrame('general protection fault'),
        stack: { parts: ripThenTrace },
        type: 'gpf',
      },
    ],
  },
  {
    header: 'stack segment: ',
    ignore: [],
    fallbackType: 'gpf',
    formats: [
      { title: /stack segment: /, fmt: inFrame('stack segment fault'), stack: { parts: ripThenTrace }, type: 'gpf' },
    ],
  },
  {
    header: 'Kernel panic',
    ignore: [],
    fallbackType: 'panic',
    formats: [
      {
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [rx('Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: {{FUNC}}')],
        fmt: (a) => `kernel panic: stack is corrupted in ${a[0]}`,
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: stack-protector:/,
        report: [/Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: [a-f0-9]+/],
        fmt: inFrame('kernel panic: stack is corrupted'),
        stack: { parts: callTrace, skip: ['stack_chk'] },
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: corrupted stack end/,
        report: [/Kernel panic - not syncing: corrupted stack end detected inside scheduler/],
        fmt: inFrame('kernel panic: corrupted stack end'),
        stack: { parts: callTrace, skip: ['schedule', 'retint_kernel'], extractor: 'stall' },
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: kernel stack overflow/,
        fmt: inFrame('kernel stack overflow'),
        stack: { parts: callTrace, skip: ['bad_stack'], extractor: 'stall' },
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: Attempted to kill init!/,
        fmt: fixed('kernel panic: Attempted to kill init!'),
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: Couldn't open N_TTY ldisc for [^ ]+ --- error -[0-9]+/,
        fmt: fixed("kernel panic: Couldn't open N_TTY ldisc"),
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: Fatal exception/,
        fmt: fixed('kernel panic: Fatal exception'),
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: panic_on_warn set/,
        fmt: fixed('kernel panic: panic_on_warn set'),
        type: 'panic',
      },
      {
        title: /Kernel panic - not syncing: hung_task: blocked tasks/,
        fmt: fixed('kernel panic: hung_task: blocked tasks'),
        type: 'hung-task',
      },
      { title: /Kernel panic - not syncing: (.*)/, fmt: (a) => `kernel panic: ${a[0]}`, type: 'panic' },
    ],
  },
  {
    header: 'PANIC: double fault',
    ignore: [],
    fallbackType: 'panic',
    formats: [
      {
        title: /PANIC: double fault/,
        fmt: inFrame('PANIC: double fault'),
        stack: { parts: [RIP_FRAME] },
        type: 'panic',
      },
    ],
  },
  {
    header: 'kernel BUG',
    ignore: [],
    fallbackType: 'bug',
    formats: [
      {
        title: /kernel BUG at mm\/usercopy.c/,
        fmt: inFrame('BUG: bad usercopy'),
        stack: { parts: callTrace, skip: ['usercopy', '__check'] },
        type: 'bug',
      },
      {
        title: /kernel BUG at lib\/list_debug.c/,
        fmt: inFrame('BUG: corrupted list'),
        stack: { parts: callTrace },
        type: 'bug',
      },
      // skb helpers BUG_ON their arguments: the caller is at fault.
      {
        title: /kernel BUG at (.*)/,
        fmt: inFrame('kernel BUG'),
        stack: { parts: ripThenTrace, skip: ['^skb_'] },
        type: 'bug',
      },
    ],
  },
  {
    header: 'Kernel BUG',
    ignore: [],
    fallbackType: 'bug',
    formats: [{ title: /Kernel BUG (.*)/, fmt: (a) => `kernel BUG ${a[0]}`, type: 'bug' }],
  },
  {
    header: 'BUG kmalloc-',
    ignore: [],
    fallbackType: 'bug',
    formats: [{ title: /BUG kmalloc-.*: Object already free/, fmt: fixed('BUG: Object already free'), type: 'bug' }],
  },
  {
    header: 'divide error:',
    ignore: [],
    fallbackType: 'bug',
    formats: [{ title: /divide error: /, fmt: inFrame('divide error'), stack: { parts: [RIP_FRAME] }, type: 'bug' }],
  },
  {
    header: 'divide_error:',
    ignore: [],
    fallbackType: 'bug',
    formats: [{ title: /divide_error: /, fmt: inFrame('divide error'), stack: { parts: [RIP_FRAME] }, type: 'bug' }],
  },
  {
    header: 'invalid opcode:',
    ignore: [],
    fallbackType: 'bug',
    formats: [
      { title: /invalid opcode: /, fmt: inFrame('invalid opcode'), stack: { parts: [RIP_FRAME] }, type: 'bug' },
    ],
  },
  {
    header: 'UBSAN:',
    ignore: [],
    fallbackType: 'ubsan',
    formats: [
      {
        title: /UBSAN:/,
        report: [/UBSAN: Undefined behaviour in/],
        fmt: inFrame('UBSAN: undefined-behaviour'),
        stack: { parts: callTrace, skip: ['ubsan', 'overflow'] },
        type: 'ubsan',
      },
      {
        title: /UBSAN: array-index-out-of-bounds in/,
        fmt: inFrame('UBSAN: array-index-out-of-bounds'),
        stack: { parts: callTrace, skip: ['ubsan', 'overflow'] },
        type: 'ubsan',
      },
      {
        title: /UBSAN:/,
        report: [/UBSAN: (.*?) in/],
        fmt: (a, f) => `UBSAN: ${a[0]} in ${f}`,
        stack: { parts: callTrace, skip: ['ubsan', 'overflow'] },
        type: 'ubsan',
      },
    ],
  },
  {
    header: 'Booting the kernel.',
    ignore: [/Parsing ELF|Decompressing Linux|Unknown parameter '/],
    fallbackType: 'other',
    formats: [{ title: /^Booting the kernel/, fmt: fixed('unexpected kernel reboot'), type: 'other' }],
  },
  {
    header: 'unregister_netdevice: waiting for',
    ignore: [],
    fallbackType: 'hang',
    formats: [
      {
        title: /unregister_netdevice: waiting for (?:.*) to become free/,
        fmt: fixed('unregister_netdevice: waiting for DEV to become free'),
        type: 'hang',
      },
    ],
  },
  {
    header: 'VFS: Close: file count is 0',
    ignore: [],
    fallbackType: 'bug',
    formats: [
      {
        title: /VFS: Close: file count is 0/,
        fmt: fixed('VFS: Close: file count is zero (use-after-free)'),
        type: 'bug',
      },
    ],
  },
  {
    header: 'VFS: Busy inodes after unmount',
    ignore: [],
    fallbackType: 'bug',
    formats: [
      {
        title: /VFS: Busy inodes after unmount/,
        fmt: fixed('VFS: Busy inodes after unmount (use-after-free)'),
        type: 'bug',
      },
    ],
  },
  {
    header: 'Internal error:',
    ignore: [],
    fallbackType: 'oops',
    formats: [
      { title: /Internal error:/, fmt: inFrame('Internal error'), stack: { parts: ripThenTrace }, type: 'oops' },
    ],
  },
  {
    header: 'Unhandled fault:',
    ignore: [],
    fallbackType: 'oops',
    formats: [
      { title: /Unhandled fault:/, fmt: inFrame('Unhandled fault'), stack: { parts: ripThenTrace }, type: 'oops' },
    ],
  },
  {
    header: 'Alignment trap:',
    ignore: [],
    fallbackType: 'oops',
    formats: [
      { title: /Alignment trap:/, fmt: inFrame('Alignment trap'), stack: { parts: ripThenTrace }, type: 'oops' },
    ],
  },
  {
    header: 'trusty: panic',
    ignore: [],
    fallbackType: 'panic',
    formats: [
      {
        title: /trusty: panic.* ASSERT FAILED/,
        report: [/trusty: panic \(.*?\):(?: DEBUG)? ASSERT FAILED at \(.*?\): (.+)/],
        fmt: (a) => `trusty: ASSERT FAILED: ${a[0]}`,
        type: 'panic',
      },
      { title: /trusty: panic.* ASSERT FAILED.*: *(.*)/, fmt: (a) => `trusty: ASSERT FAILED: ${a[0]}`, type: 'panic' },
      {
        title: /trusty: panic/,
        report: [/trusty: panic \(.*?\): (.+)/],
        fmt: (a) => `trusty: panic: ${a[0]}`,
        type: 'panic',
      },
    ],
  },
  {
    header: 'fatal error:',
    ignore: [/ALSA/, /fatal error: cannot create timer/],
    fallbackType: 'other',
    formats: [{ title: /fatal error:/, fmt: fixed('go runtime error'), type: 'other' }],
  },
  {
    header: 'SYZFAIL:',
    ignore: [],
    fallbackType: 'other',
    formats: [{ title: /SYZFAIL:(.*)/, fmt: (a) => `SYZFAIL:${a[0]}`, type: 'other' }],
  },
  {
    header: 'SYZFATAL:',
    ignore: [],
    fallbackType: 'other',
    formats: [{ title: /SYZFATAL:(.*)/, fmt: (a) => `SYZFATAL:${a[0]}`, type: 'other' }],
  },
  {
    header: 'panic:',
    ignore: [/_panic:/, /xlog_status:/, /ddb\.onpanic:/, /evtlog_status:/],
    fallbackType: 'panic',
    formats: [{ title: /panic:(.*)/, fmt: (a) => `panic:${a[0]}`, type: 'panic' }],
  },
  {
    // A bare "Oops:" line whose BUG header was lost (syzkaller does not need this: its logs
    // always carry the BUG line, but ours can start mid-report after a console reconnect).
    header: 'Oops: ',
    ignore: [/Internal error: Oops/],
    fallbackType: 'oops',
    formats: [{ title: /Oops: /, fmt: inFrame('Oops'), stack: { parts: ripThenTrace }, type: 'oops' }],
  },
];

/** Lines with these headers inside a report belong to it rather than starting another one. */
export const REPORT_START_IGNORES: readonly RegExp[] = [
  /Oops: /,
  /invalid opcode: 0000/,
  /Kernel panic - not syncing/,
  /unregister_netdevice: waiting for/,
  /PANIC: double fault/,
];
/** Non-crash messages with stacks: when seen inside a report, the rest is another story. */
export const INFO_WITH_STACK: readonly string[] = [
  'vmalloc: allocation failure:',
  'FAULT_INJECTION: forcing a failure',
  'FAULT_FLAG_ALLOW_RETRY missing',
];

'use strict';
// glibc's malloc settings for PostgreSQL (`GLIBC_TUNABLES`, inherited by every backend): the
// runner sets them, and docker-compose.yml sets the same (deploy/manifests.spec.ts checks).
//
// By default glibc hands a process's heap back to the kernel (brk) as soon as 128 kB lie free
// at its top, so a backend shrinks its heap after most statements and grows it again, page
// fault by page fault, in the next — and each shrink flushes the TLB of both cores. Measured
// during the order benchmark (perf, 90 orders/s): brk and those page faults were ~11 % of
// PostgreSQL's CPU. With these a backend keeps up to 64 MB of freed heap (its own peak, no
// more) and takes 1 MB more than it asks for when it grows; blocks up to 8 MB (a memory
// context's largest default block) come from the heap rather than mmap.

const MALLOC_TUNABLES = [
  'glibc.malloc.trim_threshold=67108864',
  'glibc.malloc.top_pad=1048576',
  'glibc.malloc.mmap_threshold=8388608',
];

/** `current` (the environment's GLIBC_TUNABLES) with these added — unless it tunes malloc itself. */
function postgresMallocTunables(current = '') {
  if (current.includes('glibc.malloc.')) return current;
  return [current, ...MALLOC_TUNABLES].filter(Boolean).join(':');
}

module.exports = { MALLOC_TUNABLES, postgresMallocTunables };

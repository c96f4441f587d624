//! Prefetch hints: asking the processor to start loading memory that a later step will read,
//! so that the wait for it overlaps other work. A replay applies changes to tables scattered
//! over a model far larger than the processor's caches; each change otherwise waits, one after
//! the other, for the table's index slot, the table and its routes.
//!
//! A prefetch is only a hint: it never faults, never changes memory and may be ignored, so
//! any address (even a dangling one) is sound to pass.

/// Asks the processor to load the cache lines of `bytes` bytes from `p` into its caches.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn prefetch_bytes(p: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let mut a = (p as usize) & !63;
        let end = (p as usize).wrapping_add(bytes);
        while a < end {
            // SAFETY: PREFETCHT0 is a hint that never faults and never accesses memory
            // architecturally; any address is allowed (Intel SDM, "PREFETCHh"). SSE, which
            // provides it, is part of the x86_64 baseline.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    a as *const i8,
                );
            }
            a += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (p, bytes);
    }
}

/// Prefetches the memory of `value` (its own bytes, not what it points to).
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    prefetch_bytes(value as *const T as *const u8, std::mem::size_of::<T>());
}

/// Prefetches the first `n` elements of a slice's memory.
#[inline(always)]
pub(crate) fn prefetch_slice<T>(s: &[T], n: usize) {
    prefetch_bytes(
        s.as_ptr() as *const u8,
        n.min(s.len()) * std::mem::size_of::<T>(),
    );
}

//! What a `no_std` wasm needs from the crate: an allocator and a panic
//! handler.
//!
//! The package's wasm has no use for std, and linking it would link its
//! panic machinery, which formats messages with core::fmt: several KB for
//! text no one reads (a wasm panic is a trap either way). Here a panic traps
//! at once, so no message is ever built and core::fmt is not linked; the
//! shell is written so that nothing can panic in the first place (a test of
//! the package checks the names in the built wasm).
//!
//! The allocator is lol_alloc's free list (it coalesces freed neighbours):
//! a fraction of dlmalloc's size, and the reconnect churn benchmark shows
//! no growth of the wasm memory with it. `LockedAllocator` needs no
//! `unsafe` here (`AssumeSingleThreaded` would, for a few bytes less).

use lol_alloc::{FreeListAllocator, LockedAllocator};

#[global_allocator]
static ALLOCATOR: LockedAllocator<FreeListAllocator> =
    LockedAllocator::new(FreeListAllocator::new());

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

//! The clock query events are timed on.
//!
//! A query is timed with two raw readings ([`Tick`]), turned into time only
//! when a report asks. Readings are quanta's: the CPU's time-stamp counter
//! where it is invariant, calibrated once per process, the OS's monotonic
//! clock otherwise. Where quanta reads the counter, a reading here is the
//! one instruction, inline, instead of a call into quanta per reading.

use std::sync::OnceLock;
use std::time::Duration;

/// A point on the events' clock, as quanta gives it.
pub use quanta::Instant;

/// quanta's clock, and whether its raw readings are the TSC's.
struct EventsClock {
    quanta: quanta::Clock,
    tsc: bool,
}

impl EventsClock {
    fn new() -> Self {
        let quanta = quanta::Clock::new();
        EventsClock { tsc: reads_tsc(&quanta), quanta }
    }

    #[inline(always)]
    fn raw(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if self.tsc {
            return tsc();
        }
        self.quanta.raw()
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn tsc() -> u64 {
    // SAFETY: RDTSC exists on every x86_64 CPU and reads no memory.
    #[allow(unused_unsafe)]
    unsafe {
        std::arch::x86_64::_rdtsc()
    }
}

/// Whether quanta's raw readings are the time-stamp counter: one taken
/// between two readings of the counter falls between them. (quanta's
/// fallback counts nanoseconds since boot, which the counter, ticking at
/// GHz rates since boot, is far ahead of.)
fn reads_tsc(quanta: &quanta::Clock) -> bool {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        let before = tsc();
        let reading = quanta.raw();
        let after = tsc();
        before <= reading && reading <= after
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let _ = quanta;
        false
    }
}

#[inline(always)]
fn clock() -> &'static EventsClock {
    static CLOCK: OnceLock<EventsClock> = OnceLock::new();
    CLOCK.get_or_init(EventsClock::new)
}

/// Now, on the events' clock, as an [`Instant`] (what [`Tick::instant`]
/// gives).
pub fn now() -> Instant {
    clock().quanta.scaled(clock().raw())
}

/// The clock, looked up once for both readings of a query (each lookup
/// checks that the clock is set up).
#[derive(Clone, Copy)]
pub(crate) struct Ticker(&'static EventsClock);

impl Ticker {
    #[inline(always)]
    pub(crate) fn get() -> Self {
        Ticker(clock())
    }

    /// A reading.
    #[inline(always)]
    pub(crate) fn now(self) -> Tick {
        Tick(self.0.raw())
    }
}

/// A raw reading of the events' clock: taking one is a single read of the
/// CPU's counter, and it is turned into time only when asked, so timing a
/// query costs no arithmetic. Readings from one process compare and
/// subtract.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tick(u64);

impl Tick {
    /// Now.
    #[inline]
    pub fn now() -> Self {
        Tick(clock().raw())
    }

    /// This reading as an [`Instant`].
    pub fn instant(self) -> Instant {
        clock().quanta.scaled(self.0)
    }

    /// The time from `earlier` to this reading; zero if `earlier` is later.
    #[inline]
    pub fn duration_since(self, earlier: Tick) -> Duration {
        self.ticks_since(earlier).duration()
    }

    /// The raw ticks from `earlier` to this reading; zero if `earlier` is
    /// later.
    #[inline]
    pub fn ticks_since(self, earlier: Tick) -> Ticks {
        Ticks(self.0.saturating_sub(earlier.0))
    }
}

/// An amount of the events' clock's raw ticks: the sum of many queries'
/// times adds these and turns into a [`Duration`] once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticks(u64);

impl Ticks {
    /// The sum, saturating.
    #[inline]
    #[must_use]
    pub fn saturating_add(self, other: Ticks) -> Ticks {
        Ticks(self.0.saturating_add(other.0))
    }

    /// As time.
    #[inline]
    pub fn duration(self) -> Duration {
        clock().quanta.delta(0, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_monotonic_and_agree_with_quanta_instants() {
        let i0 = now();
        let t0 = Tick::now();
        std::thread::sleep(Duration::from_millis(2));
        let t1 = Tick::now();
        let i1 = now();
        assert!(t0 < t1);
        let took = t1.duration_since(t0);
        assert!(took >= Duration::from_millis(2), "{took:?}");
        assert!(i0 <= t0.instant() && t1.instant() <= i1);
        assert_eq!(t0.duration_since(t1), Duration::ZERO, "earlier minus later is zero");
        assert_eq!(t1.ticks_since(t0).saturating_add(Ticks::default()).duration(), took);
    }
}

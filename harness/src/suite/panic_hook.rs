//! The process's panic hook while suites run.
//!
//! A failing step is a panic that cucumber catches and reports; cucumber silences the global
//! panic hook for the whole run so that those panics print nothing, and restores whatever it
//! took when the run ends. With several runs in one process (`gauntlet mutants`, the test
//! suite) that swallows unrelated panics — a failing test printed nothing — and restores a
//! silenced hook out of order, so stray step panics printed later. Instead, Gauntlet installs
//! one hook that is silent only for panics raised inside a suite run (see [`scope`]) and
//! reports every other panic with the hook the process had before; it puts that hook back
//! whenever cucumber may have replaced it: before and after each run, and as each scenario
//! starts.

use std::panic::{self, PanicHookInfo};
use std::sync::{Arc, RwLock};

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

/// The hook the process had before Gauntlet's first run.
static PREVIOUS: RwLock<Option<Hook>> = RwLock::new(None);

tokio::task_local! {
    static IN_RUN: ();
}

/// Runs `future` (a cucumber run) as a suite run: panics inside it are the steps' failures,
/// which cucumber reports; every other panic in the process keeps printing.
pub(crate) async fn scope<F: std::future::Future>(future: F) -> F::Output {
    install();
    let output = IN_RUN.scope((), future).await;
    install();
    output
}

/// Installs (or reinstalls, after cucumber replaced it) the filtering hook. Cucumber silences
/// the hook when its run starts, so the engine calls this again as every scenario starts.
pub(crate) fn install() {
    {
        let mut previous = PREVIOUS.write().unwrap_or_else(|e| e.into_inner());
        if previous.is_none() {
            let hook = panic::take_hook();
            *previous = Some(Arc::new(move |info: &PanicHookInfo<'_>| hook(info)));
        }
    }
    panic::set_hook(Box::new(|info| {
        if IN_RUN.try_with(|()| ()).is_ok() {
            return;
        }
        let previous = PREVIOUS.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(previous) = previous {
            previous(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const PROBE: &str = "gauntlet panic-hook probe";

    #[tokio::test]
    async fn panics_outside_a_run_reach_the_previous_hook_even_after_cucumber_silenced_it() {
        static SEEN: AtomicUsize = AtomicUsize::new(0);
        // Arrange: the previous hook counts probe panics.
        super::install();
        let original = super::PREVIOUS.read().unwrap().clone().unwrap();
        let forward = original.clone();
        *super::PREVIOUS.write().unwrap() = Some(Arc::new(move |info| {
            if info.payload().downcast_ref::<&str>() == Some(&PROBE) {
                SEEN.fetch_add(1, Ordering::SeqCst);
            } else {
                forward(info);
            }
        }));
        // Act: a run during which cucumber silences the hook and a scenario starts; a panic in
        // a step, one in another thread while the run goes on (another test failing), one after.
        let (inside, beside) = super::scope(async {
            std::panic::set_hook(Box::new(|_| {}));
            super::install();
            let step = std::panic::catch_unwind(|| std::panic::panic_any(PROBE)).is_err();
            let beside = std::thread::spawn(|| std::panic::panic_any(PROBE))
                .join()
                .is_err();
            (step, beside)
        })
        .await;
        let outside = std::panic::catch_unwind(|| std::panic::panic_any(PROBE)).is_err();
        *super::PREVIOUS.write().unwrap() = Some(original);
        // Assert: only the panics outside the run were reported.
        assert!(inside && beside && outside);
        assert_eq!(SEEN.load(Ordering::SeqCst), 2);
    }
}

//! The bounds a [`Fault`] must keep to be mounted, from a profile, the library or the control
//! API: a status an HTTP response can carry, a delay and a lifetime that cannot overflow a
//! clock, and a cap on how many faults are mounted at once.

use crate::faults::{Fault, FaultKind, MAX_DELAY_MS, MAX_LIFETIME_SECS};

impl Fault {
    /// Checks the fault's values; the error names the field at fault and what is wrong.
    pub fn validate(&self) -> Result<(), (String, String)> {
        match &self.kind {
            FaultKind::Status { status } if !(200..=599).contains(status) => Err((
                "status".into(),
                format!("{status} is not a final HTTP status (200–599)"),
            )),
            FaultKind::Delay { ms } | FaultKind::Hold { ms } if *ms > MAX_DELAY_MS => Err((
                "ms".into(),
                format!("{ms} exceeds the longest delay, {MAX_DELAY_MS} ms"),
            )),
            FaultKind::ExpireEarly { after_secs } if *after_secs > MAX_LIFETIME_SECS => Err((
                "after_secs".into(),
                format!(
                    "{after_secs} exceeds the longest lifetime, {MAX_LIFETIME_SECS} s (a year)"
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn statuses_outside_200_to_599_are_refused() {
        for bad in [0, 101, 199, 600, 999] {
            let (key, _) = Fault::token(FaultKind::status(bad)).validate().unwrap_err();
            assert_eq!(key, "status", "{bad}");
        }
        for good in [200, 302, 500, 599] {
            assert!(
                Fault::token(FaultKind::status(good)).validate().is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn delays_and_lifetimes_are_bounded() {
        let long = Duration::from_secs(u64::MAX);
        assert_eq!(
            Fault::token(FaultKind::delay(long))
                .validate()
                .unwrap_err()
                .0,
            "ms"
        );
        assert_eq!(
            Fault::token(FaultKind::expire_early(long))
                .validate()
                .unwrap_err()
                .0,
            "after_secs"
        );
        let year = Duration::from_secs(MAX_LIFETIME_SECS);
        assert!(
            Fault::token(FaultKind::expire_early(year))
                .validate()
                .is_ok()
        );
    }
}

//! What configuration validation reports.

/// A tunable outside its range, named as the JavaScript option is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The option's name, e.g. `backoffMaxMs`.
    pub option: &'static str,
    /// What it must be, e.g. `must be at least 1`.
    pub expected: &'static str,
}

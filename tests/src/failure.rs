//! How a scenario says what went wrong.

use std::fmt;

/// Why one scenario failed: what was expected and what came back instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(String);

impl Failure {
    /// A failure with its explanation.
    pub(crate) fn new(explanation: impl Into<String>) -> Self {
        Self(explanation.into())
    }

    /// The same failure, prefixed with where it happened.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        Self(format!("{context}: {}", self.0))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<http::Error> for Failure {
    fn from(error: http::Error) -> Self {
        Self::new(format!("the suite built an invalid request: {error}"))
    }
}

/// What a scenario (or one of its steps) comes to.
pub(crate) type Outcome<T = ()> = Result<T, Failure>;

/// Fails the scenario with a formatted explanation unless `condition` holds.
macro_rules! ensure {
    ($condition:expr, $($explanation:tt)+) => {
        if !$condition {
            return Err($crate::failure::Failure::new(format!($($explanation)+)));
        }
    };
}

/// Fails the scenario unless `actual == expected`, showing both.
macro_rules! ensure_eq {
    ($actual:expr, $expected:expr, $($context:tt)+) => {
        match (&$actual, &$expected) {
            (actual, expected) => {
                if actual != expected {
                    return Err($crate::failure::Failure::new(format!(
                        "{}: expected {:?}, got {:?}",
                        format!($($context)+),
                        expected,
                        actual
                    )));
                }
            }
        }
    };
}

pub(crate) use {ensure, ensure_eq};

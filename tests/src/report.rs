//! The outcome of a run: one line per scenario and variant, and a closing count.

use std::fmt;

/// The outcome of one scenario under one settings variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// The scenario, named after the behaviour it checks.
    pub scenario: String,
    /// The settings variant (`default`, `strict-logout`, ... or `tcp`).
    pub variant: String,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

impl fmt::Display for ScenarioResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            None => write!(f, "ok     {} [{}]", self.scenario, self.variant),
            Some(why) => write!(f, "FAILED {} [{}]: {why}", self.scenario, self.variant),
        }
    }
}

/// Every result of a run, in the order the scenarios ran.
#[derive(Debug, Clone, Default)]
pub struct Report {
    results: Vec<ScenarioResult>,
}

impl Report {
    /// Records a result and prints its line.
    pub(crate) fn record(&mut self, result: ScenarioResult) {
        println!("{result}");
        self.results.push(result);
    }

    /// Every result.
    pub fn results(&self) -> &[ScenarioResult] {
        &self.results
    }

    /// How many passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.failure.is_none()).count()
    }

    /// How many failed.
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// The failed results.
    pub fn failures(&self) -> impl Iterator<Item = &ScenarioResult> {
        self.results.iter().filter(|r| r.failure.is_some())
    }

    /// The closing line: `N passed, M failed`.
    pub fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// Prints the closing line; panics listing the failures if any scenario failed, or if
    /// none ran at all (an empty run proves nothing).
    ///
    /// # Panics
    ///
    /// When a scenario failed or none ran.
    pub fn assert_all_passed(&self) {
        println!("{}", self.summary());
        if self.failed() > 0 {
            let failures: Vec<String> = self.failures().map(ToString::to_string).collect();
            panic!(
                "{} of {} conformance scenarios failed:\n{}",
                self.failed(),
                self.results.len(),
                failures.join("\n")
            );
        }
        assert!(self.passed() > 0, "no conformance scenario ran");
    }
}

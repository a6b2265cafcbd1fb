//! Every scenario, grouped by the part of docs/PROTOCOL.md it checks. Each module ends with the
//! list of its scenarios; [`all`] joins them.

use std::future::Future;
use std::pin::Pin;

use jwt_core::JwtConfig;

use crate::context::Ctx;
use crate::failure::Outcome;

mod access;
mod cookies;
mod csrf;
mod flows;
mod forged;
mod keys;
mod login;
mod logout;
mod methods;
mod migration;
mod outage;
mod refresh;
mod robustness;
mod throttle;

pub(crate) type ScenarioFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + 'a>>;

/// Where a scenario can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Against any server with default settings, over TCP too: it uses only the four endpoints
    /// and `GET /whoami/`, one user, and no clock.
    Anywhere,
    /// In-process only: it moves the clock, changes users, forges tokens with the key, or uses
    /// the suite app's `POST /whoami/` and `GET /optional/`.
    InProcess,
}

/// One named behaviour of docs/PROTOCOL.md and how to check it.
pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) reach: Reach,
    /// Whether the behaviour exists under these settings (rotation, strict logout, ...).
    pub(crate) applies: fn(&JwtConfig) -> bool,
    pub(crate) run: for<'a> fn(&'a Ctx<'a>) -> ScenarioFuture<'a>,
}

pub(crate) fn always(_: &JwtConfig) -> bool {
    true
}

/// Registers `module::function` as a scenario named after the function.
macro_rules! scenario {
    ($function:ident, $reach:ident) => {
        scenario!($function, $reach, $crate::scenarios::always)
    };
    ($function:ident, $reach:ident, $applies:expr) => {{
        fn run<'a>(ctx: &'a $crate::context::Ctx<'a>) -> $crate::scenarios::ScenarioFuture<'a> {
            Box::pin($function(ctx))
        }
        $crate::scenarios::Scenario {
            name: stringify!($function),
            reach: $crate::scenarios::Reach::$reach,
            applies: $applies,
            run,
        }
    }};
}
pub(crate) use scenario;

/// Every scenario, in the order they run.
pub(crate) fn all() -> Vec<Scenario> {
    [
        methods::scenarios(),
        login::scenarios(),
        cookies::scenarios(),
        access::scenarios(),
        forged::scenarios(),
        refresh::scenarios(),
        logout::scenarios(),
        csrf::scenarios(),
        keys::scenarios(),
        throttle::scenarios(),
        flows::scenarios(),
        migration::scenarios(),
        outage::scenarios(),
        robustness::scenarios(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    #[test]
    fn scenario_names_are_unique() {
        let mut seen = HashSet::new();
        for scenario in super::all() {
            assert!(seen.insert(scenario.name), "{} twice", scenario.name);
        }
    }

    #[test]
    fn every_scenario_is_listed_in_the_crate_docs() {
        let docs = include_str!("../lib.rs");
        for scenario in super::all() {
            assert!(
                docs.contains(&format!("`{}`", scenario.name)),
                "{} is missing from the scenario list in lib.rs",
                scenario.name
            );
        }
    }

    #[test]
    fn the_suite_checks_at_least_eighty_behaviours() {
        assert!(super::all().len() >= 80, "{}", super::all().len());
    }
}

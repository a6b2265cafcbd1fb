//! jwt-core's own behaviour, through its public API: settings, tokens, endpoints, sessions.

mod cache;
mod config;
mod django;
mod django_checks;
mod endpoints;
mod fixture;
mod keys;
mod logging;
mod robustness;
mod rotation;
mod security;
mod sessions;
mod throttle;

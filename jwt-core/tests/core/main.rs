//! jwt-core's own behaviour, through its public API: settings, tokens, endpoints, sessions.

mod cache;
mod config;
mod django;
mod django_checks;
mod endpoints;
mod fixture;
mod hostile_tokens;
mod keys;
mod logging;
mod redaction;
mod robustness;
mod rotation;
mod security;
mod sessions;
mod startup;
mod throttle;

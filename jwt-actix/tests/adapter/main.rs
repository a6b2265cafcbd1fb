//! The adapter's own behaviour, beyond the conformance suite: the extractors' errors, the
//! endpoints mounted one by one, and use together with actix-cors and inside a `web::scope`.

mod cors;
mod endpoints;
mod extractors;
mod fixture;
mod scope;

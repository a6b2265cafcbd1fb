//! The conformance suite: SPEC.md as executable scenarios that every server built on jwt-core
//! must pass, identically.
//!
//! A server takes part by implementing [`Harness`]: build an in-process app around a
//! [`JwtAuth`] that the suite assembled (configuration, users, store and a clock the suite
//! controls), and send that app one request. Then [`run_all`] runs every scenario under every
//! settings variant.
//!
//! The app a harness builds must serve:
//! - the four endpoints at the configured paths (`JWT_LOGIN_PATH`, `JWT_REFRESH_PATH`,
//!   `JWT_LOGOUT_PATH`, `JWT_LOGOUT_ALL_PATH`), through the adapter's ready-made routes;
//! - `GET` and `POST /whoami/`: the adapter's *required* extractor, answering
//!   `200 {"user": "<sub>"}`;
//! - `GET /optional/`: the adapter's *optional* extractor, answering `200 {"user": "<sub>"}`
//!   or `200 {"user": null}`;
//! - everything behind the adapter's middleware.

mod harness;

pub use harness::Harness;
pub use jwt_core::{JwtAuth, NoClaims};

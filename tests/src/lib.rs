//! The conformance suite: the protocol document, `docs/PROTOCOL.md`, as executable scenarios
//! that every server built on jwt-core must pass, identically.
//!
//! # Taking part
//!
//! A server takes part by implementing [`Harness`]: build an in-process app around a
//! [`JwtAuth`] that the suite assembled (configuration, users, store and a clock the suite
//! controls), and send that app one request. Then [`run_all`] runs every scenario under every
//! settings variant:
//!
//! ```no_run
//! use bytes::Bytes;
//! use jwt_conformance::{Harness, JwtAuth, NoClaims};
//!
//! struct MyServer;
//!
//! #[async_trait::async_trait(?Send)]
//! impl Harness for MyServer {
//!     type App = JwtAuth<NoClaims>;
//!
//!     async fn build(&self, auth: JwtAuth<NoClaims>) -> Self::App {
//!         auth // a real adapter builds its router here
//!     }
//!
//!     async fn send(&self, app: &Self::App, request: http::Request<Bytes>) -> http::Response<Bytes> {
//!         # let _ = (app, request);
//!         unreachable!("a real adapter calls its router here")
//!     }
//! }
//!
//! # async fn test() {
//! jwt_conformance::run_all(&MyServer).await;
//! # }
//! ```
//!
//! The app a harness builds must serve:
//! - the four endpoints at the configured paths (`JWT_LOGIN_PATH`, `JWT_REFRESH_PATH`,
//!   `JWT_LOGOUT_PATH`, `JWT_LOGOUT_ALL_PATH`), through the adapter's ready-made routes;
//! - `GET` and `POST /whoami/`: the adapter's *required* extractor, answering
//!   `200 {"user": "<sub>"}`;
//! - `GET /optional/`: the adapter's *optional* extractor, answering `200 {"user": "<sub>"}`
//!   or `200 {"user": null}`;
//! - everything behind the adapter's middleware.
//!
//! Requests come with an origin-form URI (`/jwt/login/`) and `Host: app.example.test`; a
//! harness must pass every header field through as sent, repeated ones included.
//!
//! # Over TCP
//!
//! The scenarios marked *anywhere* below need no clock, no user administration and no key, and
//! use only the four endpoints and `GET /whoami/`: [`run_over_tcp`] runs them against any
//! running server with default settings, and [`run_over_tcp_trusting`] adds the scenarios
//! about `JWT_TRUSTED_ORIGINS` for a server that trusts the given origins.
//! [`check_demo_binary_over_tcp`] starts a demo binary of `jwt-examples` on a free port
//! ([`spawn_demo_binary`], trusting [`DEMO_TRUSTED_ORIGIN`]) and does just that; each demo's
//! TCP test is one call:
//!
//! ```no_run
//! #[tokio::test]
//! async fn hyper_demo_passes_the_suite_over_tcp() {
//!     jwt_conformance::check_demo_binary_over_tcp(env!("CARGO_BIN_EXE_hyper")).await;
//! }
//! ```
//!
//! A deployment is checked from outside with the `jwt-conformance` binary of this crate:
//!
//! ```text
//! JWT_CONFORMANCE_URL=http://127.0.0.1:8000 \
//! JWT_CONFORMANCE_USERNAME=alice JWT_CONFORMANCE_PASSWORD=password1 \
//!     cargo run -p jwt-conformance
//! ```
//!
//! Over TCP a `/whoami/` answer must hold `"user": "<sub>"`; other fields may sit beside it.
//! `Secure` cookies are sent back over plain HTTP, as a browser behind TLS would.
//!
//! # Settings variants
//!
//! In-process, every scenario runs under each of these settings (a scenario about a setting
//! runs only where it applies, as noted):
//!
//! | variant | settings |
//! |---|---|
//! | `default` | the defaults, `JWT_SECRET` set |
//! | `dashed-header` | `JWT_ACCESS_HEADER=X-Access-Token` (so cookies `X-Access-Token`, `RefreshX-Access-Token`) |
//! | `keep-access-cookie` | `JWT_LOGOUT_ACCESS=false` |
//! | `no-rotation` | `JWT_ROTATE_REFRESH=false` |
//! | `samesite-lax` | `JWT_COOKIE_SAMESITE=Lax` |
//! | `samesite-none` | `JWT_COOKIE_SAMESITE=None` |
//! | `issuer-audience` | `JWT_ISSUER=https://issuer.example`, `JWT_AUDIENCE=conformance-suite` |
//! | `eddsa` | `JWT_ALGORITHM=EdDSA` with an Ed25519 key, `JWT_KEY_ID=conformance-ed25519` |
//! | `strict-logout` | `JWT_STRICT_LOGOUT=true` |
//! | `custom-names` | endpoints under `/auth/`, `JWT_REFRESH_COOKIE_PATH=/auth/session/`, cookies `session_at` / `session_rt`, `JWT_COOKIE_DOMAIN=example.test`, `JWT_TRUSTED_ORIGINS=https://trusted.example`, `JWT_JWKS_PATH=/auth/keys`, `JWT_TRUSTED_PROXIES=127.0.0.0/8` |
//! | `plain-cookies` | `JWT_COOKIE_SECURE=false`, `JWT_COOKIE_HTTPONLY=false`, `JWT_LOGIN_MAX_FAILURES=0` |
//! | `short-sessions` | `JWT_ALGORITHM=HS512`, access 1 minute, refresh 2 days, `JWT_SESSION_MAX_AGE=1`, `JWT_REFRESH_GRACE=5`, `JWT_LEEWAY=30`, `JWT_LOGIN_MAX_FAILURES=3`, `JWT_LOGIN_MAX_FAILURES_PER_CLIENT=10`, `JWT_LOGIN_THROTTLE_WINDOW=60` |
//! | `django-migration` | the defaults with `JWT_DJANGO_SECRET_KEY` set: the migration mode on (the suite's users are Django users 1 and 2) |
//!
//! Each scenario runs against a fresh app: new users (`alice`, `bob`), a new in-memory store
//! and a clock stopped at a fixed time that only the scenario moves.
//!
//! # What every answer must be
//!
//! Checked on every response of every scenario: never a 5xx, `Content-Type: application/json`,
//! a JSON object body, and `Set-Cookie` lines that parse. `{"message": ...}` bodies must match
//! docs/PROTOCOL.md exactly; `Set-Cookie` lines must carry exactly the attributes the settings
//! call for (name, Path, Domain, `HttpOnly`, `Secure`, `SameSite`, `Max-Age`, and for deletions an empty
//! value, `Max-Age=0` and an `Expires` in the past). Tokens are checked by decoding them: `typ`,
//! `alg`, `kid`, `sub`, `sid`, `jti`, `iat`, `exp - iat`, `iss`, `aud`.
//!
//! # Scenarios
//!
//! *Anywhere* scenarios also run over TCP; *in-process* ones need the clock, the user table,
//! the signing key, or the suite app's `POST /whoami/` and `GET /optional/`.
//!
//! Methods (anywhere):
//! - `login_refuses_other_methods_with_405`, `refresh_refuses_other_methods_with_405`,
//!   `logout_refuses_other_methods_with_405`, `logout_all_refuses_other_methods_with_405`:
//!   GET, PUT, PATCH, DELETE and OPTIONS get `405`, an `Allow` naming `POST`, no cookie, and change no
//!   session.
//!
//! Login:
//! - `login_with_json_sets_both_cookies`: `200`, the message, both cookies exactly, valid tokens
//!   of one new session.
//! - `login_accepts_json_with_charset`, `login_accepts_form_urlencoded`,
//!   `login_accepts_multipart_form_data`: the other body formats.
//! - `login_rejects_wrong_password`, `login_rejects_unknown_user`,
//!   `login_rejects_inactive_user` (in-process), `login_rejects_missing_fields`,
//!   `login_rejects_malformed_json`, `login_rejects_json_that_is_not_an_object`,
//!   `login_rejects_non_string_fields`, `login_rejects_empty_body`,
//!   `login_rejects_repeated_json_field`, `login_rejects_form_with_missing_field`,
//!   `login_rejects_multipart_with_missing_field`, `login_rejects_malformed_multipart`: `400`
//!   with the one message and no cookie.
//! - `login_rejects_unsupported_media_type_with_415`, `login_without_content_type_is_415`.
//! - `login_rejects_body_over_64_kib_with_413`, `login_accepts_body_of_exactly_64_kib`: the
//!   limit, to the byte.
//! - `login_requires_credentials_even_when_logged_in`: an access token never mints cookies.
//! - `each_login_starts_a_new_session`: new `sid` and `jti`, the first session untouched.
//!
//! Cookies:
//! - `access_cookie_carries_the_configured_attributes`,
//!   `refresh_cookie_carries_the_configured_attributes`: every attribute, exactly.
//! - `cookie_max_age_matches_token_lifetime`: `Max-Age` is the token's `exp - iat`.
//! - `browser_sends_refresh_cookie_only_to_the_refresh_endpoint`: the Path scoping works.
//! - `browser_drops_access_cookie_when_it_expires`,
//!   `browser_drops_refresh_cookie_when_it_expires` (in-process).
//! - `logout_deletion_cookies_match_the_originals`: deletions remove the browser's cookies.
//! - `refused_refresh_deletes_only_the_refresh_cookie`.
//!
//! Reading the token, and the extractors:
//! - `whoami_without_token_is_401_with_bearer_challenge`, `access_cookie_authenticates`,
//!   `bearer_header_authenticates`, `bearer_scheme_is_case_insensitive`,
//!   `bearer_header_needs_exactly_one_space`, `header_is_used_alone_when_present`,
//!   `empty_header_falls_back_to_cookie`, `other_scheme_header_counts_as_no_token`.
//! - `django_quoted_bearer_cookie_is_read`, `django_unquoted_bearer_cookie_is_read`.
//! - `two_access_cookies_are_ambiguous`, `cookies_split_over_two_fields_are_read_as_one`.
//! - `refresh_token_is_not_an_access_token`, `garbage_access_token_is_invalid`,
//!   `tampered_access_token_is_invalid`, `unsigned_access_token_is_invalid`,
//!   `oversized_access_token_is_invalid`, `expired_access_token_is_invalid` (in-process): `401`
//!   with `error="invalid_token"`.
//! - In-process: `optional_route_without_token_sees_nobody`,
//!   `optional_route_with_token_sees_the_user`, `optional_route_with_bad_token_sees_nobody`,
//!   `post_with_cookie_and_no_browser_headers_passes`.
//!
//! Forged tokens, signed with the configured key but wrong otherwise (in-process):
//! - `token_signed_with_the_configured_key_is_accepted` (the control), `token_without_typ_is_invalid`,
//!   `token_of_a_foreign_typ_is_invalid`, `token_with_unknown_kid_is_invalid`,
//!   `token_with_another_algorithm_for_its_key_is_invalid` (HMAC keys),
//!   `token_issued_in_the_future_is_invalid`, `token_not_yet_valid_is_invalid`,
//!   `token_missing_a_registered_claim_is_invalid`, `token_with_mistyped_claims_is_invalid`,
//!   `token_with_duplicate_claims_is_invalid`, `django_package_token_is_invalid`,
//!   `token_for_another_issuer_or_audience_is_invalid` (where configured),
//!   `refresh_token_of_an_unknown_session_is_refused`.
//!
//! Refresh:
//! - `refresh_issues_a_new_access_cookie`: same `sid`, full attributes.
//! - `refresh_rotates_the_refresh_token_within_the_session` (with rotation),
//!   `refresh_without_rotation_keeps_the_refresh_token` (without).
//! - `refresh_token_in_header_works_without_cookies`.
//! - `refresh_without_token_is_refused_and_clears_the_cookie`,
//!   `refresh_with_garbage_token_is_refused`, `access_token_is_not_a_refresh_token`,
//!   `tampered_refresh_token_is_refused`, `two_refresh_cookies_are_refused`,
//!   `expired_refresh_token_is_refused` (in-process): `403` and the refresh cookie deleted.
//! - `retired_refresh_token_within_grace_gets_the_current_refresh_token`: a new access token
//!   and the session's current refresh token again (same `jti`), no second rotation.
//! - `a_lost_refresh_answer_does_not_end_the_session` (in-process): a client whose refresh
//!   answer was lost retries within the grace window, recovers, and carries on; its old token
//!   replayed after the window still revokes the session.
//! - `retired_refresh_token_after_grace_revokes_the_session` (in-process): reuse detection,
//!   newest token included.
//! - `parallel_refreshes_rotate_exactly_once`: six tabs at once, one rotation, every tab ends up
//!   with the one current refresh token.
//! - In-process: `refresh_for_a_deactivated_user_is_refused`,
//!   `refresh_for_a_removed_user_is_refused`, `refresh_past_session_max_age_is_refused`
//!   (where capped), `refreshed_access_token_has_a_full_lifetime`.
//!
//! Logout and logout-all:
//! - `logout_ends_the_session_and_deletes_cookies`, `logout_by_header_works_without_cookies`.
//! - `logout_with_an_expired_access_token_still_ends_the_session`,
//!   `logout_with_a_token_expired_beyond_the_refresh_lifetime_is_401` (in-process).
//! - `logout_without_token_is_401_and_deletes_cookies`,
//!   `logout_with_a_bad_token_is_401_and_changes_nothing`, `logout_with_a_refresh_token_is_401`.
//! - `logout_keeps_the_access_cookie_when_configured` (`JWT_LOGOUT_ACCESS=false`),
//!   `access_token_outlives_logout_without_strict_logout`,
//!   `strict_logout_refuses_the_access_token_at_once` (`JWT_STRICT_LOGOUT=true`).
//! - `logout_leaves_other_sessions_running`, `logout_all_from_a_second_session_ends_the_first`,
//!   `logout_all_leaves_other_users_alone` (in-process),
//!   `logout_all_without_token_is_401_and_deletes_cookies`,
//!   `logout_all_with_an_expired_access_token_works` (in-process).
//!
//! Cross-origin requests:
//! - `cross_site_login_is_refused`, `same_site_login_is_refused`, `same_origin_login_passes`,
//!   `user_initiated_login_passes`, `foreign_origin_login_is_refused`, `own_origin_login_passes`,
//!   `trusted_origin_login_passes` (where configured), `null_origin_login_is_refused`,
//!   `sec_fetch_site_outranks_origin`.
//! - `cross_site_refresh_with_cookie_is_refused`, `cross_site_refresh_with_header_passes`,
//!   `cross_site_logout_with_cookie_is_refused`, `cross_site_logout_with_header_passes`,
//!   `cross_site_logout_all_with_cookie_is_refused`, `cross_site_get_with_cookie_passes`.
//! - `sibling_origin_that_is_trusted_logs_in_refreshes_and_logs_out` (where an origin is
//!   trusted): `Sec-Fetch-Site: same-site` with a trusted `Origin` passes login, refresh and
//!   logout; `sibling_origin_that_is_not_trusted_is_refused`;
//!   `cross_site_request_from_a_trusted_origin_passes` (where trusted);
//!   `origin_naming_the_host_over_plain_http_passes` (no `Sec-Fetch-Site`, `Origin:
//!   http://<Host>`, even with `Secure` cookies); `origin_naming_the_host_on_another_port_is_refused`.
//! - In-process: `cross_site_post_with_cookie_is_refused`,
//!   `foreign_origin_post_with_cookie_is_refused`, `cross_site_post_with_header_passes`.
//!
//! Login throttling (in-process: the clock moves, and the peer address is the suite's
//! `127.0.0.1`):
//! - `failures_past_the_limit_throttle_even_the_right_password`: after
//!   `JWT_LOGIN_MAX_FAILURES` failures, `429 Too many login attempts.` with `Retry-After` (the
//!   rest of the window, in seconds) and `Cache-Control: no-store`, right password or not.
//! - `a_throttled_pair_leaves_other_users_of_the_client_alone`,
//!   `after_the_window_a_throttled_user_logs_in`, `a_success_clears_the_pairs_count`.
//! - `failures_across_usernames_throttle_the_client`: `JWT_LOGIN_MAX_FAILURES_PER_CLIENT`
//!   failures over many usernames throttle any username from that client.
//! - `forwarded_clients_are_counted_apart_behind_a_trusted_proxy` (where `JWT_TRUSTED_PROXIES`
//!   covers the peer): two `X-Forwarded-For` clients are counted apart, `Forwarded` wins;
//!   `forwarded_for_changes_nothing_without_trusted_proxies`: without it, claimed addresses
//!   change nothing, and another peer is another client.
//! - `without_a_pair_limit_failures_never_throttle` (`JWT_LOGIN_MAX_FAILURES=0`).
//!
//! Public keys:
//! - `jwks_route_publishes_keys_that_verify_access_tokens`,
//!   `jwks_route_answers_get_and_head_only` (asymmetric algorithms): the JWK Set at
//!   `JWT_JWKS_PATH`, `Cache-Control: public, max-age=300`, no private member, and a real
//!   access token verifies against it with `jsonwebtoken`.
//! - `jwks_route_is_absent_with_hmac`: nothing is served there (the application's `404`).
//!
//! Whole sessions:
//! - `browser_flow_login_refresh_logout`, `login_after_logout_starts_a_new_session`.
//! - In-process: `returning_after_access_expiry_refreshes_and_continues`,
//!   `active_session_outlives_its_first_refresh_token` (rotation without a cap),
//!   `idle_session_ends_when_the_refresh_token_expires`.
//!
//! The migration mode (in-process, where `JWT_DJANGO_SECRET_KEY` is set; the suite signs
//! Django-format tokens with the variant's Django key):
//! - `django_refresh_cookie_is_exchanged_for_a_session`: a Django refresh cookie at the refresh
//!   endpoint gets `200 Access token refreshed.` and exactly a login's two cookies, for the
//!   mapped user; `django_refresh_token_is_exchanged_only_once`: presented again, `403` and
//!   the refresh cookie deleted.
//! - `django_access_cookie_authenticates_side_by_side`: the Django access cookie (`"Bearer
//!   <jwt>"`) and header authenticate `/whoami/` as the mapped user;
//!   `django_refresh_token_is_not_an_access_token`, `django_token_of_an_unmapped_user_is_refused`.
//! - `cross_site_django_exchange_is_refused`: the exchange is an unsafe request like any other.
//!
//! Unreachable backends (in-process):
//! - `store_outage_answers_503_with_retry_after`: login, refresh, logout and logout-all answer
//!   `503` with `Retry-After` and keep the cookies; all works again once the store is back.
//! - `store_outage_leaves_access_tokens_working_unless_strict`.
//! - `authenticator_outage_answers_503_with_retry_after` (`Authentication service
//!   unavailable.`, a jwt-core decision).
//!
//! Robustness:
//! - `garbage_cookies_never_cause_a_server_error`,
//!   `garbage_access_headers_never_cause_a_server_error`,
//!   `garbage_refresh_headers_never_cause_a_server_error`, `non_utf8_login_body_is_400`.
//! - `answers_never_echo_tokens_or_passwords`, `every_answer_is_json`,
//!   `library_answers_are_not_cacheable` (`Cache-Control: no-store`, a jwt-core decision).

mod answer;
mod browser;
mod context;
mod cookie_jar;
mod demo_server;
mod failure;
mod harness;
mod issued;
mod messages;
mod report;
mod scenarios;
mod set_cookie;
mod slow_body;
mod suite;
mod token_view;
mod transport;
mod variant;

pub use demo_server::{
    DEMO_PASSWORD, DEMO_TRUSTED_ORIGIN, DEMO_USERNAME, RunningServer, check_demo_binary_over_tcp,
    spawn_demo_binary, spawn_demo_binary_with,
};
pub use failure::Failure;
pub use harness::Harness;
pub use jwt_core::{JwtAuth, NoClaims};
pub use report::{Report, ScenarioResult};
pub use suite::{run_all, run_in_process, run_over_tcp, run_over_tcp_trusting};

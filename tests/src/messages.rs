//! The fixed texts of docs/PROTOCOL.md: every `{"message": ...}` a server answers with.

pub(crate) const LOGGED_IN: &str = "Authentication successful.";
pub(crate) const REFRESHED: &str = "Access token refreshed.";
pub(crate) const LOGGED_OUT: &str = "Session ended.";
pub(crate) const LOGGED_OUT_EVERYWHERE: &str = "All sessions ended.";
pub(crate) const BAD_CREDENTIALS: &str = "Valid user credentials not provided.";
pub(crate) const UNSUPPORTED_MEDIA_TYPE: &str = "Unsupported media type.";
pub(crate) const BODY_TOO_LARGE: &str = "Request body too large.";
pub(crate) const INVALID_REFRESH_TOKEN: &str = "Invalid refresh token.";
pub(crate) const LOGOUT_UNAUTHENTICATED: &str = "Must be authenticated to log out.";
pub(crate) const CROSS_ORIGIN: &str = "Cross-origin request refused.";
pub(crate) const METHOD_NOT_ALLOWED: &str = "Method not allowed.";
pub(crate) const CREDENTIALS_NOT_PROVIDED: &str = "Authentication credentials were not provided.";
pub(crate) const INVALID_TOKEN: &str = "Invalid or expired token.";
pub(crate) const STORE_UNAVAILABLE: &str = "Session store unavailable.";
/// jwt-core's answer when the authenticator's backend fails (docs/PROTOCOL.md is silent).
pub(crate) const AUTHENTICATOR_UNAVAILABLE: &str = "Authentication service unavailable.";

/// `WWW-Authenticate` on a 401 without any token.
pub(crate) const CHALLENGE: &str = "Bearer";
/// `WWW-Authenticate` on a 401 for a token that was present but bad.
pub(crate) const CHALLENGE_INVALID_TOKEN: &str = r#"Bearer error="invalid_token""#;
/// The login throttle's answer (`JWT_LOGIN_MAX_FAILURES`).
pub(crate) const TOO_MANY_LOGIN_ATTEMPTS: &str = "Too many login attempts.";

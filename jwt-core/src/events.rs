//! What happened, for audit logs, metrics and lockout.
//!
//! Every event is logged with `tracing` (target `jwt_core::events`) and handed to the
//! application's [`EventHook`], if any. No event carries a token or a password.
//!
//! A failed login's username is the stranger's own text, up to the whole login body: users
//! type their password into it by mistake, and an attacker can fill the log with it. The log
//! line keeps at most [`LOGGED_USERNAME_CHARS`] characters of it and says when it cut some
//! (`… [truncated: N bytes]`); the hook receives it whole.

use std::borrow::Cow;

use crate::claims::SessionId;

/// How many characters of a failed login's username a log line keeps.
pub(crate) const LOGGED_USERNAME_CHARS: usize = 64;

/// Something that happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthEvent<'a> {
    /// Credentials were accepted and a session started.
    LoginSucceeded {
        /// The user.
        subject: &'a str,
        /// The new session.
        session_id: &'a SessionId,
    },
    /// Credentials were refused (wrong password, unknown or inactive user).
    LoginFailed {
        /// The username as sent.
        username: &'a str,
    },
    /// A login was refused unchecked: too many failures for this username from this client,
    /// or from this client in all (`JWT_LOGIN_MAX_FAILURES`,
    /// `JWT_LOGIN_MAX_FAILURES_PER_CLIENT`).
    LoginThrottled {
        /// The username as sent.
        username: &'a str,
    },
    /// A refresh token bought a new access token.
    Refreshed {
        /// The user.
        subject: &'a str,
        /// The session.
        session_id: &'a SessionId,
        /// Whether the refresh token was rotated (false within the grace window, or with
        /// rotation off).
        rotated: bool,
    },
    /// A retired refresh token came back after the grace window; the session is revoked.
    ReuseDetected {
        /// The user.
        subject: &'a str,
        /// The revoked session.
        session_id: &'a SessionId,
    },
    /// A session was ended by logout.
    LoggedOut {
        /// The user.
        subject: &'a str,
        /// The ended session.
        session_id: &'a SessionId,
    },
    /// Every session of a user was ended.
    LoggedOutEverywhere {
        /// The user.
        subject: &'a str,
        /// How many sessions ended.
        sessions: usize,
    },
    /// The migration mode exchanged a `django-jwt-auth-middleware` refresh token for a new
    /// session of this library. Counting these shows the migration draining.
    DjangoSessionExchanged {
        /// The user the Django primary key mapped to.
        subject: &'a str,
        /// The new session.
        session_id: &'a SessionId,
    },
    /// A Django refresh token that was exchanged already came back, and was refused.
    DjangoReplayRefused {
        /// The user the Django primary key mapped to.
        subject: &'a str,
    },
}

/// The application's listener for [`AuthEvent`]s. It runs inline on the request, so it should
/// be quick (hand slow work to a channel or a task).
pub trait EventHook: Send + Sync + 'static {
    /// Called once per event.
    fn on_event(&self, event: &AuthEvent<'_>);
}

impl<F> EventHook for F
where
    F: Fn(&AuthEvent<'_>) + Send + Sync + 'static,
{
    fn on_event(&self, event: &AuthEvent<'_>) {
        self(event)
    }
}

pub(crate) fn emit(hook: Option<&dyn EventHook>, event: AuthEvent<'_>) {
    const TARGET: &str = "jwt_core::events";
    match event {
        AuthEvent::LoginSucceeded {
            subject,
            session_id,
        } => {
            tracing::info!(target: TARGET, sub = subject, sid = %session_id, "login succeeded");
        }
        AuthEvent::LoginFailed { username } => {
            let username = loggable_username(username);
            tracing::info!(target: TARGET, username = &*username, "login failed");
        }
        AuthEvent::LoginThrottled { username } => {
            let username = loggable_username(username);
            tracing::warn!(target: TARGET, username = &*username, "login refused: too many failures");
        }
        AuthEvent::Refreshed {
            subject,
            session_id,
            rotated,
        } => {
            tracing::info!(target: TARGET, sub = subject, sid = %session_id, rotated, "refreshed");
        }
        AuthEvent::ReuseDetected {
            subject,
            session_id,
        } => {
            tracing::warn!(
                target: TARGET,
                sub = subject,
                sid = %session_id,
                "refresh token reuse detected; session revoked"
            );
        }
        AuthEvent::LoggedOut {
            subject,
            session_id,
        } => {
            tracing::info!(target: TARGET, sub = subject, sid = %session_id, "logged out");
        }
        AuthEvent::LoggedOutEverywhere { subject, sessions } => {
            tracing::info!(target: TARGET, sub = subject, sessions, "logged out everywhere");
        }
        AuthEvent::DjangoSessionExchanged {
            subject,
            session_id,
        } => {
            tracing::info!(
                target: TARGET,
                sub = subject,
                sid = %session_id,
                "Django refresh token exchanged for a session"
            );
        }
        AuthEvent::DjangoReplayRefused { subject } => {
            tracing::warn!(
                target: TARGET,
                sub = subject,
                "Django refresh token presented again after its exchange; refused"
            );
        }
    }
    if let Some(hook) = hook {
        hook.on_event(&event);
    }
}

/// The username as a log line may carry it: its first [`LOGGED_USERNAME_CHARS`] characters,
/// and a mark with the full length when that is not all of it.
pub(crate) fn loggable_username(username: &str) -> Cow<'_, str> {
    match username.char_indices().nth(LOGGED_USERNAME_CHARS) {
        None => Cow::Borrowed(username),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… [truncated: {} bytes]",
            &username[..cut],
            username.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{LOGGED_USERNAME_CHARS, loggable_username};

    #[test]
    fn short_usernames_are_logged_whole() {
        assert_eq!(loggable_username("alice"), "alice");
        let exact = "é".repeat(LOGGED_USERNAME_CHARS);
        assert_eq!(loggable_username(&exact), exact);
    }

    #[test]
    fn long_usernames_are_cut_on_a_character_boundary_and_marked() {
        let long = "é".repeat(70_000);
        let logged = loggable_username(&long);
        assert!(logged.starts_with(&"é".repeat(LOGGED_USERNAME_CHARS)));
        assert!(logged.ends_with("… [truncated: 140000 bytes]"), "{logged}");
        assert!(logged.len() < 200);
    }
}

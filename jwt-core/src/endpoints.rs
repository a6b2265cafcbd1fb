//! The login, refresh, logout and logout-all transitions.
//!
//! Each takes a [`RequestHead`] (and, for login, the body) and returns a finished [`Reply`];
//! adapters only mount them. Every endpoint answers `POST` only (`405` with `Allow: POST`
//! otherwise) and refuses cookie-authenticated cross-origin requests with `403` when
//! `JWT_CSRF` is on.
//!
//! Decisions of this crate, recorded in `docs/PROTOCOL.md` with the rest of the wire behaviour:
//! - When the session store fails during logout, the answer is `503` and the cookies stay:
//!   the user should retry rather than believe the session ended.
//! - A refresh for a user the authenticator reports gone also revokes the session.
//! - An authenticator backend failure answers `503 {"message": "Authentication service
//!   unavailable."}` with `Retry-After`, like a store failure.
//! - Every endpoint response carries `Cache-Control: no-store`.
//! - A login body that has not arrived within `JWT_LOGIN_BODY_TIMEOUT` (adapters read it with
//!   [`read_login_body`](crate::read_login_body)) answers `408 {"message": "Request
//!   timeout."}`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::JwtAuth;
use crate::authenticator::Identity;
use crate::claims::SessionId;
use crate::cookies::{self, CookieKind};
use crate::csrf;
use crate::events::{self, AuthEvent};
use crate::login_body::{self, LOGIN_BODY_LIMIT, RequestBody};
use crate::minting::random_id;
use crate::reply::{Message, Reply};
use crate::request::{Presented, RequestHead, Slot, TokenSource};
use crate::store::{NewSession, Refresh, RefreshAttempt};
use crate::throttle;
use crate::token::{self, TokenError, TokenKind};

/// One of the endpoints: the four session endpoints, and the public keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `POST JWT_LOGIN_PATH`.
    Login,
    /// `POST JWT_REFRESH_PATH`.
    Refresh,
    /// `POST JWT_LOGOUT_PATH`.
    Logout,
    /// `POST JWT_LOGOUT_ALL_PATH`.
    LogoutAll,
    /// `GET JWT_JWKS_PATH`: the public keys as a JWK Set, served only with an asymmetric
    /// algorithm ([`JwtAuth::endpoints`]).
    Jwks,
}

impl Endpoint {
    /// Every endpoint there is. Mount [`JwtAuth::endpoints`] instead: the JWK Set is served
    /// only where there are public keys to publish.
    pub const ALL: [Endpoint; 5] = [
        Self::Login,
        Self::Refresh,
        Self::Logout,
        Self::LogoutAll,
        Self::Jwks,
    ];
}

/// How long other services may cache the JWK Set: long enough to spare the issuer, short
/// enough that a key added for rotation is seen within minutes.
const JWKS_MAX_AGE_SECONDS: u32 = 300;

impl<C> JwtAuth<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// Where the endpoint is mounted by default (its `JWT_*_PATH` setting).
    pub fn path(&self, endpoint: Endpoint) -> &str {
        let config = &self.inner.config;
        match endpoint {
            Endpoint::Login => &config.login_path,
            Endpoint::Refresh => &config.refresh_path,
            Endpoint::Logout => &config.logout_path,
            Endpoint::LogoutAll => &config.logout_all_path,
            Endpoint::Jwks => &config.jwks_path,
        }
    }

    /// The endpoints to mount: login, refresh, logout and logout-all, and with an asymmetric
    /// algorithm the JWK Set. With HMAC there is no key to publish (the secret never leaves
    /// the server), so nothing is mounted at `JWT_JWKS_PATH` and it answers whatever the
    /// application answers for an unknown path.
    pub fn endpoints(&self) -> impl Iterator<Item = Endpoint> + 'static {
        let publishes_keys = self.inner.config.keys.is_asymmetric();
        Endpoint::ALL
            .into_iter()
            .filter(move |endpoint| *endpoint != Endpoint::Jwks || publishes_keys)
    }

    /// The endpoint mounted at `path`, if any.
    pub fn endpoint_at(&self, path: &str) -> Option<Endpoint> {
        self.endpoints()
            .find(|endpoint| self.path(*endpoint) == path)
    }

    /// Whether the endpoint reads the request body (only login does; the others can answer
    /// without waiting for it).
    pub fn reads_body(endpoint: Endpoint) -> bool {
        endpoint == Endpoint::Login
    }

    /// Runs an endpoint.
    pub async fn handle(
        &self,
        endpoint: Endpoint,
        head: &RequestHead<'_>,
        body: RequestBody,
    ) -> Reply {
        match endpoint {
            Endpoint::Login => self.login(head, body).await,
            Endpoint::Refresh => self.refresh(head).await,
            Endpoint::Logout => self.logout(head).await,
            Endpoint::LogoutAll => self.logout_all(head).await,
            Endpoint::Jwks => self.jwks(head),
        }
    }

    /// `GET JWT_JWKS_PATH`: the public keys in use (the signing key's and those kept for
    /// rotation) as a JWK Set (RFC 7517), cacheable for five minutes. `405` for methods other
    /// than `GET` and `HEAD`; `404` when the keys in use are HMAC secrets, which are never
    /// published.
    pub fn jwks(&self, head: &RequestHead<'_>) -> Reply {
        if !matches!(head.method, "GET" | "HEAD") {
            return Reply::message(Message::MethodNotAllowed).allowing("GET, HEAD");
        }
        let ring = self.keys();
        if !ring.is_asymmetric() {
            return Reply::message(Message::NotFound);
        }
        match serde_json::to_string(&ring.jwks()) {
            Ok(body) => Reply::public_json(body, JWKS_MAX_AGE_SECONDS),
            Err(_) => Reply::message(Message::Internal),
        }
    }

    /// `POST JWT_LOGIN_PATH`: checks credentials, starts a session, sets both cookies.
    pub async fn login(&self, head: &RequestHead<'_>, body: RequestBody) -> Reply {
        if let Err(message) = self.precheck(head, true) {
            return Reply::message(message);
        }
        let Ok(content_type) = head.single(Slot::ContentType) else {
            return Reply::message(Message::UnsupportedMediaType);
        };
        let format = match login_body::format(content_type) {
            Ok(format) => format,
            Err(message) => return Reply::message(message),
        };
        let declared_too_large = head
            .values(Slot::ContentLength)
            .filter_map(|value| std::str::from_utf8(value).ok()?.trim().parse::<u64>().ok())
            .any(|length| length > LOGIN_BODY_LIMIT as u64);
        let body = match body {
            RequestBody::Complete(bytes)
                if bytes.len() <= LOGIN_BODY_LIMIT && !declared_too_large =>
            {
                bytes
            }
            RequestBody::TimedOut => return Reply::message(Message::RequestTimeout),
            _ => return Reply::message(Message::BodyTooLarge),
        };
        let Some(credentials) = login_body::credentials(format, body).await else {
            return Reply::message(Message::BadCredentials);
        };
        let store = &*self.inner.store;
        let throttle = &self.inner.config.throttle;
        let attempt = throttle::Attempt::new(throttle, &credentials.username, head.client());
        let started = self.inner.clock.now();
        match attempt.refusal(store, started).await {
            Ok(None) => {}
            Ok(Some(wait)) => {
                // Refused before the password is looked at: no hashing cost, and a right
                // password does not give itself away with a 200.
                self.emit(AuthEvent::LoginThrottled {
                    username: &credentials.username,
                });
                return Reply::message(Message::TooManyLoginAttempts)
                    .retry_after(throttle::retry_after_seconds(wait));
            }
            Err(error) => {
                tracing::warn!(target: "jwt_core", %error, "session store unavailable during login");
                return Reply::message(Message::StoreUnavailable);
            }
        }
        let identity = match self.inner.authenticator.authenticate(&credentials).await {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                self.emit(AuthEvent::LoginFailed {
                    username: &credentials.username,
                });
                let now = self.inner.clock.now();
                if let Err(error) = attempt.failed(store, throttle.window, now).await {
                    tracing::warn!(target: "jwt_core", %error, "failed login not counted: session store unavailable");
                }
                return Reply::message(Message::BadCredentials);
            }
            Err(error) => {
                tracing::error!(target: "jwt_core", %error, "authenticator failed during login");
                return Reply::message(Message::AuthenticatorUnavailable);
            }
        };
        let (session_id, cookies) = match self.start_session(&identity).await {
            Ok(started) => started,
            Err(reply) => return reply,
        };
        if let Err(error) = attempt.succeeded(store).await {
            tracing::warn!(target: "jwt_core", %error, "failed logins not cleared: session store unavailable");
        }
        self.emit(AuthEvent::LoginSucceeded {
            subject: &identity.subject,
            session_id: &session_id,
        });
        Reply::message(Message::LoggedIn).with_cookies(cookies)
    }

    /// Starts a new session for `identity` in the store and mints its two cookies, access
    /// first: what a login sets, and what the migration mode's exchange sets too. The `Err`
    /// is the answer to give instead.
    pub(crate) async fn start_session(
        &self,
        identity: &Identity<C>,
    ) -> Result<(SessionId, [String; 2]), Reply> {
        let custom = match token::custom_claims(&identity.claims) {
            Ok(custom) => custom,
            Err(_) => {
                tracing::error!(
                    target: "jwt_core",
                    "the application's claims must serialize to a JSON object without registered claim names"
                );
                return Err(Reply::message(Message::Internal));
            }
        };

        let config = &self.inner.config;
        let now = self.inner.clock.now();
        let deadline = config.session_max_age.map(|max_age| now + max_age);
        let refresh_expires = deadline.map_or(now + config.refresh_lifetime, |deadline| {
            deadline.min(now + config.refresh_lifetime)
        });
        let (Some(session_id), Some(refresh_id)) = (random_id(), random_id()) else {
            return Err(Reply::message(Message::Internal));
        };
        let session_id = SessionId::new(session_id);
        let session = NewSession::new(
            session_id.clone(),
            identity.subject.clone(),
            refresh_id.clone(),
            now,
            refresh_expires,
            deadline,
        );
        if let Err(error) = self.inner.store.create(session).await {
            tracing::warn!(target: "jwt_core", %error, "session store unavailable while starting a session");
            return Err(Reply::message(Message::StoreUnavailable));
        }
        let access = self.access_cookie(&identity.subject, &session_id, &custom, now);
        let refresh = self.refresh_cookie(
            &identity.subject,
            &session_id,
            &refresh_id,
            now,
            refresh_expires,
        );
        let (Some(access), Some(refresh)) = (access, refresh) else {
            return Err(Reply::message(Message::Internal));
        };
        Ok((session_id, [access, refresh]))
    }

    /// `POST JWT_REFRESH_PATH`: a new access cookie for a valid refresh token, and (with
    /// `JWT_ROTATE_REFRESH`) a new refresh cookie, retiring the old token.
    pub async fn refresh(&self, head: &RequestHead<'_>) -> Reply {
        let config = &self.inner.config;
        let presented = head.refresh_token();
        let cookie_borne = matches!(presented, Presented::Token(_, TokenSource::Cookie));
        if let Err(message) = self.precheck(head, cookie_borne) {
            return Reply::message(message);
        }
        let refused = || {
            Reply::message(Message::InvalidRefreshToken)
                .with_cookies([cookies::delete(config, CookieKind::Refresh)])
        };
        let Presented::Token(token, _) = presented else {
            return refused();
        };
        let now = self.inner.clock.now();
        let keys = self.current_keys();
        let verified = match token::verify(
            config,
            &keys.ring,
            token,
            TokenKind::Refresh,
            now.unix_timestamp(),
            0,
        ) {
            Ok(verified) => verified,
            // No key of ours is named: with the migration mode on, it may be a Django token.
            Err(TokenError::UnknownKey) if config.django.is_some() => {
                return self.exchange_django(token).await;
            }
            Err(reason) => {
                tracing::debug!(target: "jwt_core", %reason, "refresh token rejected");
                return refused();
            }
        };
        let (subject, session_id) = (&verified.subject, &verified.session_id);

        let identity = match self.inner.authenticator.identity(subject).await {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                if let Err(error) = self.inner.store.revoke(session_id, subject).await {
                    tracing::warn!(target: "jwt_core", %error, "session store unavailable during refresh");
                    return Reply::message(Message::StoreUnavailable);
                }
                return refused();
            }
            Err(error) => {
                tracing::error!(target: "jwt_core", %error, "authenticator failed during refresh");
                return Reply::message(Message::AuthenticatorUnavailable);
            }
        };
        let Ok(custom) = token::custom_claims(&identity.claims) else {
            return Reply::message(Message::Internal);
        };
        let replacement = match config.rotate_refresh {
            true => match random_id() {
                Some(id) => Some((id, now + config.refresh_lifetime)),
                None => return Reply::message(Message::Internal),
            },
            false => None,
        };
        let attempt = RefreshAttempt::new(
            session_id.clone(),
            subject.clone(),
            verified.token_id.clone(),
            replacement.clone(),
            now,
            config.refresh_grace,
        );
        let outcome = match self.inner.store.refresh(attempt).await {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(target: "jwt_core", %error, "session store unavailable during refresh");
                return Reply::message(Message::StoreUnavailable);
            }
        };
        let mut set_cookies = Vec::with_capacity(2);
        let reissue = match &outcome {
            Refresh::Rotated { expires_at } => match &replacement {
                Some((next_id, _)) => Some((next_id.as_str(), *expires_at)),
                None => return Reply::message(Message::Internal),
            },
            Refresh::Grace {
                current_token_id,
                expires_at,
            } => Some((current_token_id.as_str(), *expires_at)),
            Refresh::Current { .. } => None,
            Refresh::Reused => {
                self.emit(AuthEvent::ReuseDetected {
                    subject,
                    session_id,
                });
                return refused();
            }
            _ => return refused(),
        };
        if let Some((token_id, expires_at)) = reissue {
            match self.refresh_cookie(subject, session_id, token_id, now, expires_at) {
                Some(cookie) => set_cookies.push(cookie),
                None => return Reply::message(Message::Internal),
            }
        }
        match self.access_cookie(subject, session_id, &custom, now) {
            Some(cookie) => set_cookies.insert(0, cookie),
            None => return Reply::message(Message::Internal),
        }
        self.emit(AuthEvent::Refreshed {
            subject,
            session_id,
            rotated: matches!(outcome, Refresh::Rotated { .. }),
        });
        Reply::message(Message::Refreshed).with_cookies(set_cookies)
    }

    /// `POST JWT_LOGOUT_PATH`: revokes the access token's session and deletes the cookies.
    pub async fn logout(&self, head: &RequestHead<'_>) -> Reply {
        self.end_sessions(head, false).await
    }

    /// `POST JWT_LOGOUT_ALL_PATH`: revokes every session of the access token's user and
    /// deletes the cookies.
    pub async fn logout_all(&self, head: &RequestHead<'_>) -> Reply {
        self.end_sessions(head, true).await
    }

    async fn end_sessions(&self, head: &RequestHead<'_>, everywhere: bool) -> Reply {
        let config = &self.inner.config;
        let presented = head.access_token();
        let cookie_borne = matches!(presented, Presented::Token(_, TokenSource::Cookie));
        if let Err(message) = self.precheck(head, cookie_borne) {
            return Reply::message(message);
        }
        let mut deletions = vec![cookies::delete(config, CookieKind::Refresh)];
        if config.logout_access {
            deletions.insert(0, cookies::delete(config, CookieKind::Access));
        }
        // Logging out only lowers privilege, so an authentic token that expired less than a
        // refresh lifetime ago still identifies the session to end.
        let grace = config.refresh_lifetime.whole_seconds();
        let now = self.inner.clock.now().unix_timestamp();
        let verified = match presented {
            Presented::Token(token, _) => {
                let keys = self.current_keys();
                token::verify(config, &keys.ring, token, TokenKind::Access, now, grace).ok()
            }
            _ => None,
        };
        let Some(verified) = verified else {
            return Reply::message(Message::LogoutUnauthenticated).with_cookies(deletions);
        };
        let (subject, session_id) = (&verified.subject, &verified.session_id);
        let store = &self.inner.store;
        let (outcome, message) = if everywhere {
            let outcome = store.revoke_all(subject).await.map(|sessions| {
                self.emit(AuthEvent::LoggedOutEverywhere { subject, sessions });
            });
            (outcome, Message::LoggedOutEverywhere)
        } else {
            let outcome = store.revoke(session_id, subject).await.map(|_| {
                self.emit(AuthEvent::LoggedOut {
                    subject,
                    session_id,
                });
            });
            (outcome, Message::LoggedOut)
        };
        match outcome {
            Ok(()) => Reply::message(message).with_cookies(deletions),
            Err(error) => {
                tracing::warn!(target: "jwt_core", %error, "session store unavailable during logout");
                Reply::message(Message::StoreUnavailable)
            }
        }
    }

    /// `405` for anything but `POST`; `403` for a cross-origin request whose token came from
    /// a cookie (login always counts as such: it sets the cookies).
    fn precheck(&self, head: &RequestHead<'_>, browser_borne: bool) -> Result<(), Message> {
        if head.method != "POST" {
            return Err(Message::MethodNotAllowed);
        }
        if self.inner.config.csrf && browser_borne && csrf::is_cross_origin(head) {
            return Err(Message::CrossOrigin);
        }
        Ok(())
    }

    pub(crate) fn emit(&self, event: AuthEvent<'_>) {
        events::emit(self.inner.events.as_deref(), event);
    }
}

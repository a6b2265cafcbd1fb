//! A browser: requests carry the cookies its jar holds for their path, and responses' cookies
//! land in the jar.

use std::cell::RefCell;

use bytes::Bytes;
use http::header::{self, HeaderValue};

use crate::answer::Answer;
use crate::context::{Account, Ctx};
use crate::cookie_jar::CookieJar;
use crate::failure::{Failure, Outcome};
use crate::messages;

/// One browser profile (one cookie jar), e.g. one device of the user.
pub(crate) struct Browser<'c> {
    ctx: &'c Ctx<'c>,
    jar: RefCell<CookieJar>,
}

impl<'c> Browser<'c> {
    pub(crate) fn new(ctx: &'c Ctx<'c>) -> Self {
        Self {
            ctx,
            jar: RefCell::new(CookieJar::default()),
        }
    }

    /// The request with this browser's cookies added, as the browser would send it now.
    pub(crate) fn with_cookies(
        &self,
        mut request: http::Request<Bytes>,
    ) -> Outcome<http::Request<Bytes>> {
        let path = request.uri().path().to_owned();
        let cookies = self
            .jar
            .borrow()
            .header_for(self.ctx.cookie_host(), &path, self.ctx.now());
        if let Some(cookies) = cookies {
            let value = HeaderValue::from_str(&cookies)
                .map_err(|_| Failure::new(format!("cookie jar holds an unsendable {cookies:?}")))?;
            request.headers_mut().append(header::COOKIE, value);
        }
        Ok(request)
    }

    /// Sends the request with this browser's cookies, and keeps the cookies it sets.
    pub(crate) async fn send(&self, request: http::Request<Bytes>) -> Outcome<Answer> {
        let path = request.uri().path().to_owned();
        let request = self.with_cookies(request)?;
        let answer = self.ctx.send(request).await?;
        let now = self.ctx.now();
        let mut jar = self.jar.borrow_mut();
        for line in answer.set_cookies() {
            jar.receive(&line.line, self.ctx.cookie_host(), &path, now)?;
        }
        Ok(answer)
    }

    /// `POST path` with an empty body.
    pub(crate) async fn post(&self, path: &str) -> Outcome<Answer> {
        self.send(self.ctx.post(path).body(Bytes::new())?).await
    }

    /// `GET path`.
    pub(crate) async fn get(&self, path: &str) -> Outcome<Answer> {
        self.send(self.ctx.get(path).body(Bytes::new())?).await
    }

    /// Logs in as the scenario's user; fails unless that succeeds.
    pub(crate) async fn login(&self) -> Outcome<Answer> {
        self.login_as(self.ctx.user).await
    }

    /// Logs in as `account` with JSON credentials; fails unless that succeeds.
    pub(crate) async fn login_as(&self, account: &Account) -> Outcome<Answer> {
        let answer = self.send(self.ctx.login_request(account)?).await?;
        answer.expect(200, messages::LOGGED_IN)?;
        Ok(answer)
    }

    pub(crate) async fn refresh(&self) -> Outcome<Answer> {
        self.post(self.ctx.config.refresh_path()).await
    }

    pub(crate) async fn logout(&self) -> Outcome<Answer> {
        self.post(self.ctx.config.logout_path()).await
    }

    pub(crate) async fn logout_all(&self) -> Outcome<Answer> {
        self.post(self.ctx.config.logout_all_path()).await
    }

    pub(crate) async fn whoami(&self) -> Outcome<Answer> {
        self.get("/whoami/").await
    }

    /// The access cookie's value, if the browser holds one now.
    pub(crate) fn access_cookie(&self) -> Option<String> {
        let name = self.ctx.config.access_cookie();
        self.jar
            .borrow()
            .value(name, self.ctx.now())
            .map(str::to_owned)
    }

    /// The refresh cookie's value, if the browser holds one now.
    pub(crate) fn refresh_cookie(&self) -> Option<String> {
        let name = self.ctx.config.refresh_cookie();
        self.jar
            .borrow()
            .value(name, self.ctx.now())
            .map(str::to_owned)
    }

    /// The access token the browser holds; fails when it holds none.
    pub(crate) fn access_token(&self) -> Outcome<String> {
        self.access_cookie()
            .ok_or_else(|| Failure::new("the browser holds no access cookie"))
    }

    /// The refresh token the browser holds; fails when it holds none.
    pub(crate) fn refresh_token(&self) -> Outcome<String> {
        self.refresh_cookie()
            .ok_or_else(|| Failure::new("the browser holds no refresh cookie"))
    }
}

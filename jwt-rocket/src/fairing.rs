//! [`JwtFairing`]: puts the engine into managed state and completes guard rejections.

use std::sync::Mutex;

use jwt_core::{Endpoint, JwtAuth, JwtConfig, JwtConfigBuilder, NoClaims};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::{Build, Data, Request, Response, Rocket};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::rejection::complete_failure;
use crate::request_head::{ClientMethod, client_method};
use crate::routes::{route_name, routes};

/// The key of Rocket's configuration (`Rocket.toml`, `ROCKET_JWT`) read by
/// [`JwtFairing::from_figment`].
pub const FIGMENT_KEY: &str = "jwt";

/// The fairing every app attaches: it manages the [`JwtAuth<C>`] that the
/// [`Authenticated`](crate::Authenticated) guards use, and turns a failed guard's error
/// response into the exact response the protocol prescribes (see
/// [`Authenticated`](crate::Authenticated)).
///
/// It never rejects a request on its own, and it mounts nothing unless asked with
/// [`JwtFairing::mount_endpoints`]. Authentication happens once per request, at the first
/// guard that asks, and is cached for the rest of the request; requests that no guard asks
/// about cost nothing (no token check, no session store look-up).
///
/// At launch it refuses (with an error log) a second engine for the same claims type, and a
/// refresh route that the refresh cookie would never reach (mounted under a base that
/// `JWT_REFRESH_COOKIE_PATH` does not cover).
pub struct JwtFairing<C = NoClaims> {
    engine: Engine<C>,
    endpoints_at: Option<String>,
}

type EngineFactory<C> = Box<dyn FnOnce(JwtConfig) -> JwtAuth<C> + Send>;

enum Engine<C> {
    Ready(JwtAuth<C>),
    /// Built at ignition from Rocket's configuration; taken out once.
    FromFigment(Mutex<Option<EngineFactory<C>>>),
}

impl<C> JwtFairing<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// A fairing for an engine built by the application.
    pub fn new(auth: JwtAuth<C>) -> Self {
        Self {
            engine: Engine::Ready(auth),
            endpoints_at: None,
        }
    }

    /// A fairing that reads the settings from Rocket's own configuration at ignition, under
    /// [`FIGMENT_KEY`] (`[default.jwt]` in `Rocket.toml`, or `ROCKET_JWT={secret="..."}`),
    /// with the same keys as a `JwtConfig` file (`secret`, `access_duration`, ...), and hands
    /// them to `build` for the engine. Invalid settings stop the launch with an error naming
    /// the setting.
    ///
    /// ```
    /// use jwt_core::{JwtAuth, MemoryAuthenticator, NoClaims};
    /// use jwt_rocket::JwtFairing;
    /// use rocket::figment::providers::Serialized;
    ///
    /// # rocket::async_test(async {
    /// let users = MemoryAuthenticator::<NoClaims>::new();
    /// let figment = rocket::Config::figment().merge(Serialized::default(
    ///     "jwt",
    ///     serde_json::json!({ "secret": "an example secret of at least 32 bytes" }),
    /// ));
    /// let rocket = rocket::custom(figment)
    ///     .attach(JwtFairing::from_figment(move |config| JwtAuth::new(config, users)).mount_endpoints("/"))
    ///     .ignite()
    ///     .await?;
    /// assert!(rocket.state::<JwtAuth<NoClaims>>().is_some());
    /// # Ok::<(), rocket::Error>(())
    /// # }).expect("the example runs");
    /// ```
    pub fn from_figment(build: impl FnOnce(JwtConfig) -> JwtAuth<C> + Send + 'static) -> Self {
        Self {
            engine: Engine::FromFigment(Mutex::new(Some(Box::new(build)))),
            endpoints_at: None,
        }
    }

    /// Also mounts the four endpoints ([`routes`](crate::routes())) under `base` at
    /// ignition; useful with [`JwtFairing::from_figment`], where the engine, and so its
    /// paths, exist only then.
    pub fn mount_endpoints(mut self, base: &str) -> Self {
        self.endpoints_at = Some(base.to_owned());
        self
    }

    fn engine(&self, rocket: &Rocket<Build>) -> Option<JwtAuth<C>> {
        let factory = match &self.engine {
            Engine::Ready(auth) => return Some(auth.clone()),
            Engine::FromFigment(factory) => factory,
        };
        let builder = match rocket
            .figment()
            .extract_inner::<JwtConfigBuilder>(FIGMENT_KEY)
        {
            Ok(builder) => builder,
            // No `jwt` table at all: the defaults, and `build` names what is required.
            Err(error) if error.missing() => JwtConfigBuilder::default(),
            Err(error) => {
                tracing::error!(target: "jwt_rocket", %error, "invalid `jwt` settings in Rocket's configuration");
                return None;
            }
        };
        let config = match builder.build() {
            Ok(config) => config,
            Err(error) => {
                tracing::error!(target: "jwt_rocket", %error, "invalid `jwt` settings in Rocket's configuration");
                return None;
            }
        };
        let Some(build) = factory.lock().ok().and_then(|mut slot| slot.take()) else {
            tracing::error!(target: "jwt_rocket", "JwtFairing::from_figment can ignite only once");
            return None;
        };
        Some(build(config))
    }
}

#[rocket::async_trait]
impl<C> Fairing for JwtFairing<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    fn info(&self) -> Info {
        Info {
            name: "JWT cookie sessions",
            kind: Kind::Ignite | Kind::Request | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let Some(auth) = self.engine(&rocket) else {
            return Err(rocket);
        };
        if rocket.state::<JwtAuth<C>>().is_some() {
            tracing::error!(
                target: "jwt_rocket",
                "a JwtAuth for these claims is already managed; attach one JwtFairing per claims type"
            );
            return Err(rocket);
        }
        let mut rocket = rocket.manage(auth.clone());
        if let Some(base) = &self.endpoints_at {
            match Origin::parse_owned(base.clone()) {
                Ok(base) => rocket = rocket.mount(base, routes(&auth)),
                Err(error) => {
                    tracing::error!(target: "jwt_rocket", %error, base = %base, "invalid base for the endpoints");
                    return Err(rocket);
                }
            }
        }
        if !refresh_cookie_reaches_refresh_routes(&rocket, auth.config()) {
            return Err(rocket);
        }
        Ok(rocket)
    }

    async fn on_request(&self, request: &mut Request<'_>, data: &mut Data<'_>) {
        let method = client_method(request, data).await;
        request.local_cache(|| ClientMethod(method));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        complete_failure(request, response);
    }
}

/// Would the browser send the refresh cookie to every mounted refresh route? It is only
/// sent under its Path (RFC 6265 section 5.1.4), so a refresh route mounted under a base
/// that Path does not cover could never refresh.
fn refresh_cookie_reaches_refresh_routes(rocket: &Rocket<Build>, config: &JwtConfig) -> bool {
    let cookie_path = config.refresh_cookie_path();
    let refresh = route_name(Endpoint::Refresh);
    let mut reached = true;
    for route in rocket
        .routes()
        .filter(|route| route.name.as_deref() == Some(refresh))
    {
        // Rocket keeps route paths without their trailing slash; the endpoint answers at
        // its configured path below the route's base.
        let base = route.uri.base();
        let path = format!(
            "{}{}",
            base.strip_suffix('/').unwrap_or(base),
            config.refresh_path()
        );
        let path = path.as_str();
        let under = path == cookie_path
            || (path.starts_with(cookie_path)
                && (cookie_path.ends_with('/') || path[cookie_path.len()..].starts_with('/')));
        if !under {
            tracing::error!(
                target: "jwt_rocket",
                route = path,
                cookie_path,
                "the refresh endpoint is mounted outside the refresh cookie's Path \
                 (JWT_REFRESH_COOKIE_PATH), so browsers would never send the cookie to it"
            );
            reached = false;
        }
    }
    reached
}

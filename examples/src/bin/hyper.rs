//! The demo app on hyper 1.x with jwt-core alone, no web framework: the recipe for using the
//! core in a custom server. The request handling is [`jwt_examples::hyper_app`]; this file
//! only accepts connections.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin hyper
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use jwt_core::PeerAddr;
use jwt_examples::Demo;
use jwt_examples::hyper_app::HyperApp;
use tokio::net::TcpListener;

fn main() -> Result<(), Box<dyn Error>> {
    // Settings and users are read before the runtime starts.
    let demo = Demo::from_env()?;
    tokio::runtime::Runtime::new()?.block_on(serve(demo))
}

async fn serve(demo: Demo) -> Result<(), Box<dyn Error>> {
    let app = Arc::new(HyperApp::new(demo.auth.clone()).page(demo.index_html()));
    let listener = TcpListener::bind(demo.addr).await?;
    demo.announce("hyper");
    let shutdown = jwt_examples::shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => return Ok(()),
        };
        let (stream, peer) = match accepted {
            Ok(connection) => connection,
            Err(error) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let service = service_fn(move |mut request: hyper::Request<_>| {
                let app = Arc::clone(&app);
                // The login throttle counts failures per client.
                request.extensions_mut().insert(PeerAddr(peer));
                async move { Ok::<_, Infallible>(app.handle(request).await) }
            });
            let connection = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(error) = connection {
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
}

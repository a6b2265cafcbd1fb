//! JWT cookie sessions for axum (see the jwt-axum issue).

//! JWT cookie sessions for actix (see the jwt-actix issue).

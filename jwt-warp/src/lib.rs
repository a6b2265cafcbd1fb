//! JWT cookie sessions for warp (see the jwt-warp issue).

//! JWT cookie sessions for rocket (see the jwt-rocket issue).

use std::path::PathBuf;

/// A setting that cannot be used; raised when the configuration is built, never later.
///
/// Every variant names the setting by its environment-variable name (`JWT_SECRET`, ...), which
/// is also how the file key is found: lower case, without `JWT_`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The value is present but not acceptable.
    #[error("{setting}: {reason}")]
    Invalid {
        /// The setting's environment-variable name.
        setting: &'static str,
        /// What is wrong with it, without echoing secret material.
        reason: String,
    },
    /// A setting the others make necessary is absent.
    #[error("{setting} is required: {reason}")]
    Missing {
        /// The setting's environment-variable name.
        setting: &'static str,
        /// Why it is needed.
        reason: String,
    },
    /// A key or configuration file could not be read.
    #[error("{setting}: cannot read {}: {source}", path.display())]
    Unreadable {
        /// The setting that named the file.
        setting: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A configuration file is not valid TOML or JSON for these settings.
    #[error("configuration file: {message}")]
    Syntax {
        /// The parser's description, which names the offending key.
        message: String,
    },
}

impl ConfigError {
    /// The setting at fault, when there is exactly one.
    pub fn setting(&self) -> Option<&'static str> {
        match self {
            Self::Invalid { setting, .. }
            | Self::Missing { setting, .. }
            | Self::Unreadable { setting, .. } => Some(setting),
            Self::Syntax { .. } => None,
        }
    }

    pub(crate) fn invalid(setting: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            setting,
            reason: reason.into(),
        }
    }

    pub(crate) fn missing(setting: &'static str, reason: impl Into<String>) -> Self {
        Self::Missing {
            setting,
            reason: reason.into(),
        }
    }
}

//! The demo binaries' command line: `--addr HOST:PORT` and `--db PATH`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What the command line asked for; `None` where it said nothing.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CommandLine {
    pub(crate) addr: Option<SocketAddr>,
    pub(crate) db: Option<PathBuf>,
    pub(crate) help: bool,
}

pub(crate) const USAGE: &str = "\
usage: <demo> [--addr HOST:PORT] [--db PATH]

  --addr HOST:PORT  where to listen (else $ADDR, else 127.0.0.1:8000)
  --db PATH         the SQLite user database, created when missing (default demo.sqlite)

Settings come from the JWT_* environment variables; users from
JWT_DEMO_USERS=\"alice:password1,bob:password2\".";

impl CommandLine {
    /// Parses the arguments after the program name; an unknown argument is an error, so a
    /// misspelt flag is not silently ignored.
    pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg, None),
            };
            let mut value = |what: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs {what}\n\n{USAGE}"))
            };
            match flag.as_str() {
                "--addr" => {
                    let text = value("HOST:PORT")?;
                    let addr = text.parse().map_err(|_| {
                        format!("--addr {text:?} is not HOST:PORT (127.0.0.1:8000)")
                    })?;
                    parsed.addr = Some(addr);
                }
                "--db" => parsed.db = Some(PathBuf::from(value("PATH")?)),
                "-h" | "--help" => parsed.help = true,
                _ => return Err(format!("unknown argument {flag:?}\n\n{USAGE}")),
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<CommandLine, String> {
        CommandLine::parse(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn flags_take_a_separate_or_an_inline_value() {
        let separate = parse(&["--addr", "127.0.0.1:9000", "--db", "users.sqlite"]);
        let inline = parse(&["--addr=127.0.0.1:9000", "--db=users.sqlite"]);
        let expected = CommandLine {
            addr: Some("127.0.0.1:9000".parse().expect("valid address")),
            db: Some(PathBuf::from("users.sqlite")),
            help: false,
        };
        assert_eq!(separate, Ok(expected));
        assert_eq!(
            inline,
            parse(&["--addr", "127.0.0.1:9000", "--db", "users.sqlite"])
        );
    }

    #[test]
    fn no_arguments_leave_everything_to_the_defaults() {
        assert_eq!(parse(&[]), Ok(CommandLine::default()));
    }

    #[test]
    fn unknown_or_incomplete_arguments_are_errors() {
        assert!(parse(&["--adr", "127.0.0.1:9000"]).is_err_and(|e| e.contains("--adr")));
        assert!(parse(&["--addr"]).is_err_and(|e| e.contains("HOST:PORT")));
        assert!(parse(&["--addr", "localhost"]).is_err_and(|e| e.contains("localhost")));
    }
}

//! Server URLs as they may be shown: never with their password.

/// `scheme://user:password@host/db` without the password.
pub(crate) fn redact(url: &str) -> String {
    crate::database::redacted(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://ann:s3cret@db:5432/app"), "postgres://ann:***@db:5432/app");
        assert_eq!(redact("mysql://root@127.0.0.1/test"), "mysql://root@127.0.0.1/test");
        assert_eq!(redact("nonsense"), "nonsense");
    }
}

//! Server URLs as they may be shown: never with their password.

pub(crate) use crate::database::redacted as redact;

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

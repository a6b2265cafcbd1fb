//! A certificate chain of the test's own: a CA, a server certificate for 127.0.0.1 and
//! localhost, a client certificate, and a second CA that signed none of them.

use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// PEM files in a directory of their own.
pub(crate) struct TlsFiles {
    dir: tempfile::TempDir,
}

impl TlsFiles {
    /// Generates the chain into a fresh temporary directory.
    pub(crate) fn generate() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let ca = certificate_authority("jwt-core test CA");
        let other_ca = certificate_authority("an unrelated CA");
        // Cluster nodes present their server certificate to each other as clients too.
        let server = leaf(
            &["127.0.0.1", "localhost"],
            &[
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
            &ca,
        );
        let client = leaf(&["client"], &[ExtendedKeyUsagePurpose::ClientAuth], &ca);
        let write = |name: &str, text: &str| {
            std::fs::write(dir.path().join(name), text)
                .expect("the temporary directory is writable");
        };
        write("ca.pem", &ca.pem());
        write("other-ca.pem", &other_ca.pem());
        write("server.pem", &server.0);
        write("server.key", &server.1);
        write("client.pem", &client.0);
        write("client.key", &client.1);
        Self { dir }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn certificate_authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("valid parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("a key pair");
    CertifiedIssuer::self_signed(params, key).expect("a self-signed CA")
}

/// A certificate and its key, in PEM, signed by `issuer`.
fn leaf(
    names: &[&str],
    purposes: &[ExtendedKeyUsagePurpose],
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> (String, String) {
    let names: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("valid names");
    params
        .distinguished_name
        .push(DnType::CommonName, &names[0]);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = purposes.to_vec();
    let key = KeyPair::generate().expect("a key pair");
    let certificate = params
        .signed_by(&key, issuer)
        .expect("a signed certificate");
    (certificate.pem(), key.serialize_pem())
}

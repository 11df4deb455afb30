//! E-mail from `keepsake daemon` and `keepsake report --email`: SMTP with STARTTLS required
//! (never a message in the clear), the password from the OS keyring (`keepsake email password`)
//! or `KEEPSAKE_SMTP_PASSWORD`, a certificate authority of one's own for a home server.

use std::time::Duration;

use keepsake_engine::sources::EmailSettings;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

/// The keyring entry of the SMTP password (under the app's service, as the destinations').
pub const KEYRING_ACCOUNT: &str = "smtp";
/// The variable that can hold it instead.
pub const PASSWORD_ENV: &str = "KEEPSAKE_SMTP_PASSWORD";

/// Sends one plain-text message to the recipient of `settings`. `Err` says why, in words.
pub fn send(settings: &EmailSettings, subject: &str, body: &str) -> Result<(), String> {
    let password = match &settings.user {
        Some(_) => keepsake_remote::secrets::lookup_account(KEYRING_ACCOUNT, PASSWORD_ENV)
            .map_err(|why| format!("the SMTP password cannot be read from the keyring: {why}"))?
            .ok_or_else(|| {
                format!("no SMTP password is saved: run `keepsake email password` or set {PASSWORD_ENV}")
            })?
            .to_string(),
        None => String::new(),
    };
    let mut tls = TlsParameters::builder(settings.smtp_host.clone());
    if let Some(ca) = &settings.ca_file {
        let pem = std::fs::read(ca).map_err(|e| format!("cannot read {}: {e}", ca.display()))?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| format!("{} is not a PEM certificate: {e}", ca.display()))?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls.build_native().map_err(|e| format!("TLS: {e}"))?;
    let mut transport = SmtpTransport::builder_dangerous(&settings.smtp_host)
        .port(settings.smtp_port)
        .tls(Tls::Required(tls))
        .timeout(Some(Duration::from_secs(30)));
    if let Some(user) = &settings.user {
        transport = transport.credentials(Credentials::new(user.clone(), password));
    }
    let message = Message::builder()
        .from(settings.from.parse().map_err(|e| format!("from {:?}: {e}", settings.from))?)
        .to(settings.to.parse().map_err(|e| format!("to {:?}: {e}", settings.to))?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| format!("the message: {e}"))?;
    transport
        .build()
        .send(&message)
        .map(|_| ())
        .map_err(|e| format!("{}:{} did not take the message: {e}", settings.smtp_host, settings.smtp_port))
}

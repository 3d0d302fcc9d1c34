//! Notifications a tenant sends when a client is created.
//!
//! Mambu sends a client-creation e-mail or SMS when the tenant has an
//! active template for the event and the new client has an e-mail address
//! (EMAIL) or a mobile phone number (SMS) — API creates included, so a
//! migration would greet every migrated customer. In: the tenant's
//! templates and a client's contact fields (or a create body). Out: which
//! channels would fire, and counts over many clients. Never fails.

use serde::{Deserialize, Serialize};

/// The event a template is sent on that concerns a migration.
pub const CLIENT_CREATED: &str = "CLIENT_CREATED";

/// How a notification reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationChannel {
    /// To `client.emailAddress`.
    Email,
    /// To `client.mobilePhone1`.
    Sms,
}

/// One notification template of the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationTemplate {
    /// A name for messages (Mambu's template name or id).
    pub id: String,
    /// The template's display name, when the tenant gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The event it is sent on, e.g. CLIENT_CREATED.
    pub event: String,
    /// Whether it goes out by email or by SMS.
    pub channel: NotificationChannel,
    /// ACTIVE or INACTIVE; only active templates are sent.
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "ACTIVE".to_string()
}

impl NotificationTemplate {
    /// Whether creating a client sends it.
    pub fn fires_on_create(&self) -> bool {
        self.event.eq_ignore_ascii_case(CLIENT_CREATED) && self.state.eq_ignore_ascii_case("ACTIVE")
    }
}

/// The channels a client creation notifies on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreationChannels {
    /// An active CLIENT_CREATED template sends email.
    pub email: bool,
    /// An active CLIENT_CREATED template sends SMS.
    pub sms: bool,
}

impl CreationChannels {
    /// The channels of the active CLIENT_CREATED templates.
    pub fn of(templates: &[NotificationTemplate]) -> Self {
        let mut c = Self::default();
        for t in templates.iter().filter(|t| t.fires_on_create()) {
            match t.channel {
                NotificationChannel::Email => c.email = true,
                NotificationChannel::Sms => c.sms = true,
            }
        }
        c
    }

    /// Whether any channel fires at all.
    pub fn any(&self) -> bool {
        self.email || self.sms
    }

    /// What a client with these contact fields would be sent.
    pub fn for_client(&self, email: Option<&str>, mobile: Option<&str>) -> Notified {
        let present = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
        Notified {
            email: self.email && present(email),
            sms: self.sms && present(mobile),
        }
    }

    /// What the client in a create body (`{"client":{…}}`) would be sent.
    /// A body that does not parse notifies no one: it would not be created.
    pub fn for_body(&self, body: &[u8]) -> Notified {
        if !self.any() {
            return Notified::default();
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Contact {
            email_address: Option<String>,
            mobile_phone1: Option<String>,
        }
        #[derive(Deserialize)]
        struct Body {
            client: Contact,
        }
        match serde_json::from_slice::<Body>(body) {
            Ok(b) => self.for_client(
                b.client.email_address.as_deref(),
                b.client.mobile_phone1.as_deref(),
            ),
            Err(_) => Notified::default(),
        }
    }
}

/// What one client would be sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Notified {
    /// An email would go to the client's address.
    pub email: bool,
    /// An SMS would go to the client's first mobile phone.
    pub sms: bool,
}

/// Notifications over many clients.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NotificationCount {
    /// Clients sent at least one notification.
    pub clients: u64,
    /// E-mails sent.
    pub email: u64,
    /// Text messages sent.
    pub sms: u64,
}

impl NotificationCount {
    /// Counts one client.
    pub fn add(&mut self, n: Notified) {
        self.clients += u64::from(n.email || n.sms);
        self.email += u64::from(n.email);
        self.sms += u64::from(n.sms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(channel: NotificationChannel, event: &str, state: &str) -> NotificationTemplate {
        NotificationTemplate {
            id: "t".into(),
            name: None,
            event: event.into(),
            channel,
            state: state.into(),
        }
    }

    #[test]
    fn only_active_creation_templates_count() {
        use NotificationChannel::*;
        let c = CreationChannels::of(&[
            template(Email, "CLIENT_CREATED", "ACTIVE"),
            template(Sms, "CLIENT_CREATED", "INACTIVE"),
            template(Sms, "LOAN_CREATED", "ACTIVE"),
        ]);
        assert_eq!(
            c,
            CreationChannels {
                email: true,
                sms: false
            }
        );
        assert!(!CreationChannels::of(&[]).any());
    }

    #[test]
    fn a_client_is_counted_once_and_per_channel() {
        let c = CreationChannels {
            email: true,
            sms: true,
        };
        let mut n = NotificationCount::default();
        n.add(c.for_body(br#"{"client":{"emailAddress":"a@b.c","mobilePhone1":"+1"}}"#));
        n.add(c.for_body(br#"{"client":{"emailAddress":" ","mobilePhone1":"+1"}}"#));
        n.add(c.for_body(br#"{"client":{"firstName":"No contact"}}"#));
        n.add(c.for_body(b"not json"));
        assert_eq!(
            n,
            NotificationCount {
                clients: 2,
                email: 1,
                sms: 2
            }
        );
    }
}
